package hashtable

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// JoinTable is the build side of a hash join. Rows are appended batch by batch with Add
// (build row ids are global: 0..NumRows()-1 in the order added), then Finish freezes the
// table and ProbeIters look probe batches up in it. SQL equality applies: a row whose key
// has a NULL in any column never matches, neither on the build nor on the probe side; -0
// equals +0 and NaN equals NaN.
//
// Layout: Add only retains the key arrays; Finish sizes a hash table like GroupMap's for
// NumRows() keys (so it never re-places keys while building), gives each distinct key an
// id, and lays the build rows of each id out contiguously (counting sort, rows ascending):
// a probe costs one hash lookup plus one contiguous read per match. When every build key is
// distinct and non-NULL (the usual primary-key build side), the key id is the build row id
// and no row lists are built. Memory after Finish, reported by MemoryUsage:
// the slot array sized for NumRows() keys (16 bytes per row for one fixed-width key, 8
// otherwise, doubled at most half full; from the allocator given to NewJoinTable), the distinct keys (none stored apart for one
// fixed-width key), and 4 bytes per build row plus 4 per distinct key unless keys are
// unique. A build side with many duplicate keys therefore pays for slots it does not fill.
//
// Add and Finish are not safe for concurrent use. After Finish the table is read-only:
// any number of goroutines may probe it at once, each with its own ProbeIter.
type JoinTable struct {
	types    []arrow.DataType
	tab      table
	sc       scratch
	err      error           // an unsupported key type, reported by Add
	pending  [][]arrow.Array // during Add: the retained key columns of each batch
	nrows    int
	nullKeys bool // some build row has a NULL key
	finished bool
	unique   bool     // after Finish: key id == build row id for every key
	start    []uint32 // after Finish, unless unique: rows of key id g are rows[start[g]:start[g+1]]
	rows     []uint32
}

// NewJoinTable returns an empty build side for keys of the given types. mem allocates the
// hash table's slot array (nil: Go memory), which Release gives back, so every table must
// be released; the rest of its state is Go memory. A type CheckKeyTypes rejects makes
// every Add and probe fail with that error.
func NewJoinTable(keyTypes []arrow.DataType, mem memory.Allocator) *JoinTable {
	t := &JoinTable{types: slices.Clone(keyTypes)}
	t.tab, t.err = newTable(t.types, mem)
	return t
}

func (t *JoinTable) usable() error {
	if t.err != nil {
		return t.err
	}
	if t.tab == nil {
		return errs.Internalf("join table used after Release")
	}
	return nil
}

// Add appends the rows of one build batch; they get the next build row ids. keys must have
// the table's key types and equal lengths. Add retains them until Finish or Release (no
// copy; their memory stays the caller's allocator's and is not in MemoryUsage); the caller
// keeps its own references and the build batch's payload, addressed by build row id.
func (t *JoinTable) Add(keys []arrow.Array) error {
	if err := t.usable(); err != nil {
		return err
	}
	if t.finished {
		return errs.Internalf("join table: Add after Finish")
	}
	if len(keys) == 0 {
		return errs.Internalf("join table: no key columns")
	}
	n := keys[0].Len()
	if err := checkKeys(t.types, keys, n); err != nil {
		return err
	}
	if t.nrows+n > maxGroups {
		return errs.ResourceExhaustedf("hash join build side has more than %d rows", maxGroups)
	}
	for _, c := range keys {
		c.Retain()
	}
	t.pending = append(t.pending, slices.Clone(keys))
	t.nrows += n
	return nil
}

func (t *JoinTable) releasePending() {
	for _, cols := range t.pending {
		for _, c := range cols {
			c.Release()
		}
	}
	t.pending = nil
}

// Finish ends the build phase; call it once after the last Add, before probing. It releases
// the key arrays Add retained. Cost: O(NumRows()) expected. An error (none is expected,
// since ids cannot outnumber rows) is kept and returned by every later probe.
func (t *JoinTable) Finish() {
	if t.finished || t.tab == nil {
		return
	}
	t.finished = true
	defer t.releasePending()
	t.tab.reserve(t.nrows)
	rowGroup := make([]uint32, t.nrows)
	off := 0
	for _, cols := range t.pending {
		dst := rowGroup[off : off+cols[0].Len()]
		off += len(dst)
		if err := t.tab.insert(cols, dst, &t.sc); err != nil {
			t.err = err
			return
		}
		for _, c := range cols {
			nullRows(c, func(i int) {
				dst[i] = noGroup
				t.nullKeys = true
			})
		}
	}
	t.sc = scratch{}
	ng := t.tab.len()
	if ng == t.nrows && !t.nullKeys {
		// Every row added a new key, so row i has key id i.
		t.unique = true
		return
	}
	start := make([]uint32, ng+1)
	for _, g := range rowGroup {
		if g != noGroup {
			start[g+1]++
		}
	}
	for g := 1; g <= ng; g++ {
		start[g] += start[g-1]
	}
	rows := make([]uint32, start[ng])
	for i, g := range rowGroup {
		if g != noGroup {
			rows[start[g]] = uint32(i)
			start[g]++
		}
	}
	// start[g] now holds the end of g's rows, which is where g+1's begin.
	copy(start[1:], start[:ng])
	start[0] = 0
	t.start, t.rows = start, rows
}

// JoinTableBytes estimates the memory of a finished JoinTable over rows build rows of
// distinct keys of the given types (the usual primary-key build side): its slot array,
// plus, for keys other than one fixed-width column, the stored encodings and their
// bookkeeping. The build rows' own buffers are not included. Callers compare build sides
// with it.
func JoinTableBytes(keyTypes []arrow.DataType, rows int) int64 {
	if rows <= 0 {
		return 0
	}
	kinds, err := kindsOf(keyTypes)
	if err != nil {
		return 0
	}
	slots := int64(slotsFor(rows))
	if len(kinds) == 1 && !kinds[0].varWidth() && kinds[0] != kFixed16 {
		return 16 * slots
	}
	perKey := int64(8 + 8) // hash and arena offset
	for _, k := range kinds {
		// A validity byte and the value; strings count a typical 16 bytes and a length.
		w := k.width()
		if k.varWidth() {
			w = 20
		}
		perKey += 1 + int64(w)
	}
	return 8*slots + perKey*int64(rows)
}

// NumRows returns the number of build rows added, NULL-keyed ones included.
func (t *JoinTable) NumRows() int { return t.nrows }

// HasNullKeys reports, after Finish, whether some build row has a NULL in a key column
// (NOT IN needs it).
func (t *JoinTable) HasNullKeys() bool { return t.nullKeys }

// UniqueKeys reports, after Finish, whether every build row has a distinct non-NULL key, so
// that each probe row matches at most one build row.
func (t *JoinTable) UniqueKeys() bool { return t.unique }

// MemoryUsage returns the bytes the table holds, for the query's memory accounting.
func (t *JoinTable) MemoryUsage() int64 {
	if t.tab == nil {
		return 0
	}
	return t.tab.memoryUsage() + t.sc.size() + 4*int64(cap(t.start)+cap(t.rows))
}

// Release drops the table's memory and any key arrays still retained; ProbeIters over it
// must not be used afterwards.
func (t *JoinTable) Release() {
	t.releasePending()
	if t.tab != nil {
		t.tab.release()
	}
	t.tab = nil
	t.sc = scratch{}
	t.start, t.rows = nil, nil
}

// ProbeIter yields the matching (probe row, build row) pairs of one probe batch at a time,
// in bounded chunks, so that a key with very many matches never needs more memory than the
// caller's index slices. Pairs come in probe-row order and, for one probe row, in ascending
// build row order. A ProbeIter is reusable across batches (Reset) and keeps its per-batch
// buffers, so steady-state probing allocates nothing. It is not safe for concurrent use;
// use one per goroutine.
type ProbeIter struct {
	t      *JoinTable
	sc     scratch
	groups []uint32 // probe row -> key id, or noGroup
	row    int      // current probe row
	pos    uint32   // next match of the current row: rows[pos] (or the key id when unique)
	end    uint32
}

// NewProbeIter returns an iterator over t with no batch yet (Next returns 0 until Reset).
func (t *JoinTable) NewProbeIter() *ProbeIter { return &ProbeIter{t: t} }

// Probe is NewProbeIter followed by Reset(keys).
func (t *JoinTable) Probe(keys []arrow.Array) (*ProbeIter, error) {
	it := t.NewProbeIter()
	if err := it.Reset(keys); err != nil {
		return nil, err
	}
	return it, nil
}

// Reset starts a new probe batch: it looks every row of keys up (one vectorized pass) and
// rewinds the iterator. keys must have the table's key types and equal lengths; they are not
// retained. Errors: the table is not finished, was released, or keys do not match.
func (it *ProbeIter) Reset(keys []arrow.Array) error {
	t := it.t
	if err := t.usable(); err != nil {
		return err
	}
	if !t.finished {
		return errs.Internalf("join table probed before Finish")
	}
	if len(keys) == 0 {
		return errs.Internalf("join table: no key columns")
	}
	n := keys[0].Len()
	if err := checkKeys(t.types, keys, n); err != nil {
		return err
	}
	it.groups = resize(it.groups, n)
	t.tab.find(keys, it.groups, &it.sc)
	for _, c := range keys {
		nullRows(c, func(i int) { it.groups[i] = noGroup })
	}
	it.row, it.pos, it.end = -1, 0, 0
	return nil
}

// Next writes up to min(len(probeIdx), len(buildIdx)) matching pairs: probeIdx[k] is a row
// of the batch given to Reset, buildIdx[k] a build row id. It returns the number written;
// 0 means the batch has no more pairs (and min(len) > 0). Cost: O(pairs written + probe rows
// skipped).
func (it *ProbeIter) Next(probeIdx, buildIdx []uint32) int {
	limit := min(len(probeIdx), len(buildIdx))
	t := it.t
	groups := it.groups
	k := 0
	if t.unique {
		r := it.row + 1
		for ; r < len(groups) && k < limit; r++ {
			if g := groups[r]; g != noGroup {
				probeIdx[k], buildIdx[k] = uint32(r), g
				k++
			}
		}
		it.row = r - 1
		return k
	}
	for k < limit {
		if it.pos == it.end {
			r := it.row + 1
			for r < len(groups) && (groups[r] == noGroup || t.start[groups[r]] == t.start[groups[r]+1]) {
				r++
			}
			it.row = r
			if r >= len(groups) {
				it.row = len(groups) - 1
				break
			}
			g := groups[r]
			it.pos, it.end = t.start[g], t.start[g+1]
		}
		m := min(int(it.end-it.pos), limit-k)
		copy(buildIdx[k:k+m], t.rows[it.pos:int(it.pos)+m])
		p := uint32(it.row)
		for j := k; j < k+m; j++ {
			probeIdx[j] = p
		}
		k += m
		it.pos += uint32(m)
	}
	return k
}

// Matches sets matched[i] to whether probe row i of the batch given to Reset has at least
// one matching build row, independent of Next's progress; len(matched) must be at least
// the batch's row count. Semi and anti joins need only this; outer joins use it to find
// probe rows to pad with NULLs.
func (it *ProbeIter) Matches(matched []bool) {
	t := it.t
	for i, g := range it.groups {
		matched[i] = g != noGroup && (t.unique || t.start[g] != t.start[g+1])
	}
}
