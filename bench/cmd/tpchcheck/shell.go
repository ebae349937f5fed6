package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/embersql/ember/bench/tpch"
)

// shellEngine runs each script in a new process of Ember's shell, the ember binary built
// from the repository, in batch mode: the statements on stdin, results as TSV without a
// header, one warehouse in a temporary directory for the whole check (the tables are
// registered there once, as external tables). What a user of the shell gets is what is
// checked: the shell's statement splitting, its formatting of values, its exit status.
type shellEngine struct {
	tmp       string // removed by close
	bin       string
	warehouse string
}

// openShellEngine builds ./cmd/shell of the repository at repo into a temporary directory.
func openShellEngine(ctx context.Context, repo string) (*shellEngine, error) {
	tmp, err := os.MkdirTemp("", "tpchcheck-shell-")
	if err != nil {
		return nil, err
	}
	e := &shellEngine{tmp: tmp, bin: filepath.Join(tmp, "ember"), warehouse: filepath.Join(tmp, "warehouse")}
	fmt.Fprintf(os.Stderr, "tpchcheck: building the shell (go build -o %s ./cmd/shell in %s)\n", e.bin, repo)
	build := exec.CommandContext(ctx, "go", "build", "-o", e.bin, "./cmd/shell")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		e.close()
		return nil, fmt.Errorf("building the shell: %v\n%s", err, out)
	}
	return e, nil
}

// register replaces the sample tables that a new warehouse is seeded with by the TPC-H
// files of dir.
func (e *shellEngine) register(ctx context.Context, dir string) error {
	var stmts []string
	for _, t := range tpch.Tables {
		stmts = append(stmts, "DROP TABLE IF EXISTS "+t.Name,
			fmt.Sprintf("CREATE TABLE %s USING parquet LOCATION %s", t.Name, tpch.SQLString(tpch.TablePath(dir, t.Name))))
	}
	if _, err := e.shell(ctx, stmts); err != nil {
		return fmt.Errorf("registering the tables: %w", err)
	}
	return nil
}

func (e *shellEngine) run(ctx context.Context, s tpch.Script) ([][]string, error) {
	out, err := e.shell(ctx, s.Statements())
	if err != nil {
		return nil, err
	}
	return parseTSV(out), nil
}

func (e *shellEngine) close() error { return os.RemoveAll(e.tmp) }

// shell runs the statements in one shell process and returns its standard output. The
// shell stops at the first failing statement (batch mode bails) and exits with status 1;
// the error then carries what it printed on stderr. A cancelled ctx kills the process.
func (e *shellEngine) shell(ctx context.Context, stmts []string) (string, error) {
	var script strings.Builder
	script.WriteString(".headers off\n")
	for _, st := range stmts {
		script.WriteString(st)
		script.WriteString(";\n")
	}
	cmd := exec.CommandContext(ctx, e.bin, "--warehouse", e.warehouse, "-q", "--format", "tsv")
	cmd.Stdin = strings.NewReader(script.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		var exit *exec.ExitError
		if msg == "" || !errors.As(err, &exit) {
			msg = strings.TrimSpace(err.Error() + " " + msg)
		}
		return "", fmt.Errorf("shell: %s", msg)
	}
	return stdout.String(), nil
}

// tsvUnescaper undoes the escapes of the shell's TSV mode (internal/format).
var tsvUnescaper = strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n", `\r`, "\r")

// parseTSV reads the shell's TSV output into rows in tpch.FormatRows' forms. An empty field
// is read as NULL: the shell's TSV writes NULL and the empty string alike, and no TPC-H
// answer holds either.
func parseTSV(out string) [][]string {
	if out == "" {
		return nil
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		fields := strings.Split(line, "\t")
		for i, f := range fields {
			if f == "" {
				fields[i] = tpch.NullText
				continue
			}
			fields[i] = tsvUnescaper.Replace(f)
		}
		rows = append(rows, fields)
	}
	return rows
}
