package kernels

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// u128 arithmetic against math/big on random operands of every size class.
func TestU128DivmodMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	rnd := func() u128 {
		switch rng.Intn(4) {
		case 0:
			return u128{0, rng.Uint64() >> uint(rng.Intn(64))}
		case 1:
			return u128{rng.Uint64() >> uint(rng.Intn(64)), rng.Uint64()}
		case 2:
			return u128{rng.Uint64(), rng.Uint64()}
		}
		return pow10[rng.Intn(39)]
	}
	for range 20000 {
		x, y := rnd(), rnd()
		if y.isZero() {
			continue
		}
		q, r := x.divmod(y)
		bq, br := new(big.Int).QuoRem(x.bigInt(), y.bigInt(), new(big.Int))
		if q.bigInt().Cmp(bq) != 0 || r.bigInt().Cmp(br) != 0 {
			t.Fatalf("%v / %v: got %v r %v, want %v r %v", x.bigInt(), y.bigInt(), q.bigInt(), r.bigInt(), bq, br)
		}
		if got, want := x.divRound(y), bigDivRound(x.bigInt(), y.bigInt()); got.bigInt().Cmp(want) != 0 {
			t.Fatalf("round(%v / %v): got %v, want %v", x.bigInt(), y.bigInt(), got.bigInt(), want)
		}
		p, ov := x.mul(y)
		bp := new(big.Int).Mul(x.bigInt(), y.bigInt())
		if ov != (bp.BitLen() > 128) || (!ov && p.bigInt().Cmp(bp) != 0) {
			t.Fatalf("%v * %v: got %v overflow=%v, want %v", x.bigInt(), y.bigInt(), p.bigInt(), ov, bp)
		}
	}
}

func TestDecimalTextRoundTrip(t *testing.T) {
	cases := []struct {
		in    string
		prec  int32
		scale int32
		want  string
	}{
		{"0", 5, 2, "0.00"},
		{"-0.05", 5, 2, "-0.05"},
		{"123.456", 10, 3, "123.456"},
		{"123.4565", 10, 3, "123.457"},
		{"-123.4565", 10, 3, "-123.457"},
		{"123.4564999", 10, 3, "123.456"},
		{"99999999999999999999999999999999999999", 38, 0, "99999999999999999999999999999999999999"},
		{"-9999999999999999999999999999.9999999999", 38, 10, "-9999999999999999999999999999.9999999999"},
		{"18446744073709551616", 38, 0, "18446744073709551616"},
		{"1E-2", 5, 3, "0.010"},
		{"0.5", 1, 0, "1"},
		{"-0.5", 1, 0, "-1"},
		{"0.49", 1, 0, "0"},
		{"1.25e-1", 5, 2, "0.13"},
		{"12345678901234567890.5", 21, 0, "12345678901234567891"},
	}
	for _, c := range cases {
		n, st := parseDecimal(c.in, c.prec, c.scale)
		if st != parseOK {
			t.Fatalf("parse %q: status %d", c.in, st)
		}
		if got := string(appendDecimal(nil, n, c.scale)); got != c.want {
			t.Errorf("%q as DECIMAL(%d,%d): got %s, want %s", c.in, c.prec, c.scale, got, c.want)
		}
		// Arrow's own parser and printer agree on the exact inputs.
		if c.in == c.want {
			ref, err := decimal128.FromString(c.in, c.prec, c.scale)
			if err != nil || ref != n {
				t.Errorf("%q: arrow parses %v (%v), we parse %v", c.in, ref, err, n)
			}
		}
	}
	for _, c := range []struct {
		in          string
		prec, scale int32
		st          parseStatus
	}{
		{"100", 2, 0, parseOverflow},
		{"9.995", 3, 2, parseOverflow},
		{"1e38", 38, 0, parseOverflow},
		{"1e99999999999", 38, 0, parseOverflow},
		{"1e-99999999999", 38, 0, parseOK},
		{"", 5, 0, parseBad},
		{"+", 5, 0, parseBad},
		{"1..2", 5, 0, parseBad},
		{"0x10", 5, 0, parseBad},
		{"1e+", 5, 0, parseBad},
		{"١", 5, 0, parseBad},
	} {
		if _, st := parseDecimal(c.in, c.prec, c.scale); st != c.st {
			t.Errorf("%q as DECIMAL(%d,%d): status %d, want %d", c.in, c.prec, c.scale, st, c.st)
		}
	}
}
