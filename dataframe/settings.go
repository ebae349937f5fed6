package dataframe

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/optimizer"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Session settings: SET name = value (Spark's dotted names, e.g. SET
// ember.optimizer.disabled_rules = 'JoinReorder,CommonSubexpressionElimination'), read by
// the pipeline. A setting is one entry of settingDefs: its check runs at SET time, so a bad
// value is refused there with a clear error; SHOW SETTINGS lists them.

type settingDef struct {
	doc   string
	check func(v string) error
}

var settingDefs = map[string]settingDef{
	"ember.optimizer.runtime_filters": {
		doc: "true (default) or false: hash joins hand the bounds and a bloom filter of their build keys to the scans on their probe side, which skip row groups and drop rows that cannot match",
		check: func(v string) error {
			_, err := runtimeFiltersOn(v)
			return err
		},
	},
	"ember.optimizer.broadcast_threshold_rows": {
		doc: "a hash join whose build side is estimated at this many rows or fewer is broadcast to every probe partition instead of shuffling both sides; 0 disables broadcast joins (default 100000)",
		check: func(v string) error {
			_, err := broadcastThreshold(v)
			return err
		},
	},
	"ember.optimizer.disabled_rules": {
		doc: "comma-separated optimizer rules to skip (names as EXPLAIN VERBOSE shows them)",
		check: func(v string) error {
			empty, err := planner.NewValues(nil, nil)
			if err != nil {
				return errs.Internalf("%v", err)
			}
			_, _, err = optimizer.New(optimizer.DefaultBatches(), optimizer.Options{Disabled: splitList(v)}).Optimize(empty)
			return err
		},
	},
}

// defaultBroadcastThresholdRows is ember.optimizer.broadcast_threshold_rows when not set:
// about Spark's 10 MB default (spark.sql.autoBroadcastJoinThreshold) for rows of some 100
// bytes. Every probe partition builds its own table from a broadcast side, so memory grows
// with partitions times this.
const defaultBroadcastThresholdRows = 100_000

// broadcastThreshold reads ember.optimizer.broadcast_threshold_rows ("" is the default).
func broadcastThreshold(v string) (int64, error) {
	if v == "" {
		return defaultBroadcastThresholdRows, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Planf("ember.optimizer.broadcast_threshold_rows must be a whole number of rows, 0 or more, not %q", v)
	}
	return n, nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// set runs SET name = value, ... .
func (s *Session) set(n *ast.SetStmt) (*Result, error) {
	var done []string
	for _, v := range n.Variables {
		name := strings.ToLower(v.Name)
		def, ok := settingDefs[name]
		if !ok {
			names := make([]string, 0, len(settingDefs))
			for k := range settingDefs {
				names = append(names, k)
			}
			msg := fmt.Sprintf("unknown setting %q", v.Name)
			if near := udf.Nearest(name, names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			return nil, errs.Planf("%s", msg)
		}
		if v.IsGlobal {
			return nil, errs.NotImplementedf("SET GLOBAL: settings belong to the session")
		}
		val, err := constantText(v.Value)
		if err != nil {
			return nil, errs.Wrap(errs.KindOf(err), err, "SET %s", v.Name)
		}
		if err := def.check(val); err != nil {
			return nil, err
		}
		s.settings[name] = val
		done = append(done, name+" = '"+val+"'")
	}
	return &Result{Message: "set " + strings.Join(done, ", ")}, nil
}

// constantText reads a SET value: a string, number or boolean literal.
func constantText(e ast.ExprNode) (string, error) {
	if v, ok := e.(ast.ValueExpr); ok {
		return fmt.Sprint(v.GetValue()), nil
	}
	if c, ok := e.(*ast.ColumnNameExpr); ok { // SET x = word
		return c.Name.Name.O, nil
	}
	return "", errs.Planf("a setting's value must be a constant")
}

// showSettings lists the settings with their values ("" when not set) and docs.
func (s *Session) showSettings() *Result {
	names := make([]string, 0, len(settingDefs))
	for k := range settingDefs {
		names = append(names, k)
	}
	sort.Strings(names)
	rows := make([][]string, len(names))
	for i, n := range names {
		rows[i] = []string{n, s.settings[n], settingDefs[n].doc}
	}
	return stringResult(s, []string{"name", "value", "description"}, rows)
}
