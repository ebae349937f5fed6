package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// tableOne is the table-mode output of "select 1" from the fake engine.
const tableOne = `┌────────┐
│   n    │
│ bigint │
├────────┤
│      1 │
└────────┘
1 row
`

type shellCase struct {
	name  string
	args  []string
	stdin string
	// files are written to a temporary directory first; "$DIR" in args, stdin, files and
	// wantFiles stands for it.
	files map[string]string

	wantOut string
	// outContains, when not nil, replaces the exact wantOut with parts to find.
	outContains []string
	// wantErr is stderr exactly; errContains a part of it (used when wantErr is "").
	wantErr     string
	errContains string
	wantCode    int
	// wantExec, when not nil, is the list of statements the engine received.
	wantExec  []string
	wantFiles map[string]string
}

func TestShell(t *testing.T) {
	tests := []shellCase{
		// Statement splitting and the statement loop.
		{name: "multi-line statement", args: []string{"-csv"}, stdin: "select\n  1;\n",
			wantOut: "n\n1\n", wantExec: []string{"select\n  1"}},
		{name: "several statements on a line", args: []string{"-csv"}, stdin: "select 1; select 2;\n",
			wantOut: "n\n1\nn\n2\n", wantExec: []string{"select 1", "select 2"}},
		{name: "comments", args: []string{"-csv"},
			stdin:   "-- note; not a statement\nselect 1; /* ; */ select 2; -- trailing\n",
			wantOut: "n\n1\nn\n2\n", wantExec: []string{"select 1", "select 2"}},
		{name: "comment-only and blank input", stdin: "  \n-- just a comment\n\n", wantExec: []string{}},
		{name: "empty input", stdin: "", wantExec: []string{}},
		{name: "last statement without semicolon", args: []string{"-csv"}, stdin: "select 1;\nselect 2",
			wantOut: "n\n1\nn\n2\n", wantExec: []string{"select 1", "select 2"}},
		{name: "CRLF line ends", args: []string{"-csv"}, stdin: "select 1;\r\nselect 2;\r\n",
			wantOut: "n\n1\nn\n2\n", wantExec: []string{"select 1", "select 2"}},
		{name: "table mode by default", stdin: "select 1;", wantOut: tableOne},
		{name: "unterminated string reaches the engine", stdin: "select 'abc;\n",
			wantErr: "Error: parse error: syntax error near \"select 'abc;\"\n", wantCode: 1,
			wantExec: []string{"select 'abc;"}},
		{name: "meta-commands only at statement start", stdin: "select\n.tables\n;",
			errContains: "syntax error", wantCode: 1, wantExec: []string{"select\n.tables"}},

		// Errors and exit status.
		{name: "error stops the script", args: []string{"-csv"}, stdin: "select 1;\nbad stuff;\nselect 2;\n",
			wantOut: "n\n1\n", wantErr: "Error: parse error: syntax error near \"bad stuff\"\n", wantCode: 1,
			wantExec: []string{"select 1", "bad stuff"}},
		{name: "-bail=false goes on but still fails", args: []string{"-csv", "-bail=false"},
			stdin:   "select 1;\nbad stuff;\nselect 2;\n",
			wantOut: "n\n1\nn\n2\n", errContains: "syntax error", wantCode: 1,
			wantExec: []string{"select 1", "bad stuff", "select 2"}},
		{name: ".bail off in a script", args: []string{"-csv"}, stdin: ".bail off\nbad;\nselect 1;\n",
			wantOut: "n\n1\n", errContains: "syntax error", wantCode: 1, wantExec: []string{"bad", "select 1"}},
		{name: "panic becomes an internal error", stdin: "boom;\nselect 1;\n",
			wantErr: "Error: internal error: panic: boom\n", wantCode: 1, wantExec: []string{"boom"}},

		// -c and -f.
		{name: "-c repeated, stdin ignored", args: []string{"-csv", "-c", "select 1", "-c", "select 2; select 3"},
			stdin: "select 4;", wantOut: "n\n1\nn\n2\nn\n3\n", wantExec: []string{"select 1", "select 2", "select 3"}},
		{name: "-c failure skips later -c", args: []string{"-c", "bad", "-c", "select 1"},
			errContains: "syntax error", wantCode: 1, wantExec: []string{"bad"}},
		{name: "-c meta-command", args: []string{"-csv", "-c", ".tables"},
			wantOut: "name\ncustomers\norders\n", wantExec: []string{"SHOW TABLES"}},
		{name: "-f script", args: []string{"-csv", "-f", "$DIR/s.sql"},
			files:   map[string]string{"s.sql": "select 1;\n.mode json\nselect 2;\n"},
			wantOut: "n\n1\n[\n{\"n\":2}\n]\n"},
		{name: "-f missing file", args: []string{"-f", "$DIR/none.sql"},
			errContains: "no such file", wantCode: 1},

		// Flags.
		{name: "--format json", args: []string{"--format", "json"}, stdin: "select 1;", wantOut: "[\n{\"n\":1}\n]\n"},
		{name: "--format=jsonl", args: []string{"--format=jsonl"}, stdin: "select 1;", wantOut: "{\"n\":1}\n"},
		{name: "-json shorthand", args: []string{"-json"}, stdin: "select 1;", wantOut: "[\n{\"n\":1}\n]\n"},
		{name: "--format unknown", args: []string{"--format", "html"}, errContains: "unknown output mode", wantCode: 2},
		{name: "positional argument", args: []string{"select 1"}, errContains: "unexpected argument", wantCode: 2},
		{name: "--maxrows", args: []string{"--maxrows", "2"}, stdin: "select range(5);", wantOut: `┌────────┐
│   n    │
│ bigint │
├────────┤
│      1 │
│   …    │
│      5 │
└────────┘
5 rows (2 shown)
`},
		{name: "--maxrows 0 refused", args: []string{"--maxrows", "0"}, errContains: "positive number or inf", wantCode: 2},
		{name: "-echo", args: []string{"-csv", "-echo"}, stdin: "select 1;\n.headers off\nselect 2;",
			wantOut: "select 1\nn\n1\n.headers off\nselect 2\n2\n"},

		// Command results.
		{name: "command message in table mode", stdin: "create table t (a int);", wantOut: "created table t\n"},
		{name: "no command message in csv mode", args: []string{"-csv"}, stdin: "create table t (a int);", wantOut: ""},
		{name: "no command message with -q", args: []string{"-q"}, stdin: "create table t (a int);", wantOut: ""},

		// Meta-commands.
		{name: ".quit", args: []string{"-csv"}, stdin: "select 1;\n.quit\nselect 2;\n",
			wantOut: "n\n1\n", wantExec: []string{"select 1"}},
		{name: "exit word", args: []string{"-csv"}, stdin: "select 1;\nexit\nselect 2;\n",
			wantOut: "n\n1\n", wantExec: []string{"select 1"}},
		{name: ".exit with a code", stdin: ".exit 3\nselect 1;", wantCode: 3, wantExec: []string{}},
		{name: `\q`, stdin: "\\q\nselect 1;", wantExec: []string{}},
		{name: "unknown meta-command with a suggestion", stdin: ".tabels\n",
			wantErr:  "Error: parse error: unknown command \".tabels\", did you mean \".tables\"? (.help lists the commands)\n",
			wantCode: 1},
		{name: "unknown backslash command", stdin: "\\dx\n",
			errContains: `did you mean "\\dt"?`, wantCode: 1},
		{name: "unknown meta-command far from all", stdin: ".frobnicate\n",
			wantErr: "Error: parse error: unknown command \".frobnicate\" (.help lists the commands)\n", wantCode: 1},
		{name: ".tables", args: []string{"-csv"}, stdin: ".tables\n",
			wantOut: "name\ncustomers\norders\n", wantExec: []string{"SHOW TABLES"}},
		{name: `\dt and \d`, args: []string{"-csv"}, stdin: "\\dt\n\\d\n",
			wantOut: "name\ncustomers\norders\nname\ncustomers\norders\n", wantExec: []string{"SHOW TABLES", "SHOW TABLES"}},
		{name: `\d table`, args: []string{"-csv"}, stdin: "\\d orders\n",
			wantOut:  "col_name,data_type\nid,bigint\ncustomer_id,bigint\namount,bigint\n",
			wantExec: []string{"DESCRIBE orders"}},
		{name: ".schema table quoted", args: []string{"-csv"}, stdin: ".schema 'my table'\n",
			errContains: `table "my table" not found`, wantCode: 1, wantExec: []string{"DESCRIBE `my table`"}},
		{name: ".schema of every table", args: []string{"-csv", "-c", ".headers off", "-c", ".schema"},
			wantOut:  "id,bigint\nname,bigint\nid,bigint\ncustomer_id,bigint\namount,bigint\n",
			wantExec: []string{"DESCRIBE customers", "DESCRIBE orders"}},
		{name: ".schema names tables in table mode", args: []string{"-c", ".schema"},
			outContains: []string{"customers:\n┌", "┘\n2 rows\n\norders:\n┌"},
			wantExec:    []string{"DESCRIBE customers", "DESCRIBE orders"}},
		{name: ".headers off", args: []string{"-csv"}, stdin: ".headers off\nselect 1;", wantOut: "1\n"},
		{name: ".headers bad value", stdin: ".headers maybe\n", errContains: "usage: .headers on|off", wantCode: 1},
		{name: ".maxrows", stdin: ".maxrows 2\nselect range(3);", wantOut: `┌────────┐
│   n    │
│ bigint │
├────────┤
│      1 │
│   …    │
│      3 │
└────────┘
3 rows (2 shown)
`},
		{name: ".maxrows inf", args: []string{"--maxrows", "1", "-c", ".maxrows inf", "-c", ".maxrows"},
			wantOut: "maxrows: inf\n"},
		{name: ".maxrows 0 refused", stdin: ".maxrows 0\n", errContains: "positive number or inf", wantCode: 1},
		{name: ".echo on", args: []string{"-csv"}, stdin: ".echo on\nselect 1;", wantOut: "select 1\nn\n1\n"},
		{name: `\x toggles the line mode`, args: []string{"-csv"}, stdin: "\\x\nselect 1;\n\\x\nselect 2;",
			wantOut: "n = 1\nn\n2\n"},
		{name: ".mode", stdin: ".mode markdown\nselect 1;\n.mode\n",
			wantOut: "|   n |\n|----:|\n|   1 |\ncurrent output mode: markdown\n"},
		{name: ".mode unknown", stdin: ".mode html\n", errContains: `unknown output mode "html"`, wantCode: 1},
		{name: ".timer is silent in csv mode", args: []string{"-csv"}, stdin: ".timer on\nselect 1;", wantOut: "n\n1\n"},
		{name: ".output and back", args: []string{"-csv"}, stdin: ".output $DIR/o.csv\nselect 1;\n.output\nselect 2;",
			wantOut: "n\n2\n", wantFiles: map[string]string{"o.csv": "n\n1\n"}},
		{name: `\o`, args: []string{"-csv"}, stdin: "\\o '$DIR/o 2.csv'\nselect 1;\n",
			wantFiles: map[string]string{"o 2.csv": "n\n1\n"}},
		{name: ".read", args: []string{"-csv"}, stdin: "select 1;\n.read $DIR/r.sql\nselect 3;",
			files:    map[string]string{"r.sql": "select 2;\n"},
			wantOut:  "n\n1\nn\n2\nn\n3\n",
			wantExec: []string{"select 1", "select 2", "select 3"}},
		{name: `\i keeps the reader's unfinished statement apart`, args: []string{"-csv"},
			stdin:    "\\i $DIR/r.sql\nselect 3;",
			files:    map[string]string{"r.sql": "select 2"},
			wantOut:  "n\n2\nn\n3\n",
			wantExec: []string{"select 2", "select 3"}},
		{name: ".read failure stops the outer script", stdin: ".read $DIR/bad.sql\nselect 1;",
			files:       map[string]string{"bad.sql": "bad;\n"},
			errContains: "syntax error", wantCode: 1, wantExec: []string{"bad"}},
		{name: ".read of itself", stdin: ".read $DIR/loop.sql\n",
			files:       map[string]string{"loop.sql": ".read $DIR/loop.sql\n"},
			errContains: "nested more than 16 deep", wantCode: 1},
		{name: ".read missing file", stdin: ".read $DIR/none.sql\n", errContains: "no such file", wantCode: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runCase(t, tc) })
	}
}

func runCase(t *testing.T, tc shellCase) {
	dir := t.TempDir()
	subst := func(s string) string { return strings.ReplaceAll(s, "$DIR", dir) }
	for name, content := range tc.files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(subst(content)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := make([]string, len(tc.args))
	for i, a := range tc.args {
		args[i] = subst(a)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	eng := newFakeEngine(mem)
	var out, errOut bytes.Buffer
	open := func(*options) (engine, func() error, error) { return eng, func() error { return nil }, nil }
	code := runMain(args, stdio{in: strings.NewReader(subst(tc.stdin)), out: &out, err: &errOut}, open)

	if code != tc.wantCode {
		t.Errorf("exit status %d, want %d (stderr %q)", code, tc.wantCode, errOut.String())
	}
	if tc.outContains == nil {
		if got := out.String(); got != tc.wantOut {
			t.Errorf("stdout:\n%s\nwant:\n%s", got, tc.wantOut)
		}
	}
	for _, part := range tc.outContains {
		if !strings.Contains(out.String(), part) {
			t.Errorf("stdout:\n%s\nwant it to contain %q", out.String(), part)
		}
	}
	switch got := errOut.String(); {
	case tc.wantErr != "":
		if got != tc.wantErr {
			t.Errorf("stderr %q, want %q", got, tc.wantErr)
		}
	case tc.errContains != "":
		if !strings.Contains(got, tc.errContains) {
			t.Errorf("stderr %q, want it to contain %q", got, tc.errContains)
		}
	default:
		if got != "" {
			t.Errorf("stderr %q, want nothing", got)
		}
	}
	if strings.Contains(errOut.String(), "goroutine") {
		t.Errorf("stderr shows a Go stack: %s", errOut.String())
	}
	if tc.wantExec != nil {
		got := eng.executed
		if got == nil {
			got = []string{}
		}
		if !slices.Equal(got, tc.wantExec) {
			t.Errorf("executed %q, want %q", got, tc.wantExec)
		}
	}
	for name, want := range tc.wantFiles {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("output file: %v", err)
		} else if string(got) != subst(want) {
			t.Errorf("file %s: %q, want %q", name, got, want)
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var out, errOut bytes.Buffer
	s := newShell(newFakeEngine(mem), &out, &errOut, settings{})
	if !s.runScript(context.Background(), strings.NewReader(`\?`)) {
		t.Fatalf("\\? failed: %s", errOut.String())
	}
	for _, c := range metaCommands() {
		for _, n := range c.names {
			if !strings.Contains(out.String(), n) {
				t.Errorf("help does not mention %s:\n%s", n, out.String())
			}
		}
	}
}

func TestTimer(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var out, errOut bytes.Buffer
	s := newShell(newFakeEngine(mem), &out, &errOut, settings{})
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { clock = clock.Add(12 * time.Millisecond); return clock }
	s.runScript(context.Background(), strings.NewReader(".timer on\nselect 1;\n.timer off\nselect 1;\n"))
	if want := tableOne + "Run Time: 0.012s\n" + tableOne; out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if errOut.Len() > 0 {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestInteractiveConfirmations(t *testing.T) {
	// An interactive shell confirms \timing and \x; it never stops on errors (no bail).
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var out, errOut bytes.Buffer
	s := newShell(newFakeEngine(mem), &out, &errOut, settings{})
	s.interactive = true
	var history []string
	s.onRun = func(text string) { history = append(history, text) }
	s.now = func() time.Time { return time.Time{} }
	f := &feeder{s: s, top: true}
	ctx := context.Background()
	for _, line := range []string{`\timing`, `\x`, "bad;", "select", "1;", `\x off`} {
		if !f.feedLine(ctx, line) {
			t.Fatalf("line %q stopped the input", line)
		}
	}
	want := "Timing is on.\nExpanded display is on.\nn = 1\nRun Time: 0.000s\nExpanded display is off.\n"
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(errOut.String(), "Error: parse error") {
		t.Errorf("stderr %q, want the error of bad", errOut.String())
	}
	if wantHist := []string{`\timing`, `\x`, "bad;", "select\n1;", `\x off`}; !slices.Equal(history, wantHist) {
		t.Errorf("history %q, want %q", history, wantHist)
	}
	if f.inStatement() {
		t.Error("a statement is still pending")
	}
	if !f.feedLine(ctx, "select") || !f.inStatement() {
		t.Error("an unfinished statement should be pending")
	}
}

func TestHistoryEncoding(t *testing.T) {
	for _, s := range []string{"select 1", "select\n  'a\\nb'\nfrom t", `C:\dir`, "", "\\"} {
		enc := encodeHistory(s)
		if strings.Contains(enc, "\n") {
			t.Errorf("encodeHistory(%q) = %q has a line end", s, enc)
		}
		if dec := decodeHistory(enc); dec != s {
			t.Errorf("round trip of %q: %q", s, dec)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "hist")
	r := &repl{hist: path}
	for _, e := range []string{"a", "b\nc", "d"} {
		r.appendHistory(e)
	}
	if got := loadHistory(path, 2); !slices.Equal(got, []string{"b\nc", "d"}) {
		t.Errorf("loadHistory = %q", got)
	}
	if got := loadHistory(filepath.Join(dir, "none"), 10); got != nil {
		t.Errorf("missing file: %q", got)
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{in: "", want: nil},
		{in: "  a  b ", want: []string{"a", "b"}},
		{in: `'my file.sql'`, want: []string{"my file.sql"}},
		{in: `"it""s" x`, want: []string{`it"s`, "x"}},
		{in: `''`, want: []string{""}},
		{in: `'open`, err: true},
	}
	for _, tc := range tests {
		got, err := splitArgs(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
