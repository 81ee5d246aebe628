package engine

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockingSource emits n numbers, reports ErrNoData once (the engine flushes what it buffered), then blocks in
// Read until the job's context is done, as a network reader waiting for data does.
type blockingSource struct {
	n       int64
	blocked chan struct{} // closed when Read blocks
}

type blockingReader struct {
	src     *blockingSource
	ctx     context.Context
	next    int64
	flushed bool
}

func (s *blockingSource) MaxParallelism() int { return 1 }
func (s *blockingSource) Reader(ctx SourceContext) (SourceReader, error) {
	return &blockingReader{src: s, ctx: ctx.Context}, nil
}
func (r *blockingReader) Close() error { return nil }
func (r *blockingReader) Read() (SourceElement, error) {
	if r.next < r.src.n {
		r.next++
		return SourceElement{Value: r.next, Timestamp: r.next}, nil
	}
	if !r.flushed {
		r.flushed = true
		return SourceElement{}, ErrNoData
	}
	close(r.src.blocked)
	<-r.ctx.Done()
	return SourceElement{}, r.ctx.Err()
}

// waitGoroutines waits until at most n goroutines run (goleak's method: goroutines of a stopped job may
// need a moment to return after it signalled its end).
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

// A job whose source blocks in Read and whose Async I/O requests block on I/O stops as soon as the context
// it runs under is cancelled: Wait returns ErrCanceled wrapping the cause, the requests' contexts are
// cancelled, and no goroutine is left behind.
func TestExecuteContextCancelStopsBlockedSourceAndRequests(t *testing.T) {
	base := runtime.NumGoroutine()
	src := &blockingSource{n: 5, blocked: make(chan struct{})}
	var requests sync.WaitGroup
	invoked := make(chan struct{}, 5)
	blockedCall := AsyncFunction{AsyncInvoke: func(ctx context.Context, v any, fut ResultFuture) {
		requests.Add(1)
		go func() {
			defer requests.Done()
			invoked <- struct{}{}
			<-ctx.Done() // an answer that never comes
			fut.CompleteExceptionally(ctx.Err())
		}()
	}}
	env := NewEnvironment(Config{Parallelism: 2})
	env.FromSource(src, nil, "blocking").Rebalance().UnorderedWait(blockedCall, 0, 10).Collect()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	job, err := env.ExecuteAsyncContext(ctx, "blocked")
	if err != nil {
		t.Fatal(err)
	}
	<-src.blocked
	for range 5 {
		<-invoked
	}
	shutdown := errors.New("shutting down")
	cancel(shutdown)
	select {
	case <-job.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not stop within 5 s of its context's cancellation")
	}
	err = job.Wait()
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, shutdown) || job.Status() != JobCanceled {
		t.Fatalf("Wait = %v (status %v), want ErrCanceled wrapping the cause", err, job.Status())
	}
	requests.Wait() // every request saw its context cancelled
	waitGoroutines(t, base)
}

// Job.Cancel (no context of its own) also cancels the context a blocked source reads under.
func TestCancelStopsBlockedSource(t *testing.T) {
	base := runtime.NumGoroutine()
	src := &blockingSource{n: 1, blocked: make(chan struct{})}
	env := NewEnvironment(Config{Parallelism: 1})
	env.FromSource(src, nil, "blocking").Collect()
	job, err := env.ExecuteAsync("blocked")
	if err != nil {
		t.Fatal(err)
	}
	<-src.blocked
	job.Cancel()
	if err := job.Wait(); err != ErrCanceled {
		t.Fatalf("Wait = %v, want ErrCanceled", err)
	}
	waitGoroutines(t, base)
}

// ExecuteContext with a deadline: the job is canceled when it passes.
func TestExecuteContextDeadline(t *testing.T) {
	src := &blockingSource{n: 0, blocked: make(chan struct{})}
	env := NewEnvironment(Config{Parallelism: 1})
	env.FromSource(src, nil, "blocking").Collect()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := env.ExecuteContext(ctx, "deadline")
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want ErrCanceled wrapping context.DeadlineExceeded", err)
	}
}

// Flink rule (AsyncWaitOperator#snapshotState/initializeState: in-flight inputs are operator state): with a
// replayable source, checkpoints and a two-phase-commit sink, crashes anywhere leave the committed output of
// an Async I/O job exactly equal to a crash-free run's. A record in flight at a barrier is past the source's
// checkpointed offset, so only the operator's own state brings it back.
func TestAsyncExactlyOnceAcrossFailures(t *testing.T) {
	const n = 6000
	slow := AsyncFunction{AsyncInvoke: func(_ context.Context, v any, fut ResultFuture) {
		go func() {
			time.Sleep(100 * time.Microsecond) // the latency of an external call
			fut.Complete([]any{v.(int64) * 10})
		}()
	}}
	for _, ordered := range []bool{true, false} {
		f := &Faults{}
		f.Arm(FailProcess, 4000)
		out := t.TempDir()
		env := withFaults(NewEnvironment(Config{Parallelism: 2,
			Checkpointing: CheckpointConfig{Interval: 5 * time.Millisecond, Dir: t.TempDir(), Guarantee: ExactlyOnce},
			Restart:       RestartStrategy{Attempts: 5, Delay: time.Millisecond}}), f)
		s := env.FromSource(slowNumbers(n), nil, "numbers").Rebalance()
		if ordered {
			s = s.OrderedWait(slow, time.Minute, 32)
		} else {
			s = s.UnorderedWait(slow, time.Minute, 32)
		}
		s.SinkToFiles(out)
		job, err := env.Execute("async")
		if err != nil {
			t.Fatalf("ordered=%v: %v", ordered, err)
		}
		if job.Restarts() == 0 {
			t.Fatalf("ordered=%v: the fault never fired", ordered)
		}
		got, err := ReadCommitted(out)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		if want := expectedNumbers(n); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("ordered=%v: committed %d lines, want %d; first differences: %v", ordered, len(got), len(want), diff(got, want))
		}
	}
}

// Async I/O in a parallel job: ordered mode keeps each subtask's input order, and every result keeps its
// record's timestamp.
func TestAsyncOrderedJobKeepsOrderAndTimestamps(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1})
	out := env.FromSource(GeneratorSource{Count: 500, Gen: func(i int64) SourceElement {
		return SourceElement{Value: i, Timestamp: 1000 + i}
	}}, nil, "numbers").OrderedWait(AsyncFunction{AsyncInvoke: func(_ context.Context, v any, fut ResultFuture) {
		i := v.(int64)
		go fut.Complete([]any{i, -i})
	}}, time.Minute, 7).Collect()
	if _, err := env.Execute("ordered"); err != nil {
		t.Fatal(err)
	}
	recs := out.Records()
	if len(recs) != 1000 {
		t.Fatalf("%d records, want 1000", len(recs))
	}
	for k, r := range recs {
		i := int64(k / 2)
		want := i
		if k%2 == 1 {
			want = -i
		}
		if r.Value != want || r.Timestamp != 1000+i {
			t.Fatalf("record %d is %v@%d, want %d@%d", k, r.Value, r.Timestamp, want, 1000+i)
		}
	}
}

// A failed attempt cancels the contexts of its requests in flight, as a canceled job does: the job fails
// without waiting for them.
func TestAsyncFailureCancelsRequests(t *testing.T) {
	src := &blockingSource{n: 3, blocked: make(chan struct{})}
	var requests sync.WaitGroup
	invoked := make(chan struct{}, 3)
	f := AsyncFunction{AsyncInvoke: func(ctx context.Context, v any, fut ResultFuture) {
		requests.Add(1)
		go func() {
			defer requests.Done()
			invoked <- struct{}{}
			<-ctx.Done()
		}()
	}}
	env := NewEnvironment(Config{Parallelism: 1})
	env.FromSource(src, nil, "blocking").Rebalance().OrderedWait(f, 0, 5).Collect()
	job, err := env.ExecuteAsync("fails")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		<-invoked
	}
	if err := job.KillTaskManager(1); err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(); !errors.Is(err, ErrTaskManagerLost) {
		t.Fatalf("Wait = %v, want ErrTaskManagerLost", err)
	}
	requests.Wait()
}

// A context cancelled before the job starts cancels it at once.
func TestExecuteContextAlreadyCancelled(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 1})
	env.FromSource(&blockingSource{blocked: make(chan struct{})}, nil, "blocking").Collect()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := env.ExecuteContext(ctx, "never"); !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want ErrCanceled wrapping context.Canceled", err)
	}
}
