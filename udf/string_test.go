package udf

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// col is one argument column: its type and its rows as a JSON array.
type col struct {
	t  arrow.DataType
	js string
}

// evalScalar runs the built-in scalar name over cols, whose types must be the function's
// parameter types, and returns the result rendered (NULL for NULLs). Each column gets an
// extra leading row that is sliced off, so the arrays have a non-zero offset as in a batch
// slice.
func evalScalar(t *testing.T, ctx context.Context, name string, cols ...col) ([]string, arrow.DataType, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	f, ok := NewBuiltins().Scalar(name)
	if !ok {
		t.Fatalf("scalar %q is not registered", name)
	}
	types := make([]arrow.DataType, len(cols))
	args := make([]arrow.Array, len(cols))
	n := -1
	for i, c := range cols {
		types[i] = c.t
		js := strings.TrimSpace(c.js)
		if js == "[]" {
			js = "[null]"
		} else {
			js = "[null, " + js[1:]
		}
		full := fromJSON(t, mem, c.t, js)
		args[i] = array.NewSlice(full, 1, int64(full.Len()))
		full.Release()
		defer args[i].Release()
		if n < 0 {
			n = args[i].Len()
		}
	}
	if n < 0 {
		n = 3 // no arguments: three rows
	}
	ret, err := f.ReturnType(types)
	if err != nil {
		t.Fatalf("%s: ReturnType(%v): %v", name, types, err)
	}
	out, err := f.Eval(ctx, mem, args, n)
	if err != nil {
		return nil, nil, err
	}
	defer out.Release()
	if out.Len() != n {
		t.Fatalf("%s: %d rows out of %d", name, out.Len(), n)
	}
	if !arrow.TypeEqual(out.DataType(), ret) {
		t.Fatalf("%s: result is %s, ReturnType said %s", name, out.DataType(), ret)
	}
	return render(out), ret, nil
}

type scalarCase struct {
	fn   string
	cols []col
	want []string
}

func runScalarCases(t *testing.T, cases []scalarCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.fn, func(t *testing.T) {
			got, _, err := evalScalar(t, context.Background(), tc.fn, tc.cols...)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestStringFunctions(t *testing.T) {
	runScalarCases(t, []scalarCase{
		{"concat", []col{{str, `["a", null, "é", ""]`}, {str, `["b", "c", "", ""]`}}, []string{"ab", "NULL", "é", ""}},
		{"concat_ws", []col{{str, `["-", "-", null, ","]`}, {str, `["x", null, "y", ""]`}, {str, `["z", "w", "v", null]`}},
			[]string{"x-z", "w", "NULL", ""}},
		{"substring", []col{{str, `["Sakila", "Sakila", "日本語", "abc", "abc", "abc"]`}, {i64, `[-3, 0, 2, 4, 1, -4]`}, {i64, `[2, 1, 5, 1, -1, 2]`}},
			[]string{"il", "", "本語", "", "", ""}},
		{"substr", []col{{str, `["héllo", "héllo"]`}, {i64, `[2, -4]`}}, []string{"éllo", "éllo"}},
		{"upper", []col{{str, `["héllo", null, ""]`}}, []string{"HÉLLO", "NULL", ""}},
		{"lcase", []col{{str, `["ÀB"]`}}, []string{"àb"}},
		{"length", []col{{str, `["héllo", "", null, "日本語"]`}}, []string{"6", "0", "NULL", "9"}},
		{"char_length", []col{{str, `["héllo", "", null, "日本語"]`}}, []string{"5", "0", "NULL", "3"}},
		{"trim", []col{{str, `["xxaxx", "xxaxx", "xxaxx", "abab", "aa"]`}, {str, `["x", "x", "x", "ab", ""]`}, {str, `["LEADING", "TRAILING", "BOTH", "BOTH", "BOTH"]`}},
			[]string{"axx", "xxa", "a", "", "aa"}},
		{"ltrim", []col{{str, `["  a  ", "\ta"]`}}, []string{"a  ", "\ta"}},
		{"replace", []col{{str, `["aaa", "abc", "abc"]`}, {str, `["aa", "", "B"]`}, {str, `["b", "x", "y"]`}}, []string{"ba", "abc", "abc"}},
		{"locate", []col{{str, `["bar", "", "", "ö", "a"]`}, {str, `["foobarbar", "abc", "abc", "wörld", "abc"]`}, {i64, `[5, 4, 5, 1, 0]`}},
			[]string{"7", "4", "0", "2", "0"}},
		{"instr", []col{{str, `["foobarbar", "日本語"]`}, {str, `["bar", "語"]`}}, []string{"4", "3"}},
		{"lpad", []col{{str, `["hi", "hi", "hi", "hi", "日本"]`}, {i64, `[5, 1, -1, 5, 4]`}, {str, `["ab", "?", "x", "", "é"]`}},
			[]string{"abahi", "h", "NULL", "NULL", "éé日本"}},
		{"rpad", []col{{str, `["hi", "hello"]`}, {i64, `[5, 3]`}, {str, `["ab", "x"]`}}, []string{"hiaba", "hel"}},
		{"left", []col{{str, `["日本語", "abc", "abc"]`}, {i64, `[2, 0, 10]`}}, []string{"日本", "", "abc"}},
		{"right", []col{{str, `["日本語", "abc", "abc"]`}, {i64, `[2, -1, 10]`}}, []string{"本語", "", "abc"}},
		{"reverse", []col{{str, `["日本語", "", "ab"]`}}, []string{"語本日", "", "ba"}},
		{"repeat", []col{{str, `["ab", "ab", "", "x"]`}, {i64, `[3, 0, 5, 100000000]`}}, []string{"ababab", "", "", "NULL"}},
		{"space", []col{{i64, `[2, 0, -3]`}}, []string{"  ", "", ""}},
		{"ascii", []col{{str, `["2", "", "é"]`}}, []string{"50", "0", "195"}},
		{"strcmp", []col{{str, `["a", "b", "a"]`}, {str, `["b", "a", "a"]`}}, []string{"-1", "1", "0"}},
		{"starts_with", []col{{str, `["hello", "hello"]`}, {str, `["he", "lo"]`}}, []string{"true", "false"}},
		{"regexp_like", []col{{str, `["abc", "abc", "a\nb"]`}, {str, `["B", "B", "^b$"]`}, {str, `["", "i", "m"]`}}, []string{"false", "true", "true"}},
		{"regexp_replace", []col{{str, `["abc def ghi", "abc def ghi", "John Smith"]`}, {str, `["[a-z]+", "[a-z]+", "(\\w+) (\\w+)"]`}, {str, `["X", "X", "$2 $1"]`}},
			[]string{"X X X", "X X X", "Smith John"}},
		{"regexp_replace", []col{{str, `["abc def ghi", "abc def ghi"]`}, {str, `["[a-z]+", "[a-z]+"]`}, {str, `["X", "X"]`}, {i64, `[1, 5]`}, {i64, `[2, 0]`}},
			[]string{"abc X ghi", "abc X X"}},
		{"regexp_substr", []col{{str, `["abc def ghi", "abc"]`}, {str, `["[a-z]+", "x"]`}, {i64, `[1, 1]`}, {i64, `[3, 1]`}}, []string{"ghi", "NULL"}},
		{"regexp_instr", []col{{str, `["aa aaa aaaa", "aa aaa aaaa", "日本語"]`}, {str, `["a{4}", "a{4}", "語"]`}, {i64, `[1, 1, 1]`}, {i64, `[1, 1, 1]`}, {i64, `[0, 1, 1]`}},
			[]string{"8", "12", "4"}},
	})
}

func TestStringErrors(t *testing.T) {
	tests := []struct {
		fn   string
		cols []col
		want string
	}{
		{"regexp_like", []col{{str, `["a"]`}, {str, `["("]`}}, "regexp_like: invalid regular expression"},
		{"regexp_like", []col{{str, `["a"]`}, {str, `["a"]`}, {str, `["q"]`}}, `regexp_like: invalid match_type "q"`},
		{"regexp_substr", []col{{str, `["abc"]`}, {str, `["a"]`}, {i64, `[5]`}}, "regexp_substr: position 5 is out of range"},
		{"regexp_instr", []col{{str, `["abc"]`}, {str, `["a"]`}, {i64, `[1]`}, {i64, `[1]`}, {i64, `[2]`}}, "return_option must be 0 or 1"},
		{"trim", []col{{str, `["a"]`}, {str, `["a"]`}, {str, `["SIDEWAYS"]`}}, "trim: unknown direction"},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			_, _, err := evalScalar(t, context.Background(), tc.fn, tc.cols...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, errs.ErrExecution) {
				t.Fatalf("got %v, want an execution error containing %q", err, tc.want)
			}
		})
	}
}

func TestScalarSignatures(t *testing.T) {
	r := NewBuiltins()
	tests := []struct {
		fn       string
		args     []arrow.DataType
		wantRet  string
		wantCast []arrow.DataType
		wantErr  string
	}{
		{fn: "substring", args: []arrow.DataType{str, dec(5, 2), f64}, wantRet: "VARCHAR", wantCast: []arrow.DataType{str, i64, i64}},
		{fn: "concat", args: []arrow.DataType{i64, date, boolT, arrow.Null}, wantRet: "VARCHAR", wantCast: []arrow.DataType{str, str, str, str}},
		{fn: "length", args: []arrow.DataType{lstr}, wantRet: "BIGINT", wantCast: []arrow.DataType{str}},
		{fn: "year", args: []arrow.DataType{&arrow.TimestampType{Unit: arrow.Millisecond}}, wantRet: "BIGINT", wantCast: []arrow.DataType{ts}},
		{fn: "sqrt", args: []arrow.DataType{i32}, wantRet: "DOUBLE", wantCast: []arrow.DataType{f64}},
		{fn: "round", args: []arrow.DataType{dec(5, 2), i32}, wantRet: "DECIMAL(6,2)", wantCast: []arrow.DataType{dec(5, 2), i64}},
		{fn: "abs", args: []arrow.DataType{i32}, wantRet: "BIGINT", wantCast: []arrow.DataType{i64}},
		{fn: "floor", args: []arrow.DataType{dec(19, 2)}, wantRet: "BIGINT", wantCast: []arrow.DataType{dec(19, 2)}},
		{fn: "floor", args: []arrow.DataType{dec(20, 2)}, wantRet: "DECIMAL(19,0)", wantCast: []arrow.DataType{dec(20, 2)}},
		{fn: "floor", args: []arrow.DataType{dec(30, 2)}, wantRet: "DECIMAL(29,0)", wantCast: []arrow.DataType{dec(30, 2)}},
		{fn: "date_add", args: []arrow.DataType{str, i32, str}, wantRet: "VARCHAR", wantCast: []arrow.DataType{str, i64, str}},
		{fn: "from_unixtime", args: []arrow.DataType{i64, str}, wantRet: "VARCHAR", wantCast: []arrow.DataType{f64, str}},
		{fn: "greatest", args: []arrow.DataType{date, arrow.Null}, wantRet: "DATE", wantCast: []arrow.DataType{date, date}},
		{fn: "left", args: []arrow.DataType{str}, wantErr: "left takes 2 arguments, got 1"},
		{fn: "concat_ws", args: []arrow.DataType{str}, wantErr: "concat_ws takes at least 2 arguments, got 1"},
		{fn: "substring", args: []arrow.DataType{str}, wantErr: "substring takes 2 to 3 arguments, got 1"},
		{fn: "upper", args: []arrow.DataType{bin}, wantErr: "upper: argument 1 must be a string, got BLOB"},
		{fn: "left", args: []arrow.DataType{str, date}, wantErr: "left: argument 2 must be an integer, got DATE"},
		{fn: "year", args: []arrow.DataType{i64}, wantErr: "year: argument 1 must be a DATE, TIMESTAMP or string, got BIGINT"},
		{fn: "sqrt", args: []arrow.DataType{date}, wantErr: "sqrt: argument 1 must be a number, got DATE"},
		{fn: "greatest", args: []arrow.DataType{i64, str}, wantErr: "greatest: arguments of types BIGINT and VARCHAR must be brought to one type first"},
		{fn: "pi", args: []arrow.DataType{i64}, wantErr: "pi takes 0 arguments, got 1"},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			f, ok := r.Scalar(tc.fn)
			if !ok {
				t.Fatalf("%s is not registered", tc.fn)
			}
			ret, err := f.ReturnType(tc.args)
			if tc.wantErr != "" {
				if err == nil || err.Error() != "plan error: "+tc.wantErr || !errors.Is(err, errs.ErrPlan) {
					t.Fatalf("got %v, want plan error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if TypeName(ret) != tc.wantRet {
				t.Errorf("ReturnType = %s, want %s", TypeName(ret), tc.wantRet)
			}
			casts := f.(interface {
				CastArgs([]arrow.DataType) []arrow.DataType
			}).CastArgs(tc.args)
			for i, c := range casts {
				if !arrow.TypeEqual(c, tc.wantCast[i]) {
					t.Errorf("CastArgs[%d] = %s, want %s", i, c, tc.wantCast[i])
				}
			}
			// the parameter types are a fixed point: ReturnType accepts them unchanged
			if again := f.(interface {
				CastArgs([]arrow.DataType) []arrow.DataType
			}).CastArgs(casts); len(again) != len(casts) {
				t.Errorf("CastArgs of the parameters changed their number")
			} else {
				for i := range again {
					if !arrow.TypeEqual(again[i], casts[i]) {
						t.Errorf("CastArgs is not idempotent at %d: %s then %s", i, casts[i], again[i])
					}
				}
			}
		})
	}
}

func TestEvalRejectsUncastArguments(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	f, _ := NewBuiltins().Scalar("left")
	s := fromJSON(t, mem, str, `["abc"]`)
	defer s.Release()
	n := fromJSON(t, mem, f64, `[1.5]`)
	defer n.Release()
	_, err := f.Eval(context.Background(), mem, []arrow.Array{s, n}, 1)
	if err == nil || !errors.Is(err, errs.ErrInternal) || !strings.Contains(err.Error(), "argument 2 is DOUBLE, expected BIGINT") {
		t.Fatalf("got %v, want an internal error about argument 2", err)
	}
}

func TestBuiltinScalarsDescribeThemselves(t *testing.T) {
	r := NewBuiltins()
	vol := map[string]Volatility{"upper": Immutable, "round": Immutable, "now": Stable, "current_timestamp": Stable,
		"curdate": Stable, "unix_timestamp": Stable, "rand": Volatile, "sysdate": Volatile}
	n := 0
	for _, name := range r.Names() {
		f, ok := r.Scalar(name)
		if !ok {
			continue
		}
		n++
		if f.Name() != name {
			t.Errorf("%s is registered under %q", f.Name(), name)
		}
		if len(f.Doc()) < 20 {
			t.Errorf("%s: Doc %q is too short", name, f.Doc())
		}
		if want, ok := vol[name]; ok && f.Volatility() != want {
			t.Errorf("%s: volatility %d, want %d", name, f.Volatility(), want)
		}
	}
	if n < 90 {
		t.Errorf("only %d scalar functions registered", n)
	}
}

func TestICUReplacement(t *testing.T) {
	tests := []struct {
		repl   string
		groups int
		want   string
	}{
		{"$1", 1, "${1}"},
		{"$1x", 1, "${1}x"},
		{"$12", 1, "${1}2"},
		{"$12", 12, "${12}"},
		{"${name}", 1, "${name}"},
		{"a$", 0, "a$$"},
		{"$ x", 0, "$$ x"},
		{`\$1`, 1, "$$1"},
		{`\\`, 0, `\`},
		{`a\b`, 0, "ab"},
	}
	for _, tc := range tests {
		if got := icuReplacement(tc.repl, tc.groups); got != tc.want {
			t.Errorf("icuReplacement(%q, %d) = %q, want %q", tc.repl, tc.groups, got, tc.want)
		}
	}
}

func TestSubstrAndLocate(t *testing.T) {
	subs := []struct {
		s         string
		pos, n    int64
		want      string
		wantFound int64 // locate("a", s, pos)
	}{
		{"banana", 1, -1, "banana", 2},
		{"banana", 3, 2, "na", 4},
		{"banana", -2, -1, "na", 0},
		{"banana", 7, -1, "", 0},
		{"b\xffa", 2, 1, "\xff", 3}, // an invalid byte counts as one character
	}
	for _, tc := range subs {
		if got := substr(tc.s, tc.pos, tc.n); got != tc.want {
			t.Errorf("substr(%q, %d, %d) = %q, want %q", tc.s, tc.pos, tc.n, got, tc.want)
		}
		if got := locate("a", tc.s, tc.pos); got != tc.wantFound {
			t.Errorf("locate(a, %q, %d) = %d, want %d", tc.s, tc.pos, got, tc.wantFound)
		}
	}
}

func TestNullTypedArguments(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	r := NewBuiltins()
	sep := fromJSON(t, mem, str, `["-", "-"]`)
	defer sep.Release()
	a := fromJSON(t, mem, str, `["a", null]`)
	defer a.Release()
	null := array.NewNull(2)
	defer null.Release()
	ws, _ := r.Scalar("concat_ws")
	out, err := ws.Eval(context.Background(), mem, []arrow.Array{sep, null, a}, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got := strings.Join(render(out), "|"); got != "a|" {
		t.Errorf("concat_ws('-', NULL, a) = %s, want a|(empty)", got)
	}
	up, _ := r.Scalar("concat")
	out2, err := up.Eval(context.Background(), mem, []arrow.Array{a, null}, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out2.Release()
	if out2.NullN() != 2 || out2.DataType().ID() != arrow.STRING {
		t.Errorf("concat(a, NULL) = %v, want two VARCHAR NULLs", render(out2))
	}
}
