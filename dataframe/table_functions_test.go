package dataframe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// splitWords is a Go table function: split_words(text[, sep]) is a table (pos BIGINT, word
// VARCHAR) of the pieces of text between separators (default ' '), one part per piece.
type splitWords struct{}

func (splitWords) Name() string               { return "split_words" }
func (splitWords) Doc() string                { return "split_words(text[, sep]): one row per piece of text." }
func (splitWords) Volatility() udf.Volatility { return udf.Immutable }

func (splitWords) Bind(_ context.Context, args []any) (udf.FunctionTable, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, errs.Planf("split_words takes 1 or 2 arguments, got %d", len(args))
	}
	sep := " "
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			return nil, errs.Planf("split_words: argument %d must be a string, got %s", i+1, udf.ValueTypeName(a))
		}
		if i == 1 {
			sep = s
		}
	}
	return wordsTable{strings.Split(args[0].(string), sep)}, nil
}

type wordsTable struct{ words []string }

var wordsSchema = arrow.NewSchema([]arrow.Field{{Name: "pos", Type: arrow.PrimitiveTypes.Int64}, {Name: "word", Type: arrow.BinaryTypes.String}}, nil)

func (w wordsTable) Schema() *arrow.Schema { return wordsSchema }
func (w wordsTable) Parts() int            { return len(w.words) }

func (w wordsTable) Read(_ context.Context, part int, mem memory.Allocator, _ int, emit func(arrow.RecordBatch) error) error {
	pos := array.NewInt64Builder(mem)
	defer pos.Release()
	word := array.NewStringBuilder(mem)
	defer word.Release()
	pos.Append(int64(part + 1))
	word.Append(w.words[part])
	p, s := pos.NewArray(), word.NewArray()
	defer p.Release()
	defer s.Release()
	return emit(array.NewRecordBatch(wordsSchema, []arrow.Array{p, s}, 1)) // emit owns it
}

func TestRegisterTableFunction(t *testing.T) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := dfSession(t, parts)
			if err := s.RegisterTableFunction(splitWords{}); err != nil {
				t.Fatal(err)
			}
			checks := []struct {
				sql  string
				want []string
			}{
				{"SELECT * FROM split_words('to be or not') ORDER BY pos", []string{"1|to", "2|be", "3|or", "4|not"}},
				{"SELECT w.word, upper(w.word) FROM Split_Words('a-bb-a', '-') AS w WHERE w.pos > 1 ORDER BY w.pos",
					[]string{"bb|BB", "a|A"}},
				{"SELECT x.n, x.w, r.id FROM split_words('x y z') x(n, w) JOIN range(1, 10, 2) r ON r.id = x.n ORDER BY r.id",
					[]string{"1|x|1", "3|z|3"}},
				{"SELECT word, count(*) FROM split_words('a b a c a') GROUP BY word ORDER BY word", []string{"a|3", "b|1", "c|1"}},
			}
			for _, c := range checks {
				if got := sqlRows(t, s, c.sql); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
					t.Errorf("%s:\ngot  %v\nwant %v", c.sql, got, c.want)
				}
			}
			if got := sqlRows(t, s, "SHOW USER FUNCTIONS"); strings.Join(got, "\n") != "split_words|table|immutable|session" {
				t.Errorf("SHOW USER FUNCTIONS: %v", got)
			}
			if got := sqlRows(t, s, "SHOW FUNCTIONS LIKE '%series'"); strings.Join(got, "\n") != "generate_series|table|immutable|builtin" {
				t.Errorf("SHOW FUNCTIONS LIKE '%%series': %v", got)
			}
			if got := sqlRows(t, s, "DESCRIBE FUNCTION split_words"); len(got) != 1 ||
				got[0] != "split_words|table|immutable|session||split_words(text[, sep]): one row per piece of text." {
				t.Errorf("DESCRIBE FUNCTION: %v", got)
			}
			_, err := s.Exec(context.Background(), "SELECT * FROM split_words(1)")
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "split_words: argument 1 must be a string, got BIGINT at line 1, column 15") {
				t.Errorf("bad argument: %v", err)
			}
			_, err = s.Exec(context.Background(), "SELECT * FROM split_word('a')")
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `unknown table function "split_word" at line 1, column 15; did you mean "split_words"?`) {
				t.Errorf("unknown function: %v", err)
			}
		})
	}
}

// TestRegisterTableFunctionIsPerSession checks that a session's table function stays in it
// and may shadow a built-in there only.
func TestRegisterTableFunctionIsPerSession(t *testing.T) {
	a, b := dfSession(t, 2), dfSession(t, 2)
	if err := a.RegisterTableFunction(renamed{splitWords{}, "range"}); err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, a, "SELECT word FROM range('p q') ORDER BY pos"); strings.Join(got, ",") != "p,q" {
		t.Errorf("shadowing range: %v", got)
	}
	if got := sqlRows(t, b, "SELECT id FROM range(2)"); strings.Join(got, ",") != "0,1" {
		t.Errorf("the other session's range: %v", got)
	}
	if _, err := b.Exec(context.Background(), "SELECT * FROM split_words('a')"); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("a function of another session: %v", err)
	}
}

type renamed struct {
	udf.TableFunction
	name string
}

func (r renamed) Name() string { return r.name }

func TestRegisterTableFunctionErrors(t *testing.T) {
	s := dfSession(t, 1)
	tests := []struct {
		f   udf.TableFunction
		msg string
	}{
		{nil, "RegisterTableFunction: nil function"},
		{renamed{splitWords{}, ""}, "the function has an empty name"},
		{renamed{splitWords{}, "two words"}, `"two words" is not a function name`},
		{renamed{splitWords{}, "__ember_x"}, "names starting with __ember_ are reserved"},
		{renamed{splitWords{}, "coalesce"}, `"coalesce" is a built-in form of the SQL dialect`},
	}
	for _, tc := range tests {
		err := s.RegisterTableFunction(tc.f)
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("got %v, want a plan error containing %q", err, tc.msg)
		}
	}
}
