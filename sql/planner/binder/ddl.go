package binder

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/charset"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// ColumnType maps a column's MySQL type in CREATE TABLE to Ember's: INT/INTEGER/MEDIUMINT →
// INT (int32), BIGINT, SMALLINT, TINYINT, BOOLEAN/BOOL; FLOAT, DOUBLE/REAL; DECIMAL(p,s)
// (default (10,0)); VARCHAR(n)/CHAR(n) (maxChars n), TEXT types; DATE; DATETIME and
// TIMESTAMP (microseconds, no time zone). typeText is the type as SHOW CREATE TABLE prints it.
func ColumnType(ft *types.FieldType) (t arrow.DataType, maxChars int, typeText string, err error) {
	unsigned := mysql.HasUnsignedFlag(ft.GetFlag())
	if unsigned {
		return nil, 0, "", errs.NotImplementedf("UNSIGNED column types are not supported: %s", ft.String())
	}
	switch ft.GetType() {
	case mysql.TypeTiny:
		if mysql.HasIsBooleanFlag(ft.GetFlag()) || ft.GetFlen() == 1 && strings.HasPrefix(strings.ToLower(ft.String()), "tinyint(1)") {
			return planner.Boolean, 0, "BOOLEAN", nil
		}
		return planner.Int8, 0, "TINYINT", nil
	case mysql.TypeShort:
		return planner.Int16, 0, "SMALLINT", nil
	case mysql.TypeLong, mysql.TypeInt24:
		return planner.Int32, 0, "INT", nil
	case mysql.TypeLonglong:
		return planner.Int64, 0, "BIGINT", nil
	case mysql.TypeFloat:
		return planner.Float32, 0, "FLOAT", nil
	case mysql.TypeDouble:
		return planner.Float64, 0, "DOUBLE", nil
	case mysql.TypeNewDecimal:
		p, s := ft.GetFlen(), ft.GetDecimal()
		if p <= 0 {
			p = 10
		}
		if s < 0 {
			s = 0
		}
		if p > planner.MaxDecimalPrecision {
			return nil, 0, "", errs.Planf("DECIMAL precision %d is more than the maximum %d", p, planner.MaxDecimalPrecision)
		}
		if s > p {
			return nil, 0, "", errs.Planf("DECIMAL scale %d is more than its precision %d", s, p)
		}
		return planner.Decimal(int32(p), int32(s)), 0, fmt.Sprintf("DECIMAL(%d,%d)", p, s), nil
	case mysql.TypeVarchar, mysql.TypeVarString, mysql.TypeString:
		if ft.GetCharset() == charset.CharsetBin {
			return nil, 0, "", errs.NotImplementedf("BINARY and VARBINARY columns are not supported")
		}
		n := ft.GetFlen()
		kind := "VARCHAR"
		if ft.GetType() == mysql.TypeString {
			kind = "CHAR"
			if n <= 0 {
				n = 1
			}
		}
		if n <= 0 {
			return planner.String, 0, "TEXT", nil
		}
		return planner.String, n, fmt.Sprintf("%s(%d)", kind, n), nil
	case mysql.TypeBlob, mysql.TypeTinyBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		if ft.GetCharset() == charset.CharsetBin {
			return nil, 0, "", errs.NotImplementedf("BLOB columns are not supported")
		}
		return planner.String, 0, "TEXT", nil
	case mysql.TypeDate:
		return planner.Date, 0, "DATE", nil
	case mysql.TypeDatetime:
		return planner.Timestamp, 0, "DATETIME", nil
	case mysql.TypeTimestamp:
		return planner.Timestamp, 0, "TIMESTAMP", nil
	}
	return nil, 0, "", errs.NotImplementedf("column type %s is not supported", ft.String())
}

// BindCreateTable reads CREATE TABLE t (columns ...) into a TableSpec: types, NOT NULL,
// DEFAULT (a constant of the column's type), PRIMARY KEY (its columns become NOT NULL; no
// uniqueness is enforced, as in Spark and DuckDB's unindexed tables). With AS SELECT and no
// columns, the columns come from the query, whose bound plan is returned too.
func (b *Binder) BindCreateTable(q *parser.Query) (spec *planner.TableSpec, query planner.Plan, err error) {
	n, ok := q.Node.(*ast.CreateTableStmt)
	if !ok {
		return nil, nil, errs.Internalf("BindCreateTable of %T", q.Node)
	}
	defer func() {
		if r := recover(); r != nil {
			spec, query, err = nil, nil, errs.FromPanic(r)
		}
	}()
	s := &state{b: b, q: q, sql: q.SQL}
	if n.ReferTable != nil {
		return nil, nil, errs.NotImplementedf("CREATE TABLE ... LIKE is not supported")
	}
	if n.Partition != nil {
		return nil, nil, errs.NotImplementedf("PARTITION BY in CREATE TABLE is not supported; use CREATE TABLE ... USING parquet PARTITIONED BY")
	}
	spec = &planner.TableSpec{Database: n.Table.Schema.O, Name: n.Table.Name.O, IfNotExists: n.IfNotExists,
		Temporary: n.TemporaryKeyword != ast.TemporaryNone}
	seen := map[string]bool{}
	for _, cd := range n.Cols {
		name := cd.Name.Name.O
		if seen[strings.ToLower(name)] {
			return nil, nil, errs.Planf("column %q is declared twice in CREATE TABLE %s", name, spec.Name)
		}
		seen[strings.ToLower(name)] = true
		t, maxChars, text, err := ColumnType(cd.Tp)
		if err != nil {
			return nil, nil, errs.Wrap(errs.KindOf(err), err, "column %q", name)
		}
		c := planner.ColumnSpec{Name: name, Type: t, MaxChars: maxChars, TypeText: text}
		for _, opt := range cd.Options {
			switch opt.Tp {
			case ast.ColumnOptionNotNull:
				c.NotNull = true
			case ast.ColumnOptionNull:
				c.NotNull = false
			case ast.ColumnOptionPrimaryKey:
				c.NotNull = true
				spec.PrimaryKey = append(spec.PrimaryKey, name)
			case ast.ColumnOptionDefaultValue:
				lit, err := s.constantFor(opt.Expr, c, "DEFAULT of column "+name)
				if err != nil {
					return nil, nil, err
				}
				c.Default = lit
			case ast.ColumnOptionComment, ast.ColumnOptionUniqKey, ast.ColumnOptionCollate:
				// accepted and recorded nowhere: no effect on results
			default:
				return nil, nil, errs.NotImplementedf("column option %s of %q is not supported", s.text(opt), name)
			}
		}
		if c.NotNull && c.Default != nil && c.Default.Value == nil {
			return nil, nil, errs.Planf("column %q is NOT NULL but its DEFAULT is NULL", name)
		}
		spec.Columns = append(spec.Columns, c)
	}
	for _, con := range n.Constraints {
		switch con.Tp {
		case ast.ConstraintPrimaryKey:
			for _, k := range con.Keys {
				i := planner.ColumnIndex(spec.Columns, k.Column.Name.O)
				if i < 0 {
					return nil, nil, errs.Planf("PRIMARY KEY names unknown column %q", k.Column.Name.O)
				}
				spec.Columns[i].NotNull = true
				spec.PrimaryKey = append(spec.PrimaryKey, spec.Columns[i].Name)
			}
		case ast.ConstraintIndex, ast.ConstraintKey, ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
			// accepted, no effect on results
		default:
			return nil, nil, errs.NotImplementedf("table constraint %s is not supported", s.text(con))
		}
	}
	if n.Select != nil {
		if len(spec.Columns) > 0 {
			return nil, nil, errs.NotImplementedf("CREATE TABLE with both columns and AS SELECT is not supported")
		}
		p, err := s.bindQueryNode(n.Select)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range p.Schema() {
			if planner.ColumnIndex(spec.Columns, c.Name) >= 0 {
				return nil, nil, errs.Planf("CREATE TABLE ... AS SELECT: the query has two columns named %q; give them distinct aliases", c.Name)
			}
			text := planner.TypeString(c.Type)
			if c.Type.ID() == arrow.STRING {
				text = "TEXT" // MySQL's VARCHAR needs a length
			}
			spec.Columns = append(spec.Columns, planner.ColumnSpec{Name: c.Name, Type: c.Type, TypeText: text})
		}
		return spec, p, nil
	}
	if len(spec.Columns) == 0 {
		return nil, nil, errs.Planf("CREATE TABLE %s needs at least one column", spec.Name)
	}
	return spec, nil, nil
}

// constantFor binds a constant expression (a DEFAULT, or a value of INSERT ... VALUES) and
// converts it to the column's type with MySQL's implicit conversions for literals ('5' into
// an INT column is 5); what does not convert is a plan error naming where.
func (s *state) constantFor(n ast.ExprNode, c planner.ColumnSpec, where string) (*planner.Literal, error) {
	e, err := s.bindExpr(&exprCtx{clause: where}, n)
	if err != nil {
		return nil, err
	}
	lit, ok := e.(*planner.Literal)
	if !ok {
		return nil, errs.NotImplementedf("%s must be a constant, got %s", where, s.text(n))
	}
	if lit.Value == nil {
		return planner.NewLiteral(nil, c.Type), nil
	}
	conv, err := castTo(lit, c.Type, where)
	if err != nil {
		return nil, err
	}
	if l, ok := conv.(*planner.Literal); ok {
		return l, nil
	}
	return nil, errs.Planf("%s: %s cannot be stored in a %s column", where, s.text(n), c.TypeText)
}

// BindInsert binds INSERT INTO t [(cols)] VALUES (...), ... or INSERT INTO t [(cols)]
// SELECT ... against the table's declared columns. The plan's columns are exactly the
// table's, in order: values are brought to each column's type (literals at bind time with
// MySQL's implicit conversions, other values by a cast at run time, which fails naming the
// value), columns the statement leaves out get their DEFAULT (or NULL). NOT NULL and
// VARCHAR(n) are checked when the rows are written, where the row number is known.
func (b *Binder) BindInsert(q *parser.Query, table string, specs []planner.ColumnSpec) (p planner.Plan, err error) {
	n, ok := q.Node.(*ast.InsertStmt)
	if !ok {
		return nil, errs.Internalf("BindInsert of %T", q.Node)
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errs.FromPanic(r)
		}
	}()
	s := &state{b: b, q: q, sql: q.SQL}
	switch {
	case n.IsReplace:
		return nil, errs.NotImplementedf("REPLACE is not supported")
	case n.Setlist:
		return nil, errs.NotImplementedf("INSERT ... SET is not supported; use INSERT ... VALUES")
	case len(n.OnDuplicate) > 0:
		return nil, errs.NotImplementedf("INSERT ... ON DUPLICATE KEY UPDATE is not supported")
	case n.IgnoreErr:
		return nil, errs.NotImplementedf("INSERT IGNORE is not supported")
	}
	// target[i] is the table column the i-th value goes to.
	var target []int
	if len(n.Columns) == 0 {
		for i := range specs {
			target = append(target, i)
		}
	} else {
		used := map[int]bool{}
		for _, c := range n.Columns {
			i := planner.ColumnIndex(specs, c.Name.O)
			if i < 0 {
				names := make([]string, len(specs))
				for k, sp := range specs {
					names[k] = sp.Name
				}
				return nil, errs.Planf("table %s has no column %q%s", table, c.Name.O, suggest(c.Name.O, names))
			}
			if used[i] {
				return nil, errs.Planf("column %q is listed twice in INSERT INTO %s", c.Name.O, table)
			}
			used[i] = true
			target = append(target, i)
		}
	}
	out := make([]planner.Column, len(specs))
	for i, c := range specs {
		out[i] = planner.NewColumn(c.Name, "", c.Type, true)
	}
	fill := func(values map[int]planner.Expr) []planner.Expr {
		row := make([]planner.Expr, len(specs))
		for i, c := range specs {
			if e, ok := values[i]; ok {
				row[i] = e
			} else if c.Default != nil {
				row[i] = c.Default
			} else {
				row[i] = planner.NewLiteral(nil, c.Type)
			}
		}
		return row
	}
	if n.Select != nil {
		src, err := s.bindQueryNode(n.Select)
		if err != nil {
			return nil, err
		}
		in := src.Schema()
		if len(in) != len(target) {
			return nil, errs.Planf("INSERT INTO %s has %d target columns but the query returns %d", table, len(target), len(in))
		}
		values := map[int]planner.Expr{}
		for k, i := range target {
			e, err := s.storeAs(planner.NewColumnRef(in[k]), specs[i], table, "")
			if err != nil {
				return nil, err
			}
			values[i] = e
		}
		proj, err := planner.NewProject(src, fill(values), out)
		if err != nil {
			return nil, internal(err)
		}
		return proj, nil
	}
	rows := make([][]planner.Expr, len(n.Lists))
	for r, list := range n.Lists {
		if len(list) != len(target) {
			return nil, errs.Planf("row %d of INSERT INTO %s has %d values, expected %d", r+1, table, len(list), len(target))
		}
		values := map[int]planner.Expr{}
		for k, item := range list {
			i := target[k]
			if _, isDefault := item.(*ast.DefaultExpr); isDefault {
				continue // fill gives the default
			}
			e, err := s.bindExpr(&exprCtx{clause: "VALUES"}, item)
			if err != nil {
				return nil, err
			}
			if e, err = s.storeAs(e, specs[i], table, fmt.Sprintf(" (row %d)", r+1)); err != nil {
				return nil, err
			}
			values[i] = e
		}
		rows[r] = fill(values)
	}
	v, err := planner.NewValues(rows, out)
	if err != nil {
		return nil, internal(err)
	}
	return v, nil
}

// storeAs converts a value to a column's type for storing it; row says which row of
// VALUES it is (" (row 3)"), for messages.
func (s *state) storeAs(e planner.Expr, c planner.ColumnSpec, table, row string) (planner.Expr, error) {
	if arrow.TypeEqual(e.Type(), c.Type) {
		return e, nil
	}
	if familyOf(e.Type()) != famNull && !canCast(e.Type(), c.Type) {
		return nil, errs.Planf("a %s value cannot be stored in column %q (%s) of %s%s", planner.TypeString(e.Type()), c.Name, c.TypeText, table, row)
	}
	out, err := castTo(e, c.Type, fmt.Sprintf("column %q of %s%s", c.Name, table, row))
	if err != nil {
		return nil, err
	}
	// A number literal that does not fold into a numeric column is out of its range; say
	// so here, where the column and row are known, rather than in a run-time cast.
	if lit, ok := e.(*planner.Literal); ok && lit.Value != nil && outOfRange(lit, c.Type) {
		return nil, errs.Planf("value %s is out of range for column %q %s of %s%s", lit, c.Name, c.TypeText, table, row)
	}
	return out, nil
}

// outOfRange reports whether a number literal has more integer digits than the type
// holds (fractional digits are rounded away when stored, as MySQL does).
func outOfRange(lit *planner.Literal, t arrow.DataType) bool {
	if !familyOf(lit.Typ).numeric() || !familyOf(t).numeric() || familyOf(t) == famFloat {
		return false
	}
	text := strings.TrimPrefix(planner.FormatValue(lit.Value, lit.Typ, false), "-")
	if i := strings.IndexAny(text, ".eE"); i >= 0 {
		if text[i] != '.' {
			return false // a float in exponent form: left to the run-time cast
		}
		text = text[:i]
	}
	text = strings.TrimLeft(text, "0")
	switch familyOf(t) {
	case famDecimal:
		p, sc, _ := planner.DecimalParams(t)
		return int32(len(text)) > p-sc
	case famInt:
		limit := map[arrow.Type]int{arrow.INT8: 3, arrow.INT16: 5, arrow.INT32: 10, arrow.INT64: 19}[t.ID()]
		if len(text) != limit {
			return len(text) > limit
		}
		if v, ok := lit.Value.(int64); ok {
			return !intFits(v, t)
		}
	}
	return false
}
