package kernels

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// And returns a new BOOLEAN array of l AND r in Kleene logic: false if either side is
// false (even when the other is NULL), NULL if either is NULL otherwise, else true. The
// operands are BOOLEAN or NULL-typed. Works a byte (8 rows) at a time; O(n/8).
func And(mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	return kleene(mem, l, r, true)
}

// Or returns a new BOOLEAN array of l OR r in Kleene logic: true if either side is true
// (even when the other is NULL), NULL if either is NULL otherwise, else false.
func Or(mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	return kleene(mem, l, r, false)
}

func kleene(mem memory.Allocator, l, r arrow.Array, and bool) (arrow.Array, error) {
	n := l.Len()
	if err := checkLen("and/or", n, r); err != nil {
		return nil, err
	}
	if err := checkBool("and/or", l, r); err != nil {
		return nil, err
	}
	lv, rv := boolBits(l), boolBits(r)
	lk, rk := validBits(l), validBits(r)
	buf, out := newBitmap(mem, n)
	if lk == nil && rk == nil {
		for i := range out {
			if and {
				out[i] = lv[i] & rv[i]
			} else {
				out[i] = lv[i] | rv[i]
			}
		}
		maskTail(out, n)
		return finish(planner.Boolean, n, nil, buf), nil
	}
	vo := newValidOut(mem, n)
	vo.buf, vo.bits = newBitmap(mem, n)
	for i := range out {
		a, b := byte(0xff), byte(0xff)
		if lk != nil {
			a = lk[i]
		}
		if rk != nil {
			b = rk[i]
		}
		var valid byte
		if and {
			// known where both are known, or where either is a known false
			valid = a&b | a&^lv[i] | b&^rv[i]
			out[i] = lv[i] & rv[i] & valid
		} else {
			// known where both are known, or where either is a known true
			valid = a&b | a&lv[i] | b&rv[i]
			out[i] = (lv[i] | rv[i]) & valid
		}
		vo.bits[i] = valid
	}
	maskTail(out, n)
	maskTail(vo.bits, n)
	return finish(planner.Boolean, n, vo, buf), nil
}

// Not returns a new BOOLEAN array of NOT a; NULL stays NULL.
func Not(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	if err := checkBool("not", a); err != nil {
		return nil, err
	}
	n := a.Len()
	v := boolBits(a)
	buf, out := newBitmap(mem, n)
	for i := range out {
		out[i] = ^v[i]
	}
	maskTail(out, n)
	return finish(planner.Boolean, n, newValidOut(mem, n, validBits(a)), buf), nil
}

// IsNull returns a new BOOLEAN array, never NULL itself: a IS NULL, or a IS NOT NULL when
// negated. Any input type.
func IsNull(mem memory.Allocator, a arrow.Array, negated bool) (arrow.Array, error) {
	n := a.Len()
	v := validBits(a)
	buf, out := newBitmap(mem, n)
	for i := range out {
		switch {
		case v == nil && negated:
			out[i] = 0xff
		case v == nil:
			out[i] = 0
		case negated:
			out[i] = v[i]
		default:
			out[i] = ^v[i]
		}
	}
	maskTail(out, n)
	return finish(planner.Boolean, n, nil, buf), nil
}

func checkBool(what string, arrs ...arrow.Array) error {
	for _, a := range arrs {
		if id := a.DataType().ID(); id != arrow.BOOL && id != arrow.NULL {
			return errs.Internalf("%s: operand of type %s is not BOOLEAN", what, planner.TypeString(a.DataType()))
		}
	}
	return nil
}
