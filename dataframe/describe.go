package dataframe

import (
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// Spark's statistic lists: Dataset.describe() and Dataset.summary() with no arguments.
var (
	describeStats = []string{"count", "mean", "stddev", "min", "max"}
	summaryStats  = []string{"count", "mean", "stddev", "min", "25%", "50%", "75%", "max"}
)

// describeSQL returns one query computing statistics of columns of a relation, as Spark's
// describe() and summary() show them: a VARCHAR column `summary` holding the statistic's
// name, then one VARCHAR column per described column, one row per statistic in the order
// of stats.
//
// from is the relation as a FROM clause writes it ("(SELECT ...) AS t"); schema is its
// schema. cols names the columns to describe (case-insensitive; an unknown one is ErrPlan
// naming the nearest column); when empty, every numeric and VARCHAR column, as in Spark.
// stats are among count, mean, stddev, min, max and percentages (25%, 50%, 75% or any p%
// with 0 <= p <= 100), case-insensitive; Spark's summary() list when empty; another name
// is ErrPlan.
//
// Per statistic: count is count(c) (non-NULL values, an integer); mean is avg and stddev
// stddev_samp, both over c cast to DOUBLE (Spark's doubles, not MySQL's DECIMAL avg);
// min and max keep c's type; a percentage is percentile_disc(c, p), a value of the column
// as Spark's approximate percentile gives (exact here). Every value is then cast to CHAR.
// VARCHAR, BOOLEAN, DATE and TIMESTAMP columns get count, min and max, and NULL for the
// others; a column of another type (arrays, vectors, binary) is ErrPlan.
//
// The relation is scanned once: one aggregate row holds every statistic, and a cross join
// with a constant table of the statistics' names turns it into rows.
func describeSQL(from string, schema *arrow.Schema, cols []string, stats []string) (string, error) {
	ps := make(planner.Schema, schema.NumFields())
	for i, f := range schema.Fields() {
		ps[i] = planner.Column{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
	}
	var described []planner.Column
	if len(cols) == 0 {
		for _, c := range ps {
			if planner.IsNumeric(c.Type) || planner.IsString(c.Type) {
				described = append(described, c)
			}
		}
	}
	for _, name := range cols {
		i := columnIndex(ps, name)
		if i < 0 {
			return "", unknownColumn(ps, name)
		}
		c := ps[i]
		if describeKind(c.Type) == describeNone {
			return "", errs.Planf("cannot describe column %q of type %s (only numbers, strings, booleans, dates and timestamps)",
				c.Name, planner.TypeString(c.Type))
		}
		described = append(described, c)
	}
	if len(stats) == 0 {
		stats = summaryStats
	}
	type stat struct {
		name string // as the summary column shows it
		kind string // count, mean, stddev, min, max or %
		p    string // the fraction of a percentage, as a SQL literal
	}
	parsed := make([]stat, len(stats))
	for i, s := range stats {
		t := strings.TrimSpace(s)
		if pct, ok := strings.CutSuffix(t, "%"); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
			if err != nil || v < 0 || v > 100 {
				return "", errs.Planf("statistic %q: a percentage must be a number from 0 to 100 followed by %%", s)
			}
			parsed[i] = stat{name: t, kind: "%", p: strconv.FormatFloat(v/100, 'f', -1, 64)}
			continue
		}
		k := strings.ToLower(t)
		if !slices.Contains(describeStats, k) {
			msg := "unknown statistic %q (known: count, mean, stddev, min, max, and percentages such as 25%%)"
			if near := udf.Nearest(k, describeStats); near != "" {
				return "", errs.Planf(msg+"; did you mean %q?", s, near)
			}
			return "", errs.Planf(msg, s)
		}
		parsed[i] = stat{name: k, kind: k}
	}

	// The constant table: statistic i is row (i, name).
	var names strings.Builder
	for i, st := range parsed {
		if i > 0 {
			names.WriteString(" UNION ALL ")
		}
		names.WriteString("SELECT ")
		names.WriteString(strconv.Itoa(i))
		if i == 0 {
			names.WriteString(" AS `i`, ")
			names.WriteString(quoteString(st.name))
			names.WriteString(" AS `name`")
		} else {
			names.WriteString(", ")
			names.WriteString(quoteString(st.name))
		}
	}
	if len(described) == 0 {
		return "SELECT `__s`.`name` AS `summary` FROM (" + names.String() + ") AS `__s` ORDER BY `__s`.`i`", nil
	}

	// The aggregate row: column `__<c>_<i>` is statistic i of described column c, for the
	// statistics that apply to c's type.
	var aggs, outs []string
	for ci, c := range described {
		col := sqlIdent(c.Name)
		kind := describeKind(c.Type)
		var whens []string
		for si, st := range parsed {
			var e string
			switch {
			case st.kind == "count":
				e = "count(" + col + ")"
			case st.kind == "min" || st.kind == "max":
				e = st.kind + "(" + col + ")"
			case kind != describeNumeric:
				continue // NULL: no WHEN branch
			case st.kind == "mean":
				e = "avg(CAST(" + col + " AS DOUBLE))"
			case st.kind == "stddev":
				e = "stddev_samp(CAST(" + col + " AS DOUBLE))"
			default:
				e = "percentile_disc(" + col + ", " + st.p + ")"
			}
			alias := "`__" + strconv.Itoa(ci) + "_" + strconv.Itoa(si) + "`"
			aggs = append(aggs, "CAST("+e+" AS CHAR) AS "+alias)
			whens = append(whens, " WHEN "+strconv.Itoa(si)+" THEN `__g`."+alias)
		}
		out := "CAST(NULL AS CHAR)"
		if len(whens) > 0 {
			out = "CASE `__s`.`i`" + strings.Join(whens, "") + " END"
		}
		outs = append(outs, out+" AS "+col)
	}
	return "SELECT `__s`.`name` AS `summary`, " + strings.Join(outs, ", ") +
		" FROM (SELECT " + strings.Join(aggs, ", ") + " FROM " + from + ") AS `__g`" +
		" CROSS JOIN (" + names.String() + ") AS `__s` ORDER BY `__s`.`i`", nil
}

// What describe computes for a column type.
const (
	describeNone    = iota // not describable
	describeOrdered        // count, min, max
	describeNumeric        // every statistic
)

func describeKind(t arrow.DataType) int {
	switch {
	case planner.IsNumeric(t):
		return describeNumeric
	case planner.IsString(t), planner.IsTemporal(t), t.ID() == arrow.BOOL:
		return describeOrdered
	}
	return describeNone
}
