package datasource

import (
	"errors"
	"os"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/embersql/ember/internal/errs"
)

// FileCache holds open Parquet files and their decoded footers for the splits a caller
// reads one after another (ReadOptions.Files): TPC-H's lineitem has 49 row groups, and a
// scan task decoding the footer (every row group's metadata) for each of its splits spent
// a tenth of some queries' CPU in it. A file stays open until Close; a reader borrows it
// for its split and gives it back when closed (a file is never closed under a reader). It
// is meant for one query's task, so files changed or removed meanwhile are not noticed
// (as a reader holding a file open would not notice either). Safe for concurrent use.
type FileCache struct {
	mu    sync.Mutex
	files map[string]*cachedFile
}

// cachedFile is an open file and its footer, with the readers using it.
type cachedFile struct {
	f    *os.File
	pf   *parquet.File
	refs int
}

// NewFileCache returns an empty cache.
func NewFileCache() *FileCache { return &FileCache{files: map[string]*cachedFile{}} }

// openParquet returns the open file at path and its footer, from the cache when it holds
// them (c may be nil: no cache), and the function that gives them back (closing the file
// when there is no cache).
func (c *FileCache) openParquet(path string) (*parquet.File, func() error, error) {
	if c == nil {
		f, pf, err := openParquet(path)
		if err != nil {
			return nil, nil, err
		}
		return pf, f.Close, nil
	}
	c.mu.Lock()
	if e := c.files[path]; e != nil {
		e.refs++
		c.mu.Unlock()
		return e.pf, func() error { c.give(e); return nil }, nil
	}
	c.mu.Unlock()
	f, pf, err := openParquet(path)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.files[path]; e != nil { // opened meanwhile by another reader of the cache
		f.Close()
		e.refs++
		return e.pf, func() error { c.give(e); return nil }, nil
	}
	e := &cachedFile{f: f, pf: pf, refs: 1}
	c.files[path] = e
	return pf, func() error { c.give(e); return nil }, nil
}

func (c *FileCache) give(e *cachedFile) {
	c.mu.Lock()
	e.refs--
	c.mu.Unlock()
}

// Close closes every cached file. Call it after closing every reader that used the cache;
// a file a reader still borrows (an engine bug) is left open and reported.
func (c *FileCache) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var errList []error
	for path, e := range c.files {
		if e.refs > 0 {
			errList = append(errList, errs.Internalf("parquet file %s closed while a reader uses it", path))
			continue
		}
		if err := e.f.Close(); err != nil {
			errList = append(errList, errs.Wrap(errs.ErrExecution, err, "parquet file %s", path))
		}
		delete(c.files, path)
	}
	return errors.Join(errList...)
}
