package udf

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

func TestRegisterPartitionFunc(t *testing.T) {
	calls := map[string]int{}
	fn := func(name string) PartitionFunc {
		return func(*PartitionContext, BatchReader, BatchWriter) error { calls[name]++; return nil }
	}
	root := NewRegistry(nil)
	if err := root.RegisterPartitionFunc("Score", fn("root score")); err != nil {
		t.Fatal(err)
	}
	if err := root.RegisterPartitionFunc("tokenize", fn("root tokenize")); err != nil {
		t.Fatal(err)
	}
	child := root.Child()
	if err := child.RegisterPartitionFunc("SCORE", fn("child score")); err != nil {
		t.Fatalf("shadowing a parent's name: %v", err)
	}
	bad := []struct {
		name string
		reg  string
		fn   PartitionFunc
		want string
	}{
		{"empty", "", fn("x"), "partition function name is empty"},
		{"blank", "  ", fn("x"), "partition function name is empty"},
		{"nil", "x", nil, `partition function "x" is nil`},
		{"duplicate", "score", fn("x"), `partition function "score" is already registered`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := child.RegisterPartitionFunc(tc.reg, tc.fn)
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a plan error containing %q", err, tc.want)
			}
		})
	}
	for _, look := range []struct {
		reg        *Registry
		name, want string
	}{
		{child, "score", "child score"},
		{child, "Tokenize", "root tokenize"},
		{root, "sCoRe", "root score"},
	} {
		f, ok := look.reg.PartitionFunc(look.name)
		if !ok {
			t.Fatalf("%s not found", look.name)
		}
		if err := f(nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		if calls[look.want] != 1 {
			t.Errorf("looking up %q did not find %s: calls %v", look.name, look.want, calls)
		}
		calls = map[string]int{}
	}
	if _, ok := child.PartitionFunc("upper"); ok {
		t.Error("found a partition function never registered")
	}
	if _, ok := root.PartitionFunc("x"); ok {
		t.Error("a failed registration left a function behind")
	}
	if got := strings.Join(child.PartitionFuncNames(), ","); got != "score,tokenize" {
		t.Errorf("names %q, want score,tokenize", got)
	}
	if got := strings.Join(child.Names(), ","); strings.Contains(got, "score") {
		t.Errorf("partition functions listed among SQL functions: %q", got)
	}
}

func TestPartitionContextOnSuccess(t *testing.T) {
	var hooks []func()
	ctx := NewPartitionContext(context.Background(), 3, 1, memory.DefaultAllocator, func(f func()) { hooks = append(hooks, f) })
	ran := 0
	ctx.OnSuccess(func() { ran++ })
	ctx.OnSuccess(nil)
	if len(hooks) != 1 || ran != 0 {
		t.Fatalf("%d hooks passed on, %d ran; want 1 passed on and none run yet", len(hooks), ran)
	}
	hooks[0]()
	if ran != 1 || ctx.Partition != 3 || ctx.Attempt != 1 {
		t.Errorf("ran %d, partition %d, attempt %d", ran, ctx.Partition, ctx.Attempt)
	}
	NewPartitionContext(context.Background(), 0, 0, nil, nil).OnSuccess(func() { ran++ })
	if ran != 1 {
		t.Error("a hook ran with no sink")
	}
}
