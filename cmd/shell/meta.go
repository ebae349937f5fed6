package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/internal/format"
)

// metaCommand is one meta-command with all its spellings (DuckDB/sqlite dot commands and
// psql backslash commands).
type metaCommand struct {
	names []string
	args  string // usage of the arguments, for .help
	help  string
	// run executes the command; args are the words after the name (quotes removed). It
	// returns false when the input must stop.
	run func(s *shell, ctx context.Context, args []string) bool
}

// metaCommands is the table of meta-commands; .help lists them in this order. It is a
// function so that the table can refer to handlers that print it (.help).
func metaCommands() []metaCommand {
	return []metaCommand{
		{names: []string{".help", `\?`}, help: "show this help", run: (*shell).metaHelp},
		{names: []string{".tables", `\dt`}, help: "list tables and views (SHOW TABLES)",
			run: func(s *shell, ctx context.Context, args []string) bool {
				if len(args) > 0 {
					return s.fail(errs.Parsef(".tables takes no argument"))
				}
				return s.runSQL(ctx, "SHOW TABLES")
			}},
		{names: []string{`\d`}, args: "[TABLE]", help: "list tables, or describe TABLE",
			run: func(s *shell, ctx context.Context, args []string) bool {
				if len(args) == 0 {
					return s.runSQL(ctx, "SHOW TABLES")
				}
				return s.metaSchema(ctx, args)
			}},
		{names: []string{".schema"}, args: "[TABLE]", help: "describe TABLE, or every table",
			run: (*shell).metaSchema},
		{names: []string{".mode"}, args: "[MODE]", help: "set the output mode: " + strings.Join(format.ModeNames(), "|"),
			run: (*shell).metaMode},
		{names: []string{`\x`}, args: "[on|off]", help: "toggle the vertical (line) output mode",
			run: (*shell).metaExpanded},
		{names: []string{".headers"}, args: "on|off", help: "show column names (table, csv, tsv, markdown)",
			run: func(s *shell, _ context.Context, args []string) bool {
				return s.setSwitch(".headers", args, func(on bool) { s.set.noHeader = !on })
			}},
		{names: []string{".timer", `\timing`}, args: "on|off", help: "print each statement's run time (table and line modes)",
			run: func(s *shell, _ context.Context, args []string) bool {
				if len(args) == 0 { // psql's \timing toggles
					args = []string{strconv.FormatBool(!s.set.timer)}
				}
				return s.setSwitch(".timer", args, func(on bool) {
					s.set.timer = on
					s.confirm("Timing is %s.", onOff(on))
				})
			}},
		{names: []string{".maxrows"}, args: "N|inf", help: "rows the table mode shows before it elides the middle",
			run: (*shell).metaMaxRows},
		{names: []string{".bail"}, args: "on|off", help: "stop a script at its first error",
			run: func(s *shell, _ context.Context, args []string) bool {
				return s.setSwitch(".bail", args, func(on bool) { s.set.bail = on })
			}},
		{names: []string{".echo"}, args: "on|off", help: "print each statement before running it",
			run: func(s *shell, _ context.Context, args []string) bool {
				return s.setSwitch(".echo", args, func(on bool) { s.set.echo = on })
			}},
		{names: []string{".read", `\i`}, args: "FILE", help: "run the statements in FILE", run: (*shell).metaRead},
		{names: []string{".output", `\o`}, args: "[FILE]", help: "send results to FILE, or back to stdout",
			run: (*shell).metaOutput},
		{names: []string{".quit", ".exit", `\q`}, args: "[CODE]", help: "leave the shell (also exit, quit, Ctrl-D)",
			run: (*shell).metaQuit},
	}
}

// isMeta reports whether a trimmed line at the start of a statement is a meta-command.
func isMeta(line string) bool { return strings.HasPrefix(line, ".") || strings.HasPrefix(line, `\`) }

// isQuitWord reports whether a trimmed line is one of the bare words that leave the shell.
func isQuitWord(line string) bool {
	w := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(line, ";")))
	return w == "exit" || w == "quit"
}

// runMeta runs one meta-command line. It returns false when the input must stop.
func (s *shell) runMeta(ctx context.Context, line string) bool {
	if s.set.echo {
		fmt.Fprintln(s.out, line)
	}
	name, rest, _ := strings.Cut(line, " ")
	args, err := splitArgs(rest)
	if err != nil {
		return s.fail(err)
	}
	cmds := metaCommands()
	for _, c := range cmds {
		if slices.Contains(c.names, name) {
			ok := true
			if err := s.guard(func() error { ok = c.run(s, ctx, args); return nil }); err != nil {
				return s.fail(err)
			}
			return ok
		}
	}
	var known []string
	for _, c := range cmds {
		known = append(known, c.names...)
	}
	if near := nearest(name, known); near != "" {
		return s.fail(errs.Parsef("unknown command %q, did you mean %q? (.help lists the commands)", name, near))
	}
	return s.fail(errs.Parsef("unknown command %q (.help lists the commands)", name))
}

func (s *shell) metaHelp(_ context.Context, _ []string) bool {
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	for _, c := range metaCommands() {
		usage := strings.Join(c.names, ", ")
		if c.args != "" {
			usage += " " + c.args
		}
		fmt.Fprintf(tw, "%s\t%s\n", usage, c.help)
	}
	tw.Flush()
	fmt.Fprintln(s.out, "SQL statements end with ';' and may span lines; meta-commands need no ';'.")
	return true
}

func (s *shell) metaSchema(ctx context.Context, args []string) bool {
	if len(args) > 1 {
		return s.fail(errs.Parsef("usage: .schema [TABLE]"))
	}
	if len(args) == 1 {
		name := args[0]
		if !strings.HasPrefix(name, "`") {
			name = quoteIdent(name)
		}
		return s.runSQL(ctx, "DESCRIBE "+name)
	}
	tables := slices.Clone(s.eng.TableNames())
	slices.Sort(tables)
	for i, t := range tables {
		if s.humanMode() {
			if i > 0 {
				fmt.Fprintln(s.out)
			}
			fmt.Fprintf(s.out, "%s:\n", t)
		}
		if !s.runSQL(ctx, "DESCRIBE "+quoteIdent(t)) {
			return false
		}
	}
	return true
}

func (s *shell) metaMode(_ context.Context, args []string) bool {
	if len(args) == 0 {
		fmt.Fprintf(s.out, "current output mode: %s\n", s.set.mode)
		return true
	}
	if len(args) > 1 {
		return s.fail(errs.Parsef("usage: .mode %s", strings.Join(format.ModeNames(), "|")))
	}
	m, err := format.ParseMode(args[0])
	if err != nil {
		return s.fail(err)
	}
	s.set.mode = m
	return true
}

func (s *shell) metaExpanded(_ context.Context, args []string) bool {
	on := s.set.mode != format.Line
	if len(args) > 0 {
		v, err := parseSwitch(`\x`, args)
		if err != nil {
			return s.fail(err)
		}
		on = v
	}
	switch {
	case on && s.set.mode != format.Line:
		s.set.lineFrom, s.set.mode = s.set.mode, format.Line
	case !on && s.set.mode == format.Line:
		s.set.mode = s.set.lineFrom
	}
	s.confirm("Expanded display is %s.", onOff(on))
	return true
}

func (s *shell) metaMaxRows(_ context.Context, args []string) bool {
	if len(args) == 0 {
		n := s.set.maxRows
		switch {
		case n < 0:
			fmt.Fprintln(s.out, "maxrows: inf")
		case n == 0:
			fmt.Fprintf(s.out, "maxrows: %d\n", format.DefaultMaxRows)
		default:
			fmt.Fprintf(s.out, "maxrows: %d\n", n)
		}
		return true
	}
	n, err := parseMaxRows(strings.Join(args, " "))
	if err != nil {
		return s.fail(err)
	}
	s.set.maxRows = n
	return true
}

// parseMaxRows reads a row cap: a positive number, or inf for none (-1).
func parseMaxRows(v string) (int, error) {
	if strings.EqualFold(v, "inf") {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, errs.Parsef("maxrows must be a positive number or inf, not %q", v)
	}
	return n, nil
}

// maxReadDepth bounds nested .read commands (a file that reads itself).
const maxReadDepth = 16

func (s *shell) metaRead(ctx context.Context, args []string) bool {
	if len(args) != 1 {
		return s.fail(errs.Parsef("usage: .read FILE"))
	}
	if s.readDepth >= maxReadDepth {
		return s.fail(errs.Execf(".read %s: files nested more than %d deep", args[0], maxReadDepth))
	}
	f, err := os.Open(args[0])
	if err != nil {
		return s.fail(errs.Wrap(errs.ErrExecution, err, ".read"))
	}
	defer f.Close()
	s.readDepth++
	defer func() { s.readDepth-- }()
	return s.runScript(ctx, f)
}

func (s *shell) metaOutput(_ context.Context, args []string) bool {
	if len(args) > 1 {
		return s.fail(errs.Parsef("usage: .output [FILE]"))
	}
	if len(args) == 0 || args[0] == "stdout" {
		s.close()
		return true
	}
	f, err := os.Create(args[0])
	if err != nil {
		return s.fail(errs.Wrap(errs.ErrExecution, err, ".output"))
	}
	s.close()
	s.out, s.outFile = f, f
	return true
}

func (s *shell) metaQuit(_ context.Context, args []string) bool {
	if len(args) > 1 {
		return s.fail(errs.Parsef("usage: .exit [CODE]"))
	}
	if len(args) == 1 {
		code, err := strconv.Atoi(args[0])
		if err != nil || code < 0 || code > 255 {
			return s.fail(errs.Parsef("exit code must be a number from 0 to 255, not %q", args[0]))
		}
		s.exitCode = code
	}
	s.quit = true
	return false
}

// setSwitch parses an on|off argument for cmd and applies it.
func (s *shell) setSwitch(cmd string, args []string, apply func(on bool)) bool {
	on, err := parseSwitch(cmd, args)
	if err != nil {
		return s.fail(err)
	}
	apply(on)
	return true
}

func parseSwitch(cmd string, args []string) (bool, error) {
	if len(args) == 1 {
		switch strings.ToLower(args[0]) {
		case "on", "true", "yes", "1":
			return true, nil
		case "off", "false", "no", "0":
			return false, nil
		}
	}
	return false, errs.Parsef("usage: %s on|off", cmd)
}

// confirm tells a person at the terminal what a command changed; scripts stay quiet.
func (s *shell) confirm(format string, args ...any) {
	if s.interactive {
		fmt.Fprintf(s.out, format+"\n", args...)
	}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// quoteIdent quotes a table name for the MySQL dialect when it is not a plain identifier.
func quoteIdent(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
		}
	}
	if plain {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// splitArgs splits a meta-command's arguments on spaces; single or double quotes group
// words (for file names with spaces) and a doubled quote inside stands for itself.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord := false
	var quote rune
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0 && r == quote:
			if i+1 < len(rs) && rs[i+1] == quote {
				cur.WriteRune(r)
				i++
				continue
			}
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errs.Parsef("unterminated %c in command arguments", quote)
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}

// nearest returns the candidate closest to name by edit distance, if it is close enough
// (at most a third of the name's length, and at least one edit allowed).
func nearest(name string, candidates []string) string {
	best, bestD := "", max(1, len(name)/3)+1
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in O(len(a)·len(b)).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
