package driver_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/embersql/ember/driver"
	"github.com/embersql/ember/internal/errs"
)

func TestParseDSN(t *testing.T) {
	cases := []struct {
		dsn  string
		want string // Warehouse InMemory Partitions BatchSize
	}{
		{":memory:", `"" true 0 0`},
		{":memory:?partitions=3", `"" true 3 0`},
		{"", `"" false 0 0`},
		{"warehouse=/data/wh?partitions=4&batch_size=8192", `"/data/wh" false 4 8192`},
		{"file:/data/wh?partitions=4", `"/data/wh" false 4 0`},
		{"file:///data/wh", `"/data/wh" false 0 0`},
		{"/data/wh", `"/data/wh" false 0 0`},
		{"relative/dir?batch_size=7", `"relative/dir" false 0 7`},
		{"/data/a%3Fb%3Dc%25?batch_size=1", `"/data/a?b=c%" false 0 1`},
		{"/data/wh?partitions=2&", `"/data/wh" false 2 0`},
	}
	for _, c := range cases {
		t.Run(c.dsn, func(t *testing.T) {
			cfg, err := driver.ParseDSN(c.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MemoryLimit != 0 {
				t.Errorf("memory limit %d", cfg.MemoryLimit)
			}
			got := fmt.Sprintf("%q %v %d %d", cfg.Warehouse, cfg.InMemory, cfg.Partitions, cfg.BatchSize)
			if got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestParseDSNErrors(t *testing.T) {
	cases := []struct {
		dsn  string
		kind error
		msg  string
	}{
		{":memory:?partitons=4", errs.ErrPlan, `unknown DSN key "partitons"; did you mean "partitions"?`},
		{"/wh?colour=red", errs.ErrPlan, `unknown DSN key "colour"`},
		{"/wh?partitions=0", errs.ErrPlan, `DSN key partitions must be a positive integer, got "0"`},
		{"/wh?batch_size=big", errs.ErrPlan, `DSN key batch_size must be a positive integer, got "big"`},
		{"/wh?partitions=2&partitions=3", errs.ErrPlan, "DSN key partitions is given twice"},
		{"/wh?memory_limit=lots", errs.ErrPlan, `DSN key memory_limit must be a size such as 512MiB, 2GB or 1048576, got "lots"`},
		{"/wh?memory_limit=0", errs.ErrPlan, `DSN key memory_limit must be a size such as 512MiB, 2GB or 1048576, got "0"`},
		{"partitions=4", errs.ErrPlan, "options come after '?'"},
		{"warehouse=?partitions=4", errs.ErrPlan, "warehouse= names no directory"},
		{"file:?partitions=4", errs.ErrPlan, "file: names no directory"},
		{"file://host/dir", errs.ErrPlan, "a file: URL names no host"},
		{"/wh%zz", errs.ErrPlan, "bad escape in the path"},
	}
	for _, c := range cases {
		t.Run(c.dsn, func(t *testing.T) {
			_, err := driver.ParseDSN(c.dsn)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %v, want a %v containing %q", err, c.kind, c.msg)
			}
		})
	}
	// sql.Open defers the error to the first use; the driver's OpenConnector reports it.
	if _, err := (driver.Driver{}).OpenConnector("/wh?nope=1"); err == nil {
		t.Error("OpenConnector accepted an unknown key")
	}
}

func TestParseDSNMemoryLimit(t *testing.T) {
	for dsn, want := range map[string]int64{
		"/wh?memory_limit=1048576": 1 << 20, "/wh?memory_limit=512MiB": 512 << 20,
		"/wh?memory_limit=2gb": 2e9, "/wh?memory_limit=64%20KiB": 64 << 10, "/wh?memory_limit=10B": 10,
	} {
		cfg, err := driver.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		if cfg.MemoryLimit != want {
			t.Errorf("%s: limit %d, want %d", dsn, cfg.MemoryLimit, want)
		}
	}
}
