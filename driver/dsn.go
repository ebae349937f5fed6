package driver

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// MemoryDSN is the location of an in-memory catalog: nothing is written to disk, and every
// connection has a catalog of its own.
const MemoryDSN = ":memory:"

// Config is a parsed data source name: how each connection's session is opened. The zero
// Config opens the default warehouse (dataframe.DefaultWarehouse) with the session defaults.
type Config struct {
	// Warehouse is the warehouse directory; "" is the default warehouse. Ignored when
	// InMemory is set.
	Warehouse string
	// InMemory keeps every connection's catalog in memory (dataframe.WithInMemoryCatalog).
	InMemory bool
	// Partitions is the number of partitions a query's stages use; 0 is the number of cores.
	Partitions int
	// BatchSize is the target number of rows per batch; 0 is 8192.
	BatchSize int
	// Allocator is the Arrow allocator of every connection's queries (nil: the session's
	// default). A DSN cannot name one; tests set a checked allocator here and open the
	// database with sql.OpenDB(NewConnector(cfg)).
	Allocator memory.Allocator
	// MemoryLimit caps the Arrow memory each connection's statements hold at once, in bytes
	// (dataframe.WithMemoryLimit); 0 is no limit.
	MemoryLimit int64
	// Extensions are added to every connection's session (dataframe.WithExtensions); a
	// program that wants the model statements and ml_predict passes ml.Extension() here and
	// opens the database with sql.OpenDB(NewConnector(cfg)). A DSN cannot name them.
	Extensions []dataframe.Extension
}

// dsnKeys are the option keys a DSN may carry, with what each sets.
var dsnKeys = map[string]func(c *Config, v string) error{
	"partitions": func(c *Config, v string) error { return positive(&c.Partitions, "partitions", v) },
	"batch_size": func(c *Config, v string) error { return positive(&c.BatchSize, "batch_size", v) },
	"memory_limit": func(c *Config, v string) error {
		n, err := parseBytes(v)
		if err != nil {
			return errs.Planf("DSN key memory_limit must be a size such as 512MiB, 2GB or 1048576, got %q", v)
		}
		c.MemoryLimit = n
		return nil
	},
}

// parseBytes reads a byte size: a number with an optional unit B, KB, MB, GB, TB (powers of
// 1000) or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive.
func parseBytes(v string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	u := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, x := range units {
		if strings.HasSuffix(u, x.suffix) {
			u, mult = strings.TrimSpace(strings.TrimSuffix(u, x.suffix)), x.mult
			break
		}
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q", v)
	}
	return n * mult, nil
}

func positive(dst *int, key, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return errs.Planf("DSN key %s must be a positive integer, got %q", key, v)
	}
	*dst = n
	return nil
}

// ParseDSN reads a data source name:
//
//	dsn      = [location] ["?" option {"&" option}]
//	location = ":memory:" | "file:" path | "warehouse=" path | path
//	option   = key "=" value      (keys: partitions, batch_size, memory_limit)
//
// An empty location is the default warehouse. "file:///dir" is "/dir". Paths and values are
// percent-decoded, so a path holding '?', '=' or '%' writes them as %3F, %3D, %25. An unknown
// key, a key given twice or a value that does not read is an error naming the key.
func ParseDSN(dsn string) (*Config, error) {
	loc, query, hasQuery := strings.Cut(dsn, "?")
	cfg := &Config{}
	switch {
	case loc == MemoryDSN:
		cfg.InMemory = true
	case strings.HasPrefix(loc, "file:"):
		p := strings.TrimPrefix(loc, "file:")
		if rest, ok := strings.CutPrefix(p, "//"); ok {
			if !strings.HasPrefix(rest, "/") {
				return nil, errs.Planf("DSN %q: a file: URL names no host; write file:/dir or file:///dir", dsn)
			}
			p = rest
		}
		if p == "" {
			return nil, errs.Planf("DSN %q: file: names no directory", dsn)
		}
		loc = p
	case strings.HasPrefix(loc, "warehouse="):
		loc = strings.TrimPrefix(loc, "warehouse=")
		if loc == "" {
			return nil, errs.Planf("DSN %q: warehouse= names no directory", dsn)
		}
	case strings.Contains(loc, "="):
		// "partitions=4" is a misplaced option far more often than a directory's name.
		return nil, errs.Planf("DSN %q: options come after '?' (a path holding '=' writes it as %%3D)", dsn)
	}
	if !cfg.InMemory {
		dir, err := url.PathUnescape(loc)
		if err != nil {
			return nil, errs.Planf("DSN %q: bad escape in the path: %v", dsn, err)
		}
		cfg.Warehouse = dir
	}
	if !hasQuery {
		return cfg, nil
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, errs.Planf("DSN key %q: bad escape: %v", rawKey, err)
		}
		val, err := url.QueryUnescape(rawVal)
		if err != nil {
			return nil, errs.Planf("DSN key %s: bad escape in %q: %v", key, rawVal, err)
		}
		set, ok := dsnKeys[key]
		if !ok {
			return nil, errs.Planf("unknown DSN key %q%s", key, nearestKey(key))
		}
		if seen[key] {
			return nil, errs.Planf("DSN key %s is given twice", key)
		}
		seen[key] = true
		if err := set(cfg, val); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// nearestKey returns "; did you mean "k"?" for the known key nearest to key, or "".
func nearestKey(key string) string {
	keys := make([]string, 0, len(dsnKeys))
	for k := range dsnKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if n := udf.Nearest(key, keys); n != "" {
		return "; did you mean \"" + n + "\"?"
	}
	return ""
}

// sessionOptions are the dataframe options a connection's session is opened with.
func (c *Config) sessionOptions() []dataframe.Option {
	opts := []dataframe.Option{dataframe.WithPartitions(c.Partitions), dataframe.WithBatchSize(c.BatchSize)}
	if c.InMemory {
		opts = append(opts, dataframe.WithInMemoryCatalog())
	} else {
		opts = append(opts, dataframe.WithWarehouse(c.Warehouse))
	}
	if c.Allocator != nil {
		opts = append(opts, dataframe.WithAllocator(c.Allocator))
	}
	if c.MemoryLimit > 0 {
		opts = append(opts, dataframe.WithMemoryLimit(c.MemoryLimit))
	}
	if len(c.Extensions) > 0 {
		opts = append(opts, dataframe.WithExtensions(c.Extensions...))
	}
	return opts
}
