package optimizer

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package in its place of DESIGN.md's import table: of the
// repository's packages, non-test files import only sql/planner, udf and internal/errs.
func TestImports(t *testing.T) {
	const module = "github.com/embersql/ember/"
	allowed := map[string]bool{module + "sql/planner": true, module + "udf": true, module + "internal/errs": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(path, module) && !allowed[path] {
				t.Errorf("%s imports %s; the optimizer may import only %v", f, path, allowed)
			}
		}
	}
}
