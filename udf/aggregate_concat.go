package udf

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// group_concat([DISTINCT] x [, y ...] [ORDER BY k [ASC|DESC] ...] [SEPARATOR s]).
//
// Arguments as the accumulator sees them: the value arguments (cast to VARCHAR by the
// binder, see CastArgs), the separator (a VARCHAR constant: the TiDB parser appends it to
// every call, ',' by default), then with ORDER BY one array per order key. A row adds the
// concatenation of its values unless one of them is NULL. The partial state keeps the rows:
// a LIST<BLOB> of entries (uvarint key length, encoded keys, value bytes; see keyEncoder)
// and the separator, so partitions merge and Final sorts each group by the keys (stably:
// ties and calls without ORDER BY keep the order rows arrived in).

type groupConcatFunc struct{}

func (groupConcatFunc) Name() string { return "group_concat" }

func (groupConcatFunc) Volatility() Volatility { return Immutable }

func (groupConcatFunc) Doc() string {
	return "group_concat([DISTINCT] x [, y ...] [ORDER BY k [ASC|DESC] ...] [SEPARATOR 's']) joins the " +
		"values of a group into one VARCHAR, separated by s (default ','); a row with several arguments " +
		"adds their concatenation, and rows where one is NULL are skipped. Values are converted as " +
		"CAST(x AS CHAR) does. Without ORDER BY the order is unspecified. NULL for a group without rows. " +
		"Unlike MySQL there is no group_concat_max_len truncation: the result is whole, up to 2 GiB. " +
		"With DISTINCT, every ORDER BY key must be one of the arguments. Called as a plain function " +
		"(DataFrame API), the last argument is the separator."
}

// valueArgs checks the argument types and returns how many are values (all but the
// separator).
func (groupConcatFunc) valueArgs(args []arrow.DataType) (int, error) {
	if len(args) < 2 {
		return 0, errs.Planf("group_concat takes at least one value and the separator, got %d arguments", len(args))
	}
	n := len(args) - 1
	for i, t := range args[:n] {
		if !isScalarType(t) {
			return 0, errs.Planf("group_concat does not accept %s (argument %d)", TypeName(t), i+1)
		}
	}
	if sep := args[n]; sep.ID() != arrow.STRING && sep.ID() != arrow.LARGE_STRING {
		return 0, errs.Planf("group_concat: the separator must be a string, got %s", TypeName(sep))
	}
	return n, nil
}

func (f groupConcatFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if _, err := f.valueArgs(args); err != nil {
		return nil, err
	}
	return arrow.BinaryTypes.String, nil
}

// CastArgs converts every value argument to VARCHAR; the separator stays.
func (f groupConcatFunc) CastArgs(args []arrow.DataType) []arrow.DataType {
	out := make([]arrow.DataType, len(args))
	for i := range max(len(args)-1, 0) {
		out[i] = arrow.BinaryTypes.String
	}
	return out
}

// StateTypes: the entries of each group (LIST<BLOB>, never NULL) and the separator.
func (f groupConcatFunc) StateTypes(args []arrow.DataType) ([]arrow.DataType, error) {
	if _, err := f.valueArgs(args); err != nil {
		return nil, err
	}
	return []arrow.DataType{arrow.ListOf(arrow.BinaryTypes.Binary), arrow.BinaryTypes.String}, nil
}

func (f groupConcatFunc) CheckOrder(keys []arrow.DataType) error {
	for i, t := range keys {
		if err := checkKeyType("group_concat", i, t); err != nil {
			return err
		}
	}
	return nil
}

func (f groupConcatFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	return f.NewOrderedAccumulator(args, nil, nil, mem)
}

func (f groupConcatFunc) NewOrderedAccumulator(args, keys []arrow.DataType, order []SortOrder, mem memory.Allocator) (GroupAccumulator, error) {
	n, err := f.valueArgs(args)
	if err != nil {
		return nil, err
	}
	for i, t := range args[:n] {
		if t.ID() != arrow.STRING && t.ID() != arrow.LARGE_STRING && t.ID() != arrow.NULL {
			return nil, errs.Internalf("group_concat: argument %d is %s; the binder casts it to VARCHAR (CastArgs)", i+1, TypeName(t))
		}
	}
	acc := &concatAcc{mem: mem, nvals: n, nkeys: len(keys)}
	if len(keys) > 0 {
		if acc.enc, err = newKeyEncoder("group_concat", keys, order); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// concatAcc collects entries in one arena. Memory: the entries' bytes plus 24 bytes each.
type concatAcc struct {
	mem    memory.Allocator
	nvals  int
	nkeys  int
	enc    *keyEncoder // nil without ORDER BY
	arena  []byte
	ents   []concatEntry
	sep    string
	hasSep bool
	vals   []stringCol // per-batch scratch
}

// concatEntry is arena[off:off+n]: uvarint key length (hdr bytes), keys, value.
type concatEntry struct {
	off   int
	n     uint32
	klen  uint32
	group uint32
	hdr   uint8
}

func (e concatEntry) key(arena []byte) []byte {
	k := e.off + int(e.hdr)
	return arena[k : k+int(e.klen)]
}

func (e concatEntry) value(arena []byte) []byte {
	return arena[e.off+int(e.hdr)+int(e.klen) : e.off+int(e.n)]
}

// stringCol is a VARCHAR array's parts.
type stringCol struct {
	offs32 []int32
	offs64 []int64
	data   []byte
	valid  []byte
	off    int
	null   bool // type NULL: every row is NULL
}

func stringColOf(a arrow.Array) stringCol {
	c := stringCol{}
	switch a.DataType().ID() {
	case arrow.NULL:
		c.null = true
		return c
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		c.offs64, c.data = binaryOffsets[int64](a)
	default:
		c.offs32, c.data = binaryOffsets[int32](a)
	}
	c.valid, c.off = validityOf(a)
	return c
}

func (c *stringCol) isNull(i int) bool {
	return c.null || c.valid != nil && bitutil.BitIsNotSet(c.valid, c.off+i)
}

func (c *stringCol) value(i int) []byte {
	if c.offs64 != nil {
		return c.data[c.offs64[i]:c.offs64[i+1]]
	}
	return c.data[c.offs32[i]:c.offs32[i+1]]
}

// setSep takes the separator from row i of sep, the first time one is seen.
func (a *concatAcc) setSep(sep *stringCol, i int) {
	if !a.hasSep && !sep.isNull(i) {
		a.sep, a.hasSep = string(sep.value(i)), true
	}
}

func (a *concatAcc) Update(args []arrow.Array, groups []uint32, _ int) error {
	if err := checkArgs("group_concat", args, a.nvals+1+a.nkeys); err != nil {
		return err
	}
	for _, c := range args {
		if c.Len() != len(groups) {
			return errs.Internalf("group_concat: argument has %d rows, groups %d", c.Len(), len(groups))
		}
	}
	if len(groups) == 0 {
		return nil
	}
	vals := a.vals[:0]
	for _, c := range args[:a.nvals] {
		vals = append(vals, stringColOf(c))
	}
	a.vals = vals
	sep := stringColOf(args[a.nvals])
	if a.enc != nil {
		if err := a.enc.set(args[a.nvals+1:]); err != nil {
			return err
		}
	}
	var hdr [binary.MaxVarintLen64]byte
rows:
	for i, g := range groups {
		for k := range vals {
			if vals[k].isNull(i) {
				continue rows
			}
		}
		a.setSep(&sep, i)
		off := len(a.arena)
		var klen int
		if a.enc != nil {
			// Encode the keys after a maximal header, then move them down behind the real one.
			a.arena = append(a.arena, hdr[:]...)
			a.arena = a.enc.appendRow(a.arena, i)
			klen = len(a.arena) - off - len(hdr)
			h := binary.PutUvarint(hdr[:], uint64(klen))
			copy(a.arena[off:], hdr[:h])
			copy(a.arena[off+h:], a.arena[off+len(hdr):])
			a.arena = a.arena[:off+h+klen]
		} else {
			a.arena = append(a.arena, 0)
		}
		for k := range vals {
			a.arena = append(a.arena, vals[k].value(i)...)
		}
		if err := a.add(off, g); err != nil {
			return err
		}
	}
	return nil
}

// add records the entry arena[off:] of group g.
func (a *concatAcc) add(off int, g uint32) error {
	klen, h := binary.Uvarint(a.arena[off:])
	n := len(a.arena) - off
	if h <= 0 || klen > uint64(n-h) || n > math.MaxUint32 {
		return errs.Internalf("group_concat: malformed entry of %d bytes", n)
	}
	a.ents = append(a.ents, concatEntry{off: off, n: uint32(n), klen: uint32(klen), group: g, hdr: uint8(h)})
	return nil
}

func (a *concatAcc) Merge(states []arrow.Array, groups []uint32, _ int) error {
	if err := checkArgs("group_concat", states, 2); err != nil {
		return err
	}
	offs, child, err := listRows("group_concat", states[0], arrow.BinaryTypes.Binary)
	if err != nil {
		return err
	}
	if states[0].Len() != len(groups) || states[1].Len() != len(groups) {
		return errs.Internalf("group_concat: state has %d rows, groups %d", states[0].Len(), len(groups))
	}
	entries := stringColOf(child)
	sep := stringColOf(states[1])
	for i, g := range groups {
		a.setSep(&sep, i)
		if states[0].IsNull(i) {
			continue
		}
		for j := offs[i]; j < offs[i+1]; j++ {
			off := len(a.arena)
			a.arena = append(a.arena, entries.value(int(j))...)
			if err := a.add(off, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// runs returns the entries grouped (see groupRuns), each group sorted by its keys.
func (a *concatAcc) runs(numGroups int) ([]int, []int32, error) {
	groups := make([]uint32, len(a.ents))
	for i, e := range a.ents {
		if int(e.group) >= numGroups {
			return nil, nil, errs.Internalf("group_concat: entry of group %d, only %d groups", e.group, numGroups)
		}
		groups[i] = e.group
	}
	start, perm, err := groupRuns(groups, numGroups)
	if err != nil || a.enc == nil {
		return start, perm, err
	}
	for g := range numGroups {
		slices.SortStableFunc(perm[start[g]:start[g+1]], func(x, y int32) int {
			return bytes.Compare(a.ents[x].key(a.arena), a.ents[y].key(a.arena))
		})
	}
	return start, perm, nil
}

func (a *concatAcc) State(numGroups int) ([]arrow.Array, error) {
	start, perm, err := a.runs(numGroups)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, e := range a.ents {
		total += int(e.n)
	}
	if total > math.MaxInt32 {
		return nil, errs.ResourceExhaustedf("group_concat: %d bytes of partial state exceed one column", total)
	}
	offsets := make([]int, len(perm)+1)
	data := newBuffer(a.mem, total)
	pos := 0
	for k, i := range perm {
		e := a.ents[i]
		pos += copy(data.Bytes()[pos:], a.arena[e.off:e.off+int(e.n)])
		offsets[k+1] = pos
	}
	child := makeArray(arrow.BinaryTypes.Binary, len(perm), 0, nil, int32Offsets(a.mem, offsets), data)
	sep, err := stringColumn("group_concat", a.mem, numGroups, a.sep, a.hasSep)
	if err != nil {
		child.Release()
		return nil, err
	}
	return []arrow.Array{listArray(a.mem, child, start), sep}, nil
}

func (a *concatAcc) Final(numGroups int) (arrow.Array, error) {
	start, perm, err := a.runs(numGroups)
	if err != nil {
		return nil, err
	}
	total := 0
	for g := range numGroups {
		if n := start[g+1] - start[g]; n > 0 {
			total += (n - 1) * len(a.sep)
		}
	}
	for _, e := range a.ents {
		total += int(e.n) - int(e.hdr) - int(e.klen)
	}
	if total > math.MaxInt32 {
		return nil, errs.ResourceExhaustedf("group_concat: %d bytes of results exceed the 2 GiB of one VARCHAR column", total)
	}
	offsets := make([]int, numGroups+1)
	data := newBuffer(a.mem, total)
	buf := data.Bytes()
	pos := 0
	for g := range numGroups {
		for k, i := range perm[start[g]:start[g+1]] {
			if k > 0 {
				pos += copy(buf[pos:], a.sep)
			}
			pos += copy(buf[pos:], a.ents[i].value(a.arena))
		}
		offsets[g+1] = pos
	}
	vb, nulls := validityBuffer(a.mem, numGroups, func(g int) bool { return start[g+1] > start[g] })
	return makeArray(arrow.BinaryTypes.String, numGroups, nulls, vb, int32Offsets(a.mem, offsets), data), nil
}

func (a *concatAcc) Release() { a.arena, a.ents, a.vals = nil, nil, nil }
