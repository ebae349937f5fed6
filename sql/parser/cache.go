package parser

import "strings"

// CacheTable is Spark's CACHE TABLE:
//
//	CACHE [LAZY] TABLE name [OPTIONS ('storageLevel' [=] 'level')] [[AS] select]
//
// With a query, name is a new temporary view of it, cached. Without LAZY the statement
// builds the cache at once; LAZY leaves that to the first query that reads it.
type CacheTable struct {
	// Name is the table or view name, its parts unquoted and joined with ".".
	Name string
	Lazy bool
	// Options maps lower-cased keys to their values (strings unquoted). Never nil; the
	// session checks the keys (storagelevel is the only one Spark has).
	Options map[string]string
	// Query is the query of CACHE TABLE name AS select, or nil.
	Query *Query
	SQL   string
}

// Text returns the original text.
func (s *CacheTable) Text() string { return s.SQL }

// UncacheTable is UNCACHE TABLE [IF EXISTS] name.
type UncacheTable struct {
	Name     string
	IfExists bool
	SQL      string
}

// Text returns the original text.
func (s *UncacheTable) Text() string { return s.SQL }

// ClearCache is CLEAR CACHE: every cached table and DataFrame of the session is dropped.
type ClearCache struct{ SQL string }

// Text returns the original text.
func (s *ClearCache) Text() string { return s.SQL }

// RefreshTable is REFRESH TABLE name: the session forgets what it knows of the table's
// files and the caches that read it are rebuilt at their next use.
type RefreshTable struct {
	Name string
	SQL  string
}

// Text returns the original text.
func (s *RefreshTable) Text() string { return s.SQL }

// parseCacheForms recognises CACHE, UNCACHE, CLEAR CACHE and REFRESH TABLE statements (sig[0]
// is CACHE, UNCACHE, CLEAR or REFRESH). ok is false for a statement that is none of them:
// it goes to TiDB, which rejects it.
func parseCacheForms(src string, sig []token, end int) (st Statement, ok bool, err error) {
	c := &cursor{src: src, toks: sig, i: 1, end: end}
	text := src[sig[0].start:end]
	first := strings.ToUpper(src[sig[0].start:sig[0].end])
	switch first {
	case "CACHE":
		s := &CacheTable{SQL: text, Options: map[string]string{}}
		s.Lazy = c.acceptWord("LAZY")
		if err := c.expectWord("TABLE"); err != nil {
			return nil, false, err
		}
		if s.Name, _, err = c.name("a table name"); err != nil {
			return nil, false, err
		}
		if c.acceptWord("OPTIONS") {
			if err := c.options(s.Options); err != nil {
				return nil, false, err
			}
		}
		if c.atEnd() {
			return s, true, nil
		}
		c.acceptWord("AS")
		if s.Query, _, err = c.rest(); err != nil {
			return nil, false, err
		}
		return s, true, nil
	case "UNCACHE":
		s := &UncacheTable{SQL: text}
		if err := c.expectWord("TABLE"); err != nil {
			return nil, false, err
		}
		if c.acceptWord("IF") {
			if err := c.expectWord("EXISTS"); err != nil {
				return nil, false, err
			}
			s.IfExists = true
		}
		if s.Name, _, err = c.name("a table name"); err != nil {
			return nil, false, err
		}
		return s, true, c.expectEnd()
	case "CLEAR":
		if !c.isWord("CACHE") {
			return nil, false, nil
		}
		c.i++
		return &ClearCache{SQL: text}, true, c.expectEnd()
	case "REFRESH":
		if !c.isWord("TABLE") {
			return nil, false, nil
		}
		c.i++
		s := &RefreshTable{SQL: text}
		if s.Name, _, err = c.name("a table name"); err != nil {
			return nil, false, err
		}
		return s, true, c.expectEnd()
	}
	return nil, false, nil
}

// expectEnd fails unless every token was read.
func (c *cursor) expectEnd() error {
	if !c.atEnd() {
		return c.fail("expected the end of the statement")
	}
	return nil
}
