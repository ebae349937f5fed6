package parser

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// The model statements (issues 7 and 8): models live in the warehouse's registry as
// name@version (package ml); these are their SQL forms.

// ModelRef is a model name with an optional version: name or name@version.
type ModelRef struct {
	Name string
	// Version is the pinned version, 0 for none (the newest).
	Version int
}

func (r ModelRef) String() string {
	if r.Version > 0 {
		return fmt.Sprintf("%s@%d", r.Name, r.Version)
	}
	return r.Name
}

// CreateModel is CREATE MODEL in its two forms, importing a file or training on a query
// (BigQuery ML's form):
//
//	CREATE [OR REPLACE] MODEL [IF NOT EXISTS] name FROM 'path' [OPTIONS (...)]
//	CREATE [OR REPLACE] MODEL [IF NOT EXISTS] name [OPTIONS (...)] AS select [ASYNC]
//
// OPTIONS take key = value pairs (the = is optional) whose values are strings, numbers,
// booleans or bracketed lists of them (input_label_cols = ['y']).
type CreateModel struct {
	Name                   string
	OrReplace, IfNotExists bool
	// From is the file of an imported model ("" when trained).
	From string
	// Options maps lower-cased keys to scalar values (strings unquoted, numbers as written,
	// booleans "true"/"false"); ListOptions to list values. A key is in one of them. Never
	// nil.
	Options     map[string]string
	ListOptions map[string][]string
	// AsSelect is the training query, or nil.
	AsSelect *Query
	// Async asks for a training job that runs in the background.
	Async bool
	SQL   string
}

// Text returns the original text.
func (s *CreateModel) Text() string { return s.SQL }

// ShowModels is SHOW MODELS [LIKE 'pattern'].
type ShowModels struct {
	Like string // "" for none
	SQL  string
}

// Text returns the original text.
func (s *ShowModels) Text() string { return s.SQL }

// DescribeModel is DESCRIBE MODEL name[@version] (also DESC MODEL).
type DescribeModel struct {
	Model ModelRef
	SQL   string
}

// Text returns the original text.
func (s *DescribeModel) Text() string { return s.SQL }

// DropModel is DROP MODEL [IF EXISTS] name[@version]: one version, or every version.
type DropModel struct {
	Model    ModelRef
	IfExists bool
	SQL      string
}

// Text returns the original text.
func (s *DropModel) Text() string { return s.SQL }

// EvaluateModel is EVALUATE MODEL name[@version] [ON (query)]: the model's metrics on the
// query's rows, or on the data it was trained on when ON is absent. The query is a SELECT
// (or set operation, WITH ... SELECT) in parentheses; a bare table name is refused with a
// hint to write ON (SELECT * FROM t).
type EvaluateModel struct {
	Model ModelRef
	// On is the evaluation query (its SQL and positions are those of the text inside the
	// parentheses), nil when absent.
	On  *Query
	SQL string
}

// Text returns the original text.
func (s *EvaluateModel) Text() string { return s.SQL }

// ShowJobs is SHOW JOBS: the process's training jobs.
type ShowJobs struct {
	SQL string
}

// Text returns the original text.
func (s *ShowJobs) Text() string { return s.SQL }

// ShowJob is SHOW JOB id.
type ShowJob struct {
	// ID is the job id as written, unquoted ("job_3", "3"); never empty.
	ID  string
	SQL string
}

// Text returns the original text.
func (s *ShowJob) Text() string { return s.SQL }

// CancelJob is CANCEL JOB id.
type CancelJob struct {
	// ID is the job id as written, unquoted ("job_3", "3"); never empty.
	ID  string
	SQL string
}

// Text returns the original text.
func (s *CancelJob) Text() string { return s.SQL }

// modelStatement reports whether sig starts a model or job statement other than CREATE:
// SHOW MODELS, DESCRIBE/DESC MODEL, DROP MODEL, EVALUATE MODEL, SHOW JOBS, SHOW JOB,
// CANCEL JOB. The second word must be exactly MODEL(S) or JOB(S): anything else (SHOW
// TABLES, SHOW JOBSX, CANCEL IMPORT JOB 1) goes to TiDB.
func modelStatement(src string, sig []token) bool {
	if len(sig) < 2 || sig[0].kind != tokWord || sig[1].kind != tokWord {
		return false
	}
	first := strings.ToUpper(src[sig[0].start:sig[0].end])
	second := strings.ToUpper(src[sig[1].start:sig[1].end])
	switch first {
	case "SHOW":
		return second == "MODELS" || second == "JOBS" || second == "JOB"
	case "DESCRIBE", "DESC", "DROP", "EVALUATE":
		return second == "MODEL"
	case "CANCEL":
		return second == "JOB"
	}
	return false
}

// parseModelForms parses the statements modelStatement recognises (it is true of sig).
func parseModelForms(src string, sig []token, end int) (Statement, error) {
	c := &cursor{src: src, toks: sig, i: 2, end: end}
	text := src[sig[0].start:end]
	var err error
	switch strings.ToUpper(src[sig[0].start:sig[0].end]) {
	case "SHOW":
		switch strings.ToUpper(src[sig[1].start:sig[1].end]) {
		case "JOBS":
			return &ShowJobs{SQL: text}, c.expectEnd()
		case "JOB":
			s := &ShowJob{SQL: text}
			if s.ID, err = c.jobID("SHOW JOB"); err != nil {
				return nil, err
			}
			return s, c.expectEnd()
		}
		s := &ShowModels{SQL: text}
		if c.acceptWord("LIKE") {
			if s.Like, err = c.stringLit("a quoted pattern after LIKE"); err != nil {
				return nil, err
			}
		}
		return s, c.expectEnd()
	case "CANCEL":
		s := &CancelJob{SQL: text}
		if s.ID, err = c.jobID("CANCEL JOB"); err != nil {
			return nil, err
		}
		return s, c.expectEnd()
	case "EVALUATE":
		s := &EvaluateModel{SQL: text}
		if s.Model, err = c.modelRef(); err != nil {
			return nil, err
		}
		if c.atEnd() {
			return s, nil
		}
		if !c.acceptWord("ON") {
			return nil, c.fail("expected ON (SELECT ...) or the end of the statement")
		}
		if s.On, err = c.parenthesizedQuery("ON"); err != nil {
			return nil, err
		}
		return s, c.expectEnd()
	case "DROP":
		s := &DropModel{SQL: text}
		if c.acceptWord("IF") {
			if err := c.expectWord("EXISTS"); err != nil {
				return nil, err
			}
			s.IfExists = true
		}
		if s.Model, err = c.modelRef(); err != nil {
			return nil, err
		}
		return s, c.expectEnd()
	}
	s := &DescribeModel{SQL: text}
	if s.Model, err = c.modelRef(); err != nil {
		return nil, err
	}
	return s, c.expectEnd()
}

// jobID reads a job id: a word ("job_3", "3"), a quoted string or a back-quoted name.
// after names the words before it, for the error.
func (c *cursor) jobID(after string) (string, error) {
	if c.atEnd() {
		return "", c.fail("expected a job id after %s", after)
	}
	t := c.toks[c.i]
	var id string
	switch t.kind {
	case tokWord:
		id = c.src[t.start:t.end]
	case tokString:
		id = unquoteString(c.src, t)
	case tokQuotedIdent:
		id = unquoteIdent(c.src, t)
	default:
		return "", c.fail("expected a job id after %s", after)
	}
	if id == "" {
		return "", c.fail("a job id must not be empty")
	}
	c.i++
	return id, nil
}

// parenthesizedQuery reads '(' query ')' after the word kw: the query is the text between
// the parentheses (its Query.SQL, and the offsets in its nodes, are those of the script),
// and must be a SELECT or a set operation. The closing parenthesis is the one matching the
// opening one, so parentheses inside the query nest. O(tokens).
func (c *cursor) parenthesizedQuery(kw string) (*Query, error) {
	if !c.isPunct('(') {
		if !c.atEnd() && (c.toks[c.i].kind == tokWord || c.toks[c.i].kind == tokQuotedIdent) {
			return nil, c.fail("expected '(' and a query after %s; for a table t write %s (SELECT * FROM t)", kw, kw)
		}
		return nil, c.fail("expected '(' and a query after %s", kw)
	}
	open := c.i
	depth, close := 0, -1
	for j := open; j < len(c.toks) && close < 0; j++ {
		if c.toks[j].kind != tokPunct {
			continue
		}
		switch c.src[c.toks[j].start] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				close = j
			}
		}
	}
	if close < 0 {
		return nil, errorAtToken(c.src, c.toks[open], fmt.Sprintf("the '(' after %s is never closed", kw))
	}
	if close == open+1 {
		c.i = close
		return nil, c.fail("expected a query inside the parentheses after %s", kw)
	}
	first := c.toks[open+1]
	q, err := parseQuery(c.src, c.toks[open+1:close], first.start, c.toks[close-1].end)
	if err != nil {
		return nil, err
	}
	switch q.Node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		c.i = close + 1
		return q, nil
	}
	return nil, errorAtToken(c.src, first, fmt.Sprintf("expected a SELECT query after %s", kw))
}

// modelRef reads name [@ version].
func (c *cursor) modelRef() (ModelRef, error) {
	name, _, err := c.name("a model name")
	if err != nil {
		return ModelRef{}, err
	}
	r := ModelRef{Name: name}
	if !c.acceptPunct('@') {
		return r, nil
	}
	if c.atEnd() || !isDigits(c.src, c.toks[c.i]) {
		return ModelRef{}, c.fail("expected a version number after @")
	}
	t := c.toks[c.i]
	v, err := strconv.Atoi(c.src[t.start:t.end])
	if err != nil || v < 1 {
		return ModelRef{}, c.fail("a model version is a number from 1")
	}
	c.i++
	r.Version = v
	return r, nil
}

// model reads the rest of CREATE [OR REPLACE] MODEL after the MODEL keyword.
func (c *cursor) model(m *CreateModel) error {
	var err error
	ifTok := c.i
	if m.IfNotExists, err = c.ifNotExists(); err != nil {
		return err
	}
	if m.IfNotExists && m.OrReplace {
		c.i = ifTok
		return c.fail("OR REPLACE and IF NOT EXISTS cannot be used together")
	}
	nameTok := c.i
	if m.Name, _, err = c.name("a model name"); err != nil {
		return err
	}
	if c.isPunct('@') {
		c.i = nameTok
		return errorAtToken(c.src, c.toks[nameTok], "CREATE MODEL makes a new version itself; name the model without @version")
	}
	if c.acceptWord("FROM") {
		if m.From, err = c.stringLit("a quoted path after FROM"); err != nil {
			return err
		}
		if m.From == "" {
			c.i--
			return c.fail("the model path must not be empty")
		}
	}
	if c.acceptWord("OPTIONS") {
		if err := c.optionsWithLists(m.Options, m.ListOptions); err != nil {
			return err
		}
	}
	if c.acceptWord("AS") {
		if m.From != "" {
			c.i--
			return c.fail("a model is either imported (FROM 'path') or trained (AS SELECT ...), not both")
		}
		// The query runs to the end, or to a last word ASYNC.
		last := len(c.toks)
		if t := c.toks[last-1]; last-1 > c.i && t.kind == tokWord && strings.EqualFold(c.src[t.start:t.end], "ASYNC") {
			m.Async = true
			sub := &cursor{src: c.src, toks: c.toks[:last-1], i: c.i, end: c.toks[last-2].end}
			m.AsSelect, _, err = sub.rest()
			return err
		}
		m.AsSelect, _, err = c.rest()
		return err
	}
	if c.isWord("ASYNC") {
		return c.fail("ASYNC trains a model: it goes after AS SELECT ...")
	}
	if !c.atEnd() {
		return c.fail("expected FROM, OPTIONS, AS or the end of the statement")
	}
	if m.From == "" {
		return c.fail("CREATE MODEL needs FROM 'path' (import) or AS SELECT ... (training)")
	}
	return nil
}
