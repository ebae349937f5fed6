package udf

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// ---------------------------------------------------------------------------------------
// Scalar plumbing shared by the string, math and date families.
//
// A built-in scalar is a builtinScalar value: a name, a Doc, a volatility, a signature and an
// eval. The signature (sig) checks the argument types and returns the parameter types the
// binder casts each argument to (CastArgs) and the result type (ReturnType); applied to
// its own parameter types it returns them unchanged, so Eval sees exactly the parameter
// types. eval runs over whole arrays: the map* helpers below loop over the rows with typed
// readers and write typed buffers, calling a per-row closure (no interface{} per row).

// builtinScalar is a built-in scalar function described by data.
type builtinScalar struct {
	name string
	doc  string
	vol  Volatility
	sig  func(args []arrow.DataType) (params []arrow.DataType, ret arrow.DataType, err error)
	eval func(c *scalarCall) (arrow.Array, error)
	// seesNulls marks functions whose eval handles NULL arguments itself; for the others a
	// NULL argument makes the row NULL before eval sees it.
	seesNulls bool
	// perSite, when set, makes the instance for one call site (see ForCallSite).
	perSite func(f *builtinScalar, constant []bool) *builtinScalar
}

func (f *builtinScalar) Name() string           { return f.name }
func (f *builtinScalar) Doc() string            { return f.doc }
func (f *builtinScalar) Volatility() Volatility { return f.vol }

// ReturnType implements Function.
func (f *builtinScalar) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	_, ret, err := f.sig(args)
	return ret, err
}

// CastArgs returns the types the binder casts the arguments (of types args, which
// ReturnType accepted) to before the call, as udf.ArgumentCaster says for aggregates.
func (f *builtinScalar) CastArgs(args []arrow.DataType) []arrow.DataType {
	params, _, _ := f.sig(args)
	return params
}

// ForCallSite returns the function to call at one call site, where constant[i] says whether
// argument i is a constant: a fresh instance for functions that keep state per call site
// (rand with a constant seed), else f itself.
func (f *builtinScalar) ForCallSite(constant []bool) ScalarFunction {
	if f.perSite == nil {
		return f
	}
	return f.perSite(f, constant)
}

// Eval implements ScalarFunction. The arguments must have the types CastArgs returned
// (anything else is an internal error: the binder inserts the casts).
func (f *builtinScalar) Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	types := make([]arrow.DataType, len(args))
	for i, a := range args {
		if a.Len() != n {
			return nil, errs.Internalf("%s: argument %d has %d rows, expected %d", f.name, i+1, a.Len(), n)
		}
		types[i] = a.DataType()
	}
	params, ret, err := f.sig(types)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	c := &scalarCall{ctx: ctx, mem: mem, args: args, n: n, ret: ret, name: f.name}
	for i, a := range args {
		isNullType := a.DataType().ID() == arrow.NULL
		if !isNullType && !arrow.TypeEqual(a.DataType(), params[i]) {
			return nil, errs.Internalf("%s: argument %d is %s, expected %s", f.name, i+1, TypeName(a.DataType()), TypeName(params[i]))
		}
		if isNullType || (a.Len() > 0 && a.NullN() == a.Len()) {
			c.nullArg = true
		}
	}
	if c.nullArg && !f.seesNulls {
		return array.MakeArrayOfNull(mem, ret, n), nil
	}
	return f.eval(c)
}

// scalarCall is one evaluation of a scalar over a batch.
type scalarCall struct {
	ctx  context.Context
	mem  memory.Allocator
	args []arrow.Array
	n    int
	ret  arrow.DataType
	name string
	// nullArg is set when some argument is entirely NULL (or of type NULL).
	nullArg bool
	// err is the first row error (set through fail); the map helpers stop on it.
	err error
}

// fail records a row error; the running map helper returns it.
func (c *scalarCall) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// anyNull reports whether some argument is NULL at row i.
func (c *scalarCall) anyNull(i int) bool {
	if c.nullArg {
		return true
	}
	for _, a := range c.args {
		if a.IsNull(i) {
			return true
		}
	}
	return false
}

// str returns argument j as a VARCHAR array (the binder cast it).
func (c *scalarCall) str(j int) *array.String { return c.args[j].(*array.String) }

// ints returns argument j's values as int64 (the binder cast it to BIGINT).
func (c *scalarCall) ints(j int) []int64 { return fixedValues[int64](c.args[j]) }

// floats returns argument j's values as float64 (the binder cast it to DOUBLE).
func (c *scalarCall) floats(j int) []float64 { return fixedValues[float64](c.args[j]) }

// fixedValues returns the values of a fixed-width array (zeros when a producer left the
// value buffer out of an all-NULL array).
func fixedValues[T arrow.FixedWidthType](a arrow.Array) []T {
	if a.Len() == 0 || a.Data().Buffers()[1] == nil || a.Data().Buffers()[1].Len() == 0 {
		return make([]T, a.Len())
	}
	return arrow.GetValues[T](a.Data(), 1)
}

// mapFixed builds a fixed-width result of type dt: NULL where some argument is NULL or f
// returns ok=false, else f's value. It stops at the first error recorded with c.fail.
func mapFixed[T arrow.FixedWidthType](c *scalarCall, dt arrow.DataType, f func(i int) (T, bool)) (arrow.Array, error) {
	n := c.n
	var z T
	data := newBuffer(c.mem, n*int(unsafe.Sizeof(z)))
	var vals []T
	if n > 0 {
		vals = arrow.GetData[T](data.Bytes())[:n]
	}
	vb := newBuffer(c.mem, int(bitutil.BytesForBits(int64(n))))
	bits := vb.Bytes()
	clear(bits)
	nulls := 0
	for i := range n {
		if c.err != nil {
			break
		}
		vals[i] = z
		if c.anyNull(i) {
			nulls++
			continue
		}
		v, ok := f(i)
		if !ok {
			nulls++
			continue
		}
		vals[i] = v
		bitutil.SetBit(bits, i)
	}
	if c.err != nil {
		data.Release()
		vb.Release()
		return nil, c.err
	}
	if nulls == 0 {
		vb.Release()
		vb = nil
	}
	return makeArray(dt, n, nulls, vb, data), nil
}

// mapBool is mapFixed for a BOOLEAN result.
func mapBool(c *scalarCall, f func(i int) (bool, bool)) (arrow.Array, error) {
	n := c.n
	nb := int(bitutil.BytesForBits(int64(n)))
	data := newBuffer(c.mem, nb)
	vb := newBuffer(c.mem, nb)
	vals, bits := data.Bytes(), vb.Bytes()
	clear(vals)
	clear(bits)
	nulls := 0
	for i := range n {
		if c.err != nil {
			break
		}
		if c.anyNull(i) {
			nulls++
			continue
		}
		v, ok := f(i)
		if !ok {
			nulls++
			continue
		}
		if v {
			bitutil.SetBit(vals, i)
		}
		bitutil.SetBit(bits, i)
	}
	if c.err != nil {
		data.Release()
		vb.Release()
		return nil, c.err
	}
	if nulls == 0 {
		vb.Release()
		vb = nil
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, nulls, vb, data), nil
}

// mapString builds a VARCHAR result. f appends the row's value to dst and returns it (so
// most rows allocate nothing), or ok=false for NULL. skipNulls=false hands rows with NULL
// arguments to f too (concat_ws).
func mapString(c *scalarCall, skipNulls bool, f func(dst []byte, i int) ([]byte, bool)) (arrow.Array, error) {
	b := array.NewStringBuilder(c.mem)
	defer b.Release()
	b.Reserve(c.n)
	var scratch []byte
	for i := range c.n {
		if c.err != nil {
			break
		}
		if skipNulls && c.anyNull(i) {
			b.AppendNull()
			continue
		}
		out, ok := f(scratch[:0], i)
		if !ok {
			b.AppendNull()
			continue
		}
		b.BinaryBuilder.Append(out)
		scratch = out
	}
	if c.err != nil {
		return nil, c.err
	}
	return b.NewArray(), nil
}

// ---------------------------------------------------------------------------------------
// Signatures.

// argKind is what a parameter accepts and becomes.
type argKind uint8

const (
	// argString accepts strings, numbers, booleans, dates and timestamps and makes VARCHAR.
	argString argKind = iota
	// argInt accepts integers, booleans, decimals, floats and strings and makes BIGINT
	// (rounding half away from zero, as MySQL).
	argInt
	// argDouble accepts numbers and strings and makes DOUBLE.
	argDouble
	// argTemporal accepts DATE, TIMESTAMP and VARCHAR (parsed per row) as they are.
	argTemporal
)

var (
	typVarchar   arrow.DataType = arrow.BinaryTypes.String
	typBoolean   arrow.DataType = arrow.FixedWidthTypes.Boolean
	typDate      arrow.DataType = arrow.FixedWidthTypes.Date32
	typTimestamp arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond}
)

func isStringID(id arrow.Type) bool {
	return id == arrow.STRING || id == arrow.LARGE_STRING || id == arrow.STRING_VIEW
}

func isFloatID(id arrow.Type) bool { return id == arrow.FLOAT32 || id == arrow.FLOAT64 }

func isNumericID(id arrow.Type) bool {
	return isIntegerID(id) || isFloatID(id) || id == arrow.DECIMAL128
}

func isTemporalID(id arrow.Type) bool { return id == arrow.DATE32 || id == arrow.TIMESTAMP }

// paramType returns the type argument i (1-based in messages) of type t becomes as a k.
func paramType(name string, i int, t arrow.DataType, k argKind) (arrow.DataType, error) {
	id := t.ID()
	switch k {
	case argString:
		if id == arrow.NULL || isStringID(id) || isNumericID(id) || isTemporalID(id) || id == arrow.BOOL {
			return typVarchar, nil
		}
		return nil, errs.Planf("%s: argument %d must be a string, got %s", name, i, TypeName(t))
	case argInt:
		if id == arrow.NULL || isNumericID(id) || isStringID(id) || id == arrow.BOOL {
			return int64Type, nil
		}
		return nil, errs.Planf("%s: argument %d must be an integer, got %s", name, i, TypeName(t))
	case argDouble:
		if id == arrow.NULL || isNumericID(id) || isStringID(id) || id == arrow.BOOL {
			return float64Type, nil
		}
		return nil, errs.Planf("%s: argument %d must be a number, got %s", name, i, TypeName(t))
	case argTemporal:
		switch {
		case id == arrow.NULL:
			return typDate, nil
		case id == arrow.DATE32:
			return typDate, nil
		case id == arrow.TIMESTAMP:
			return typTimestamp, nil
		case isStringID(id):
			return typVarchar, nil
		}
		return nil, errs.Planf("%s: argument %d must be a DATE, TIMESTAMP or string, got %s", name, i, TypeName(t))
	}
	return nil, errs.Internalf("%s: unknown parameter argKind %d", name, k)
}

// checkArity checks the argument count: between lo and hi (hi < 0: no upper bound).
func checkArity(name string, args []arrow.DataType, lo, hi int) error {
	if len(args) >= lo && (hi < 0 || len(args) <= hi) {
		return nil
	}
	switch {
	case lo == hi:
		return errs.Planf("%s takes %d argument%s, got %d", name, lo, plural(lo), len(args))
	case hi < 0:
		return errs.Planf("%s takes at least %d argument%s, got %d", name, lo, plural(lo), len(args))
	}
	return errs.Planf("%s takes %d to %d arguments, got %d", name, lo, hi, len(args))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// fixedSig is the signature of a function of lo..hi arguments of the given kinds (the last
// argKind repeats for further arguments) and a fixed result type.
func fixedSig(name string, lo, hi int, ret arrow.DataType, kinds ...argKind) func([]arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
	return func(args []arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
		if err := checkArity(name, args, lo, hi); err != nil {
			return nil, nil, err
		}
		params := make([]arrow.DataType, len(args))
		for i, t := range args {
			k := kinds[min(i, len(kinds)-1)]
			p, err := paramType(name, i+1, t, k)
			if err != nil {
				return nil, nil, err
			}
			params[i] = p
		}
		return params, ret, nil
	}
}

// ---------------------------------------------------------------------------------------
// String functions. Strings are UTF-8; positions and lengths count characters (code
// points) except length/octet_length, which count bytes, as MySQL's utf8mb4. Comparisons
// inside functions (locate, replace, regexp) are case-sensitive, as Ember's = and LIKE are
// (MySQL's default collation would ignore case). A result longer than maxStringResult bytes
// is NULL, as MySQL does past max_allowed_packet.

// maxStringResult bounds what repeat, space, lpad and rpad build (MySQL's default
// max_allowed_packet, 64 MiB).
const maxStringResult = 64 << 20

// registerStringFunctions registers the string functions.
func registerStringFunctions(r *Registry) {
	for _, f := range stringFunctions() {
		r.RegisterScalar(f)
	}
}

func stringFunctions() []*builtinScalar {
	fs := []*builtinScalar{
		{name: "concat", doc: "concat(s1, s2, ...) joins its arguments (numbers and dates as their text); NULL if any argument is NULL.",
			sig: fixedSig("concat", 1, -1, typVarchar, argString), eval: evalConcat},
		{name: "concat_ws", doc: "concat_ws(sep, s1, s2, ...) joins the non-NULL arguments after sep with sep between them; NULL only when sep is NULL.",
			sig: fixedSig("concat_ws", 2, -1, typVarchar, argString), eval: evalConcatWS, seesNulls: true},
		{name: "upper", doc: "upper(s) converts s to upper case (Unicode). Alias ucase.",
			sig: fixedSig("upper", 1, 1, typVarchar, argString), eval: stringMap(strings.ToUpper)},
		{name: "lower", doc: "lower(s) converts s to lower case (Unicode). Alias lcase.",
			sig: fixedSig("lower", 1, 1, typVarchar, argString), eval: stringMap(strings.ToLower)},
		{name: "ltrim", doc: "ltrim(s) removes leading spaces (only ' ', as MySQL).",
			sig: fixedSig("ltrim", 1, 1, typVarchar, argString), eval: stringMap(func(s string) string { return strings.TrimLeft(s, " ") })},
		{name: "rtrim", doc: "rtrim(s) removes trailing spaces (only ' ', as MySQL).",
			sig: fixedSig("rtrim", 1, 1, typVarchar, argString), eval: stringMap(func(s string) string { return strings.TrimRight(s, " ") })},
		{name: "trim", doc: "trim(s) removes leading and trailing spaces. TRIM([BOTH | LEADING | TRAILING] [remstr] FROM s) removes " +
			"every repetition of the whole string remstr (default ' ') from the chosen ends; an empty remstr removes nothing. " +
			"The binder passes the direction as a third argument ('BOTH', 'LEADING' or 'TRAILING').",
			sig: fixedSig("trim", 1, 3, typVarchar, argString), eval: evalTrim},
		{name: "length", doc: "length(s) is the length of s in bytes (BIGINT). Alias octet_length; char_length counts characters.",
			sig: fixedSig("length", 1, 1, int64Type, argString), eval: stringInt(func(s string) int64 { return int64(len(s)) })},
		{name: "char_length", doc: "char_length(s) is the number of characters (UTF-8 code points) of s (BIGINT). Alias character_length.",
			sig: fixedSig("char_length", 1, 1, int64Type, argString), eval: stringInt(func(s string) int64 { return int64(utf8.RuneCountInString(s)) })},
		{name: "bit_length", doc: "bit_length(s) is the length of s in bits (BIGINT).",
			sig: fixedSig("bit_length", 1, 1, int64Type, argString), eval: stringInt(func(s string) int64 { return 8 * int64(len(s)) })},
		{name: "ascii", doc: "ascii(s) is the numeric value of the first byte of s, 0 for the empty string (BIGINT).",
			sig: fixedSig("ascii", 1, 1, int64Type, argString), eval: stringInt(func(s string) int64 {
				if s == "" {
					return 0
				}
				return int64(s[0])
			})},
		{name: "reverse", doc: "reverse(s) reverses the characters of s.",
			sig: fixedSig("reverse", 1, 1, typVarchar, argString), eval: evalReverse},
		{name: "substring", doc: "substring(s, pos[, len]), also SUBSTRING(s FROM pos [FOR len]): the characters of s from pos (1-based; " +
			"negative counts from the end; 0 or past the end gives ''), at most len of them (len < 1 gives ''). Aliases substr, mid.",
			sig: fixedSig("substring", 2, 3, typVarchar, argString, argInt), eval: evalSubstring},
		{name: "left", doc: "left(s, n) is the first n characters of s ('' when n < 1).",
			sig: fixedSig("left", 2, 2, typVarchar, argString, argInt), eval: evalLeftRight(false)},
		{name: "right", doc: "right(s, n) is the last n characters of s ('' when n < 1).",
			sig: fixedSig("right", 2, 2, typVarchar, argString, argInt), eval: evalLeftRight(true)},
		{name: "replace", doc: "replace(s, from, to) replaces every occurrence of from in s by to (case-sensitive); an empty from changes nothing.",
			sig: fixedSig("replace", 3, 3, typVarchar, argString), eval: evalReplace},
		{name: "locate", doc: "locate(substr, s[, pos]) is the 1-based character position of the first occurrence of substr in s at or " +
			"after position pos (default 1), 0 when there is none or pos < 1 (BIGINT). Case-sensitive. See also instr and position.",
			sig: fixedSig("locate", 2, 3, int64Type, argString, argString, argInt), eval: evalLocate(false)},
		{name: "instr", doc: "instr(s, substr) is locate(substr, s): the 1-based character position of substr in s, 0 when absent.",
			sig: fixedSig("instr", 2, 2, int64Type, argString), eval: evalLocate(true)},
		{name: "position", doc: "POSITION(substr IN s) is locate(substr, s): the 1-based character position of substr in s, 0 when absent.",
			sig: fixedSig("position", 2, 2, int64Type, argString), eval: evalLocate(false)},
		{name: "lpad", doc: "lpad(s, len, pad) left-pads s with repetitions of pad to len characters, or truncates it to len " +
			"characters when it is longer; NULL when len < 0, or when padding is needed and pad is empty.",
			sig: fixedSig("lpad", 3, 3, typVarchar, argString, argInt, argString), eval: evalPad(true)},
		{name: "rpad", doc: "rpad(s, len, pad) right-pads s with repetitions of pad to len characters, or truncates it to len " +
			"characters when it is longer; NULL when len < 0, or when padding is needed and pad is empty.",
			sig: fixedSig("rpad", 3, 3, typVarchar, argString, argInt, argString), eval: evalPad(false)},
		{name: "repeat", doc: "repeat(s, n) is s repeated n times ('' when n < 1; NULL past 64 MiB, as MySQL past max_allowed_packet).",
			sig: fixedSig("repeat", 2, 2, typVarchar, argString, argInt), eval: evalRepeat},
		{name: "space", doc: "space(n) is n spaces ('' when n < 1; NULL past 64 MiB).",
			sig: fixedSig("space", 1, 1, typVarchar, argInt), eval: evalSpace},
		{name: "strcmp", doc: "strcmp(a, b) is -1, 0 or 1 as a sorts before, equal to or after b, comparing bytes (BIGINT).",
			sig: fixedSig("strcmp", 2, 2, int64Type, argString), eval: evalStrcmp},
		{name: "starts_with", doc: "starts_with(s, prefix) reports whether s begins with prefix (BOOLEAN).",
			sig: fixedSig("starts_with", 2, 2, typBoolean, argString), eval: stringPred(strings.HasPrefix)},
		{name: "ends_with", doc: "ends_with(s, suffix) reports whether s ends with suffix (BOOLEAN).",
			sig: fixedSig("ends_with", 2, 2, typBoolean, argString), eval: stringPred(strings.HasSuffix)},
		{name: "regexp_like", doc: "regexp_like(s, pattern[, match_type]) reports whether pattern matches somewhere in s (BOOLEAN). " + regexpNotes,
			sig: fixedSig("regexp_like", 2, 3, typBoolean, argString), eval: evalRegexpLike},
		{name: "regexp_replace", doc: "regexp_replace(s, pattern, repl[, pos[, occurrence[, match_type]]]) replaces the matches of pattern " +
			"in s from character position pos (default 1) by repl: every match when occurrence is 0 (the default), else only the " +
			"occurrence-th. In repl, $n and ${n} insert group n, ${name} a named group, and a backslash makes the next character " +
			"literal (ICU's replacement syntax). " + regexpNotes,
			sig: fixedSig("regexp_replace", 3, 6, typVarchar, argString, argString, argString, argInt, argInt, argString), eval: evalRegexpReplace},
		{name: "regexp_substr", doc: "regexp_substr(s, pattern[, pos[, occurrence[, match_type]]]) is the occurrence-th (default first) " +
			"match of pattern in s from character position pos (default 1), NULL when there is none. " + regexpNotes,
			sig: fixedSig("regexp_substr", 2, 5, typVarchar, argString, argString, argInt, argInt, argString), eval: evalRegexpSubstr},
		{name: "regexp_instr", doc: "regexp_instr(s, pattern[, pos[, occurrence[, return_option[, match_type]]]]) is the 1-based character " +
			"position of the occurrence-th match of pattern in s from position pos (after the match when return_option is 1), 0 " +
			"when there is none (BIGINT). " + regexpNotes,
			sig: fixedSig("regexp_instr", 2, 6, int64Type, argString, argString, argInt, argInt, argInt, argString), eval: evalRegexpInstr},
	}
	return withAliases(fs, map[string][]string{
		"upper": {"ucase"}, "lower": {"lcase"}, "length": {"octet_length"},
		"char_length": {"character_length"}, "substring": {"substr", "mid"},
	})
}

// withAliases appends, for each function named in aliases, copies under the other names
// (with signatures and messages that name the alias).
func withAliases(fs []*builtinScalar, aliases map[string][]string) []*builtinScalar {
	out := fs
	for _, f := range fs {
		for _, a := range aliases[f.name] {
			g := *f
			g.name = a
			out = append(out, &g)
		}
	}
	return out
}

// stringMap is a VARCHAR → VARCHAR function applying f.
func stringMap(f func(string) string) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		s := c.str(0)
		return mapString(c, true, func(dst []byte, i int) ([]byte, bool) { return append(dst, f(s.Value(i))...), true })
	}
}

// stringInt is a VARCHAR → BIGINT function.
func stringInt(f func(string) int64) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		s := c.str(0)
		return mapFixed(c, int64Type, func(i int) (int64, bool) { return f(s.Value(i)), true })
	}
}

// stringPred is a (VARCHAR, VARCHAR) → BOOLEAN function.
func stringPred(f func(a, b string) bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		a, b := c.str(0), c.str(1)
		return mapBool(c, func(i int) (bool, bool) { return f(a.Value(i), b.Value(i)), true })
	}
}

func evalConcat(c *scalarCall) (arrow.Array, error) {
	ss := make([]*array.String, len(c.args))
	for j := range ss {
		ss[j] = c.str(j)
	}
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		for _, s := range ss {
			dst = append(dst, s.Value(i)...)
		}
		return dst, true
	})
}

func evalConcatWS(c *scalarCall) (arrow.Array, error) {
	ss := make([]*array.String, len(c.args)) // nil for an argument of type NULL
	for j, a := range c.args {
		if a.DataType().ID() != arrow.NULL {
			ss[j] = c.str(j)
		}
	}
	return mapString(c, false, func(dst []byte, i int) ([]byte, bool) {
		if ss[0] == nil || ss[0].IsNull(i) {
			return nil, false
		}
		sep := ss[0].Value(i)
		first := true
		for _, s := range ss[1:] {
			if s == nil || s.IsNull(i) {
				continue
			}
			if !first {
				dst = append(dst, sep...)
			}
			first = false
			dst = append(dst, s.Value(i)...)
		}
		return dst, true
	})
}

func evalTrim(c *scalarCall) (arrow.Array, error) {
	s := c.str(0)
	var rem, dir *array.String
	if len(c.args) > 1 {
		rem = c.str(1)
	}
	if len(c.args) > 2 {
		dir = c.str(2)
	}
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		v, r := s.Value(i), " "
		if rem != nil {
			r = rem.Value(i)
		}
		leading, trailing := true, true
		if dir != nil {
			switch strings.ToUpper(dir.Value(i)) {
			case "LEADING":
				trailing = false
			case "TRAILING":
				leading = false
			case "BOTH":
			default:
				c.fail(errs.Execf("trim: unknown direction %q", dir.Value(i)))
				return nil, false
			}
		}
		if r != "" {
			for leading && strings.HasPrefix(v, r) {
				v = v[len(r):]
			}
			for trailing && strings.HasSuffix(v, r) {
				v = v[:len(v)-len(r)]
			}
		}
		return append(dst, v...), true
	})
}

func evalReverse(c *scalarCall) (arrow.Array, error) {
	s := c.str(0)
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		v := s.Value(i)
		for j := len(v); j > 0; {
			_, size := utf8.DecodeLastRuneInString(v[:j])
			dst = append(dst, v[j-size:j]...)
			j -= size
		}
		return dst, true
	})
}

// charOffset returns the byte offset of character k (0-based) of s, len(s) when s has k
// characters, and -1 when it has fewer.
func charOffset(s string, k int64) int {
	if k <= 0 {
		return 0
	}
	if k > int64(len(s)) {
		return -1
	}
	var seen int64
	for i := range s { // ranges over code points; invalid bytes count as one each
		if seen == k {
			return i
		}
		seen++
	}
	if seen == k {
		return len(s)
	}
	return -1
}

// substr returns MySQL's SUBSTRING(s, pos, length) (length < 0: to the end).
func substr(s string, pos, length int64) string {
	if pos == 0 {
		return ""
	}
	start := pos - 1
	if pos < 0 {
		n := int64(utf8.RuneCountInString(s))
		if -pos > n {
			return ""
		}
		start = n + pos
	}
	b := charOffset(s, start)
	if b < 0 || b == len(s) {
		return ""
	}
	rest := s[b:]
	if length < 0 {
		return rest
	}
	e := charOffset(rest, length)
	if e < 0 {
		return rest
	}
	return rest[:e]
}

func evalSubstring(c *scalarCall) (arrow.Array, error) {
	s, pos := c.str(0), c.ints(1)
	var lens []int64
	if len(c.args) > 2 {
		lens = c.ints(2)
	}
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		l := int64(-1)
		if lens != nil {
			if l = lens[i]; l < 1 {
				return dst, true
			}
		}
		return append(dst, substr(s.Value(i), pos[i], l)...), true
	})
}

func evalLeftRight(right bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		s, ns := c.str(0), c.ints(1)
		return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
			v, k := s.Value(i), ns[i]
			if k < 1 {
				return dst, true
			}
			if right {
				return append(dst, substr(v, -min(k, int64(utf8.RuneCountInString(v))), -1)...), true
			}
			return append(dst, substr(v, 1, k)...), true
		})
	}
}

func evalReplace(c *scalarCall) (arrow.Array, error) {
	s, from, to := c.str(0), c.str(1), c.str(2)
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		v, f := s.Value(i), from.Value(i)
		if f == "" {
			return append(dst, v...), true
		}
		return append(dst, strings.ReplaceAll(v, f, to.Value(i))...), true
	})
}

// evalLocate is locate(sub, s[, pos]); swapped is instr(s, sub).
func evalLocate(swapped bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		sub, s := c.str(0), c.str(1)
		if swapped {
			sub, s = s, sub
		}
		var pos []int64
		if len(c.args) > 2 {
			pos = c.ints(2)
		}
		return mapFixed(c, int64Type, func(i int) (int64, bool) {
			p := int64(1)
			if pos != nil {
				p = pos[i]
			}
			return locate(sub.Value(i), s.Value(i), p), true
		})
	}
}

// locate is MySQL's LOCATE(sub, s, pos).
func locate(sub, s string, pos int64) int64 {
	if pos < 1 {
		return 0
	}
	b := charOffset(s, pos-1)
	if b < 0 {
		return 0
	}
	k := strings.Index(s[b:], sub)
	if k < 0 {
		return 0
	}
	return pos + int64(utf8.RuneCountInString(s[b:b+k]))
}

func evalPad(left bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		s, lens, pads := c.str(0), c.ints(1), c.str(2)
		return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
			v, l, pad := s.Value(i), lens[i], pads.Value(i)
			if l < 0 {
				return nil, false
			}
			n := int64(utf8.RuneCountInString(v))
			if l <= n {
				return append(dst, substr(v, 1, l)...), true
			}
			if pad == "" {
				return nil, false
			}
			need := l - n // characters of padding
			pn := int64(utf8.RuneCountInString(pad))
			full, rest := need/pn, need%pn
			partial := pad[:charOffset(pad, rest)]
			if size := full*int64(len(pad)) + int64(len(partial)) + int64(len(v)); size > maxStringResult {
				return nil, false
			}
			if !left {
				dst = append(dst, v...)
			}
			for range full {
				dst = append(dst, pad...)
			}
			dst = append(dst, partial...)
			if left {
				dst = append(dst, v...)
			}
			return dst, true
		})
	}
}

func evalRepeat(c *scalarCall) (arrow.Array, error) {
	s, ns := c.str(0), c.ints(1)
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		v, k := s.Value(i), ns[i]
		if k < 1 || v == "" {
			return dst, true
		}
		if k > maxStringResult/int64(len(v)) {
			return nil, false
		}
		for range k {
			dst = append(dst, v...)
		}
		return dst, true
	})
}

func evalSpace(c *scalarCall) (arrow.Array, error) {
	ns := c.ints(0)
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		k := ns[i]
		if k > maxStringResult {
			return nil, false
		}
		for range k {
			dst = append(dst, ' ')
		}
		return dst, true
	})
}

func evalStrcmp(c *scalarCall) (arrow.Array, error) {
	a, b := c.str(0), c.str(1)
	return mapFixed(c, int64Type, func(i int) (int64, bool) { return int64(strings.Compare(a.Value(i), b.Value(i))), true })
}

// ---------------------------------------------------------------------------------------
// Regular expressions.

const regexpNotes = "Patterns use Go's RE2 syntax, not MySQL's ICU: no backreferences, lookaround or possessive " +
	"quantifiers. match_type letters: c case-sensitive (the default, as Ember compares strings byte-wise), i " +
	"case-insensitive, m multi-line, n '.' matches line terminators, u accepted and ignored; the last of c and i wins. " +
	"A NULL argument gives NULL; an invalid pattern or match_type is an execution error."

// regexCache compiles the patterns of one batch; a literal pattern compiles once.
type regexCache struct {
	name string
	last string
	re   *regexp.Regexp
	m    map[string]*regexp.Regexp
}

// get compiles pattern under MySQL's match_type flags.
func (rc *regexCache) get(pattern, matchType string) (*regexp.Regexp, error) {
	key := matchType + "\x00" + pattern
	if rc.re != nil && key == rc.last {
		return rc.re, nil
	}
	if re, ok := rc.m[key]; ok {
		rc.last, rc.re = key, re
		return re, nil
	}
	fold, multi, dotNL := false, false, false
	for _, f := range matchType {
		switch f {
		case 'c':
			fold = false
		case 'i':
			fold = true
		case 'm':
			multi = true
		case 'n':
			dotNL = true
		case 'u':
		default:
			return nil, errs.Execf("%s: invalid match_type %q", rc.name, matchType)
		}
	}
	var flags strings.Builder
	for _, x := range []struct {
		on bool
		f  byte
	}{{fold, 'i'}, {multi, 'm'}, {dotNL, 's'}} {
		if x.on {
			flags.WriteByte(x.f)
		}
	}
	src := pattern
	if flags.Len() > 0 {
		src = "(?" + flags.String() + ")" + pattern
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, errs.Execf("%s: invalid regular expression %q: %v", rc.name, pattern, err)
	}
	if rc.m == nil {
		rc.m = map[string]*regexp.Regexp{}
	}
	if len(rc.m) < 256 {
		rc.m[key] = re
	}
	rc.last, rc.re = key, re
	return re, nil
}

// optString returns row i of argument j when there is one, else def.
func optString(c *scalarCall, j, i int, def string) string {
	if j >= len(c.args) {
		return def
	}
	return c.args[j].(*array.String).Value(i)
}

// optInt returns row i of argument j when there is one, else def.
func optInt(c *scalarCall, j, i int, def int64) int64 {
	if j >= len(c.args) {
		return def
	}
	return c.args[j].(*array.Int64).Value(i)
}

func evalRegexpLike(c *scalarCall) (arrow.Array, error) {
	s, p := c.str(0), c.str(1)
	rc := &regexCache{name: c.name}
	return mapBool(c, func(i int) (bool, bool) {
		re, err := rc.get(p.Value(i), optString(c, 2, i, ""))
		if err != nil {
			c.fail(err)
			return false, false
		}
		return re.MatchString(s.Value(i)), true
	})
}

// regexpStart returns the byte offset of character position pos (1-based) in s; ok is
// false when pos is out of range (MySQL raises an error there).
func regexpStart(c *scalarCall, s string, pos int64) (int, bool) {
	if pos < 1 {
		c.fail(errs.Execf("%s: position %d is out of range", c.name, pos))
		return 0, false
	}
	b := charOffset(s, pos-1)
	if b < 0 {
		if pos-1 == int64(utf8.RuneCountInString(s)) {
			return len(s), true
		}
		c.fail(errs.Execf("%s: position %d is out of range", c.name, pos))
		return 0, false
	}
	return b, true
}

// nthMatch returns the byte span in s of the occurrence-th match of re starting at byte
// offset from, or ok=false.
func nthMatch(re *regexp.Regexp, s string, from int, occurrence int64) ([]int, bool) {
	if occurrence < 1 {
		occurrence = 1
	}
	if occurrence > int64(len(s))+1 {
		return nil, false
	}
	ms := re.FindAllStringIndex(s[from:], int(occurrence))
	if int64(len(ms)) < occurrence {
		return nil, false
	}
	m := ms[occurrence-1]
	return []int{m[0] + from, m[1] + from}, true
}

func evalRegexpSubstr(c *scalarCall) (arrow.Array, error) {
	s, p := c.str(0), c.str(1)
	rc := &regexCache{name: c.name}
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		re, err := rc.get(p.Value(i), optString(c, 4, i, ""))
		if err != nil {
			c.fail(err)
			return nil, false
		}
		v := s.Value(i)
		from, ok := regexpStart(c, v, optInt(c, 2, i, 1))
		if !ok {
			return nil, false
		}
		m, ok := nthMatch(re, v, from, optInt(c, 3, i, 1))
		if !ok {
			return nil, false
		}
		return append(dst, v[m[0]:m[1]]...), true
	})
}

func evalRegexpInstr(c *scalarCall) (arrow.Array, error) {
	s, p := c.str(0), c.str(1)
	rc := &regexCache{name: c.name}
	return mapFixed(c, int64Type, func(i int) (int64, bool) {
		re, err := rc.get(p.Value(i), optString(c, 5, i, ""))
		if err != nil {
			c.fail(err)
			return 0, false
		}
		v := s.Value(i)
		from, ok := regexpStart(c, v, optInt(c, 2, i, 1))
		if !ok {
			return 0, false
		}
		m, ok := nthMatch(re, v, from, optInt(c, 3, i, 1))
		if !ok {
			return 0, true
		}
		end := m[0]
		switch ret := optInt(c, 4, i, 0); ret {
		case 0:
		case 1:
			end = m[1]
		default:
			c.fail(errs.Execf("%s: return_option must be 0 or 1, got %d", c.name, ret))
			return 0, false
		}
		return int64(utf8.RuneCountInString(v[:end])) + 1, true
	})
}

func evalRegexpReplace(c *scalarCall) (arrow.Array, error) {
	s, p, r := c.str(0), c.str(1), c.str(2)
	rc := &regexCache{name: c.name}
	var (
		lastRepl, goRepl string
		lastRe           *regexp.Regexp
	)
	return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
		re, err := rc.get(p.Value(i), optString(c, 5, i, ""))
		if err != nil {
			c.fail(err)
			return nil, false
		}
		v := s.Value(i)
		from, ok := regexpStart(c, v, optInt(c, 3, i, 1))
		if !ok {
			return nil, false
		}
		if repl := r.Value(i); repl != lastRepl || re != lastRe {
			lastRepl, lastRe, goRepl = repl, re, icuReplacement(repl, re.NumSubexp())
		}
		occurrence := optInt(c, 4, i, 0)
		dst = append(dst, v[:from]...)
		rest := v[from:]
		ms := re.FindAllStringSubmatchIndex(rest, -1)
		prev := 0
		for k, m := range ms {
			if occurrence > 0 && int64(k+1) != occurrence {
				continue
			}
			dst = append(dst, rest[prev:m[0]]...)
			dst = re.ExpandString(dst, goRepl, rest, m)
			prev = m[1]
		}
		return append(dst, rest[prev:]...), true
	})
}

// icuReplacement rewrites an ICU replacement string (MySQL's) into Go's Expand template:
// $n takes as many digits as name an existing group (at least one), ${name} passes
// through, a backslash makes the next character literal, and a $ followed by anything else
// is literal.
func icuReplacement(repl string, groups int) string {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch {
		case ch == '\\' && i+1 < len(repl):
			i++
			if repl[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(repl[i])
			}
		case ch == '$' && i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9':
			j, num := i+1, 0
			for j < len(repl) && repl[j] >= '0' && repl[j] <= '9' {
				next := num*10 + int(repl[j]-'0')
				if j > i+1 && next > groups {
					break
				}
				num = next
				j++
			}
			b.WriteString("${" + strconv.Itoa(num) + "}")
			i = j - 1
		case ch == '$' && i+1 < len(repl) && repl[i+1] == '{':
			b.WriteByte('$')
		case ch == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
