package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/de4e/weir/engine"
)

// Async I/O: every event is a request answered on another goroutine (a lookup standing in for a call to an
// external system), at most asyncCapacity in flight per subtask. The engine cases run OrderedWait and
// UnorderedWait; the baseline is the hand-written Go equivalent of ordered async I/O, a bounded pipeline of
// per-request result channels read in order, with the same concurrency (two workers, as the engine's
// parallelism). The ratio measures what the engine adds per request: queue, mail, checkpointable state.

const asyncCapacity = 100

// asyncLookup is the "remote" answer to a request.
func asyncLookup(v int64) int64 { return v*3 + 1 }

func init() {
	Register(Case{Name: "async-io/loop", About: fmt.Sprintf("hand-written ordered pipeline: a goroutine per request, %d in flight, 2 workers", asyncCapacity),
		Run: func(n int64) (int64, error) { return asyncLoop(n) }})
	for _, ordered := range []bool{true, false} {
		name, about := "async-io/ordered", "source -> OrderedWait"
		if !ordered {
			name, about = "async-io/unordered", "source -> UnorderedWait"
		}
		Register(Case{Name: name, Baseline: "async-io/loop",
			About: fmt.Sprintf("%s (a goroutine per request, capacity %d) -> sink, parallelism 2", about, asyncCapacity),
			Run:   func(n int64) (int64, error) { return asyncJob(n, ordered) }})
	}
}

// asyncLoop answers n requests with the ordered pipeline, split over two workers like the engine's
// subtasks, and checks the sum of the answers.
func asyncLoop(n int64) (int64, error) {
	var sum atomic.Int64
	done := make(chan struct{})
	for w := range int64(2) {
		go func() {
			defer func() { done <- struct{}{} }()
			inflight := make(chan chan int64, asyncCapacity)
			go func() {
				for i := w; i < n; i += 2 {
					res := make(chan int64, 1)
					inflight <- res
					go func() { res <- asyncLookup(i) }()
				}
				close(inflight)
			}()
			var s int64
			for res := range inflight {
				s += <-res
			}
			sum.Add(s)
		}()
	}
	<-done
	<-done
	return n, checkAsyncSum(n, sum.Load())
}

func asyncJob(n int64, ordered bool) (int64, error) {
	var sum atomic.Int64
	f := engine.AsyncFunction{AsyncInvoke: func(_ context.Context, v any, r engine.ResultFuture) {
		go func() { r.Complete([]any{asyncLookup(v.(int64))}) }()
	}}
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	s := env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		return engine.SourceElement{Value: i, Timestamp: engine.NoTimestamp}
	}}, nil, "numbers")
	if ordered {
		s = s.OrderedWait(f, time.Minute, asyncCapacity)
	} else {
		s = s.UnorderedWait(f, time.Minute, asyncCapacity)
	}
	s.SinkTo("sum", func(v any, _ int64) error { sum.Add(v.(int64)); return nil })
	if _, err := env.Execute("async io"); err != nil {
		return 0, err
	}
	return n, checkAsyncSum(n, sum.Load())
}

// checkAsyncSum checks the sum of asyncLookup over 0..n-1.
func checkAsyncSum(n, got int64) error {
	if want := 3*(n*(n-1)/2) + n; got != want {
		return fmt.Errorf("async answers sum to %d, want %d", got, want)
	}
	return nil
}
