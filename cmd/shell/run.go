package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/parser"
)

// engine is what the shell needs from a session; *dataframe.Session implements it, and the
// tests use a fake.
type engine interface {
	// Exec runs one statement; the caller releases the result.
	Exec(ctx context.Context, sql string) (*dataframe.Result, error)
	catalog
}

// catalog lists names for completion and .schema.
type catalog interface {
	TableNames() []string
	ColumnNames(table string) []string
	FunctionNames() []string
}

// settings are the shell's switches, changed by flags and meta-commands.
type settings struct {
	mode format.Mode
	// lineFrom is the mode \x returns to; valid while mode is format.Line after a \x.
	lineFrom format.Mode
	noHeader bool
	timer    bool
	bail     bool
	echo     bool
	quiet    bool
	// maxRows is format.Options.MaxRows: >0 a cap, <0 no cap, 0 the default.
	maxRows int
}

// shell runs statements and meta-commands against an engine and writes their output. It
// is used by one goroutine at a time (the batch loop or go-prompt's executor).
type shell struct {
	eng    engine
	stdout io.Writer // the process's standard output
	stderr io.Writer
	// out is where results go: stdout, or the file named by .output (outFile).
	out     io.Writer
	outFile *os.File
	set     settings
	// interactive is set when a human types at a terminal: meta-commands then confirm
	// their changes and errors never end the shell.
	interactive bool
	// now is the clock for .timer; tests replace it.
	now func() time.Time
	// onRun, when set, sees the text of every top-level statement and meta-command as it
	// starts (the interactive shell appends it to the history file).
	onRun func(text string)
	comp  *completer
	// quit is set by .quit and friends; exitCode is then the status to exit with.
	quit     bool
	exitCode int
	// failed records that some statement or command failed.
	failed bool
	// readDepth counts nested .read files, to refuse endless recursion.
	readDepth int
}

func newShell(eng engine, stdout, stderr io.Writer, set settings) *shell {
	return &shell{
		eng: eng, stdout: stdout, stderr: stderr, out: stdout, set: set,
		now: time.Now, comp: newCompleter(eng),
	}
}

// status returns the process exit status: the .exit code if one was given, else 1 when
// something failed and 0 otherwise.
func (s *shell) status() int {
	if s.exitCode != 0 {
		return s.exitCode
	}
	if s.failed {
		return 1
	}
	return 0
}

// close closes the .output file, if any.
func (s *shell) close() {
	if s.outFile != nil {
		s.outFile.Close()
		s.outFile = nil
	}
	s.out = s.stdout
}

// feeder turns input lines into statements and meta-commands. Each input source (the
// terminal, a script, a .read file) has its own, so a nested script cannot swallow the
// unfinished statement of the one that read it.
type feeder struct {
	s *shell
	// pending is the text of a statement not yet ended by ';'.
	pending strings.Builder
	// top is set for the terminal's feeder, whose statements go to history.
	top bool
}

// inStatement reports whether an unfinished statement is waiting for more lines.
func (f *feeder) inStatement() bool { return f.pending.Len() > 0 }

// pendingText returns the unfinished statement's text.
func (f *feeder) pendingText() string { return f.pending.String() }

// reset drops the unfinished statement (Ctrl-C, or an error that stops the input).
func (f *feeder) reset() { f.pending.Reset() }

// feedLine consumes one line (without its line end). Meta-commands are recognised only at
// the start of a statement. It returns false when the input must stop: after .quit, or
// after an error while bail is on.
func (f *feeder) feedLine(ctx context.Context, line string) bool {
	if !f.inStatement() {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			return true
		case isMeta(trimmed):
			f.ran(trimmed)
			return f.s.runMeta(ctx, trimmed)
		case isQuitWord(trimmed):
			f.ran(trimmed)
			f.s.quit = true
			return false
		}
	}
	f.pending.WriteString(line)
	f.pending.WriteByte('\n')
	complete, rest := parser.SplitStatements(f.pending.String())
	f.pending.Reset()
	if strings.TrimSpace(rest) != "" {
		f.pending.WriteString(rest)
	}
	for _, stmt := range complete {
		if !f.runStatement(ctx, stmt) {
			f.pending.Reset()
			return false
		}
	}
	return true
}

// finish runs what is left at the end of the input: a last statement without ';' runs as
// if it had one (as in sqlite3 and psql -f); an unterminated string or comment reaches the
// engine, whose parser reports it.
func (f *feeder) finish(ctx context.Context) bool {
	if !f.inStatement() {
		return true
	}
	text := f.pending.String()
	f.pending.Reset()
	return f.runStatement(ctx, text)
}

func (f *feeder) runStatement(ctx context.Context, sql string) bool {
	text := strings.TrimSpace(sql)
	if text == "" || text == ";" {
		return true
	}
	f.ran(text + ";")
	return f.s.runSQL(ctx, text)
}

// ran tells onRun about a top-level statement or command.
func (f *feeder) ran(text string) {
	if f.top && f.s.onRun != nil {
		f.s.onRun(text)
	}
}

// runScript runs every statement and meta-command read from r, in order. It returns false
// when the input stopped early (quit, or an error with bail on).
func (s *shell) runScript(ctx context.Context, r io.Reader) bool {
	f := &feeder{s: s}
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			if !f.feedLine(ctx, line) {
				return false
			}
		}
		if errors.Is(err, io.EOF) {
			return f.finish(ctx)
		}
		if err != nil {
			return s.fail(errs.Wrap(errs.ErrExecution, err, "read input"))
		}
	}
}

// runSQL runs one statement and prints its result. It returns false when the input must
// stop (an error while bail is on).
func (s *shell) runSQL(ctx context.Context, sql string) bool {
	if s.set.echo {
		fmt.Fprintln(s.out, sql)
	}
	start := s.now()
	err := s.guard(func() error {
		res, err := s.eng.Exec(ctx, sql)
		if err != nil {
			return err
		}
		defer res.Release()
		return s.print(res)
	})
	if err != nil {
		return s.fail(err)
	}
	if s.set.timer && s.humanMode() {
		fmt.Fprintf(s.out, "Run Time: %.3fs\n", s.now().Sub(start).Seconds())
	}
	return true
}

// print writes a result: a query's rows in the current mode, a command's message (table
// and line modes only, so csv and json output stay parseable).
func (s *shell) print(res *dataframe.Result) error {
	if res.Schema == nil {
		// A command (DDL, SET, ...) may have changed the catalog.
		s.comp.invalidate()
		if res.Message != "" && s.humanMode() && !s.set.quiet {
			_, err := fmt.Fprintln(s.out, res.Message)
			return err
		}
		return nil
	}
	if res.Text && s.humanMode() {
		// Preformatted lines (EXPLAIN): print them whole, not in a box of truncated cells.
		for _, b := range res.Batches {
			for i := 0; i < int(b.NumRows()); i++ {
				if _, err := fmt.Fprintln(s.out, format.Value(b.Column(0), i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return format.Write(s.out, s.set.mode, res.Schema, res.Batches, format.Options{
		MaxRows:  s.set.maxRows,
		NoHeader: s.set.noHeader,
	})
}

// humanMode reports whether the output is for people rather than programs: only then are
// timings and command messages printed.
func (s *shell) humanMode() bool {
	return s.set.mode == format.Table || s.set.mode == format.Line
}

// guard runs fn and turns a panic into an internal error, so that a bug in the engine or
// the shell costs one statement, never the session (and never shows a Go stack).
func (s *shell) guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errs.FromPanic(r)
		}
	}()
	return fn()
}

// fail reports err on stderr as "Error: <message>" and returns whether the input may go on.
func (s *shell) fail(err error) bool {
	s.failed = true
	fmt.Fprintf(s.stderr, "Error: %s\n", err.Error())
	return !s.set.bail
}
