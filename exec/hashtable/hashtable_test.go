package hashtable

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

var (
	tsType  = &arrow.TimestampType{Unit: arrow.Microsecond}
	decType = &arrow.Decimal128Type{Precision: 38, Scale: 2}
)

// floatOf maps a small integer to a float so that several distinct bit patterns are equal
// keys: 0 and 1 are -0 and +0, 2 and 3 are NaNs with different payloads.
func floatOf(v int) float64 {
	switch v {
	case 0:
		return math.Copysign(0, -1)
	case 1:
		return 0
	case 2:
		return math.NaN()
	case 3:
		return math.Float64frombits(0xfff8000000000123)
	}
	return float64(v) / 4
}

func stringOf(v int) string {
	// Lengths 0..39 exercise every branch of hashBytes; the suffix keeps values distinct.
	return strings.Repeat("ab", v%20) + fmt.Sprint(v)
}

// genColumn builds n values of type dt drawn from card distinct values (before float
// normalisation), NULL with probability nullFrac.
func genColumn(mem memory.Allocator, dt arrow.DataType, n, card int, nullFrac float64, rng *rand.Rand) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for range n {
		if rng.Float64() < nullFrac {
			b.AppendNull()
			continue
		}
		v := rng.IntN(card)
		switch bb := b.(type) {
		case *array.NullBuilder:
			bb.AppendNull()
		case *array.BooleanBuilder:
			bb.Append(v%2 == 0)
		case *array.Int8Builder:
			bb.Append(int8(v%200 - 100))
		case *array.Uint8Builder:
			bb.Append(uint8(v))
		case *array.Int16Builder:
			bb.Append(int16(v - card/2))
		case *array.Int32Builder:
			bb.Append(int32(v - card/2))
		case *array.Uint32Builder:
			bb.Append(uint32(v) * 2654435761)
		case *array.Int64Builder:
			bb.Append(int64(v-card/2) * 1000003)
		case *array.Uint64Builder:
			bb.Append(uint64(v) << 40)
		case *array.Float32Builder:
			bb.Append(float32(floatOf(v)))
		case *array.Float64Builder:
			bb.Append(floatOf(v))
		case *array.Decimal128Builder:
			bb.Append(decimal128.New(int64(v%7)-3, uint64(v)*0x9e3779b97f4a7c15))
		case *array.StringBuilder:
			bb.Append(stringOf(v))
		case *array.LargeStringBuilder:
			bb.Append(stringOf(v))
		case *array.BinaryBuilder:
			bb.Append([]byte(stringOf(v)))
		case *array.Date32Builder:
			bb.Append(arrow.Date32(v))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(int64(v) * 1_000_000))
		default:
			panic(fmt.Sprintf("genColumn: no generator for %T", b))
		}
	}
	return b.NewArray()
}

// canon renders row i of cols so that two rows are equal GROUP BY keys exactly when their
// renderings are equal. anyNull reports whether some column is NULL.
func canon(cols []arrow.Array, i int) (key string, anyNull bool) {
	var sb strings.Builder
	for _, c := range cols {
		sb.WriteByte('|')
		// arrow-go's Null arrays answer IsNull(i) == false; every row of them is NULL.
		if c.DataType().ID() == arrow.NULL || c.IsNull(i) {
			sb.WriteString("NULL")
			anyNull = true
			continue
		}
		switch a := c.(type) {
		case *array.Float64:
			f := a.Value(i)
			if f == 0 {
				f = 0
			}
			fmt.Fprint(&sb, f)
		case *array.Float32:
			f := a.Value(i)
			if f == 0 {
				f = 0
			}
			fmt.Fprint(&sb, f)
		default:
			sb.WriteString(c.ValueStr(i))
		}
	}
	return sb.String(), anyNull
}

func releaseAll(as []arrow.Array) {
	for _, a := range as {
		a.Release()
	}
}

// sliceCols returns cols[lo:hi] as new slices (with offsets), owned by the caller.
func sliceCols(cols []arrow.Array, lo, hi int) []arrow.Array {
	out := make([]arrow.Array, len(cols))
	for i, c := range cols {
		out[i] = array.NewSlice(c, int64(lo), int64(hi))
	}
	return out
}

func genColumns(mem memory.Allocator, types []arrow.DataType, n, card int, nullFrac float64, rng *rand.Rand) []arrow.Array {
	cols := make([]arrow.Array, len(types))
	for i, dt := range types {
		cols[i] = genColumn(mem, dt, n, card, nullFrac, rng)
	}
	return cols
}

type keyCase struct {
	name     string
	types    []arrow.DataType
	card     int
	nullFrac float64
}

var keyCases = []keyCase{
	{"int64", []arrow.DataType{arrow.PrimitiveTypes.Int64}, 300, 0.05},
	{"int64 no nulls", []arrow.DataType{arrow.PrimitiveTypes.Int64}, 5000, 0},
	{"int32", []arrow.DataType{arrow.PrimitiveTypes.Int32}, 100, 0.1},
	{"int16", []arrow.DataType{arrow.PrimitiveTypes.Int16}, 100, 0.1},
	{"int8", []arrow.DataType{arrow.PrimitiveTypes.Int8}, 300, 0.1},
	{"uint8", []arrow.DataType{arrow.PrimitiveTypes.Uint8}, 256, 0.1},
	{"uint32", []arrow.DataType{arrow.PrimitiveTypes.Uint32}, 100, 0.1},
	{"uint64", []arrow.DataType{arrow.PrimitiveTypes.Uint64}, 100, 0.1},
	{"bool", []arrow.DataType{arrow.FixedWidthTypes.Boolean}, 2, 0.2},
	{"float64", []arrow.DataType{arrow.PrimitiveTypes.Float64}, 40, 0.1},
	{"float32", []arrow.DataType{arrow.PrimitiveTypes.Float32}, 40, 0.1},
	{"date32", []arrow.DataType{arrow.FixedWidthTypes.Date32}, 100, 0.1},
	{"timestamp", []arrow.DataType{tsType}, 100, 0.1},
	{"decimal", []arrow.DataType{decType}, 200, 0.1},
	{"string", []arrow.DataType{arrow.BinaryTypes.String}, 200, 0.1},
	{"large string", []arrow.DataType{arrow.BinaryTypes.LargeString}, 200, 0.1},
	{"binary", []arrow.DataType{arrow.BinaryTypes.Binary}, 200, 0.1},
	{"null type", []arrow.DataType{arrow.Null}, 1, 0},
	{"string+int32", []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32}, 12, 0.1},
	{"int32+int32", []arrow.DataType{arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32}, 40, 0.05},
	{"mixed", []arrow.DataType{arrow.FixedWidthTypes.Boolean, arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64,
		decType, arrow.FixedWidthTypes.Date32, arrow.BinaryTypes.LargeString}, 4, 0.15},
	{"mixed with null type", []arrow.DataType{arrow.Null, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.Binary}, 6, 0.1},
}

// batchBounds cuts n rows into uneven batches.
func batchBounds(n int) [][2]int {
	sizes := []int{1, 7, 0, 100, 1000, 333}
	var out [][2]int
	for lo, k := 0, 0; lo < n; k++ {
		hi := min(n, lo+sizes[k%len(sizes)])
		out = append(out, [2]int{lo, hi})
		lo = hi
	}
	return out
}

func TestGroupMapMatchesReference(t *testing.T) {
	for _, tc := range keyCases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			rng := rand.New(rand.NewPCG(1, uint64(len(tc.name))))
			const n = 6000
			cols := genColumns(mem, tc.types, n, tc.card, tc.nullFrac, rng)
			defer releaseAll(cols)
			checkGroupMap(t, mem, tc.types, cols, 0)
		})
	}
}

// checkGroupMap inserts cols (in batches of batchBounds) into a new GroupMap, after
// Reserve(reserve) when reserve > 0, and checks every group id, Len and Keys against a
// reference map of canonical keys. With a reservation that covers every key it also checks
// that the table never grew.
func checkGroupMap(t *testing.T, mem memory.Allocator, types []arrow.DataType, cols []arrow.Array, reserve int) {
	t.Helper()
	n := cols[0].Len()
	m := NewGroupMap(types, mem)
	defer m.Release()
	if reserve > 0 {
		m.Reserve(reserve)
	}
	slotBytes := m.tab.memoryUsage()
	ref := map[string]uint32{}
	var refKeys []string
	for _, b := range batchBounds(n) {
		batch := sliceCols(cols, b[0], b[1])
		groups := make([]uint32, b[1]-b[0])
		if err := m.Insert(batch, groups); err != nil {
			t.Fatal(err)
		}
		for i, g := range groups {
			k, _ := canon(batch, i)
			want, ok := ref[k]
			if !ok {
				want = uint32(len(refKeys))
				ref[k] = want
				refKeys = append(refKeys, k)
			}
			if g != want {
				t.Fatalf("row %d (key %s): group %d, want %d", b[0]+i, k, g, want)
			}
		}
		releaseAll(batch)
	}
	if m.Len() != len(refKeys) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(refKeys))
	}
	if m.MemoryUsage() <= 0 {
		t.Errorf("MemoryUsage = %d", m.MemoryUsage())
	}
	if _, bytesTab := m.tab.(*bytesTable); reserve >= len(refKeys) && !bytesTab && m.tab.memoryUsage() != slotBytes {
		t.Errorf("Reserve(%d) for %d keys: slots grew from %d to %d bytes", reserve, len(refKeys), slotBytes, m.tab.memoryUsage())
	}
	keys, err := m.Keys()
	if err != nil {
		t.Fatal(err)
	}
	defer releaseAll(keys)
	for ci, k := range keys {
		if !arrow.TypeEqual(k.DataType(), types[ci]) || k.Len() != len(refKeys) {
			t.Fatalf("key column %d: %s with %d rows", ci, k.DataType(), k.Len())
		}
	}
	for g, want := range refKeys {
		if got, _ := canon(keys, g); got != want {
			t.Fatalf("group %d: key %s, want %s", g, got, want)
		}
	}
}

// TestGroupMapRunsAndReserve feeds keys in runs (each row of a random column repeated 1 to
// 5 times, as a column sorted or clustered by the key arrives), NULLs and equal float bit
// patterns (-0, +0, NaNs) included, with and without a Reserve for all keys, and with a
// Reserve far too small, so the run shortcut and the grow paths meet the reference.
func TestGroupMapRunsAndReserve(t *testing.T) {
	for _, tc := range keyCases {
		for _, reserve := range []int{0, 3, 5000} {
			t.Run(fmt.Sprintf("%s/reserve=%d", tc.name, reserve), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
				defer mem.AssertSize(t, 0)
				rng := rand.New(rand.NewPCG(2, uint64(len(tc.name))))
				base := genColumns(mem, tc.types, 2000, max(tc.card, 1000), tc.nullFrac, rng)
				defer releaseAll(base)
				ib := array.NewInt32Builder(mem)
				for r := range 2000 {
					for range 1 + rng.IntN(5) {
						ib.Append(int32(r))
					}
				}
				idx := ib.NewArray()
				ib.Release()
				defer idx.Release()
				cols := make([]arrow.Array, len(base))
				for i, c := range base {
					out, err := compute.TakeArray(context.Background(), c, idx)
					if err != nil {
						t.Fatal(err)
					}
					cols[i] = out
				}
				defer releaseAll(cols)
				checkGroupMap(t, mem, tc.types, cols, reserve)
			})
		}
	}
}

func TestHashColumns(t *testing.T) {
	for _, tc := range keyCases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			const n = 3000
			// Two independent column sets from different random streams share many keys.
			a := genColumns(mem, tc.types, n, tc.card, tc.nullFrac, rand.New(rand.NewPCG(2, 3)))
			defer releaseAll(a)
			b := genColumns(mem, tc.types, n, tc.card, tc.nullFrac, rand.New(rand.NewPCG(4, 5)))
			defer releaseAll(b)
			bs := sliceCols(b, 17, n)
			defer releaseAll(bs)

			ha, hb := make([]uint64, n), make([]uint64, n-17)
			HashColumns(a, ha)
			HashColumns(bs, hb)
			byKey := map[string]uint64{}
			byHash := map[uint64]string{}
			check := func(cols []arrow.Array, hs []uint64) {
				for i, h := range hs {
					k, _ := canon(cols, i)
					if prev, ok := byKey[k]; ok && prev != h {
						t.Fatalf("key %s hashes to %x and %x", k, prev, h)
					}
					if prev, ok := byHash[h]; ok && prev != k {
						t.Fatalf("keys %s and %s collide on %x", prev, k, h)
					}
					byKey[k], byHash[h] = h, k
				}
			}
			check(a, ha)
			check(bs, hb)
		})
	}
}

func TestUnsupportedAndMismatchedKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	listType := arrow.ListOf(arrow.PrimitiveTypes.Int64)
	if err := CheckKeyTypes([]arrow.DataType{arrow.PrimitiveTypes.Int64, listType}); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("CheckKeyTypes(list) = %v, want not implemented", err)
	}
	col := genColumn(mem, arrow.PrimitiveTypes.Int32, 10, 5, 0, rand.New(rand.NewPCG(1, 1)))
	defer col.Release()
	groups := make([]uint32, 10)

	m := NewGroupMap([]arrow.DataType{listType}, mem)
	if err := m.Insert([]arrow.Array{col}, groups); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("Insert into list-keyed map = %v, want not implemented", err)
	}
	m.Release()

	tests := []struct {
		name   string
		keys   []arrow.Array
		groups int
	}{
		{"wrong type", []arrow.Array{col}, 10},
		{"wrong count", []arrow.Array{col, col}, 10},
		{"wrong length", []arrow.Array{col}, 9},
	}
	for _, tc := range tests {
		m := NewGroupMap([]arrow.DataType{arrow.PrimitiveTypes.Int64}, mem)
		if err := m.Insert(tc.keys, make([]uint32, tc.groups)); !errors.Is(err, errs.ErrInternal) {
			t.Errorf("%s: Insert = %v, want internal error", tc.name, err)
		}
		m.Release()
	}

	jt := NewJoinTable([]arrow.DataType{arrow.PrimitiveTypes.Int32}, mem)
	if err := jt.Add([]arrow.Array{col}); err != nil {
		t.Fatal(err)
	}
	if _, err := jt.Probe([]arrow.Array{col}); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("Probe before Finish = %v, want internal error", err)
	}
	jt.Finish()
	if err := jt.Add([]arrow.Array{col}); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("Add after Finish = %v, want internal error", err)
	}
	jt.Release()
	if _, err := jt.Probe([]arrow.Array{col}); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("Probe after Release = %v, want internal error", err)
	}
}

type pair struct{ probe, build uint32 }

// refJoin returns the expected pairs of probing probe against build rows (given as
// canonical keys), in probe-row order and ascending build rows.
func refJoin(buildKeys []string, buildNull []bool, probe []arrow.Array) []pair {
	byKey := map[string][]uint32{}
	for i, k := range buildKeys {
		if !buildNull[i] {
			byKey[k] = append(byKey[k], uint32(i))
		}
	}
	var out []pair
	for i := range probe[0].Len() {
		k, null := canon(probe, i)
		if null {
			continue
		}
		for _, b := range byKey[k] {
			out = append(out, pair{uint32(i), b})
		}
	}
	return out
}

func TestJoinTableMatchesReference(t *testing.T) {
	cases := []struct {
		keyCase
		unique bool // build keys are 0..n-1 without NULLs
	}{
		{keyCase: keyCases[0]},
		{keyCase: keyCase{"int64 unique", []arrow.DataType{arrow.PrimitiveTypes.Int64}, 0, 0}, unique: true},
		{keyCase: keyCase{"int32 few keys", []arrow.DataType{arrow.PrimitiveTypes.Int32}, 5, 0.1}},
		{keyCase: keyCase{"float64", []arrow.DataType{arrow.PrimitiveTypes.Float64}, 10, 0.1}},
		{keyCase: keyCase{"string", []arrow.DataType{arrow.BinaryTypes.String}, 50, 0.1}},
		{keyCase: keyCase{"string+int32", []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32}, 8, 0.1}},
		{keyCase: keyCase{"mixed", []arrow.DataType{decType, arrow.FixedWidthTypes.Date32, arrow.BinaryTypes.LargeString}, 4, 0.1}},
		{keyCase: keyCase{"null type", []arrow.DataType{arrow.Null}, 1, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			rng := rand.New(rand.NewPCG(7, uint64(len(tc.name))))
			const nb, np = 2000, 1500
			var build []arrow.Array
			if tc.unique {
				bld := array.NewInt64Builder(mem)
				for _, v := range rng.Perm(nb) {
					bld.Append(int64(v))
				}
				build = []arrow.Array{bld.NewArray()}
				bld.Release()
			} else {
				build = genColumns(mem, tc.types, nb, tc.card, tc.nullFrac, rng)
			}
			defer releaseAll(build)
			card := max(tc.card, nb+nb/2)
			if !tc.unique {
				card = tc.card + 2 // some probe keys are absent from the build side
			}
			probe := genColumns(mem, tc.types, np, card, tc.nullFrac, rng)
			defer releaseAll(probe)

			jt := NewJoinTable(tc.types, mem)
			defer jt.Release()
			buildKeys := make([]string, nb)
			buildNull := make([]bool, nb)
			anyNull := false
			for _, b := range batchBounds(nb) {
				batch := sliceCols(build, b[0], b[1])
				if err := jt.Add(batch); err != nil {
					t.Fatal(err)
				}
				releaseAll(batch)
			}
			for i := range nb {
				buildKeys[i], buildNull[i] = canon(build, i)
				anyNull = anyNull || buildNull[i]
			}
			jt.Finish()
			if jt.NumRows() != nb || jt.HasNullKeys() != anyNull || jt.UniqueKeys() != tc.unique {
				t.Fatalf("NumRows %d HasNullKeys %v UniqueKeys %v", jt.NumRows(), jt.HasNullKeys(), jt.UniqueKeys())
			}
			want := refJoin(buildKeys, buildNull, probe)
			if len(want) == 0 && tc.name != "null type" {
				t.Fatal("test data has no matches")
			}

			it := jt.NewProbeIter()
			for _, limit := range []int{1, 3, 64, 100000} {
				if err := it.Reset(probe); err != nil {
					t.Fatal(err)
				}
				pi, bi := make([]uint32, limit), make([]uint32, limit)
				var got []pair
				for {
					k := it.Next(pi, bi)
					if k == 0 {
						break
					}
					if k > limit {
						t.Fatalf("Next returned %d pairs, limit %d", k, limit)
					}
					if k < limit && len(got)+k != len(want) {
						t.Fatalf("short chunk of %d before the end", k)
					}
					for j := range k {
						got = append(got, pair{pi[j], bi[j]})
					}
				}
				if len(got) != len(want) {
					t.Fatalf("limit %d: %d pairs, want %d", limit, len(got), len(want))
				}
				for j := range want {
					if got[j] != want[j] {
						t.Fatalf("limit %d: pair %d = %v, want %v", limit, j, got[j], want[j])
					}
				}
				if k := it.Next(pi, bi); k != 0 {
					t.Fatalf("Next after the end returned %d", k)
				}
			}
			matched := make([]bool, np)
			it.Matches(matched)
			wantMatched := make([]bool, np)
			for _, p := range want {
				wantMatched[p.probe] = true
			}
			for i := range matched {
				if matched[i] != wantMatched[i] {
					t.Fatalf("Matches[%d] = %v, want %v", i, matched[i], wantMatched[i])
				}
			}
		})
	}
}

func TestJoinTableEmptyBuildAndConcurrentProbes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	types := []arrow.DataType{arrow.BinaryTypes.String}
	probe := genColumns(mem, types, 500, 40, 0.1, rand.New(rand.NewPCG(9, 9)))
	defer releaseAll(probe)

	empty := NewJoinTable(types, mem)
	empty.Finish()
	it, err := empty.Probe(probe)
	if err != nil {
		t.Fatal(err)
	}
	if k := it.Next(make([]uint32, 8), make([]uint32, 8)); k != 0 {
		t.Errorf("empty build side produced %d pairs", k)
	}
	empty.Release()

	build := genColumns(mem, types, 300, 40, 0.1, rand.New(rand.NewPCG(10, 10)))
	defer releaseAll(build)
	jt := NewJoinTable(types, mem)
	defer jt.Release()
	if err := jt.Add(build); err != nil {
		t.Fatal(err)
	}
	jt.Finish()
	keys := make([]string, 300)
	nulls := make([]bool, 300)
	for i := range keys {
		keys[i], nulls[i] = canon(build, i)
	}
	want := len(refJoin(keys, nulls, probe))
	counts := make(chan int, 4)
	for range 4 {
		go func() {
			it := jt.NewProbeIter()
			total := 0
			for range 5 {
				if err := it.Reset(probe); err != nil {
					counts <- -1
					return
				}
				pi, bi := make([]uint32, 50), make([]uint32, 50)
				for k := it.Next(pi, bi); k > 0; k = it.Next(pi, bi) {
					total += k
				}
			}
			counts <- total
		}()
	}
	for range 4 {
		if got := <-counts; got != 5*want {
			t.Errorf("concurrent prober saw %d pairs, want %d", got, 5*want)
		}
	}
}

func TestSteadyStateAllocatesNothing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, types := range [][]arrow.DataType{
		{arrow.PrimitiveTypes.Int32},
		{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64},
	} {
		cols := genColumns(mem, types, 4096, 50, 0.1, rand.New(rand.NewPCG(11, 11)))
		groups := make([]uint32, 4096)
		m := NewGroupMap(types, mem)
		if err := m.Insert(cols, groups); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(10, func() { _ = m.Insert(cols, groups) }); a != 0 {
			t.Errorf("%v: GroupMap.Insert allocates %v times per batch", types, a)
		}
		m.Release()

		jt := NewJoinTable(types, mem)
		if err := jt.Add(cols); err != nil {
			t.Fatal(err)
		}
		jt.Finish()
		it, err := jt.Probe(cols)
		if err != nil {
			t.Fatal(err)
		}
		pi, bi := make([]uint32, 1000), make([]uint32, 1000)
		if a := testing.AllocsPerRun(10, func() {
			_ = it.Reset(cols)
			for it.Next(pi, bi) > 0 {
			}
		}); a != 0 {
			t.Errorf("%v: probing allocates %v times per batch", types, a)
		}
		jt.Release()
		releaseAll(cols)
	}
}

// TestGroupMapReset: after Reset a map hands out ids from 0 again, exactly as a fresh map
// does over the same keys (nothing of the keys before the reset is found), and keeps its
// slots: refilling it to its former size does not grow it.
func TestGroupMapReset(t *testing.T) {
	for _, tc := range keyCases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			a := genColumns(mem, tc.types, 2000, tc.card, tc.nullFrac, rand.New(rand.NewPCG(6, 7)))
			defer releaseAll(a)
			b := genColumns(mem, tc.types, 2000, tc.card, tc.nullFrac, rand.New(rand.NewPCG(8, 9)))
			defer releaseAll(b)
			m := NewGroupMap(tc.types, mem)
			defer m.Release()
			ga := make([]uint32, 2000)
			if err := m.Insert(a, ga); err != nil {
				t.Fatal(err)
			}
			slots := m.tab.memoryUsage()
			m.Reset()
			if m.Len() != 0 {
				t.Fatalf("Len after Reset = %d", m.Len())
			}
			fresh := NewGroupMap(tc.types, mem)
			defer fresh.Release()
			got, want := make([]uint32, 2000), make([]uint32, 2000)
			if err := m.Insert(b, got); err != nil {
				t.Fatal(err)
			}
			if err := fresh.Insert(b, want); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) || m.Len() != fresh.Len() {
				t.Fatalf("ids after Reset differ from a fresh map's (%d vs %d groups)", m.Len(), fresh.Len())
			}
			if _, bytesTab := m.tab.(*bytesTable); !bytesTab && m.Len() <= len(slices.Compact(slices.Sorted(slices.Values(ga)))) && m.tab.memoryUsage() > slots {
				t.Errorf("slots grew from %d to %d bytes refilling to %d keys", slots, m.tab.memoryUsage(), m.Len())
			}
		})
	}
}
