package datasource

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

type jsonSource struct {
	name    string
	schema  *arrow.Schema
	files   []sourceFile
	formats textFormats
}

// NewJSON returns a source over newline-delimited JSON objects (one object per line, blank
// lines skipped) in the file at path or in every file under the directory at path.
//
// The schema is inferred from the first 1000 objects of the first file: the union of their
// keys in first-seen order; integers are BIGINT, other numbers DOUBLE (a key with both is
// DOUBLE), true/false BOOLEAN, strings STRING, arrays of scalars ARRAY<T> with T inferred
// from the elements as for values (ARRAY<STRING> when no element is seen non-null), nested
// objects and other arrays STRING holding their JSON text, a key with values of different
// kinds (or only nulls) STRING. Keys first seen after the sample are ignored. A missing key
// is NULL; of repeated keys the first wins.
//
// Options: dateFormat and timestampFormat (java.time patterns) for columns of an explicit
// schema (NewJSONWithSchema). A line that is not a JSON object, or a value that does not
// fit its column, fails the scan with an execution error naming the file and line. Files
// in Hive-style key=value folders get the keys as columns (see partition.go; not with an
// explicit schema).
func NewJSON(name, path string, options map[string]string) (Source, error) {
	return newJSON(name, path, nil, options)
}

// NewJSONWithSchema is NewJSON with a given schema: keys are matched to column names
// exactly, values are read as the columns' types (text forms of dates, timestamps and
// decimals included), and other keys are ignored.
func NewJSONWithSchema(name, path string, schema *arrow.Schema, options map[string]string) (Source, error) {
	if schema == nil || schema.NumFields() == 0 {
		return nil, errs.Planf("json table %s: a schema needs at least one column", name)
	}
	if err := checkTextSchema("json", name, schema); err != nil {
		return nil, err
	}
	return newJSON(name, path, schema, options)
}

func newJSON(name, path string, schema *arrow.Schema, opts map[string]string) (Source, error) {
	o, err := parseOptions("json", opts, "dateformat", "timestampformat")
	if err != nil {
		return nil, err
	}
	formats, err := newTextFormats(o)
	if err != nil {
		return nil, err
	}
	files, err := listFiles("json", path, func(string) bool { return true })
	if err != nil {
		return nil, err
	}
	if schema != nil {
		return &jsonSource{name: name, schema: schema, files: files, formats: formats}, nil
	}
	if schema, err = inferJSON(files[0].path); err != nil {
		return nil, err
	}
	// With an inferred schema, key=value folders add partition columns (partition.go).
	return withPartitions("json", path, &jsonSource{name: name, schema: schema, files: files, formats: formats}, files)
}

// inferJSON infers a schema from up to inferRows objects of one file.
func inferJSON(path string) (*arrow.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "json file %s", path)
	}
	defer f.Close()
	lr := newLineReader(f, "json", path)
	var p jsonParser
	var names []string
	var kinds []inferKind
	index := map[string]int{}
	for rows := 0; rows < inferRows; {
		line, err := lr.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if isBlank(line) {
			continue
		}
		rows++
		if err := p.reset(line); err != nil {
			return nil, p.wrap(err, &lr)
		}
		for {
			key, kind, val, ok, err := p.next()
			if err != nil {
				return nil, p.wrap(err, &lr)
			}
			if !ok {
				break
			}
			i, seen := index[string(key)]
			if !seen {
				i = len(names)
				index[string(key)] = i
				names = append(names, string(key))
				kinds = append(kinds, kindNull)
			}
			kinds[i] = mergeKinds(kinds[i], jsonValueKind(kind, val))
		}
	}
	if len(names) == 0 {
		return nil, errs.Execf("json file %s has no keys in its first %d objects: cannot infer its columns", path, inferRows)
	}
	fields := make([]arrow.Field, len(names))
	for i := range fields {
		fields[i] = arrow.Field{Name: names[i], Type: kindType(kinds[i]), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

func jsonValueKind(kind jsonKind, val []byte) inferKind {
	switch kind {
	case jsonNested:
		if val[0] == '[' {
			return jsonArrayKind(val)
		}
	case jsonNull:
		return kindNull
	case jsonBool:
		return kindBool
	case jsonNumber:
		if _, ok := parseInt64(val); ok {
			return kindInt
		}
		return kindDouble
	}
	return kindString
}

// jsonArrayKind infers the kind of a JSON array: an ARRAY of its elements' kinds when they
// are all scalars (or null), else STRING (its JSON text).
func jsonArrayKind(val []byte) inferKind {
	p := jsonParser{b: val, i: 1}
	elem := kindNull
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		return kindList + elem
	}
	for {
		p.ws()
		kind, v, err := p.value()
		if err != nil || kind == jsonNested {
			return kindString
		}
		elem = mergeKinds(elem, jsonValueKind(kind, v))
		p.ws()
		if p.i >= len(p.b) || (p.b[p.i] != ',' && p.b[p.i] != ']') {
			return kindString
		}
		p.i++
		if p.b[p.i-1] == ']' {
			return kindList + elem
		}
	}
}

func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func (s *jsonSource) Name() string               { return s.name }
func (s *jsonSource) ArrowSchema() *arrow.Schema { return s.schema }

func (s *jsonSource) Splits(ctx context.Context) ([]Split, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	return fileSplits(s.files), nil
}

func (s *jsonSource) Open(ctx context.Context, split Split, columns []int, opts ReadOptions) (Reader, error) {
	fsplit, proj, err := checkOpen(ctx, s.name, s.schema, split, columns)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	f, err := os.Open(fsplit.Path)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "json file %s", fsplit.Path)
	}
	r := &jsonReader{ctx: ctx, file: f, lines: newLineReader(f, "json", fsplit.Path), schema: proj,
		batchSize: opts.BatchSize, targets: map[string][]int{}, set: make([]uint64, len(columns))}
	for i, c := range columns {
		name := s.schema.Field(c).Name
		r.targets[name] = append(r.targets[name], i)
	}
	if r.cols, err = newTextColumns(proj, opts.Mem, &s.formats); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// jsonReader reads one newline-delimited JSON file, converting only projected keys.
type jsonReader struct {
	ctx       context.Context
	file      *os.File
	lines     lineReader
	parser    jsonParser
	schema    *arrow.Schema    // projected
	targets   map[string][]int // key -> projected columns it fills
	cols      []textColumn
	set       []uint64 // set[i] == row: projected column i has a value in this row
	row       uint64   // rows read so far, starting at 1 (0 never matches set)
	batchSize int
	done      bool
}

func (r *jsonReader) Next() (arrow.RecordBatch, error) {
	if r.done {
		return nil, nil
	}
	if err := r.ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	n := 0
	for n < r.batchSize {
		line, err := r.lines.readLine()
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			return nil, err
		}
		if isBlank(line) {
			continue
		}
		if err := r.readObject(line); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	return buildBatch(r.schema, r.cols, n), nil
}

// readObject appends one row: the line's values for projected keys, NULL for the others.
func (r *jsonReader) readObject(line []byte) error {
	r.row++
	p := &r.parser
	if err := p.reset(line); err != nil {
		return p.wrap(err, &r.lines)
	}
	for {
		key, kind, val, ok, err := p.next()
		if err != nil {
			return p.wrap(err, &r.lines)
		}
		if !ok {
			break
		}
		for _, i := range r.targets[string(key)] {
			if r.set[i] == r.row {
				continue // a repeated key: the first wins
			}
			r.set[i] = r.row
			if kind == jsonNull {
				r.cols[i].appendNull()
			} else if (kind != jsonNested && planner.IsArray(r.schema.Field(i).Type)) || !r.cols[i].appendText(val) {
				return errs.Execf("json file %s line %d: key %q: cannot read %s as %s", r.lines.file,
					r.lines.line, key, abbreviate(val), planner.TypeString(r.schema.Field(i).Type))
			}
		}
	}
	for i, s := range r.set {
		if s != r.row {
			r.cols[i].appendNull()
		}
	}
	return nil
}

// abbreviate quotes a value for an error message, cutting it at 60 bytes.
func abbreviate(v []byte) string {
	if len(v) > 60 {
		return fmt.Sprintf("%q...", v[:60])
	}
	return fmt.Sprintf("%q", v)
}

func (r *jsonReader) Close() error {
	releaseTextColumns(r.cols)
	r.cols = nil
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// jsonKind is the kind of a JSON value.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonNested // an object or an array
)

// jsonParser walks the members of one top-level JSON object without allocating: keys and
// string values without escapes are slices of the line, others are unescaped into buffers
// reused for every line.
type jsonParser struct {
	b      []byte
	i      int
	first  bool
	keyBuf []byte
	valBuf []byte
}

// jsonSyntaxError is a syntax error at byte offset at of the line.
type jsonSyntaxError struct {
	at  int
	msg string
}

func (e *jsonSyntaxError) Error() string { return e.msg }

func (p *jsonParser) errorf(format string, args ...any) error {
	return &jsonSyntaxError{at: p.i, msg: fmt.Sprintf(format, args...)}
}

// wrap adds the file, line and column to a syntax error.
func (p *jsonParser) wrap(err error, lr *lineReader) error {
	if se, ok := err.(*jsonSyntaxError); ok {
		return errs.Execf("json file %s line %d column %d: %s", lr.file, lr.line, se.at+1, se.msg)
	}
	return err
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// reset starts a line, which must hold one JSON object.
func (p *jsonParser) reset(line []byte) error {
	p.b, p.i, p.first = line, 0, true
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return p.errorf("expected a JSON object")
	}
	p.i++
	return nil
}

// next returns the next member of the object; ok is false after the last one. key and
// val are valid until the next call. val is the unescaped text of a string, the literal
// text of a number or boolean, the JSON text of a nested value, nil for null.
func (p *jsonParser) next() (key []byte, kind jsonKind, val []byte, ok bool, err error) {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.ws()
		if p.i != len(p.b) {
			return nil, 0, nil, false, p.errorf("unexpected text after the object")
		}
		return nil, 0, nil, false, nil
	}
	if !p.first {
		if p.i >= len(p.b) || p.b[p.i] != ',' {
			return nil, 0, nil, false, p.errorf("expected ',' or '}'")
		}
		p.i++
		p.ws()
	}
	p.first = false
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, 0, nil, false, p.errorf("expected a string key")
	}
	if key, err = p.str(&p.keyBuf); err != nil {
		return nil, 0, nil, false, err
	}
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != ':' {
		return nil, 0, nil, false, p.errorf("expected ':' after key %q", key)
	}
	p.i++
	p.ws()
	kind, val, err = p.value()
	return key, kind, val, err == nil, err
}

func (p *jsonParser) value() (jsonKind, []byte, error) {
	if p.i >= len(p.b) {
		return 0, nil, p.errorf("unexpected end of line")
	}
	start := p.i
	switch c := p.b[p.i]; {
	case c == '"':
		s, err := p.str(&p.valBuf)
		return jsonString, s, err
	case c == '{' || c == '[':
		if err := p.skipNested(); err != nil {
			return 0, nil, err
		}
		if !json.Valid(p.b[start:p.i]) {
			p.i = start
			return 0, nil, p.errorf("invalid nested JSON value")
		}
		return jsonNested, p.b[start:p.i], nil
	case c == 't':
		err := p.literal("true")
		return jsonBool, p.b[start:p.i], err
	case c == 'f':
		err := p.literal("false")
		return jsonBool, p.b[start:p.i], err
	case c == 'n':
		return jsonNull, nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		err := p.number()
		return jsonNumber, p.b[start:p.i], err
	}
	return 0, nil, p.errorf("unexpected character %q", p.b[p.i])
}

func (p *jsonParser) literal(lit string) error {
	if len(p.b)-p.i < len(lit) || string(p.b[p.i:p.i+len(lit)]) != lit {
		return p.errorf("invalid literal, expected %s", lit)
	}
	p.i += len(lit)
	return nil
}

// number scans -?digits[.digits][(e|E)[+-]digits].
func (p *jsonParser) number() error {
	b := p.b
	i := p.i
	if b[i] == '-' {
		i++
	}
	run := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if run() == 0 {
		return p.errorf("invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if run() == 0 {
			return p.errorf("invalid number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if run() == 0 {
			return p.errorf("invalid number")
		}
	}
	p.i = i
	return nil
}

// str reads the string at p.i (at its opening quote).
func (p *jsonParser) str(buf *[]byte) ([]byte, error) {
	p.i++
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			p.i++
			return p.b[start : p.i-1], nil
		}
		if c == '\\' {
			break
		}
		p.i++
	}
	out := append((*buf)[:0], p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			p.i++
			*buf = out
			return out, nil
		}
		if c != '\\' {
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			break
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a lone surrogate is U+FFFD (as in encoding/json),
				// and an escape after it that does not complete a pair is read on its own.
				dec := utf8.RuneError
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						dec = utf16.DecodeRune(r, r2)
					} else {
						p.i = save
					}
				}
				r = dec
			}
			out = utf8.AppendRune(out, r)
		default:
			p.i -= 2
			return nil, p.errorf("invalid escape \\%c", e)
		}
	}
	*buf = out
	return nil, p.errorf("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// skipNested moves past the object or array at p.i, honouring strings.
func (p *jsonParser) skipNested() error {
	depth := 0
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.i++
				return nil
			}
		case '"':
			for p.i++; p.i < len(p.b) && p.b[p.i] != '"'; p.i++ {
				if p.b[p.i] == '\\' {
					p.i++
				}
			}
			if p.i >= len(p.b) {
				return p.errorf("unterminated string")
			}
		}
		p.i++
	}
	return p.errorf("unterminated nested value")
}
