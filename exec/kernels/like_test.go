package kernels

import (
	"errors"
	"math/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func TestLike(t *testing.T) {
	// rows:           0      1      2       3   4     5     6      7      8        9        10        11
	const subject = `["abc", "abd", "xabc", "", "ab", null, "a_c", "a%c", "héllo", "aXbYc", "abcabc", "a\\xc"]`
	cases := []struct {
		pattern string
		escape  byte
		negated bool
		want    string
	}{
		{"ab%", '\\', false, `[true, true, false, false, true, null, false, false, false, false, true, false]`},
		{"ab%", '\\', true, `[false, false, true, true, false, null, true, true, true, true, false, true]`},
		{"%bc", '\\', false, `[true, false, true, false, false, null, false, false, false, false, true, false]`},
		{"%%bc", '\\', false, `[true, false, true, false, false, null, false, false, false, false, true, false]`},
		{"%b%", '\\', false, `[true, true, true, false, true, null, false, false, false, true, true, false]`},
		{"abc", '\\', false, `[true, false, false, false, false, null, false, false, false, false, false, false]`},
		{"%", '\\', false, `[true, true, true, true, true, null, true, true, true, true, true, true]`},
		{"", '\\', false, `[false, false, false, true, false, null, false, false, false, false, false, false]`},
		{"a_c", '\\', false, `[true, false, false, false, false, null, true, true, false, false, false, false]`},
		{`a\_c`, '\\', false, `[false, false, false, false, false, null, true, false, false, false, false, false]`},
		{`a\%c`, '\\', false, `[false, false, false, false, false, null, false, true, false, false, false, false]`},
		{`a\_c`, 0, false, `[false, false, false, false, false, null, false, false, false, false, false, true]`},
		{`a!_c`, '!', false, `[false, false, false, false, false, null, true, false, false, false, false, false]`},
		{"h_llo", '\\', false, `[false, false, false, false, false, null, false, false, true, false, false, false]`},
		{"h__llo", '\\', false, `[false, false, false, false, false, null, false, false, false, false, false, false]`},
		{"a%b%c", '\\', false, `[true, false, false, false, false, null, false, false, false, true, true, false]`},
		{"%b_c", '\\', false, `[false, false, false, false, false, null, false, false, false, true, false, false]`},
		{"_", '\\', false, `[false, false, false, false, false, null, false, false, false, false, false, false]`},
		{"abc%abc", '\\', false, `[false, false, false, false, false, null, false, false, false, false, true, false]`},
		{"%_b%", '\\', false, `[true, true, true, false, true, null, false, false, false, true, true, false]`},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			mem := newMem(t)
			in := fromJSON(t, mem, planner.String, rep(subject, 2))
			want := fromJSON(t, mem, planner.Boolean, rep(c.want, 2))
			checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) {
				return Like(mem, in[0], c.pattern, c.escape, c.negated)
			}, in)
		})
	}
}

// likeRegexp translates a LIKE pattern into an anchored regular expression: the oracle for
// the randomized test below.
func likeRegexp(pattern string, escape byte) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case escape != 0 && c == escape && i+1 < len(pattern):
			i++
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case c == '%':
			b.WriteString(`.*`)
		case c == '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}

func TestLikeMatchesRegexp(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pick := func(alphabet []string, n int) string {
		var b strings.Builder
		for range rng.Intn(n + 1) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		return b.String()
	}
	subjects := make([]string, 300)
	for i := range subjects {
		subjects[i] = pick([]string{"a", "b", "c", "é", "_", "%"}, 8)
	}
	mem := newMem(t)
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues(subjects, nil)
	in := sb.NewArray()
	defer in.Release()
	for range 400 {
		// No é in patterns: a multi-byte rune is not a valid single-byte regexp quote.
		p := pick([]string{"a", "b", "c", "_", "%", `\`}, 6)
		re := likeRegexp(p, '\\')
		got, err := Like(mem, in, p, '\\', false)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range subjects {
			if w := re.MatchString(s); got.(*array.Boolean).Value(i) != w {
				t.Errorf("%q LIKE %q: got %v, want %v", s, p, !w, w)
			}
		}
		got.Release()
	}
}

func TestLikeNullAndErrors(t *testing.T) {
	mem := newMem(t)
	n := array.NewNull(2)
	defer n.Release()
	checkKernel(t, fromJSON(t, mem, planner.Boolean, `[null, null]`),
		func(in []arrow.Array) (arrow.Array, error) { return Like(mem, in[0], "a%", '\\', false) }, n)
	if _, err := Like(mem, fromJSON(t, mem, planner.Int64, `[1]`), "1", '\\', false); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("LIKE on BIGINT: want an internal error, got %v", err)
	}
}
