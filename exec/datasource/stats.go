package datasource

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// Statistics implements planner.StatsProvider for Parquet sources, from the footer
// statistics NewParquet keeps per split (parquet_stats.go): the row count, and per flat
// column the null count and, for integer and date columns, the min and max, whose span
// bounds the distinct count (nationkey 0..24 has at most 25 values): the estimate join
// ordering needs most. Computed once, on first use.
func (s *parquetSource) Statistics() *planner.TableStats {
	s.statsOnce.Do(func() { s.stats = s.sumStats() })
	return s.stats
}

// statsState is the lazily summed statistics of a parquetSource.
type statsState struct {
	statsOnce sync.Once
	stats     *planner.TableStats
}

func (s *parquetSource) sumStats() *planner.TableStats {
	fields := s.schema.Fields()
	type acc struct {
		nulls    int64 // -1 once a chunk's count is unknown
		min, max any   // nil once a chunk's bound is unknown
		bounded  bool  // every chunk so far had both bounds
	}
	accs := make([]acc, len(fields))
	for i := range accs {
		accs[i].bounded = true
	}
	st := &planner.TableStats{}
	for _, sp := range s.splits {
		f, ok := sp.(*FileSplit)
		if !ok {
			continue
		}
		st.RowCount += f.Rows
		for i := range accs {
			a := &accs[i]
			var cs colStats
			if i < len(f.stats) {
				cs = f.stats[i]
			} else {
				cs = colStats{nullCount: -1}
			}
			if a.nulls >= 0 && cs.nullCount >= 0 {
				a.nulls += cs.nullCount
			} else {
				a.nulls = -1
			}
			if cs.nulls == allNulls {
				continue // bounds of a chunk without values say nothing
			}
			if !a.bounded || cs.min == nil || cs.max == nil {
				a.bounded, a.min, a.max = false, nil, nil
				continue
			}
			if a.min == nil {
				a.min, a.max = cs.min, cs.max
				continue
			}
			if c, ok := planner.CompareValues(cs.min, a.min); ok && c < 0 {
				a.min = cs.min
			}
			if c, ok := planner.CompareValues(cs.max, a.max); ok && c > 0 {
				a.max = cs.max
			}
		}
	}
	st.Columns = make([]planner.ColumnStats, len(fields))
	for i, a := range accs {
		cs := planner.ColumnStats{NullCount: a.nulls, Distinct: -1}
		lo, hi, ok := spanBounds(fields[i].Type, a.min, a.max)
		if ok && hi >= lo {
			if span := uint64(hi - lo); span < uint64(st.RowCount) {
				cs.Distinct = int64(span) + 1
			}
			cs.Min, cs.Max = a.min, a.max
		}
		st.Columns[i] = cs
	}
	return st
}

// spanBounds returns the bounds of an integer or date column as integers.
func spanBounds(t arrow.DataType, lo, hi any) (int64, int64, bool) {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		l, ok1 := lo.(int64)
		h, ok2 := hi.(int64)
		return l, h, ok1 && ok2
	case arrow.DATE32:
		l, ok1 := lo.(arrow.Date32)
		h, ok2 := hi.(arrow.Date32)
		return int64(l), int64(h), ok1 && ok2
	}
	return 0, 0, false
}
