package dataframe

import (
	"math"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// Per-partition Go code (Spark's RDD side): partition functions registered by name, the
// DataFrames that run them (MapPartitions, MapBatches, ForeachPartition), read-only
// broadcast variables and add-only accumulators.
//
// Functions are registered by name on the session's function registry, never serialized:
// a worker process of the same binary registers the same names (DESIGN.md, cluster mode).

// RegisterPartitionFunc registers a partition function under name for MapPartitions and
// ForeachPartition (see udf.PartitionFunc for its contract).
func (s *Session) RegisterPartitionFunc(name string, fn udf.PartitionFunc) error {
	if fn == nil {
		return errs.Planf("RegisterPartitionFunc %q: nil function", name)
	}
	return s.funcs.RegisterPartitionFunc(name, fn)
}

// BatchFunc maps one input batch to one output batch (MapBatches). The input batch belongs
// to the caller; the returned batch is handed over (the engine releases it); nil means no
// rows.
type BatchFunc func(ctx *udf.PartitionContext, in arrow.RecordBatch) (arrow.RecordBatch, error)

// RegisterBatchFunc registers a batch function under name for MapBatches: a partition
// function calling fn on each input batch in turn.
func (s *Session) RegisterBatchFunc(name string, fn BatchFunc) error {
	if fn == nil {
		return errs.Planf("RegisterBatchFunc %q: nil function", name)
	}
	return s.funcs.RegisterPartitionFunc(name, func(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		for {
			b, err := in.Next()
			if err != nil || b == nil {
				return err
			}
			o, err := fn(ctx, b)
			if err != nil {
				return err
			}
			if o == nil {
				continue
			}
			err = out.Write(o)
			o.Release()
			if err != nil {
				return err
			}
		}
	})
}

// MapPartitions runs the partition function registered under fnName over each partition
// of the DataFrame; the result has the columns of outSchema (Spark's mapInArrow). An
// unknown name is reported by the action, with the nearest registered name.
func (d *DataFrame) MapPartitions(fnName string, outSchema *arrow.Schema) *DataFrame {
	return d.mapPartitions(fnName, outSchema)
}

// MapBatches runs the batch function registered under fnName (RegisterBatchFunc) over
// each batch of the DataFrame; the result has the columns of outSchema.
func (d *DataFrame) MapBatches(fnName string, outSchema *arrow.Schema) *DataFrame {
	return d.mapPartitions(fnName, outSchema)
}

func (d *DataFrame) mapPartitions(fnName string, out *arrow.Schema) *DataFrame {
	if out == nil {
		return d.derive("", errs.Planf("MapPartitions %q needs an output schema", fnName))
	}
	if err := checkColumnNames(out); err != nil {
		return d.derive("", err)
	}
	if _, ok := d.s.funcs.PartitionFunc(fnName); !ok && d.err == nil {
		msg := "unknown partition function " + `"` + fnName + `"`
		if near := udf.Nearest(fnName, d.s.funcs.PartitionFuncNames()); near != "" {
			msg += `; did you mean "` + near + `"?`
		}
		return d.derive("", errs.Planf("%s (register it with Session.RegisterPartitionFunc)", msg))
	}
	name := d.s.nextName(hiddenPrefix + "_map")
	d.s.cat.addHidden(name, hiddenRel{view: &mapView{name: name, input: d.text(), fn: fnName, out: out}})
	return d.derive("SELECT * FROM "+sqlIdent(name), nil)
}

// mapView is the hidden relation of a MapPartitions step: its input text, bound afresh at
// every use, under a MapPartitions node with fresh output columns.
type mapView struct {
	name, input, fn string
	out             *arrow.Schema
}

func (v *mapView) Name() string { return v.name }
func (v *mapView) SQL() string  { return "MapPartitions(" + v.fn + ") over (" + v.input + ")" }

// BindPlan implements planner.PlanView.
func (v *mapView) BindPlan(bind func(string) (planner.Plan, error)) (planner.Plan, error) {
	in, err := bind(v.input)
	if err != nil {
		return nil, err
	}
	cols := make([]planner.Column, v.out.NumFields())
	for i, f := range v.out.Fields() {
		cols[i] = planner.NewColumn(f.Name, "", f.Type, f.Nullable)
	}
	p, err := planner.NewMapPartitions(in, v.fn, cols)
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "")
	}
	return p, nil
}

// sharedState holds a session's broadcast variables and accumulators.
type sharedState struct {
	mu   sync.Mutex
	accs map[string]*Accumulator
}

// Broadcast is a read-only value that UDFs and partition functions read on any partition
// (Spark's broadcast variable): in one process every task reads the same value, with no
// copy; a worker process of a cluster receives it once, not once per task. The value must
// not be changed after Broadcast.
type Broadcast struct {
	mu        sync.RWMutex
	v         any
	destroyed bool
}

// Broadcast returns a handle on v for tasks to read.
func (s *Session) Broadcast(v any) *Broadcast { return &Broadcast{v: v} }

// Value returns the broadcast value (an error after Destroy).
func (b *Broadcast) Value() (any, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.destroyed {
		return nil, errs.Execf("a destroyed broadcast variable was read")
	}
	return b.v, nil
}

// Destroy drops the value; reading it afterwards is an error.
func (b *Broadcast) Destroy() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.v, b.destroyed = nil, true
}

// BroadcastValue returns a broadcast value as a T (an error when it is not one).
func BroadcastValue[T any](b *Broadcast) (T, error) {
	var zero T
	v, err := b.Value()
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, errs.Execf("the broadcast value is a %T, not a %T", v, zero)
	}
	return t, nil
}

// AccumulatorKind is how an accumulator combines what tasks add.
type AccumulatorKind int

// The accumulator kinds.
const (
	// CounterAccumulator sums whole numbers (Spark's longAccumulator).
	CounterAccumulator AccumulatorKind = iota
	// SumAccumulator sums floating-point numbers (Spark's doubleAccumulator).
	SumAccumulator
	// MaxAccumulator keeps the largest value added (NaN before any).
	MaxAccumulator
	// MinAccumulator keeps the smallest value added (NaN before any).
	MinAccumulator
)

// Accumulator is an add-only variable: tasks add to it through their partition context,
// only the driver reads it. An update from a task is applied when the task attempt
// succeeds, and only for the task's first successful attempt in a query, so a retried task
// counts once (Spark's guarantee for actions).
type Accumulator struct {
	name string
	kind AccumulatorKind
	mu   sync.Mutex
	n    int64
	f    float64
	any  bool
}

// Accumulator creates a named accumulator; a name already used in the session is an error.
func (s *Session) Accumulator(name string, kind AccumulatorKind) (*Accumulator, error) {
	if name == "" {
		return nil, errs.Planf("an accumulator needs a name")
	}
	if kind < CounterAccumulator || kind > MinAccumulator {
		return nil, errs.Planf("unknown accumulator kind %d", int(kind))
	}
	st := &s.df.shared
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.accs == nil {
		st.accs = map[string]*Accumulator{}
	}
	key := strings.ToLower(name)
	if _, ok := st.accs[key]; ok {
		return nil, errs.Planf("an accumulator named %q already exists", name)
	}
	a := &Accumulator{name: name, kind: kind}
	st.accs[key] = a
	return a, nil
}

// Name returns the accumulator's name.
func (a *Accumulator) Name() string { return a.name }

// Add adds v from a task (pc its partition context; nil adds at once, from the driver).
// A counter takes whole numbers only.
func (a *Accumulator) Add(pc *udf.PartitionContext, v float64) error {
	if a.kind == CounterAccumulator && v != math.Trunc(v) {
		return errs.Execf("accumulator %q counts whole numbers, not %g", a.name, v)
	}
	if pc == nil {
		a.apply(v)
		return nil
	}
	pc.OnSuccess(func() { a.apply(v) })
	return nil
}

func (a *Accumulator) apply(v float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch a.kind {
	case CounterAccumulator:
		a.n += int64(v)
	case SumAccumulator:
		a.f += v
	case MaxAccumulator:
		if !a.any || v > a.f {
			a.f = v
		}
	case MinAccumulator:
		if !a.any || v < a.f {
			a.f = v
		}
	}
	a.any = true
}

// Value returns the accumulated value (a counter's as a float64; see Count).
func (a *Accumulator) Value() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch a.kind {
	case CounterAccumulator:
		return float64(a.n)
	case MaxAccumulator, MinAccumulator:
		if !a.any {
			return math.NaN()
		}
	}
	return a.f
}

// Count returns a counter's value.
func (a *Accumulator) Count() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// Reset sets the accumulator back to its start.
func (a *Accumulator) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n, a.f, a.any = 0, 0, false
}
