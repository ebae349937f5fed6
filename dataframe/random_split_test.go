package dataframe

import (
	"context"
	"testing"
)

func TestRandomSplitIsAPartitionOfTheRows(t *testing.T) {
	for _, parts := range []int{1, 3} {
		s := dfSession(t, parts)
		ctx := context.Background()
		type row struct {
			ID int64 `ember:"id"`
		}
		rows := make([]row, 3000)
		for i := range rows {
			rows[i].ID = int64(i)
		}
		src, err := s.FromStructs(rows)
		if err != nil {
			t.Fatal(err)
		}
		data := src.Cache()
		var first []int64
		for round := 0; round < 3; round++ {
			splits := data.RandomSplit([]float64{0.5, 0.3, 0.2}, 42)
			seen := make([]int, len(rows))
			var sizes []int64
			for _, sp := range splits {
				got, err := sp.CollectRows(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range got {
					seen[r[0].(int64)]++
				}
				sizes = append(sizes, int64(len(got)))
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("parts=%d round %d: row %d is in %d splits", parts, round, id, n)
				}
			}
			if sizes[0] < 1350 || sizes[0] > 1650 || sizes[2] < 480 || sizes[2] > 720 {
				t.Errorf("parts=%d: split sizes %v for weights 0.5/0.3/0.2", parts, sizes)
			}
			if round == 0 {
				first = sizes
			} else if sizes[0] != first[0] || sizes[1] != first[1] {
				t.Errorf("parts=%d: the same seed gave sizes %v, then %v", parts, first, sizes)
			}
		}
		if got := data.RandomSplit([]float64{1, -1}, 1)[0].Err(); got == nil {
			t.Error("a negative weight was accepted")
		}
	}
}
