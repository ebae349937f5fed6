package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/embersql/ember"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/ml"
	"golang.org/x/term"
)

// version is the shell's version, set at link time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	std := stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, terminal: interactiveTerminal()}
	os.Exit(runMain(os.Args[1:], std, openSession))
}

// interactiveTerminal reports whether stdin and stdout are terminals and the terminal
// has a size: go-prompt divides by its width, so a terminal without one (some serial
// consoles and editor shells) is read like a pipe.
func interactiveTerminal() bool {
	in, out := int(os.Stdin.Fd()), int(os.Stdout.Fd())
	if !term.IsTerminal(in) || !term.IsTerminal(out) {
		return false
	}
	w, _, err := term.GetSize(in)
	return err == nil && w > 0
}

// stdio is the process's standard streams; terminal says whether stdin and stdout are
// both terminals (only then is the shell interactive).
type stdio struct {
	in       io.Reader
	out, err io.Writer
	terminal bool
}

// options are the parsed command line.
type options struct {
	commands   []string // -c, in order
	file       string   // -f
	mode       format.Mode
	warehouse  string
	partitions int
	maxRows    int
	bail       *bool // nil: the default (on unless interactive)
	echo       bool
	quiet      bool
}

// openFunc opens the engine for the given options; close releases it.
type openFunc func(o *options) (eng engine, close func() error, err error)

// openSession opens an in-process dataframe.Session.
func openSession(o *options) (engine, func() error, error) {
	sess, err := dataframe.NewSession(
		dataframe.WithWarehouse(o.warehouse),
		dataframe.WithPartitions(o.partitions),
		dataframe.WithExtensions(ml.Extension()),
	)
	if err != nil {
		return nil, nil, err
	}
	if sess.IsNewWarehouse() {
		// A new warehouse starts with the sample dataset, so a newcomer can query at once.
		if err := sess.SeedTables(ember.Sample, ember.SampleTables); err != nil {
			return nil, nil, fmt.Errorf("seeding the sample tables: %w", err)
		}
		if err := ml.SeedModels(sess, ember.Sample, ember.SampleModels); err != nil {
			return nil, nil, fmt.Errorf("seeding the sample models: %w", err)
		}
	}
	return sess, sess.Close, nil
}

// runMain is the whole program without the process: it parses args, opens the engine and
// runs -c commands, the -f file, the interactive prompt or the script on stdin, and returns
// the exit status: 0 when everything ran, 1 after a failed statement, 2 for a bad command
// line.
func runMain(args []string, std stdio, open openFunc) int {
	o, err := parseFlags(args, std.err)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2 // parseFlags has said what is wrong
	}
	eng, closeEng, err := open(o)
	if err != nil {
		fmt.Fprintf(std.err, "Error: %v\n", err)
		return 1
	}
	defer func() {
		if err := closeEng(); err != nil {
			fmt.Fprintf(std.err, "Error: %v\n", err)
		}
	}()

	batch := len(o.commands) > 0 || o.file != "" || !std.terminal
	set := settings{mode: o.mode, maxRows: o.maxRows, echo: o.echo, quiet: o.quiet, bail: batch}
	if o.bail != nil {
		set.bail = *o.bail
	}
	s := newShell(eng, std.out, std.err, set)
	defer s.close()
	if !batch {
		return runInteractive(s)
	}

	ctx := context.Background()
	ok := true
	for _, c := range o.commands {
		if ok = s.runScript(ctx, strings.NewReader(c)); !ok {
			break
		}
	}
	switch {
	case !ok || s.quit:
	case o.file != "":
		f, err := os.Open(o.file)
		if err != nil {
			fmt.Fprintf(std.err, "Error: %v\n", err)
			return 1
		}
		defer f.Close()
		s.runScript(ctx, f)
	case len(o.commands) == 0:
		s.runScript(ctx, std.in)
	}
	return s.status()
}

// parseFlags parses the command line; flags may be written with one dash or two. It prints
// what is wrong with a bad command line before returning the error (flag.ErrHelp for -h).
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("ember", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ember [flags]   (SQL from -c, -f, stdin, or typed at the prompt)")
		fs.PrintDefaults()
	}
	fs.Func("c", "run `SQL` (statements and meta-commands) and exit; repeatable", func(v string) error {
		o.commands = append(o.commands, v)
		return nil
	})
	fs.StringVar(&o.file, "f", "", "run the script in `FILE` and exit")
	fs.Func("format", "output `mode`: "+strings.Join(format.ModeNames(), "|")+" (default table)", func(v string) error {
		m, err := format.ParseMode(v)
		o.mode = m
		return err
	})
	for _, m := range []format.Mode{format.CSV, format.JSON, format.Markdown} {
		fs.BoolFunc(m.String(), "shorthand for --format "+m.String(), func(string) error {
			o.mode = m
			return nil
		})
	}
	fs.StringVar(&o.warehouse, "warehouse", "", "warehouse `DIR` (default: the session's)")
	fs.IntVar(&o.partitions, "partitions", 0, "partitions per stage (default: the number of cores)")
	fs.Func("maxrows", "rows the table mode shows, or inf (default 40)", func(v string) error {
		n, err := parseMaxRows(v)
		o.maxRows = n
		return err
	})
	fs.BoolFunc("bail", "stop at the first error (default on, except at the prompt)", func(v string) error {
		b, err := strconv.ParseBool(v)
		o.bail = &b
		return err
	})
	fs.BoolVar(&o.echo, "echo", false, "print each statement before running it")
	fs.BoolVar(&o.quiet, "q", false, "quiet: no banner, no command messages")
	if err := fs.Parse(args); err != nil {
		return nil, err // the flag package has printed it, with the usage
	}
	var err error
	switch {
	case fs.NArg() > 0:
		err = errs.Parsef("unexpected argument %q (give SQL with -c or a script with -f)", fs.Arg(0))
	case o.partitions < 0:
		err = errs.Parsef("--partitions must not be negative")
	}
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return nil, err
	}
	return o, nil
}
