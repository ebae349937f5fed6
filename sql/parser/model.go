package parser

import (
	"fmt"
	"strconv"
	"strings"
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

// modelStatement reports whether sig starts a model statement other than CREATE: SHOW
// MODELS, DESCRIBE/DESC MODEL, DROP MODEL.
func modelStatement(src string, sig []token) bool {
	if len(sig) < 2 || sig[0].kind != tokWord || sig[1].kind != tokWord {
		return false
	}
	first := strings.ToUpper(src[sig[0].start:sig[0].end])
	second := strings.ToUpper(src[sig[1].start:sig[1].end])
	switch first {
	case "SHOW":
		return second == "MODELS"
	case "DESCRIBE", "DESC", "DROP":
		return second == "MODEL"
	}
	return false
}

// parseModelForms parses SHOW MODELS, DESCRIBE MODEL and DROP MODEL (modelStatement is
// true of sig).
func parseModelForms(src string, sig []token, end int) (Statement, error) {
	c := &cursor{src: src, toks: sig, i: 2, end: end}
	text := src[sig[0].start:end]
	switch strings.ToUpper(src[sig[0].start:sig[0].end]) {
	case "SHOW":
		s := &ShowModels{SQL: text}
		if c.acceptWord("LIKE") {
			var err error
			if s.Like, err = c.stringLit("a quoted pattern after LIKE"); err != nil {
				return nil, err
			}
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
		var err error
		if s.Model, err = c.modelRef(); err != nil {
			return nil, err
		}
		return s, c.expectEnd()
	}
	s := &DescribeModel{SQL: text}
	var err error
	if s.Model, err = c.modelRef(); err != nil {
		return nil, err
	}
	return s, c.expectEnd()
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
