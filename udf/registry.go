package udf

import (
	"sort"
	"strings"
	"sync"

	"github.com/embersql/ember/internal/errs"
)

// Registry maps lower-case names to functions. A session owns a child registry whose parent
// is the built-in one, so session registrations shadow built-ins without touching them and
// sessions stay hermetic. Safe for concurrent use.
type Registry struct {
	parent *Registry
	mu     sync.RWMutex
	scalar map[string]ScalarFunction
	agg    map[string]AggregateFunction
	part   map[string]PartitionFunc // MapPartitions functions (partition.go)
	table  map[string]TableFunction // functions called in FROM (table.go)
}

// NewRegistry returns an empty registry with the given parent (nil for a root).
func NewRegistry(parent *Registry) *Registry {
	return &Registry{parent: parent, scalar: map[string]ScalarFunction{}, agg: map[string]AggregateFunction{},
		part: map[string]PartitionFunc{}, table: map[string]TableFunction{}}
}

// NewBuiltins returns a fresh root registry holding every built-in function.
func NewBuiltins() *Registry {
	r := NewRegistry(nil)
	registerBuiltins(r)
	return r
}

// Child returns a new registry whose lookups fall back to r.
func (r *Registry) Child() *Registry { return NewRegistry(r) }

// RegisterScalar adds or replaces a scalar function under f.Name().
func (r *Registry) RegisterScalar(f ScalarFunction) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scalar[strings.ToLower(f.Name())] = f
}

// RegisterAggregate adds or replaces an aggregate function under f.Name().
func (r *Registry) RegisterAggregate(f AggregateFunction) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.agg[strings.ToLower(f.Name())] = f
}

// RegisterTable adds or replaces a table function (called in FROM) under f.Name().
func (r *Registry) RegisterTable(f TableFunction) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.table[strings.ToLower(f.Name())] = f
}

// RegisterPartitionFunc adds fn under name (case-insensitive) for MapPartitions. It fails on
// an empty name, a nil fn, or a name already registered in r itself; a name registered in a
// parent is shadowed, as with the other function kinds.
func (r *Registry) RegisterPartitionFunc(name string, fn PartitionFunc) error {
	key := strings.ToLower(name)
	if strings.TrimSpace(key) == "" {
		return errs.Planf("partition function name is empty")
	}
	if fn == nil {
		return errs.Planf("partition function %q is nil", name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.part[key]; dup {
		return errs.Planf("partition function %q is already registered", name)
	}
	r.part[key] = fn
	return nil
}

// PartitionFunc looks a MapPartitions function up by name, case-insensitively, in r and
// then its parents.
func (r *Registry) PartitionFunc(name string) (PartitionFunc, bool) {
	return lookup(r, name, func(x *Registry) map[string]PartitionFunc { return x.part })
}

// lookup finds name (lower-cased) in the map of one function kind, in r and then its
// parents; each registry's map is read under its own lock.
func lookup[F any](r *Registry, name string, kind func(*Registry) map[string]F) (F, bool) {
	name = strings.ToLower(name)
	for x := r; x != nil; x = x.parent {
		x.mu.RLock()
		f, ok := kind(x)[name]
		x.mu.RUnlock()
		if ok {
			return f, true
		}
	}
	var zero F
	return zero, false
}

// Scalar looks a scalar function up by name, case-insensitively.
func (r *Registry) Scalar(name string) (ScalarFunction, bool) {
	return lookup(r, name, func(x *Registry) map[string]ScalarFunction { return x.scalar })
}

// Table looks a table function up by name, case-insensitively, in r and then its parents.
func (r *Registry) Table(name string) (TableFunction, bool) {
	return lookup(r, name, func(x *Registry) map[string]TableFunction { return x.table })
}

// TableNames returns every visible table function name, sorted (the candidates of a
// did-you-mean for an unknown table function).
func (r *Registry) TableNames() []string {
	return r.visibleNames(func(x *Registry, add func(string)) {
		for n := range x.table {
			add(n)
		}
	})
}

// visibleNames returns the sorted union of the names list gives for r and each of its
// parents (list runs under that registry's read lock).
func (r *Registry) visibleNames(list func(x *Registry, add func(string))) []string {
	seen := map[string]bool{}
	add := func(n string) { seen[n] = true }
	for x := r; x != nil; x = x.parent {
		x.mu.RLock()
		list(x, add)
		x.mu.RUnlock()
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Aggregate looks an aggregate function up by name, case-insensitively.
func (r *Registry) Aggregate(name string) (AggregateFunction, bool) {
	return lookup(r, name, func(x *Registry) map[string]AggregateFunction { return x.agg })
}

// Names returns every visible function name (scalar, aggregate and table functions),
// sorted.
func (r *Registry) Names() []string {
	return r.visibleNames(func(x *Registry, add func(string)) {
		for n := range x.scalar {
			add(n)
		}
		for n := range x.agg {
			add(n)
		}
		for n := range x.table {
			add(n)
		}
	})
}

// Nearest returns the visible function name closest to name by edit distance, or "" when
// none is close enough to be a plausible typo.
func (r *Registry) Nearest(name string) string {
	return Nearest(strings.ToLower(name), r.Names())
}

// Nearest returns the candidate closest to name (case-insensitive edit distance at most
// max(2, len/3)), or "".
func Nearest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	limit := len(name) / 3
	if limit < 2 {
		limit = 2
	}
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(ln, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > limit {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// DropPartitionFunc removes the MapPartitions function registered in r itself under name
// (not a parent's), reporting whether there was one. Short-lived functions (a
// DataFrame.TreeAggregate's fold) are dropped when their action ends.
func (r *Registry) DropPartitionFunc(name string) bool {
	key := strings.ToLower(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.part[key]
	delete(r.part, key)
	return ok
}
