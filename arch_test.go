package ember_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/embersql/ember"

// forbidden is the import table of DESIGN.md: a package (prefix) must not depend, directly or
// transitively, on any of the listed packages (prefixes).
var forbidden = map[string][]string{
	"sql/parser":         {"internal", "udf", "sql/planner", "sql/optimizer", "exec", "dataframe", "ml", "cmd"},
	"udf":                {"sql", "exec", "dataframe", "ml", "cmd"},
	"sql/planner":        {"sql/parser", "sql/optimizer", "exec", "dataframe", "ml", "cmd", "github.com/pingcap/tidb"},
	"sql/planner/binder": {"sql/optimizer", "exec", "dataframe", "ml", "cmd"},
	"sql/optimizer":      {"exec", "dataframe", "ml", "cmd", "sql/planner/binder", "sql/parser", "github.com/pingcap/tidb"},
	"exec":               {"sql/optimizer", "sql/parser", "sql/planner/binder", "dataframe", "ml", "cmd", "github.com/pingcap/tidb"},
	"dataframe":          {"ml", "cmd"},
	"driver":             {"ml", "cmd"},
	"ml":                 {"cmd"},
}

type pkg struct {
	ImportPath string
	Deps       []string
}

// TestImportTable enforces DESIGN.md's table of which package may import which, with
// `go list -deps` over every package of the module.
func TestImportTable(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for owner, bans := range forbidden {
			if rel != owner && !strings.HasPrefix(rel, owner+"/") {
				continue
			}
			// A subpackage is governed by the most specific entry.
			if rel != owner && forbidden[rel] != nil {
				continue
			}
			checked++
			for _, d := range p.Deps {
				for _, ban := range bans {
					full := ban
					if !strings.Contains(ban, ".") {
						full = module + "/" + ban
					}
					if d == full || strings.HasPrefix(d, full+"/") {
						// exec/... may use its own subpackages; a ban on "sql" still lets
						// nothing under sql in.
						if strings.HasPrefix(d, module+"/"+rel+"/") {
							continue
						}
						t.Errorf("%s depends on %s, which DESIGN.md forbids", rel, d)
					}
				}
			}
		}
	}
	if checked < 6 {
		t.Errorf("only %d packages were checked; the table names packages that do not exist?", checked)
	}
}

// TestArchitectureDocNamesRealPackages checks that every package ARCHITECTURE.md links to
// exists and has a doc.go.
func TestArchitectureDocNamesRealPackages(t *testing.T) {
	data, err := os.ReadFile("ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`\]\((\./)?([a-z0-9_/]+)/doc\.go\)`).FindAllStringSubmatch(string(data), -1)
	if len(links) < 8 {
		t.Fatalf("ARCHITECTURE.md links only %d package docs", len(links))
	}
	for _, l := range links {
		if _, err := os.Stat(l[2] + "/doc.go"); err != nil {
			t.Errorf("ARCHITECTURE.md links %s/doc.go, which does not exist", l[2])
		}
	}
}
