package kernels

import (
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// appendFloat appends a FLOAT (bitSize 32) or DOUBLE the way MySQL and DuckDB print them:
// the shortest representation that reads back to the same value, positional for
// 1e-5 <= |f| < 1e15 (1.5, 100, 0.001), with an exponent otherwise (1e+20, 1.5e-07);
// NaN, Infinity and -Infinity spelled out.
func appendFloat(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if abs := math.Abs(f); abs == 0 || (abs >= 1e-5 && abs < 1e15) {
		return strconv.AppendFloat(dst, f, 'f', -1, bitSize)
	}
	return strconv.AppendFloat(dst, f, 'e', -1, bitSize)
}

func formatFloat(f float64, bitSize int) string { return string(appendFloat(nil, f, bitSize)) }

// parseStatus is the outcome of parsing one value.
type parseStatus uint8

const (
	parseOK parseStatus = iota
	parseBad
	parseOverflow
)

// parseDecimal parses [+-]digits[.digits][e[+-]digits] (at least one mantissa digit) into
// a DECIMAL(prec,scale) value, rounding half away from zero to the scale. It works on the
// digit string, so it is exact for any input length and allocation-free.
func parseDecimal(s string, prec, scale int32) (decimal128.Num, parseStatus) {
	var (
		buf    [40]byte // the first significant digits; later ones never matter (see below)
		nd, dp int      // significant digits seen; their decimal point position
		neg    bool
		i      int
	)
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sawDot, sawDigit := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if sawDot {
				return decimal128.Num{}, parseBad
			}
			sawDot, dp = true, nd
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		sawDigit = true
		if c == '0' && nd == 0 { // leading zero
			dp--
			continue
		}
		if nd < len(buf) {
			buf[nd] = c
		}
		nd++
	}
	if !sawDigit {
		return decimal128.Num{}, parseBad
	}
	if !sawDot {
		dp = nd
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		e, j := 0, i
		for ; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
			if e < 100000 {
				e = e*10 + int(s[j]-'0')
			}
		}
		if j == i {
			return decimal128.Num{}, parseBad
		}
		i = j
		if eneg {
			e = -e
		}
		dp += e
	}
	if i != len(s) {
		return decimal128.Num{}, parseBad
	}
	if nd == 0 {
		return decimal128.Num{}, parseOK
	}
	// The value is 0.d1d2d3... × 10^dp; scaled by 10^scale its integer part has k digits.
	k := dp + int(scale)
	if k > int(prec) {
		return decimal128.Num{}, parseOverflow
	}
	if k < 0 {
		return decimal128.Num{}, parseOK
	}
	var m u128
	for j := 0; j < k; j++ {
		d := uint64(0)
		if j < nd {
			d = uint64(buf[j] - '0')
		}
		m, _ = m.mul64(10)
		m, _ = m.add(u128{0, d})
	}
	if k < nd && buf[k] >= '5' { // k <= 38 < len(buf), so buf[k] was stored
		m = m.inc()
	}
	if !m.fits(prec) {
		return decimal128.Num{}, parseOverflow
	}
	return m.toNum(neg), parseOK
}
