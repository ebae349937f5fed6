package tpch

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// MySQL's division of exact numbers differs from DuckDB's: 1.00 / 3 is the DECIMAL 0.333333
// in MySQL (and Ember): the dividend's scale plus 4 (div_precision_increment), rounded half
// away from zero; DuckDB returns a DOUBLE. No SQL expression in DuckDB can give a DECIMAL
// whose scale depends on an operand's type, so the translation splits the work: ToDuckDB
// rewrites each `a / b` to ember_mysql_div(a, b), which DuckDB evaluates to a struct of the
// two exact operands, and DuckDB.Query replaces every such struct column by the quotient
// (mysqlDivide), computed here with the operands' Arrow types.

// The struct that ember_mysql_div returns. The field names are the marker that
// DuckDB.Query looks for.
const (
	divDividend  = "ember_dividend"
	divDivisor   = "ember_divisor"
	mysqlDivFunc = "ember_mysql_div"
	// mysqlDivMacro defines ember_mysql_div for OpenDuckDB.
	mysqlDivMacro = `CREATE MACRO ember_mysql_div(a, b) AS struct_pack(` + divDividend + ` := a, ` + divDivisor + ` := b)`
)

// divPrecisionIncrement is MySQL's div_precision_increment (default 4): the scale a
// quotient adds to its dividend's.
const divPrecisionIncrement = 4

// rewriteDivisions puts ember_mysql_div(a, b) in place of every a / b in q. The left operand
// is the chain of * and / operands before the "/" (they bind as tightly and associate to
// the left: 100.00 * sum(x) / sum(y) divides the product); the right operand is one primary:
// a name or number, a function call, or a parenthesized expression. Text in string literals
// is left alone. An operand of another shape (a keyword such as END, a string, a unary
// sign, a comment) is an error, not a guess.
func rewriteDivisions(q string) (string, error) {
	for {
		i, err := nextDivision(q)
		if err != nil || i < 0 {
			return q, err
		}
		start, err := leftOperandStart(q, i)
		if err != nil {
			return "", err
		}
		end, err := primaryEnd(q, i+1)
		if err != nil {
			return "", err
		}
		left, right := strings.TrimSpace(q[start:i]), strings.TrimSpace(q[i+1:end])
		q = q[:start] + mysqlDivFunc + "(" + left + ", " + right + ")" + q[end:]
	}
}

// nextDivision returns the index of the first "/" of q outside string literals, or -1.
func nextDivision(q string) (int, error) {
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '\'':
			end, err := stringEnd(q, i)
			if err != nil {
				return 0, err
			}
			i = end - 1
		case '/':
			if i+1 < len(q) && q[i+1] == '*' {
				return 0, fmt.Errorf("tpch: cannot translate a comment for DuckDB at %q", excerpt(q, i))
			}
			return i, nil
		}
	}
	return -1, nil
}

// stringEnd returns the index just past the string literal whose opening quote is q[i];
// a doubled quote is part of the literal.
func stringEnd(q string, i int) (int, error) {
	for j := i + 1; j < len(q); j++ {
		if q[j] == '\'' {
			if j+1 < len(q) && q[j+1] == '\'' {
				j++
				continue
			}
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("tpch: unterminated string literal at %q", excerpt(q, i))
}

// leftOperandStart returns where the left operand of the "/" at q[i] starts.
func leftOperandStart(q string, i int) (int, error) {
	end := i
	for {
		start, err := primaryStart(q, trimSpaceBack(q, end))
		if err != nil {
			return 0, fmt.Errorf("%w (the left operand of the / at %q)", err, excerpt(q, i))
		}
		if k := trimSpaceBack(q, start); k > 0 && q[k-1] == '*' {
			end = k - 1
			continue
		}
		return start, nil
	}
}

// primaryStart returns where the primary that ends just before q[end] starts.
func primaryStart(q string, end int) (int, error) {
	if end == 0 {
		return 0, fmt.Errorf("tpch: no operand")
	}
	start := end
	if q[end-1] == ')' {
		open, err := matchingOpen(q, end-1)
		if err != nil {
			return 0, err
		}
		start = open
	}
	w := start
	for w > 0 && isWordByte(q[w-1]) {
		w--
	}
	if w == start && start == end {
		return 0, fmt.Errorf("tpch: cannot translate an operand ending in %q for DuckDB", q[end-1:end])
	}
	if start == end && isKeyword(q[w:end]) {
		return 0, fmt.Errorf("tpch: cannot translate an operand ending in the keyword %q for DuckDB", q[w:end])
	}
	return w, nil
}

// primaryEnd returns the index just past the primary that starts at or after q[i] (after
// spaces).
func primaryEnd(q string, i int) (int, error) {
	for i < len(q) && isSpace(q[i]) {
		i++
	}
	if i < len(q) && q[i] == '(' {
		return matchingClose(q, i)
	}
	j := i
	for j < len(q) && isWordByte(q[j]) {
		j++
	}
	if j == i || isKeyword(q[i:j]) {
		return 0, fmt.Errorf("tpch: cannot translate the right operand of the / at %q for DuckDB", excerpt(q, i))
	}
	if j < len(q) && q[j] == '(' {
		return matchingClose(q, j)
	}
	return j, nil
}

// matchingOpen returns the index of the "(" that the ")" at q[i] closes.
func matchingOpen(q string, i int) (int, error) {
	depth := 0
	inString := false
	for j := i; j >= 0; j-- {
		switch {
		case q[j] == '\'':
			inString = !inString // a doubled quote toggles twice
		case inString:
		case q[j] == ')':
			depth++
		case q[j] == '(':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, fmt.Errorf("tpch: unbalanced parentheses before %q", excerpt(q, i))
}

// matchingClose returns the index just past the ")" that closes the "(" at q[i].
func matchingClose(q string, i int) (int, error) {
	depth := 0
	for j := i; j < len(q); j++ {
		switch q[j] {
		case '\'':
			end, err := stringEnd(q, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("tpch: unbalanced parentheses after %q", excerpt(q, i))
}

func trimSpaceBack(q string, end int) int {
	for end > 0 && isSpace(q[end-1]) {
		end--
	}
	return end
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isWordByte reports whether c can be part of a name, a qualified name or a number.
func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isKeyword reports whether w is a keyword that can stand next to an operator but is not
// an operand itself.
func isKeyword(w string) bool {
	switch strings.ToLower(w) {
	case "select", "end", "then", "else", "when", "case", "and", "or", "not", "as", "from", "where", "by", "on", "in", "is":
		return true
	}
	return false
}

func excerpt(q string, i int) string { return q[i:min(len(q), i+30)] }

// isDivStruct reports whether t is the struct that ember_mysql_div returns.
func isDivStruct(t arrow.DataType) bool {
	st, ok := t.(*arrow.StructType)
	return ok && st.NumFields() == 2 && st.Field(0).Name == divDividend && st.Field(1).Name == divDivisor
}

// quotientType is MySQL's type of a / b for exact operands: scale s+4 for a dividend of
// scale s (integers have scale 0). The precision is 38, Ember's largest; only the scale
// shows in the text of a value.
func quotientType(st *arrow.StructType) (*arrow.Decimal128Type, error) {
	s1, err := exactScale(st.Field(0).Type)
	if err != nil {
		return nil, err
	}
	if _, err := exactScale(st.Field(1).Type); err != nil {
		return nil, err
	}
	return &arrow.Decimal128Type{Precision: 38, Scale: s1 + divPrecisionIncrement}, nil
}

// exactScale returns the scale of an exact numeric type: a decimal's scale, 0 for integers.
func exactScale(t arrow.DataType) (int32, error) {
	if d, ok := t.(arrow.DecimalType); ok {
		return d.GetScale(), nil
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return 0, nil
	}
	return 0, fmt.Errorf("tpch: MySQL's exact division needs exact operands, got %s", t)
}

// exactValue returns value i of an exact numeric array as an unscaled integer.
func exactValue(a arrow.Array, i int) (*big.Int, error) {
	switch v := a.(type) {
	case *array.Decimal32:
		return big.NewInt(int64(v.Value(i))), nil
	case *array.Decimal64:
		return big.NewInt(int64(v.Value(i))), nil
	case *array.Decimal128:
		return v.Value(i).BigInt(), nil
	case *array.Decimal256:
		return v.Value(i).BigInt(), nil
	case *array.Int8:
		return big.NewInt(int64(v.Value(i))), nil
	case *array.Int16:
		return big.NewInt(int64(v.Value(i))), nil
	case *array.Int32:
		return big.NewInt(int64(v.Value(i))), nil
	case *array.Int64:
		return big.NewInt(v.Value(i)), nil
	case *array.Uint8:
		return new(big.Int).SetUint64(uint64(v.Value(i))), nil
	case *array.Uint16:
		return new(big.Int).SetUint64(uint64(v.Value(i))), nil
	case *array.Uint32:
		return new(big.Int).SetUint64(uint64(v.Value(i))), nil
	case *array.Uint64:
		return new(big.Int).SetUint64(v.Value(i)), nil
	}
	return nil, fmt.Errorf("tpch: MySQL's exact division needs exact operands, got %s", a.DataType())
}

// mysqlDivide returns the unscaled quotient u1·10^-s1 / (u2·10^-s2) at scale s1+4, rounded
// half away from zero, and false when u2 is zero (MySQL's NULL).
func mysqlDivide(u1 *big.Int, s1 int32, u2 *big.Int, s2 int32) (*big.Int, bool) {
	if u2.Sign() == 0 {
		return nil, false
	}
	// The quotient scaled by 10^(s1+4) is u1·10^(s2+4) / u2.
	num := new(big.Int).Mul(new(big.Int).Abs(u1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s2+divPrecisionIncrement)), nil))
	den := new(big.Int).Abs(u2)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if u1.Sign()*u2.Sign() < 0 {
		q.Neg(q)
	}
	return q, true
}

// divideStruct computes the quotients of a struct column returned by ember_mysql_div as a
// new decimal array of type dt, allocated from mem; the caller releases it.
func divideStruct(mem memory.Allocator, col *array.Struct, dt *arrow.Decimal128Type) (arrow.Array, error) {
	num, den := col.Field(0), col.Field(1)
	s1, _ := exactScale(num.DataType())
	s2, _ := exactScale(den.DataType())
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(dt.Precision)), nil)
	b := array.NewDecimal128Builder(mem, dt)
	defer b.Release()
	for i := 0; i < col.Len(); i++ {
		if col.IsNull(i) || num.IsNull(i) || den.IsNull(i) {
			b.AppendNull()
			continue
		}
		u1, err := exactValue(num, i)
		if err != nil {
			return nil, err
		}
		u2, err := exactValue(den, i)
		if err != nil {
			return nil, err
		}
		q, ok := mysqlDivide(u1, s1, u2, s2)
		if !ok {
			b.AppendNull()
			continue
		}
		if new(big.Int).Abs(q).Cmp(limit) >= 0 {
			return nil, fmt.Errorf("tpch: quotient %s does not fit %s", formatDecimal(q, dt.Scale), dt)
		}
		b.Append(decimal128.FromBigInt(q))
	}
	return b.NewArray(), nil
}

// applyDivisions replaces the ember_mysql_div struct columns of batches by their quotients
// (see divideStruct). It takes over the batches: each is released or returned. The schema
// returned describes the new batches.
func applyDivisions(mem memory.Allocator, schema *arrow.Schema, batches []arrow.RecordBatch) (*arrow.Schema, []arrow.RecordBatch, error) {
	fields := append([]arrow.Field(nil), schema.Fields()...)
	var divCols []int
	for i, f := range fields {
		if isDivStruct(f.Type) {
			dt, err := quotientType(f.Type.(*arrow.StructType))
			if err != nil {
				releaseAll(batches)
				return nil, nil, err
			}
			fields[i] = arrow.Field{Name: f.Name, Type: dt, Nullable: true}
			divCols = append(divCols, i)
		}
	}
	if len(divCols) == 0 {
		return schema, batches, nil
	}
	out := arrow.NewSchema(fields, nil)
	for bi, b := range batches {
		cols := make([]arrow.Array, b.NumCols())
		for c := range cols {
			cols[c] = b.Column(c)
		}
		var made []arrow.Array
		for _, c := range divCols {
			q, err := divideStruct(mem, b.Column(c).(*array.Struct), fields[c].Type.(*arrow.Decimal128Type))
			if err != nil {
				releaseAll(made)
				releaseAll(batches) // those before bi are already the new ones
				return nil, nil, err
			}
			made = append(made, q)
			cols[c] = q
		}
		batches[bi] = array.NewRecordBatch(out, cols, b.NumRows())
		releaseAll(made) // the new batch holds its own references
		b.Release()
	}
	return out, batches, nil
}

func releaseAll[T interface{ Release() }](xs []T) {
	for _, x := range xs {
		x.Release()
	}
}
