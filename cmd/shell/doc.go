// Command shell is Ember's SQL shell (the ember binary): run SQL in-process against a
// dataframe.Session, interactively at a terminal or as a script.
//
// It owns the command line (main.go), the statement loop shared by every input source
// (run.go: lines → meta-commands or ';'-terminated statements split by
// parser.SplitStatements → results printed by internal/format, errors as "Error: ..." on
// stderr, exit status 1 after a failure), the meta-commands (meta.go), completion
// (complete.go) and the go-prompt wrapper (interactive.go: TTY guard, termios save and
// restore, Ctrl-C cancelling the running statement, persistent history in
// ~/.ember_history). guides/shell.md is its specification.
//
// Place in the import table of DESIGN.md: a top-level command; it imports dataframe,
// sql/parser (statement splitting only), internal/format and internal/errs, and nothing
// imports it.
//
// Testing: everything but interactive.go runs without a terminal. The tests call runMain
// with a fake engine and in-memory stdin/stdout/stderr; go-prompt is never constructed
// in tests, because it opens /dev/tty and panics without one.
//
// How to add a meta-command:
//  1. add an entry to the table in metaCommands (meta.go) with every spelling (dot and
//     backslash), its argument usage and one line of help; .help and the did-you-mean
//     for typos pick it up from there;
//  2. write its handler as a *shell method beside the others; it returns false only when
//     the input must stop (use s.fail(err) for errors, which honours .bail);
//  3. add cases to TestMetaCommands in run_test.go.
package main
