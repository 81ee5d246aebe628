package engine

import (
	"strings"
	"sync/atomic"
	"testing"
)

// ExecuteAsyncOf runs only the given sink and what it reads: another sink of the Environment, over the same
// source, is neither run nor removed (Environment.Execute still runs both).
func TestExecuteAsyncOfRunsOnlyTheGivenStreams(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	src := env.FromElements(1, 2, 3)
	var a, b atomic.Int64
	sinkA := src.Map(func(v any) any { return v.(int) * 10 }).SinkTo("a", func(v any, _ int64) error { a.Add(int64(v.(int))); return nil })
	src.SinkTo("b", func(v any, _ int64) error { b.Add(int64(v.(int))); return nil })
	j, err := env.ExecuteAsyncOf("only a", sinkA)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
	if a.Load() != 60 || b.Load() != 0 {
		t.Fatalf("a = %d, b = %d after ExecuteAsyncOf(a), want 60 and 0", a.Load(), b.Load())
	}
	if _, err := env.Execute("both"); err != nil {
		t.Fatal(err)
	}
	if a.Load() != 120 || b.Load() != 6 {
		t.Errorf("a = %d, b = %d after Execute, want 120 and 6", a.Load(), b.Load())
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "not of this Environment") {
			t.Errorf("a stream of another Environment: recovered %v", r)
		}
	}()
	other := NewEnvironment(Config{}).FromElements(1)
	env.ExecuteAsyncOf("wrong", other)
}
