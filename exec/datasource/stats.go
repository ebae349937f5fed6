package datasource

import (
	"encoding/binary"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
	"github.com/parquet-go/parquet-go/format"
)

// Statistics implements planner.StatsProvider for Parquet sources, from the footers: the
// row count, and per flat column the null count and, for integer and date columns, the
// min and max, whose span bounds the distinct count (nationkey 0..24 has at most 25
// values): the estimate join ordering needs most. Footers are read once, on first use.
func (s *parquetSource) Statistics() *planner.TableStats {
	s.statsOnce.Do(func() { s.stats = s.readStats() })
	return s.stats
}

// statsState is the lazily read statistics of a parquetSource.
type statsState struct {
	statsOnce sync.Once
	stats     *planner.TableStats
}

func (s *parquetSource) readStats() *planner.TableStats {
	st := &planner.TableStats{}
	var paths []string
	seen := map[string]bool{}
	for _, sp := range s.splits {
		if f, ok := sp.(*FileSplit); ok {
			st.RowCount += f.Rows
			if !seen[f.Path] {
				seen[f.Path] = true
				paths = append(paths, f.Path)
			}
		}
	}
	fields := s.schema.Fields()
	type acc struct {
		nulls    int64
		min, max int64
		ints     bool // every chunk had integer min/max
		any      bool
	}
	accs := make([]acc, len(fields))
	for i := range accs {
		accs[i].ints = true
	}
	index := map[string]int{}
	for i, f := range fields {
		index[f.Name] = i
	}
	for _, path := range paths {
		osf, pf, err := openParquet(path)
		if err != nil {
			return &planner.TableStats{RowCount: st.RowCount}
		}
		for _, rg := range pf.Metadata().RowGroups {
			for _, cc := range rg.Columns {
				md := cc.MetaData
				if len(md.PathInSchema) != 1 {
					continue
				}
				i, ok := index[md.PathInSchema[0]]
				if !ok {
					continue
				}
				a := &accs[i]
				a.nulls += md.Statistics.NullCount
				lo, hi, ok := intBounds(md.Type, md.Statistics)
				if !ok {
					if md.NumValues > md.Statistics.NullCount {
						a.ints = false
					}
					continue
				}
				if !a.any {
					a.min, a.max, a.any = lo, hi, true
				} else {
					a.min, a.max = min(a.min, lo), max(a.max, hi)
				}
			}
		}
		osf.Close()
	}
	st.Columns = make([]planner.ColumnStats, len(fields))
	for i, a := range accs {
		cs := planner.ColumnStats{NullCount: a.nulls, Distinct: -1}
		if a.ints && a.any && a.max >= a.min {
			if span := uint64(a.max - a.min); span < uint64(st.RowCount) {
				cs.Distinct = int64(span) + 1
			}
			// Min and max as planner.Literal values, for range estimates.
			switch fields[i].Type.ID() {
			case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
				cs.Min, cs.Max = a.min, a.max
			case arrow.DATE32:
				cs.Min, cs.Max = arrow.Date32(a.min), arrow.Date32(a.max)
			}
		}
		st.Columns[i] = cs
	}
	return st
}

// intBounds decodes the min and max of an INT32 or INT64 chunk.
func intBounds(t format.Type, s format.Statistics) (lo, hi int64, ok bool) {
	mn, mx := s.MinValue, s.MaxValue
	if len(mn) == 0 || len(mx) == 0 {
		mn, mx = s.Min, s.Max
	}
	switch {
	case t == format.Int32 && len(mn) == 4 && len(mx) == 4:
		return int64(int32(binary.LittleEndian.Uint32(mn))), int64(int32(binary.LittleEndian.Uint32(mx))), true
	case t == format.Int64 && len(mn) == 8 && len(mx) == 8:
		return int64(binary.LittleEndian.Uint64(mn)), int64(binary.LittleEndian.Uint64(mx)), true
	}
	return 0, 0, false
}
