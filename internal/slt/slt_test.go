package slt_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/internal/slt"
	"github.com/embersql/ember/ml"
)

var (
	rewrite = flag.Bool("rewrite", false, "rewrite expected query results in the .slt files")
	only    = flag.String("slt", "", "run only .slt files whose path contains this")
)

// The matrix every file runs under: batch-boundary and exchange bugs show up here.
var configs = []struct{ batch, parts int }{
	{8192, 1}, {8192, 4}, {7, 1}, {7, 4}, {1, 4},
}

func TestMain(m *testing.M) {
	flag.Parse()
	// .slt files name data by paths relative to the repository root.
	if err := os.Chdir("../.."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

type executor struct{ s *dataframe.Session }

func (e executor) Statement(ctx context.Context, sql string) error {
	r, err := e.s.Exec(ctx, sql)
	if err != nil {
		return err
	}
	r.Release()
	return nil
}

func (e executor) Query(ctx context.Context, sql string) ([][]string, error) {
	r, err := e.s.Exec(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	var rows [][]string
	for _, b := range r.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			row := make([]string, b.NumCols())
			for j := range row {
				row[j] = format.Value(b.Column(j), i)
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func TestSLT(t *testing.T) {
	var files []string
	err := filepath.WalkDir("testdata/slt", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".slt") && strings.Contains(p, *only) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no .slt files found under testdata/slt")
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, "testdata/slt/"), func(t *testing.T) {
			t.Parallel()
			recs, err := slt.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cfgs := configs
			if *rewrite || testing.Short() {
				cfgs = configs[:1]
			}
			for _, c := range cfgs {
				mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
				s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithBatchSize(c.batch),
					dataframe.WithPartitions(c.parts), dataframe.WithAllocator(mem), dataframe.WithExtensions(ml.Extension()))
				if err != nil {
					t.Fatal(err)
				}
				fails, actual := slt.Run(context.Background(), executor{s}, recs)
				s.Close()
				for _, fl := range fails {
					t.Errorf("batch=%d partitions=%d: %v", c.batch, c.parts, fl)
				}
				mem.AssertSize(t, 0)
				if *rewrite {
					if err := slt.RewriteFile(f, recs, actual); err != nil {
						t.Fatal(err)
					}
				}
				if len(fails) > 0 {
					break // one configuration's failures are enough to read
				}
			}
		})
	}
}
