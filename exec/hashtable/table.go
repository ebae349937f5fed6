package hashtable

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

const (
	// noGroup marks "no key group" in group-id slices (a missing probe key, a NULL join key).
	noGroup = math.MaxUint32
	// maxGroups bounds the number of distinct keys of one table: ids are uint32, a slot
	// stores id+1, and noGroup stays free.
	maxGroups   = math.MaxUint32 - 1
	minCapacity = 16
)

// table is the distinct-key store behind GroupMap and JoinTable: it maps each distinct key
// tuple to a dense id in order of first appearance. Two layouts implement it: intTable for
// one fixed-width key of at most 8 bytes, bytesTable (normalized key encoding) for the rest.
// Both use open addressing with linear probing over a power-of-two slot array kept at most
// half full, so an insert or lookup costs O(1) expected probes; growing doubles the slot
// array and re-places every key, O(1) amortized per key. The slot array comes from the
// allocator given to newTable (Go memory when nil) and goes back to it on release; the
// rest of their state is Go memory. memoryUsage reports all of it.
type table interface {
	// insert sets groups[i] to the id of row i's key, adding keys not seen before. cols
	// were checked against the key types and all have len(groups) rows.
	insert(cols []arrow.Array, groups []uint32, sc *scratch) error
	// find sets groups[i] to the id of row i's key, or noGroup when absent. It reads the
	// table only, so concurrent finds with separate scratch are safe.
	find(cols []arrow.Array, groups []uint32, sc *scratch)
	len() int
	// reserve makes room for n distinct keys in all, so that inserting them does not
	// re-place keys.
	reserve(n int)
	// keys returns the key columns of ids 0..len()-1, owned by the caller.
	keys(mem memory.Allocator) []arrow.Array
	memoryUsage() int64
	// release gives the slot array back to its allocator; the table is unusable after.
	release()
	// reset forgets every key and keeps the slot array (cleared), so that refilling the
	// table to its former size does not grow it again.
	reset()
}

// scratch holds per-caller reusable buffers, so tables allocate nothing per row and
// amortize per-batch buffers across batches.
type scratch struct {
	enc    rowEncoder
	hashes []uint64
	u64    []uint64
}

func (s *scratch) size() int64 {
	return int64(cap(s.enc.buf)) + 8*int64(cap(s.enc.offs)+cap(s.enc.cur)+cap(s.hashes)+cap(s.u64))
}

// newTable returns the table for keys of the given types, its slot array allocated from
// mem (nil: Go memory).
func newTable(types []arrow.DataType, mem memory.Allocator) (table, error) {
	kinds, err := kindsOf(types)
	if err != nil {
		return nil, err
	}
	if len(kinds) == 1 && !kinds[0].varWidth() && kinds[0] != kFixed16 {
		return newIntTable(kinds[0], types[0], mem), nil
	}
	return newBytesTable(kinds, types, mem), nil
}

// nullRows calls fn for every row of c that is NULL. Cost: nothing when c has no NULLs.
func nullRows(c arrow.Array, fn func(i int)) {
	if c.NullN() == 0 {
		return
	}
	valid, voff := validity(c)
	for i := range c.Len() {
		if valid == nil || bitutil.BitIsNotSet(valid, voff+i) {
			fn(i)
		}
	}
}

// intSlot is one slot of an intTable: the key itself (normalized to 64 bits) and its id+1;
// id 0 marks an empty slot, so the key 0 needs no sentinel.
type intSlot struct {
	key uint64
	id  uint32
}

// intTable stores one fixed-width key column of at most 8 bytes (integers, dates, times,
// timestamps, floats, booleans) directly in its slots: a lookup is one hash, one slot load
// and an integer compare. Memory: 16 bytes per slot, 32 to 64 bytes per distinct key. The
// NULL key gets an id but no slot.
type intTable struct {
	kind      kind
	dt        arrow.DataType
	mem       memory.Allocator // where slots live (nil: Go memory)
	slots     []intSlot
	mask      uint64
	used      int // occupied slots
	ngroups   int // ids handed out, the NULL group included
	nullGroup uint32
}

func newIntTable(k kind, dt arrow.DataType, mem memory.Allocator) *intTable {
	return &intTable{kind: k, dt: dt, mem: mem, slots: allocSlots[intSlot](mem, minCapacity), mask: minCapacity - 1, nullGroup: noGroup}
}

func (t *intTable) reset() {
	clear(t.slots)
	t.used, t.ngroups, t.nullGroup = 0, 0, noGroup
}

func (t *intTable) release() {
	freeSlots(t.mem, t.slots)
	t.slots = nil
}

func (t *intTable) len() int { return t.ngroups }

func (t *intTable) memoryUsage() int64 { return 16 * int64(cap(t.slots)) }

// values returns c's rows as normalized 64-bit keys (NULL rows hold arbitrary values). A
// 64-bit integer column is returned without copying.
func (t *intTable) values(c arrow.Array, sc *scratch) []uint64 {
	n := c.Len()
	switch t.kind {
	case kFixed8:
		return castSlice[uint64](fixedValues(c, 8))
	case kNull:
		return nil
	}
	out := resize(sc.u64, n)
	sc.u64 = out
	switch t.kind {
	case kBool:
		vals, off := boolValues(c)
		for i := range out {
			out[i] = uint64(vals[uint(off+i)>>3]>>(uint(off+i)&7)) & 1
		}
	case kFixed1:
		widen(castSlice[uint8](fixedValues(c, 1)), out)
	case kFixed2:
		widen(castSlice[uint16](fixedValues(c, 2)), out)
	case kFixed4:
		widen(castSlice[uint32](fixedValues(c, 4)), out)
	case kFloat32:
		for i, b := range castSlice[uint32](fixedValues(c, 4)) {
			out[i] = uint64(normF32(b))
		}
	case kFloat64:
		for i, b := range castSlice[uint64](fixedValues(c, 8)) {
			out[i] = normF64(b)
		}
	}
	return out
}

func widen[T uint8 | uint16 | uint32](in []T, out []uint64) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = uint64(v)
	}
}

func tooManyGroups() error {
	return errs.ResourceExhaustedf("hash table holds more than %d distinct keys", maxGroups)
}

func (t *intTable) insert(cols []arrow.Array, groups []uint32, sc *scratch) error {
	c := cols[0]
	if t.kind == kNull {
		for i := range groups {
			if t.nullGroup == noGroup {
				if t.ngroups >= maxGroups {
					return tooManyGroups()
				}
				t.nullGroup = uint32(t.ngroups)
				t.ngroups++
			}
			groups[i] = t.nullGroup
		}
		return nil
	}
	keys := t.values(c, sc)
	valid, voff := validity(c)
	slots, mask := t.slots, t.mask
	// Runs of equal keys (input clustered or sorted by the key, as lineitem is by
	// l_orderkey) reuse the previous row's id without touching the slots: one compare
	// instead of a hash and a likely cache miss. prevKey is valid while prevID != noGroup
	// and only ever holds a non-NULL key.
	prevKey, prevID := uint64(0), uint32(noGroup)
	for i, k := range keys {
		if valid != nil && bitutil.BitIsNotSet(valid, voff+i) {
			if t.nullGroup == noGroup {
				if t.ngroups >= maxGroups {
					return tooManyGroups()
				}
				t.nullGroup = uint32(t.ngroups)
				t.ngroups++
			}
			groups[i] = t.nullGroup
			continue
		}
		if k == prevKey && prevID != noGroup {
			groups[i] = prevID
			continue
		}
		p := mix(tableSeed, k) & mask
		for {
			s := &slots[p]
			if s.id == 0 {
				if t.ngroups >= maxGroups {
					return tooManyGroups()
				}
				g := uint32(t.ngroups)
				t.ngroups++
				s.key, s.id = k, g+1
				groups[i] = g
				t.used++
				if 2*t.used > len(slots) {
					t.grow()
					slots, mask = t.slots, t.mask
				}
				break
			}
			if s.key == k {
				groups[i] = s.id - 1
				break
			}
			p = (p + 1) & mask
		}
		prevKey, prevID = k, groups[i]
	}
	return nil
}

func (t *intTable) reserve(n int) {
	if 2*n <= len(t.slots) {
		return
	}
	t.resize(slotsFor(n))
}

func (t *intTable) grow() { t.resize(2 * len(t.slots)) }

// slotsFor returns the power-of-two slot count that holds n keys at most half full.
func slotsFor(n int) int {
	c := minCapacity
	for 2*n > c {
		c *= 2
	}
	return c
}

func (t *intTable) resize(capacity int) {
	old := t.slots
	defer freeSlots(t.mem, old)
	t.slots = allocSlots[intSlot](t.mem, capacity)
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		p := mix(tableSeed, s.key) & t.mask
		for t.slots[p].id != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = s
	}
}

func (t *intTable) find(cols []arrow.Array, groups []uint32, sc *scratch) {
	c := cols[0]
	if t.kind == kNull {
		for i := range groups {
			groups[i] = t.nullGroup
		}
		return
	}
	keys := t.values(c, sc)
	valid, voff := validity(c)
	slots, mask := t.slots, t.mask
	for i, k := range keys {
		if valid != nil && bitutil.BitIsNotSet(valid, voff+i) {
			groups[i] = t.nullGroup
			continue
		}
		p := mix(tableSeed, k) & mask
		for {
			s := &slots[p]
			if s.id == 0 {
				groups[i] = noGroup
				break
			}
			if s.key == k {
				groups[i] = s.id - 1
				break
			}
			p = (p + 1) & mask
		}
	}
}

func (t *intTable) keys(mem memory.Allocator) []arrow.Array {
	n := t.ngroups
	if t.kind == kNull {
		return []arrow.Array{array.NewNull(n)}
	}
	vals := make([]uint64, n)
	for _, s := range t.slots {
		if s.id != 0 {
			vals[s.id-1] = s.key
		}
	}
	validBuf := newBitmap(mem, n)
	bitutil.SetBitsTo(validBuf.Bytes(), 0, int64(n), true)
	nulls := 0
	if t.nullGroup != noGroup {
		bitutil.ClearBit(validBuf.Bytes(), int(t.nullGroup))
		nulls = 1
	}
	var dataBuf *memory.Buffer
	switch t.kind {
	case kBool:
		dataBuf = newBitmap(mem, n)
		for g, v := range vals {
			if v != 0 {
				bitutil.SetBit(dataBuf.Bytes(), g)
			}
		}
	case kFixed1:
		dataBuf = newBuffer(mem, n)
		narrow(vals, castSlice[uint8](dataBuf.Bytes()))
	case kFixed2:
		dataBuf = newBuffer(mem, 2*n)
		narrow(vals, castSlice[uint16](dataBuf.Bytes()))
	case kFixed4, kFloat32:
		dataBuf = newBuffer(mem, 4*n)
		narrow(vals, castSlice[uint32](dataBuf.Bytes()))
	default: // kFixed8, kFloat64
		dataBuf = newBuffer(mem, 8*n)
		copy(castSlice[uint64](dataBuf.Bytes()), vals)
	}
	return []arrow.Array{finishArray(t.dt, n, nulls, validBuf, dataBuf)}
}

func narrow[T uint8 | uint16 | uint32](in []uint64, out []T) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = T(v)
	}
}

// bytesTable stores keys of any supported types as normalized key encodings (see
// encode.go) appended to one arena. A slot is a uint64: the upper 32 bits of the key's hash
// (a tag that rejects most mismatches without touching the arena) and id+1 in the lower 32
// bits; 0 marks an empty slot. Memory per distinct key: 16 to 32 bytes of slots, 8 bytes of
// hash, 8 bytes of arena offset and the encoded key itself.
type bytesTable struct {
	kinds  []kind
	types  []arrow.DataType
	mem    memory.Allocator // where slots live (nil: Go memory)
	slots  []uint64
	mask   uint64
	hashes []uint64 // hash of each id's key, to re-place keys when growing
	arena  []byte   // encoded keys, in id order
	starts []int    // key of id g is arena[starts[g]:starts[g+1]]
}

const tagMask = 0xffffffff00000000

func newBytesTable(kinds []kind, types []arrow.DataType, mem memory.Allocator) *bytesTable {
	return &bytesTable{kinds: kinds, types: types, mem: mem, slots: allocSlots[uint64](mem, minCapacity), mask: minCapacity - 1, starts: []int{0}}
}

func (t *bytesTable) reset() {
	clear(t.slots)
	t.hashes, t.arena, t.starts = t.hashes[:0], t.arena[:0], t.starts[:1]
}

func (t *bytesTable) release() {
	freeSlots(t.mem, t.slots)
	t.slots = nil
}

func (t *bytesTable) len() int { return len(t.hashes) }

func (t *bytesTable) memoryUsage() int64 {
	return 8*int64(cap(t.slots)+cap(t.hashes)+cap(t.starts)) + int64(cap(t.arena))
}

func (t *bytesTable) prepare(cols []arrow.Array, n int, sc *scratch) {
	sc.enc.encode(t.kinds, cols, n)
	sc.hashes = resize(sc.hashes, n)
	hashColumns(cols, sc.hashes, tableSeed)
}

func (t *bytesTable) insert(cols []arrow.Array, groups []uint32, sc *scratch) error {
	n := len(groups)
	t.prepare(cols, n, sc)
	buf, offs, hashes := sc.enc.buf, sc.enc.offs, sc.hashes
	slots, mask := t.slots, t.mask
	for i := range n {
		h := hashes[i]
		row := buf[offs[i]:offs[i+1]]
		p := h & mask
		for {
			s := slots[p]
			if s == 0 {
				if len(t.hashes) >= maxGroups {
					return tooManyGroups()
				}
				g := uint32(len(t.hashes))
				t.hashes = append(t.hashes, h)
				t.arena = append(t.arena, row...)
				t.starts = append(t.starts, len(t.arena))
				slots[p] = h&tagMask | uint64(g+1)
				groups[i] = g
				if 2*len(t.hashes) > len(slots) {
					t.grow()
					slots, mask = t.slots, t.mask
				}
				break
			}
			if s&tagMask == h&tagMask {
				g := uint32(s) - 1
				if string(t.arena[t.starts[g]:t.starts[g+1]]) == string(row) {
					groups[i] = g
					break
				}
			}
			p = (p + 1) & mask
		}
	}
	return nil
}

func (t *bytesTable) reserve(n int) {
	if 2*n <= len(t.slots) {
		return
	}
	t.resize(slotsFor(n))
}

func (t *bytesTable) grow() { t.resize(2 * len(t.slots)) }

func (t *bytesTable) resize(capacity int) {
	freeSlots(t.mem, t.slots)
	t.slots = allocSlots[uint64](t.mem, capacity)
	t.mask = uint64(len(t.slots) - 1)
	for g, h := range t.hashes {
		p := h & t.mask
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = h&tagMask | uint64(g+1)
	}
}

func (t *bytesTable) find(cols []arrow.Array, groups []uint32, sc *scratch) {
	n := len(groups)
	t.prepare(cols, n, sc)
	buf, offs, hashes := sc.enc.buf, sc.enc.offs, sc.hashes
	slots, mask := t.slots, t.mask
	for i := range n {
		h := hashes[i]
		row := buf[offs[i]:offs[i+1]]
		p := h & mask
		groups[i] = noGroup
		for {
			s := slots[p]
			if s == 0 {
				break
			}
			if s&tagMask == h&tagMask {
				g := uint32(s) - 1
				if string(t.arena[t.starts[g]:t.starts[g+1]]) == string(row) {
					groups[i] = g
					break
				}
			}
			p = (p + 1) & mask
		}
	}
}

func (t *bytesTable) keys(mem memory.Allocator) []arrow.Array {
	return decodeColumns(mem, t.kinds, t.types, t.arena, t.starts)
}
