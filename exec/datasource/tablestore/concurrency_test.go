package tablestore

import (
	"context"
	"sync"
	"testing"
)

// TestConcurrentReaders runs one writer (single-row appends, automatic folds and explicit
// compactions) against readers that take snapshots and read them: every snapshot must read
// a prefix of the appended rows, in order, of the length it reports. Run with -race.
func TestConcurrentReaders(t *testing.T) {
	mem := checkedMem(t)
	opts := testOpts(mem, 50)
	opts.NoSync = true
	tbl, _ := mustCreate(t, idSchema, opts)
	const total = 400
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range total {
			appendRows(t, tbl, mem, i, i+1)
			if i%37 == 0 {
				if err := tbl.Compact(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for last := int64(-1); ; {
				select {
				case <-done:
					return
				default:
				}
				s, err := tbl.Snapshot()
				if err != nil {
					t.Error(err)
					return
				}
				n := s.NumRows()
				rows, err := readSourceErr(s, nil, 7, mem)
				s.Release()
				if err != nil {
					t.Error(err)
					return
				}
				if n < last || len(rows) != int(n) || !equalStrings(rows, idRows(0, int(n))) {
					t.Errorf("snapshot of %d rows (previous %d) read %d rows", n, last, len(rows))
					return
				}
				last = n
				_ = tbl.Stats()
			}
		}()
	}
	wg.Wait()
	equalRows(t, "final", readTable(t, tbl, 8192, mem), idRows(0, total))
	expectFiles(t, tbl)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
