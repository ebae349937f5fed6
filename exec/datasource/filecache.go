package datasource

import (
	"cmp"
	"errors"
	"os"
	"slices"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/embersql/ember/internal/errs"
)

// FileCache holds open Parquet files and their decoded footers for the splits a caller
// reads one after another (ReadOptions.Files): TPC-H's lineitem has 49 row groups, and a
// scan task decoding the footer (every row group's metadata) for each of its splits spent
// a tenth of some queries' CPU in it. A reader borrows a file for its split and gives it
// back when closed (a file is never closed under a reader); of the files no reader uses,
// the maxIdleFiles used last stay open, the others are closed (a task reading a table of
// thousands of files holds a few descriptors, not thousands: a task's splits come file by
// file). It is meant for one query's task, so files changed or removed meanwhile are not
// noticed (as a reader holding a file open would not notice either). Safe for concurrent
// use.
type FileCache struct {
	mu    sync.Mutex
	files map[string]*cachedFile
	clock uint64 // counts borrows, for lastUse
}

// maxIdleFiles bounds the files a FileCache keeps open that no reader uses.
const maxIdleFiles = 4

// cachedFile is an open file and its footer, with the readers using it.
type cachedFile struct {
	f       *os.File
	pf      *parquet.File
	refs    int
	lastUse uint64
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
		c.borrow(e)
		c.mu.Unlock()
		return e.pf, func() error { return c.give(e) }, nil
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
		c.borrow(e)
		return e.pf, func() error { return c.give(e) }, nil
	}
	e := &cachedFile{f: f, pf: pf}
	c.borrow(e)
	c.files[path] = e
	return pf, func() error { return c.give(e) }, nil
}

// borrow counts a reader of e. c.mu is held.
func (c *FileCache) borrow(e *cachedFile) {
	c.clock++
	e.refs++
	e.lastUse = c.clock
}

// give returns e from a reader, and closes the files no reader uses beyond the
// maxIdleFiles used last.
func (c *FileCache) give(e *cachedFile) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	var idle []string
	for p, x := range c.files {
		if x.refs == 0 {
			idle = append(idle, p)
		}
	}
	if len(idle) <= maxIdleFiles {
		return nil
	}
	slices.SortFunc(idle, func(a, b string) int { return cmp.Compare(c.files[b].lastUse, c.files[a].lastUse) })
	var errList []error
	for _, p := range idle[maxIdleFiles:] {
		if err := c.files[p].f.Close(); err != nil {
			errList = append(errList, errs.Wrap(errs.ErrExecution, err, "parquet file %s", p))
		}
		delete(c.files, p)
	}
	return errors.Join(errList...)
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
