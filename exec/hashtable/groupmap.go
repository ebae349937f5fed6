package hashtable

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// GroupMap assigns dense group ids 0, 1, 2, ... to distinct key tuples in order of first
// appearance, as a hash aggregate needs: NULL equals NULL, -0 equals +0 and NaN equals NaN
// (GROUP BY semantics).
//
// One fixed-width key of at most 8 bytes is stored directly in the slots; every other key
// shape (several columns, strings, decimals) is stored as a normalized byte encoding in an
// arena. Insert costs O(rows) expected time per batch and allocates only when the table or
// its reusable per-batch buffers grow. Memory is Go memory, reported by MemoryUsage: about 32
// to 64 bytes per distinct key for a single fixed-width key, and 40 to 56 bytes plus the
// encoded key (one byte per column, plus value bytes, plus 4 bytes of length for strings not
// in the last column) otherwise.
//
// A GroupMap is not safe for concurrent use.
type GroupMap struct {
	types []arrow.DataType
	mem   memory.Allocator
	tab   table
	sc    scratch
	err   error // an unsupported key type, reported by Insert
}

// NewGroupMap returns an empty map for keys of the given types. mem allocates the slot array
// (given back by Release, which every map must get) and the arrays Keys returns; nil
// means Go memory for the slots. A type CheckKeyTypes rejects makes every Insert fail with that error.
func NewGroupMap(keyTypes []arrow.DataType, mem memory.Allocator) *GroupMap {
	m := &GroupMap{types: slices.Clone(keyTypes), mem: mem}
	m.tab, m.err = newTable(m.types, mem)
	return m
}

// Insert sets groups[i] to the id of row i's key tuple, handing out the next ids to tuples
// not seen before. keys must have the map's key types and len(groups) rows each; they are
// neither retained nor released. On error (key mismatch, more than 2^32-1 groups) groups is
// partly filled and the map keeps the groups added so far.
func (m *GroupMap) Insert(keys []arrow.Array, groups []uint32) error {
	if m.err != nil {
		return m.err
	}
	if m.tab == nil {
		return errs.Internalf("group map used after Release")
	}
	if err := checkKeys(m.types, keys, len(groups)); err != nil {
		return err
	}
	return m.tab.insert(keys, groups, &m.sc)
}

// Reserve makes room for n distinct key tuples in all, so that inserting up to n keys
// never grows (re-places) the table: a planner with a distinct-count estimate calls it
// before the first Insert. It allocates the slots at once (16 bytes per slot for a single
// fixed-width key, 8 otherwise, two to four slots per key); n <= Len() does nothing. An
// overestimate costs memory, not correctness.
func (m *GroupMap) Reserve(n int) {
	if m.tab == nil || n <= 0 {
		return
	}
	m.tab.reserve(min(n, maxGroups))
}

// Len returns the number of distinct key tuples seen so far.
func (m *GroupMap) Len() int {
	if m.tab == nil {
		return 0
	}
	return m.tab.len()
}

// Keys returns the key columns of groups 0..Len()-1, in id order, allocated from the map's
// allocator and owned by the caller. The map stays usable. Floats come back normalized (-0
// as +0, one NaN). Cost: O(Len()) per column.
func (m *GroupMap) Keys() ([]arrow.Array, error) {
	if m.err != nil {
		return nil, m.err
	}
	if m.tab == nil {
		return nil, errs.Internalf("group map used after Release")
	}
	return m.tab.keys(m.mem), nil
}

// MemoryUsage returns the bytes the map holds (slots, stored keys and reusable batch
// buffers), for the query's memory accounting.
func (m *GroupMap) MemoryUsage() int64 {
	if m.tab == nil {
		return 0
	}
	return m.tab.memoryUsage() + m.sc.size()
}

// Reset forgets every key tuple, so that ids start again at 0, and keeps the memory: a
// partial aggregation that flushes its groups and starts over refills the same slots
// instead of growing a new table from nothing. Cost: clearing the slot array.
func (m *GroupMap) Reset() {
	if m.tab != nil {
		m.tab.reset()
	}
}

// Release gives the map's memory back (its slots to mem); call it once the map is no longer
// used. Arrays returned by Keys stay valid.
func (m *GroupMap) Release() {
	if m.tab != nil {
		m.tab.release()
	}
	m.tab = nil
	m.sc = scratch{}
}
