package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"

	_ "github.com/marcboeker/go-duckdb"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "duckq:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	text, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	w := bufio.NewWriter(out)
	defer w.Flush()
	for _, stmt := range strings.Split(string(text), ";\n") {
		stmt = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stmt), ";"))
		if stmt == "" {
			continue
		}
		fmt.Fprintf(w, "-- %s\n", strings.ReplaceAll(stmt, "\n", " "))
		rows, err := db.Query(stmt)
		if err != nil {
			fmt.Fprintf(w, "error: %v\n", err)
			continue
		}
		if err := printRows(w, rows); err != nil {
			fmt.Fprintf(w, "error: %v\n", err)
		}
	}
	return nil
}

func printRows(w io.Writer, rows *sql.Rows) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		fmt.Fprintln(w, strings.Join(parts, "\t"))
	}
	return rows.Err()
}
