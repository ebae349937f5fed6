package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	prompt "github.com/c-bata/go-prompt"
	"golang.org/x/term"
)

// The interactive shell wraps go-prompt v0.2.6 as guides/shell.md §5 prescribes. Nothing
// here runs in tests: go-prompt opens /dev/tty and panics without one, so it is built only
// after the TTY guard in runInteractive.

const (
	mainPrefix         = "ember> "
	continuationPrefix = "  ...> "
	historyFileName    = ".ember_history"
	// historyLoad is how many of the newest history entries are offered by Up-arrow.
	historyLoad = 1000
)

// repl connects go-prompt's callbacks to the shell.
type repl struct {
	s     *shell
	f     *feeder
	fd    int         // the terminal, stdin
	saved *term.State // the terminal's cooked state from before go-prompt changed it
	hist  string      // history file path; "" when there is no home directory
}

// runInteractive runs the prompt until .quit, exit or Ctrl-D and returns the exit status.
// The caller has checked that stdin and stdout are terminals.
func runInteractive(s *shell) (code int) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		fmt.Fprintln(s.stderr, "Error: the interactive shell needs a terminal on stdin")
		return 1
	}
	// go-prompt's own restore re-applies raw mode (it caches a pointer to the state it
	// then mutates), so keep a copy of the cooked state and put it back on every way out.
	saved, err := term.GetState(fd)
	if err != nil {
		fmt.Fprintf(s.stderr, "Error: read terminal state: %v\n", err)
		return 1
	}
	defer term.Restore(fd, saved)
	// go-prompt exits the process on SIGTERM/SIGHUP without running defers; this restore
	// races with its own, which is why the state is also restored on every normal exit.
	stopSignals := restoreOnSignal(fd, saved)
	defer stopSignals()
	defer func() {
		if r := recover(); r != nil {
			term.Restore(fd, saved)
			fmt.Fprintf(s.stderr, "Error: internal error: interactive shell: %v\n", r)
			code = 1
		}
	}()

	s.interactive = true
	r := &repl{s: s, fd: fd, saved: saved, hist: historyPath()}
	r.f = &feeder{s: s, top: true}
	s.onRun = r.appendHistory
	if !s.set.quiet {
		fmt.Fprintf(s.stdout, "Ember %s. Enter \".help\" for usage hints.\n", version)
	}
	p := prompt.New(r.execute, r.complete,
		prompt.OptionPrefix(mainPrefix),
		prompt.OptionLivePrefix(r.livePrefix),
		prompt.OptionTitle("ember"),
		prompt.OptionHistory(loadHistory(r.hist, historyLoad)),
		prompt.OptionCompletionWordSeparator(wordSeparators),
		prompt.OptionSetExitCheckerOnInput(func(_ string, breakline bool) bool { return breakline && s.quit }),
		// Ctrl-C at the prompt clears the line (go-prompt) and the unfinished statement.
		prompt.OptionAddKeyBind(prompt.KeyBind{Key: prompt.ControlC, Fn: func(*prompt.Buffer) { r.f.reset() }}),
	)
	p.Run()
	s.close()
	return s.exitCode
}

// execute runs a submitted chunk: one typed line, or a pasted block of many lines.
func (r *repl) execute(in string) {
	// go-prompt has just "restored" the terminal to raw mode with ISIG off; put the cooked
	// state back so that Ctrl-C raises SIGINT while the statements run. go-prompt goes
	// back to raw mode itself afterwards.
	term.Restore(r.fd, r.saved)
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
		}
	}()
	defer func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}()

	// A paste arrives as one chunk with \r line ends (no bracketed paste in v0.2.6).
	in = strings.ReplaceAll(in, "\r\n", "\n")
	in = strings.ReplaceAll(in, "\r", "\n")
	for _, line := range strings.Split(in, "\n") {
		if !r.f.feedLine(ctx, line) || ctx.Err() != nil {
			// .quit, an error under .bail on, or Ctrl-C: drop the rest of the chunk.
			r.f.reset()
			if ctx.Err() != nil {
				fmt.Fprintln(r.s.stderr, "Interrupted.")
			}
			return
		}
	}
}

func (r *repl) livePrefix() (string, bool) {
	if r.f.inStatement() {
		return continuationPrefix, true
	}
	return mainPrefix, false
}

func (r *repl) complete(d prompt.Document) []prompt.Suggest {
	var out []prompt.Suggest
	for _, sg := range r.s.comp.suggest(r.f.pendingText()+d.TextBeforeCursor(), d.CurrentLineAfterCursor()) {
		out = append(out, prompt.Suggest{Text: sg.text, Description: sg.kind})
	}
	return out
}

// appendHistory appends one whole statement or command to the history file, right away,
// because go-prompt may end the process without running deferred code.
func (r *repl) appendHistory(text string) {
	if r.hist == "" {
		return
	}
	f, err := os.OpenFile(r.hist, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return // history is a convenience; a read-only home must not break the shell
	}
	defer f.Close()
	fmt.Fprintln(f, encodeHistory(text))
}

// restoreOnSignal restores the terminal and exits on SIGTERM or SIGHUP; the returned
// function stops watching.
func restoreOnSignal(fd int, saved *term.State) func() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			term.Restore(fd, saved)
			os.Exit(128 + int(sig.(syscall.Signal)))
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// historyPath returns ~/.ember_history, or "" without a home directory.
func historyPath() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, historyFileName)
}

// loadHistory returns the newest max entries of the history file, oldest first.
func loadHistory(path string, max int) []string {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var entries []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			entries = append(entries, decodeHistory(line))
		}
	}
	if len(entries) > max {
		entries = entries[len(entries)-max:]
	}
	return entries
}

// encodeHistory writes a (possibly multi-line) entry on one line: backslash becomes \\
// and a line end \n. decodeHistory reverses it.
func encodeHistory(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", "").Replace(s)
}

func decodeHistory(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' {
				sb.WriteByte('\n')
			} else {
				sb.WriteByte(s[i])
			}
			continue
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}
