package kernels

import (
	"math/big"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Decimal kernels work on sign and magnitude: u128 is an unsigned 128-bit magnitude. All
// operations here are allocation-free; decimal128.Num's own Div goes through math/big and
// is kept out of the per-row paths.

type u128 struct{ hi, lo uint64 }

// pow10 holds 10^0 .. 10^38 (10^38 < 2^127, so each is a valid DECIMAL magnitude bound).
var pow10 = func() (p [39]u128) {
	p[0] = u128{0, 1}
	for i := 1; i < len(p); i++ {
		p[i], _ = p[i-1].mul64(10)
	}
	return p
}()

// absNum splits n into magnitude and sign. The magnitude of -2^127 is 2^127, which fails
// every precision check, so no caller needs a special case.
func absNum(n decimal128.Num) (u128, bool) {
	hi, lo := n.HighBits(), n.LowBits()
	if hi < 0 {
		lo = ^lo + 1
		h := ^uint64(hi)
		if lo == 0 {
			h++
		}
		return u128{h, lo}, true
	}
	return u128{uint64(hi), lo}, false
}

// toNum returns the signed value with magnitude x (x < 2^127).
func (x u128) toNum(neg bool) decimal128.Num {
	if neg {
		lo := ^x.lo + 1
		hi := ^x.hi
		if lo == 0 {
			hi++
		}
		return decimal128.New(int64(hi), lo)
	}
	return decimal128.New(int64(x.hi), x.lo)
}

func (x u128) isZero() bool         { return x.hi|x.lo == 0 }
func (x u128) less(y u128) bool     { return x.hi < y.hi || (x.hi == y.hi && x.lo < y.lo) }
func (x u128) fits(prec int32) bool { return x.less(pow10[prec]) }

// add returns x+y and whether it carried out of 128 bits.
func (x u128) add(y u128) (u128, bool) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, c := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}, c != 0
}

// sub returns x-y for x >= y.
func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, b)
	return u128{hi, lo}
}

func (x u128) inc() u128 {
	lo, c := bits.Add64(x.lo, 1, 0)
	return u128{x.hi + c, lo}
}

// mul64 returns x*m and whether the product needs more than 128 bits.
func (x u128) mul64(m uint64) (u128, bool) {
	h1, lo := bits.Mul64(x.lo, m)
	h2, l2 := bits.Mul64(x.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	return u128{hi, lo}, h2 != 0 || c != 0
}

// mul returns x*y and whether the product needs more than 128 bits.
func (x u128) mul(y u128) (u128, bool) {
	if x.hi == 0 {
		return y.mul64(x.lo)
	}
	if y.hi == 0 {
		return x.mul64(y.lo)
	}
	return u128{}, true
}

// divmod64 returns x/d and x%d for d != 0.
func (x u128) divmod64(d uint64) (u128, uint64) {
	qhi := x.hi / d
	r := x.hi % d
	qlo, r := bits.Div64(r, x.lo, d)
	return u128{qhi, qlo}, r
}

func (x u128) shl(n uint) u128 {
	if n >= 64 {
		return u128{x.lo << (n - 64), 0}
	}
	return u128{x.hi<<n | x.lo>>(64-n), x.lo << n}
}

// divmod returns x/y and x%y for y != 0. When y needs more than 64 bits the quotient fits
// in 64 bits; it is estimated from the normalized top word of y and corrected by at most
// one step (Hacker's Delight, 9-5).
func (x u128) divmod(y u128) (q, r u128) {
	if y.hi == 0 {
		q, rl := x.divmod64(y.lo)
		return q, u128{0, rl}
	}
	n := uint(bits.LeadingZeros64(y.hi))
	y1 := y.shl(n)
	x1 := u128{x.hi >> 1, x.hi<<63 | x.lo>>1}
	tq, _ := bits.Div64(x1.hi, x1.lo, y1.hi)
	tq >>= 63 - n
	if tq != 0 {
		tq--
	}
	p, _ := y.mul64(tq)
	r = x.sub(p)
	if !r.less(y) {
		tq++
		r = r.sub(y)
	}
	return u128{0, tq}, r
}

// divRound returns x/y rounded half away from zero (x, y magnitudes, y != 0).
func (x u128) divRound(y u128) u128 {
	q, r := x.divmod(y)
	// 2r >= y, written so that nothing overflows: r >= y - r (r < y).
	if !r.less(y.sub(r)) {
		q = q.inc()
	}
	return q
}

// scaleUp returns x*10^k and whether that exceeds 128 bits.
func (x u128) scaleUp(k int32) (u128, bool) {
	if k == 0 {
		return x, false
	}
	if k > 38 {
		return u128{}, !x.isZero()
	}
	return x.mul(pow10[k])
}

// scaleDown returns x/10^k rounded half away from zero.
func (x u128) scaleDown(k int32) u128 {
	if k == 0 {
		return x
	}
	if k > 38 {
		return u128{}
	}
	return x.divRound(pow10[k])
}

// bigInt converts the magnitude to a big.Int (slow paths only).
func (x u128) bigInt() *big.Int {
	b := new(big.Int).SetUint64(x.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(x.lo))
}

// fromBig converts a non-negative big.Int; ok is false when it needs more than 128 bits.
func fromBig(b *big.Int) (u128, bool) {
	if b.BitLen() > 128 {
		return u128{}, false
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(b, 64).Uint64()
	return u128{hi, lo}, true
}

// bigPow10 returns 10^k as a big.Int.
func bigPow10(k int32) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
}

// bigDivRound returns x/y rounded half away from zero for non-negative x and positive y.
func bigDivRound(x, y *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(x, y, new(big.Int))
	if r.Lsh(r, 1).Cmp(y) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// appendU128 appends the decimal digits of x.
func appendU128(dst []byte, x u128) []byte {
	var buf [40]byte
	i := len(buf)
	for x.hi != 0 {
		var r uint64
		x, r = x.divmod64(1e19)
		for j := 0; j < 19; j++ {
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
		}
	}
	v := x.lo
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}

// appendDecimal appends n with exactly scale fractional digits ("-0.50", "12", "0.003").
func appendDecimal(dst []byte, n decimal128.Num, scale int32) []byte {
	mag, neg := absNum(n)
	var tmp [48]byte
	digits := appendU128(tmp[:0], mag)
	if neg && !mag.isZero() {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		return append(dst, digits...)
	}
	if int32(len(digits)) <= scale {
		dst = append(dst, '0', '.')
		for k := int32(len(digits)); k < scale; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	cut := len(digits) - int(scale)
	dst = append(dst, digits[:cut]...)
	dst = append(dst, '.')
	return append(dst, digits[cut:]...)
}
