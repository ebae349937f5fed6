package datasource

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestFileCache: the splits of one file read through a FileCache share one open file and
// footer, read the same rows as without it, and the cache refuses to close a file a reader
// still uses (then closes it once the reader is done).
func TestFileCache(t *testing.T) {
	path := writeRows(t, "groups.parquet", decodeRows(3000), parquet.MaxRowsPerRowGroup(500))
	src, err := NewParquet("groups", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := checkedMem(t)
	ctx := context.Background()
	splits, err := src.Splits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(splits) != 6 {
		t.Fatalf("%d splits, want 6 row groups", len(splits))
	}
	all := allColumns(src.ArrowSchema())
	want, _ := scan(t, src, all, 128, mem)
	cache := NewFileCache()
	var got [][]string
	var held *Reader
	for i, sp := range splits {
		r, err := src.Open(ctx, sp, all, ReadOptions{BatchSize: 128, Mem: mem, Files: cache})
		if err != nil {
			t.Fatal(err)
		}
		for {
			b, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			got = append(got, batchRows(b)...)
			b.Release()
		}
		if n := len(cache.files); n != 1 {
			t.Fatalf("split %d: %d files cached, want 1", i, n)
		}
		if i == len(splits)-1 {
			held = &r // left open to check Close
			continue
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	equalRows(t, got, want)
	if err := cache.Close(); err == nil || !strings.Contains(err.Error(), "while a reader uses it") {
		t.Fatalf("closing the cache under a reader: %v", err)
	}
	if err := (*held).Close(); err != nil {
		t.Fatal(err)
	}
	if err := cache.Close(); err != nil || len(cache.files) != 0 {
		t.Fatalf("closing the cache: %v, %d files left", err, len(cache.files))
	}
}

// TestFileCacheBoundsIdleFiles: reading one split of each of ten files keeps at most
// maxIdleFiles of them open, the ones used last.
func TestFileCacheBoundsIdleFiles(t *testing.T) {
	mem := checkedMem(t)
	ctx := context.Background()
	cache := NewFileCache()
	var paths []string
	for i := range 10 {
		path := writeRows(t, fmt.Sprintf("f%d.parquet", i), decodeRows(10))
		paths = append(paths, path)
		src, err := NewParquet("f", path, nil)
		if err != nil {
			t.Fatal(err)
		}
		splits, err := src.Splits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r, err := src.Open(ctx, splits[0], []int{0}, ReadOptions{Mem: mem, Files: cache})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if n := len(cache.files); n > maxIdleFiles {
			t.Fatalf("after %d files: %d open", i+1, n)
		}
	}
	for _, p := range paths[len(paths)-maxIdleFiles:] {
		if cache.files[p] == nil {
			t.Errorf("%s, among the last used, was closed", filepath.Base(p))
		}
	}
	if err := cache.Close(); err != nil {
		t.Fatal(err)
	}
}
