package kernels

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// InList returns a new BOOLEAN array of a [NOT] IN (list...). Each item is an array of a's
// length and type (usually a constant) or NULL-typed. SQL semantics: the Kleene OR of
// a = item over the items, so NULL when a is NULL, true on a match, NULL when nothing
// matches and some item is NULL, else false; NOT IN is its Kleene negation. The OR is
// accumulated in place in two bitmaps, one comparison loop per item: O(n · len(list)).
func InList(mem memory.Allocator, a arrow.Array, list []arrow.Array, negated bool) (arrow.Array, error) {
	n := a.Len()
	if err := checkLen("in list", n, list...); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.Internalf("in list: empty list")
	}
	if isNullType(a) {
		return allNull(mem, planner.Boolean, n)
	}
	nb := int(bitutil.BytesForBits(int64(n)))
	aok := validBits(a)
	// acc starts as "known false", the identity of OR.
	accV := make([]byte, nb)
	accK := make([]byte, nb)
	for i := range accK {
		accK[i] = 0xff
	}
	eq := make([]byte, nb)
	for _, item := range list {
		if isNullType(item) {
			for i := range accK {
				accK[i] &= accV[i] // where not already true, the result is unknown
			}
			continue
		}
		if !sameValueType(a.DataType(), item.DataType()) {
			return nil, errs.Internalf("in list: item of type %s for a value of type %s",
				planner.TypeString(item.DataType()), planner.TypeString(a.DataType()))
		}
		clear(eq)
		if err := compareBits(false, a, item, eq); err != nil {
			return nil, err
		}
		iok := validBits(item)
		for i := range eq {
			ek := byte(0xff)
			if iok != nil {
				ek = iok[i]
			}
			valid := accK[i]&ek | accK[i]&accV[i] | ek&eq[i]
			accV[i] = (accV[i] | eq[i]) & valid
			accK[i] = valid
		}
	}
	buf, out := newBitmap(mem, n)
	for i := range out {
		if negated {
			out[i] = ^accV[i]
		} else {
			out[i] = accV[i]
		}
	}
	maskTail(out, n)
	maskTail(accK, n)
	vo := newValidOut(mem, n, aok, accK)
	return finish(planner.Boolean, n, vo, buf), nil
}
