package udf

import (
	"sort"
	"strings"
)

// What SHOW FUNCTIONS and DESCRIBE FUNCTION read: every visible function with its kind and
// where it was registered.

// FunctionKind is the kind of a registered function.
type FunctionKind string

const (
	// KindScalar is a ScalarFunction.
	KindScalar FunctionKind = "scalar"
	// KindAggregate is an AggregateFunction.
	KindAggregate FunctionKind = "aggregate"
	// KindPartition is a MapPartitions function (PartitionFunc).
	KindPartition FunctionKind = "partition"
	// KindTable is a TableFunction, called in FROM.
	KindTable FunctionKind = "table"
)

// FunctionInfo describes one visible registration.
type FunctionInfo struct {
	Name string
	Kind FunctionKind
	// Fn is the function; nil for a partition function, which has no Function methods. For
	// a table function it shows the TableFunction's Name, Doc, Volatility (and Signature,
	// when it has one); its ReturnType fails.
	Fn Function
	// Builtin is true for a registration in the root registry (the built-ins), false for
	// one in a child (a session's own function).
	Builtin bool
}

// Signed is implemented by functions with one fixed signature (those the generic helpers
// build): Signature renders it, e.g. "hypot2(DOUBLE, DOUBLE) -> DOUBLE". Other functions
// describe their arguments in Doc.
type Signed interface {
	Signature() string
}

// String returns "immutable", "stable" or "volatile".
func (v Volatility) String() string {
	switch v {
	case Stable:
		return "stable"
	case Volatile:
		return "volatile"
	}
	return "immutable"
}

// Functions lists every visible registration, sorted by name and then kind; a name
// registered in a child hides the same name and kind in its parents. O(f log f) for f
// registrations.
func (r *Registry) Functions() []FunctionInfo {
	type key struct {
		name string
		kind FunctionKind
	}
	seen := map[key]bool{}
	var out []FunctionInfo
	add := func(name string, kind FunctionKind, fn Function, builtin bool) {
		k := key{name, kind}
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, FunctionInfo{Name: name, Kind: kind, Fn: fn, Builtin: builtin})
	}
	for x := r; x != nil; x = x.parent {
		builtin := x.parent == nil
		x.mu.RLock()
		for n, f := range x.scalar {
			add(n, KindScalar, f, builtin)
		}
		for n, f := range x.agg {
			add(n, KindAggregate, f, builtin)
		}
		for n := range x.part {
			add(n, KindPartition, nil, builtin)
		}
		for n, f := range x.table {
			add(n, KindTable, tableInfo{f}, builtin)
		}
		x.mu.RUnlock()
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// Lookup returns the visible registrations of name (case-insensitive), one per kind, in
// the order of Functions; nil when there is none.
func (r *Registry) Lookup(name string) []FunctionInfo {
	name = strings.ToLower(name)
	var out []FunctionInfo
	if f, ok := r.Aggregate(name); ok {
		out = append(out, FunctionInfo{Name: name, Kind: KindAggregate, Fn: f, Builtin: r.builtin(name, KindAggregate)})
	}
	if _, ok := r.PartitionFunc(name); ok {
		out = append(out, FunctionInfo{Name: name, Kind: KindPartition, Builtin: r.builtin(name, KindPartition)})
	}
	if f, ok := r.Scalar(name); ok {
		out = append(out, FunctionInfo{Name: name, Kind: KindScalar, Fn: f, Builtin: r.builtin(name, KindScalar)})
	}
	if f, ok := r.Table(name); ok {
		out = append(out, FunctionInfo{Name: name, Kind: KindTable, Fn: tableInfo{f}, Builtin: r.builtin(name, KindTable)})
	}
	return out
}

// builtin reports whether the visible registration of name and kind lives in the root.
func (r *Registry) builtin(name string, kind FunctionKind) bool {
	for x := r; x != nil; x = x.parent {
		x.mu.RLock()
		var ok bool
		switch kind {
		case KindScalar:
			_, ok = x.scalar[name]
		case KindAggregate:
			_, ok = x.agg[name]
		case KindPartition:
			_, ok = x.part[name]
		case KindTable:
			_, ok = x.table[name]
		}
		x.mu.RUnlock()
		if ok {
			return x.parent == nil
		}
	}
	return false
}
