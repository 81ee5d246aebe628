package engine

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// AddSink gives every subtask its own SinkFunction: Open sees the subtask and parallelism before the first
// record, Close runs at the end (Flink: RichSinkFunction#open and #close around invoke).
func TestAddSinkPerSubtask(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 3})
	var mu sync.Mutex
	var log []string
	vs := make([]any, 30)
	for i := range vs {
		vs[i] = i
	}
	env.FromSlice(vs).Rebalance().AddSink("log", func() SinkFunction {
		sub, n := -1, 0
		return SinkFunction{
			Open: func(subtask, parallelism int) error {
				sub = subtask
				mu.Lock()
				log = append(log, fmt.Sprintf("open %d/%d", subtask, parallelism))
				mu.Unlock()
				return nil
			},
			Invoke: func(v any, _ int64) error {
				if sub < 0 {
					return fmt.Errorf("record %v before Open", v)
				}
				n++
				return nil
			},
			Close: func() error {
				mu.Lock()
				log = append(log, fmt.Sprintf("close %d after %d", sub, n))
				mu.Unlock()
				return nil
			},
		}
	})
	if _, err := env.Execute("sinks"); err != nil {
		t.Fatal(err)
	}
	slices.Sort(log)
	want := []string{"close 0 after 10", "close 1 after 10", "close 2 after 10", "open 0/3", "open 1/3", "open 2/3"}
	if !slices.Equal(log, want) {
		t.Fatalf("log %v, want %v", log, want)
	}
	env = NewEnvironment(Config{Parallelism: 1})
	env.FromElements(1).AddSink("no invoke", func() SinkFunction { return SinkFunction{} })
	if _, err := env.Execute("no invoke"); err == nil {
		t.Fatal("a SinkFunction without Invoke ran")
	}
}
