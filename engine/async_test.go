package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// asyncCall is one call of a test AsyncFunction: the test completes it when it chooses.
type asyncCall struct {
	v   rec
	at  int64 // the clock's time at the call
	ctx context.Context
	fut ResultFuture
}

// asyncCalls records the calls of an AsyncFunction that completes nothing itself, so that a test decides
// the completion order (Flink's LazyAsyncFunction and CollectableFuturesAsyncFunction).
type asyncCalls struct {
	mu    sync.Mutex
	clock Clock
	calls []*asyncCall
}

func (c *asyncCalls) fn() AsyncFunction {
	return AsyncFunction{AsyncInvoke: func(ctx context.Context, v any, fut ResultFuture) {
		c.mu.Lock()
		defer c.mu.Unlock()
		call := &asyncCall{v: v.(rec), ctx: ctx, fut: fut}
		if c.clock != nil {
			call.at = c.clock.NowMillis()
		}
		c.calls = append(c.calls, call)
	}}
}

// of returns the calls made for value v, in call order.
func (c *asyncCalls) of(v int64) []*asyncCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*asyncCall
	for _, call := range c.calls {
		if call.v.V == v {
			out = append(out, call)
		}
	}
	return out
}

// last returns the latest call for value v.
func (c *asyncCalls) last(t *testing.T, v int64) *asyncCall {
	t.Helper()
	calls := c.of(v)
	if len(calls) == 0 {
		t.Fatalf("no call for %d", v)
	}
	return calls[len(calls)-1]
}

func times(v rec, k int64) []any { return []any{rec{v.Key, v.V * k}} }

// doubling completes every call at once with twice its value, on the caller's goroutine.
var doubling = AsyncFunction{AsyncInvoke: func(_ context.Context, v any, fut ResultFuture) {
	fut.Complete(times(v.(rec), 2))
}}

// doublingElsewhere completes every call with twice its value from another goroutine (Flink's
// MyAsyncFunction, which completes on an executor).
var doublingElsewhere = AsyncFunction{AsyncInvoke: func(_ context.Context, v any, fut ResultFuture) {
	go fut.Complete(times(v.(rec), 2))
}}

// newAsyncHarness is newHarness for an Async I/O operator whose in-flight records are restored from blobs
// (a checkpoint's operator state) before it opens.
func newAsyncHarness(t *testing.T, clock *VirtualClock, blobs [][]byte, build func(*DataStream) *DataStream) (*harness, *asyncOp) {
	t.Helper()
	env := NewEnvironment(Config{Parallelism: 1, Clock: clock})
	out := build(env.FromElements().Rebalance()) // the operator heads its own vertex
	oh, err := newOpHarnessWith(env, out, 0, nil, func(h *opHarness) error {
		op, ok := h.head.(*asyncOp)
		if !ok {
			return fmt.Errorf("the chain starts with %T, want the async operator", h.head)
		}
		if blobs != nil {
			return op.restoreOpState(blobs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { oh.Close() })
	return &harness{h: oh}, oh.head.(*asyncOp)
}

// drain runs the subtask's mail (completions, timeouts) and records what it emitted.
func (h *harness) drain() {
	if err := h.h.guard(func() {}); err != nil {
		panic(err)
	}
	h.format()
}

// feedAll feeds lines (see harness.feed) and returns everything emitted meanwhile.
func feedAll(t *testing.T, h *harness, lines ...string) []string {
	t.Helper()
	h.out = h.out[:0]
	for _, l := range lines {
		h.feed(t, l)
	}
	return append([]string(nil), h.out...)
}

// complete completes call c with results and runs the subtask's mail; it returns what was emitted.
func complete(h *harness, c *asyncCall, results ...any) []string {
	h.out = h.out[:0]
	c.fut.Complete(results)
	h.drain()
	return append([]string(nil), h.out...)
}

func wantLines(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// panicOf runs f and returns the error it panicked with (the subtask turns it into the job's failure).
func panicOf(t *testing.T, f func()) (err error) {
	t.Helper()
	defer func() {
		p := recover()
		if p == nil {
			t.Fatal("expected a failure, got none")
		}
		err, _ = p.(error)
		if err == nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	f()
	return nil
}

// Flink: AsyncWaitOperatorTest#testEventTimeOrdered. Capacity 2, results completed on other goroutines: the
// output is in input order, the watermark after the records before it.
func TestAsyncEventTimeOrdered(t *testing.T) {
	h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.OrderedWait(doublingElsewhere, time.Second, 2)
	})
	got := feedAll(t, h, "a:1@1", "a:2@2", "wm 2", "a:3@3", "end")
	wantLines(t, "ordered output", got, "out a:2 @1", "out a:4 @2", "wm 2", "out a:6 @3", "wm +inf", "end")
}

// Flink: AsyncWaitOperatorTest#testWaterMarkUnordered (testEventTimeUnordered). Records may be reordered,
// but the watermark stays at index 2 and record 3 after it.
func TestAsyncEventTimeUnordered(t *testing.T) {
	h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.UnorderedWait(doublingElsewhere, time.Second, 2)
	})
	got := feedAll(t, h, "a:1@1", "a:2@2", "wm 2", "a:3@3", "end")
	if len(got) != 6 {
		t.Fatalf("got %v", got)
	}
	first := sortedLines(got[:2])
	wantLines(t, "records before the watermark", first, "out a:2 @1", "out a:4 @2")
	wantLines(t, "the rest", got[2:], "wm 2", "out a:6 @3", "wm +inf", "end")
}

// Flink: UnorderedStreamElementQueueTest#testCompletionOrder, as the operator does it: completion order
// within a segment, never across a watermark. The test completes the requests in a chosen order.
func TestAsyncUnorderedNeverCrossesAWatermark(t *testing.T) {
	calls := &asyncCalls{}
	h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.UnorderedWait(calls.fn(), 0, 10)
	})
	wantLines(t, "nothing completed", feedAll(t, h, "a:1@1", "a:2@2", "wm 2", "a:3@3", "a:4@4", "wm 4", "a:5@5"))
	wantLines(t, "3 completes behind the watermark", complete(h, calls.last(t, 3), rec{"a", 30}))
	wantLines(t, "2 completes first in the first segment", complete(h, calls.last(t, 2), rec{"a", 20}), "out a:20 @2")
	wantLines(t, "5 waits behind two watermarks", complete(h, calls.last(t, 5), rec{"a", 50}))
	wantLines(t, "1 ends the first segment", complete(h, calls.last(t, 1), rec{"a", 10}),
		"out a:10 @1", "wm 2", "out a:30 @3")
	wantLines(t, "4 ends the second segment", complete(h, calls.last(t, 4), rec{"a", 40}),
		"out a:40 @4", "wm 4", "out a:50 @5")
}

// Flink: OrderedStreamElementQueueTest#testCompletionOrder: results wait for the records before them.
func TestAsyncOrderedWaitsForTheHead(t *testing.T) {
	calls := &asyncCalls{}
	h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.OrderedWait(calls.fn(), 0, 10)
	})
	feedAll(t, h, "a:1@1", "a:2@2", "wm 2", "a:3@3")
	wantLines(t, "3 first", complete(h, calls.last(t, 3), rec{"a", 30}))
	wantLines(t, "2 next", complete(h, calls.last(t, 2), rec{"a", 20}, rec{"a", 21}))
	wantLines(t, "1 releases all", complete(h, calls.last(t, 1)), "out a:20 @2", "out a:21 @2", "wm 2", "out a:30 @3")
}

// Flink: AsyncWaitOperatorTest#testProcessingTimeOrdered / testProcessingUnordered: capacity 6, 8 records,
// every result emitted with its record's timestamp.
func TestAsyncProcessingTime(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		t.Run(fmt.Sprint("ordered=", ordered), func(t *testing.T) {
			h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
				if ordered {
					return s.OrderedWait(doublingElsewhere, time.Second, 6)
				}
				return s.UnorderedWait(doublingElsewhere, time.Second, 6)
			})
			var lines, want []string
			for i := 1; i <= 8; i++ {
				lines = append(lines, fmt.Sprintf("a:%d@%d", i, i))
				want = append(want, fmt.Sprintf("out a:%d @%d", 2*i, i))
			}
			got := feedAll(t, h, append(lines, "end")...)
			wantLines(t, "end of output", got[8:], "wm +inf", "end")
			if !ordered {
				got = sortedLines(got[:8])
				want = sortedLines(want)
			}
			wantLines(t, "records", got[:8], want...)
		})
	}
}

// Flink rule (AsyncWaitOperator#addToWorkQueue): a full queue blocks the input until a request completes;
// watermarks take room in the queue too.
func TestAsyncCapacityBackpressures(t *testing.T) {
	calls := &asyncCalls{}
	h, op := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.OrderedWait(calls.fn(), 0, 2)
	})
	feedAll(t, h, "a:1@1", "a:2@2")
	blocked := make(chan []string)
	go func() {
		h.feed(t, "a:3@3") // waits: the queue is full
		blocked <- append([]string(nil), h.out...)
	}()
	// The feeding goroutine owns the operator now; completing 1 lets it add 3.
	calls.last(t, 1).fut.Complete(times(rec{"a", 1}, 2))
	wantLines(t, "after room was made", <-blocked, "out a:2 @1")
	if n := len(op.queue); n != 2 {
		t.Fatalf("queue holds %d entries, want 2 (records 2 and 3)", n)
	}
	if len(calls.of(3)) != 1 {
		t.Fatal("record 3 was not called once room was made")
	}
}

// Flink: AsyncWaitOperatorTest#testAsyncTimeoutFailure: without a Timeout function, a timed-out request
// fails the job with a timeout error naming the operator and the record.
func TestAsyncTimeoutFailure(t *testing.T) {
	calls := &asyncCalls{}
	h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.OrderedWait(calls.fn(), 10*time.Millisecond, 2)
	})
	feedAll(t, h, "a:1@0", "proc 5", "a:2@5")
	err := panicOf(t, func() {
		if err := h.h.SetProcessingTime(11); err != nil {
			panic(err)
		}
	})
	if !errors.Is(err, ErrAsyncTimeout) || !strings.Contains(err.Error(), `"Async I/O"`) || !strings.Contains(err.Error(), "a:1") {
		t.Fatalf("got %v, want ErrAsyncTimeout naming the operator and record a:1", err)
	}
	if calls.last(t, 1).ctx.Err() == nil {
		t.Fatal("the timed-out request's context was not cancelled")
	}
}

// Flink: AsyncWaitOperatorTest#testAsyncTimeoutIgnore: a Timeout that completes with 3×v emits that, and the
// late answer to the request is ignored.
func TestAsyncTimeoutIgnore(t *testing.T) {
	calls := &asyncCalls{}
	f := calls.fn()
	f.Timeout = func(v any, fut ResultFuture) { fut.Complete(times(v.(rec), 3)) }
	h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.OrderedWait(f, 10*time.Millisecond, 2)
	})
	feedAll(t, h, "a:1@0", "proc 5", "a:2@5")
	wantLines(t, "timeout of 1", feedAll(t, h, "proc 11"), "out a:3 @0")
	wantLines(t, "late answer for 1", complete(h, calls.last(t, 1), rec{"a", 1}))
	wantLines(t, "answer for 2", complete(h, calls.last(t, 2), rec{"a", 2}), "out a:2 @5")
}

// activeTimers counts the callbacks still registered on c.
func activeTimers(c *VirtualClock) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.pending {
		if !p.stopped {
			n++
		}
	}
	return n
}

// Flink: AsyncWaitOperatorTest#testTimeoutCleanup (FLINK-5652): a completed request's timeout timer is
// cancelled.
func TestAsyncTimeoutCleanup(t *testing.T) {
	clock := NewVirtualClock(0)
	h, _ := newAsyncHarness(t, clock, nil, func(s *DataStream) *DataStream {
		return s.UnorderedWait(doubling, time.Second, 1)
	})
	wantLines(t, "output", feedAll(t, h, "a:42@1", "end"), "out a:84 @1", "wm +inf", "end")
	if n := activeTimers(clock); n != 0 {
		t.Fatalf("%d timers still registered", n)
	}
}

// Flink: AsyncWaitOperatorTest#testTimeoutAfterComplete (FLINK-22573): a timeout that fires after the answer
// arrived (but before it was handled) does not call Timeout.
func TestAsyncTimeoutAfterComplete(t *testing.T) {
	calls := &asyncCalls{}
	f := calls.fn()
	timedOut := false
	f.Timeout = func(any, ResultFuture) { timedOut = true }
	h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.UnorderedWait(f, 10*time.Millisecond, 1)
	})
	feedAll(t, h, "a:1@1")
	calls.last(t, 1).fut.Complete(times(rec{"a", 1}, 2)) // answered; its mail not run yet
	h.h.clock.Set(10)                                    // the timeout fires meanwhile
	h.out = h.out[:0]
	h.drain()
	wantLines(t, "output", h.out, "out a:2 @1")
	if timedOut {
		t.Fatal("Timeout was called for a request that had completed")
	}
}

// Flink: AsyncWaitOperatorTest#testOrderedWaitUserExceptionHandling / testUnorderedWaitUserExceptionHandling
// (FLINK-6435): CompleteExceptionally fails the job at once, whatever the order.
func TestAsyncUserErrorFailsJob(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		calls := &asyncCalls{}
		h, _ := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
			if ordered {
				return s.OrderedWait(calls.fn(), 0, 2)
			}
			return s.UnorderedWait(calls.fn(), 0, 2)
		})
		feedAll(t, h, "a:1@1", "a:2@2")
		boom := errors.New("test exception")
		err := panicOf(t, func() {
			calls.last(t, 2).fut.CompleteExceptionally(boom)
			h.drain()
		})
		if !errors.Is(err, boom) {
			t.Fatalf("ordered=%v: got %v, want the user's error", ordered, err)
		}
	}
}

// Flink: AsyncWaitOperatorTest#testStateSnapshotAndRestore: the in-flight records of a checkpoint are called
// again after the restore, before new input, and the output is complete and in order.
func TestAsyncStateSnapshotAndRestore(t *testing.T) {
	calls := &asyncCalls{}
	h, op := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.OrderedWait(calls.fn(), time.Second, 4)
	})
	feedAll(t, h, "a:1@1", "a:2@2", "wm 2", "a:3@3")
	blob, err := op.snapshotOpState(1)
	if err != nil {
		t.Fatal(err)
	}
	restored, rop := newAsyncHarness(t, NewVirtualClock(0), [][]byte{blob}, func(s *DataStream) *DataStream {
		return s.OrderedWait(doubling, time.Second, 6)
	})
	got := feedAll(t, restored, "a:5@5", "a:6@6")
	blob2, err := rop.snapshotOpState(2) // a checkpoint while processing
	if err != nil {
		t.Fatal(err)
	}
	if blob2 != nil {
		t.Fatalf("nothing is in flight, yet the snapshot holds %d bytes", len(blob2))
	}
	got = append(got, feedAll(t, restored, "a:7@7", "end")...)
	wantLines(t, "restored output", got, "out a:2 @1", "out a:4 @2", "wm 2", "out a:6 @3", "out a:10 @5",
		"out a:12 @6", "out a:14 @7", "wm +inf", "end")
}

// Flink: AsyncWaitOperatorTest#testRestartWithFullQueue (FLINK-7949): a checkpoint taken with a full queue
// restores, also into a smaller capacity (the restore then waits for room like new input does).
func TestAsyncRestartWithFullQueue(t *testing.T) {
	const capacity = 10
	calls := &asyncCalls{}
	h, op := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.OrderedWait(calls.fn(), time.Second, capacity)
	})
	var lines, want []string
	for i := range capacity {
		lines = append(lines, fmt.Sprintf("a:%d@0", i))
		want = append(want, fmt.Sprintf("out a:%d @0", 2*i))
	}
	feedAll(t, h, lines...)
	blob, err := op.snapshotOpState(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []int{capacity, 3} {
		restored, _ := newAsyncHarness(t, NewVirtualClock(0), [][]byte{blob}, func(s *DataStream) *DataStream {
			return s.OrderedWait(doubling, time.Second, c)
		})
		wantLines(t, fmt.Sprint("restored with capacity ", c), feedAll(t, restored, "end"), append(want, "wm +inf", "end")...)
	}
}

// Flink: AsyncWaitOperatorTest#testProcessingTimeOrderedWithRetry / testProcessingUnorderedWithRetry, with
// the retries driven by the virtual clock: FixedDelay(2, 100ms) retrying empty results; odd records always
// answer empty (three calls, then nothing is emitted), even ones answer 2×v at once.
func TestAsyncProcessingTimeWithRetry(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		t.Run(fmt.Sprint("ordered=", ordered), func(t *testing.T) {
			clock := NewVirtualClock(0)
			calls := map[int64]int{}
			f := AsyncFunction{AsyncInvoke: func(_ context.Context, v any, fut ResultFuture) {
				r := v.(rec)
				calls[r.V]++
				if r.V%2 == 1 {
					fut.Complete(nil)
				} else {
					fut.Complete(times(r, 2))
				}
			}}
			retry := FixedDelayRetryStrategy(2, 100*time.Millisecond).IfResult(RetryIfEmptyResult)
			h, _ := newAsyncHarness(t, clock, nil, func(s *DataStream) *DataStream {
				if ordered {
					return s.OrderedWaitWithRetry(f, time.Second, 6, retry)
				}
				return s.UnorderedWaitWithRetry(f, time.Second, 6, retry)
			})
			got := feedAll(t, h, "a:1@1", "a:2@2", "a:3@3", "a:4@4", "a:5@5", "a:6@6")
			if ordered {
				wantLines(t, "ordered: 2 waits for 1's retries", got)
			} else {
				wantLines(t, "unordered: evens at once", got, "out a:4 @2", "out a:8 @4", "out a:12 @6")
			}
			got = feedAll(t, h, "proc 100")
			if calls[1] != 2 || calls[2] != 1 {
				t.Fatalf("after 100 ms: calls %v, want 1 twice and 2 once", calls)
			}
			got = append(got, feedAll(t, h, "proc 200")...)
			if ordered {
				wantLines(t, "ordered after the last retry", got, "out a:4 @2", "out a:8 @4", "out a:12 @6")
			} else {
				wantLines(t, "unordered after the last retry", got)
			}
			got = feedAll(t, h, "a:7@7", "a:8@8", "proc 300", "proc 400", "end")
			wantLines(t, "the rest", got, "out a:16 @8", "wm +inf", "end")
			for v := int64(1); v <= 8; v++ {
				want := 1
				if v%2 == 1 {
					want = 3 // MaxAttempts 2: the first call and two retries
				}
				if calls[v] != want {
					t.Fatalf("record %d was called %d times, want %d", v, calls[v], want)
				}
			}
		})
	}
}

// Flink: AsyncWaitOperatorTest#testProcessingTimeRepeatedCompleteOrderedWithRetry (and ...Unordered): an
// AsyncFunction that completes the same future twice; only the first completion counts, and the retries
// still happen.
func TestAsyncRepeatedCompleteWithRetry(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		clock := NewVirtualClock(0)
		n := 0
		f := AsyncFunction{AsyncInvoke: func(_ context.Context, v any, fut ResultFuture) {
			n++
			r := v.(rec)
			if n < 3 {
				fut.Complete(nil) // empty: retried
			} else {
				fut.Complete(times(r, 2))
			}
			fut.Complete(times(r, 100)) // ignored
			fut.CompleteExceptionally(errors.New("ignored"))
		}}
		retry := FixedDelayRetryStrategy(3, 10*time.Millisecond).IfResult(RetryIfEmptyResult)
		h, _ := newAsyncHarness(t, clock, nil, func(s *DataStream) *DataStream {
			if ordered {
				return s.OrderedWaitWithRetry(f, time.Second, 2, retry)
			}
			return s.UnorderedWaitWithRetry(f, time.Second, 2, retry)
		})
		got := feedAll(t, h, "a:1@1", "proc 10", "proc 20", "end")
		wantLines(t, fmt.Sprint("ordered=", ordered), got, "out a:2 @1", "wm +inf", "end")
		if n != 3 {
			t.Fatalf("called %d times, want 3", n)
		}
	}
}

// Flink: AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategy, on errors: the k-th retry waits
// min(initial × multiplier^k, max); after MaxAttempts retries the last error fails the job.
func TestAsyncExponentialBackoffOnError(t *testing.T) {
	clock := NewVirtualClock(0)
	calls := &asyncCalls{clock: clock}
	retry := ExponentialBackoffRetryStrategy(3, 10*time.Millisecond, 35*time.Millisecond, 2).IfError(RetryIfError)
	h, _ := newAsyncHarness(t, clock, nil, func(s *DataStream) *DataStream {
		return s.OrderedWaitWithRetry(calls.fn(), 0, 2, retry)
	})
	feedAll(t, h, "a:1@1")
	fail := func() {
		calls.last(t, 1).fut.CompleteExceptionally(fmt.Errorf("unavailable (call %d)", len(calls.of(1))))
		h.drain()
	}
	for _, at := range []string{"proc 19", "proc 20", "proc 54", "proc 55", "proc 89", "proc 90"} {
		fail()
		feedAll(t, h, at)
	}
	var at []int64
	for _, c := range calls.of(1) {
		at = append(at, c.at)
	}
	if fmt.Sprint(at) != "[0 20 55 90]" {
		t.Fatalf("calls at %v, want [0 20 55 90]", at)
	}
	err := panicOf(t, fail)
	if !strings.Contains(err.Error(), "unavailable (call 4)") {
		t.Fatalf("got %v, want the last attempt's error", err)
	}
}

// Flink rule (RetryableResultHandlerDelegator): the timeout covers all attempts; when it fires while a
// retry waits, the retry is cancelled and Timeout decides.
func TestAsyncTimeoutDuringRetryWait(t *testing.T) {
	clock := NewVirtualClock(0)
	calls := &asyncCalls{clock: clock}
	f := calls.fn()
	f.Timeout = func(v any, fut ResultFuture) { fut.Complete(times(v.(rec), 3)) }
	retry := FixedDelayRetryStrategy(5, 10*time.Millisecond).IfError(RetryIfError)
	h, _ := newAsyncHarness(t, clock, nil, func(s *DataStream) *DataStream {
		return s.UnorderedWaitWithRetry(f, 25*time.Millisecond, 2, retry)
	})
	feedAll(t, h, "a:1@1")
	for _, at := range []string{"proc 10", "proc 20"} {
		calls.last(t, 1).fut.CompleteExceptionally(errors.New("unavailable"))
		h.drain()
		feedAll(t, h, at)
	}
	calls.last(t, 1).fut.CompleteExceptionally(errors.New("unavailable"))
	h.drain()
	wantLines(t, "timeout at 25", feedAll(t, h, "proc 25"), "out a:3 @1")
	feedAll(t, h, "proc 100")
	if n := len(calls.of(1)); n != 3 {
		t.Fatalf("%d calls, want 3 (at 0, 10, 20; the retry due at 30 was cancelled)", n)
	}
	if n := activeTimers(clock); n != 0 {
		t.Fatalf("%d timers still registered", n)
	}
}

// Flink rule (AsyncWaitOperator#endInput, finishInFlightDelayedInputs): at the end of input the retries
// waiting for their delay are called at once, without further retries, and endInput waits for them.
func TestAsyncEndInputFlushesRetries(t *testing.T) {
	clock := NewVirtualClock(0)
	calls := &asyncCalls{clock: clock}
	retry := FixedDelayRetryStrategy(5, time.Hour).IfResult(RetryIfEmptyResult)
	h, _ := newAsyncHarness(t, clock, nil, func(s *DataStream) *DataStream {
		return s.OrderedWaitWithRetry(calls.fn(), 0, 2, retry)
	})
	feedAll(t, h, "a:1@1")
	complete(h, calls.last(t, 1)) // empty: a retry in an hour
	done := make(chan []string)
	go func() { done <- feedAll(t, h, "end") }()
	// endInput calls the retry now; its empty answer is final.
	for {
		calls.mu.Lock()
		n := len(calls.calls)
		calls.mu.Unlock()
		if n == 2 {
			break
		}
		<-time.After(time.Millisecond) // waiting for the other goroutine's call, not for a result
	}
	calls.last(t, 1).fut.Complete(nil)
	wantLines(t, "end", <-done, "wm +inf", "end")
}

func TestAsyncBuildRefusesBadArguments(t *testing.T) {
	env := NewEnvironment(Config{})
	s := env.FromElements(1)
	for name, f := range map[string]func(){
		"no AsyncInvoke": func() { s.OrderedWait(AsyncFunction{}, 0, 1) },
		"capacity 0":     func() { s.UnorderedWait(doubling, 0, 0) },
		"negative":       func() { s.OrderedWait(doubling, -time.Second, 1) },
		"no predicate":   func() { s.OrderedWaitWithRetry(doubling, 0, 1, FixedDelayRetryStrategy(1, time.Second)) },
		"zero strategy":  func() { s.OrderedWaitWithRetry(doubling, 0, 1, AsyncRetryStrategy{}) },
		"zero attempts":  func() { FixedDelayRetryStrategy(0, time.Second) },
		"multiplier":     func() { ExponentialBackoffRetryStrategy(1, time.Second, time.Minute, 0.5) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: not refused", name)
				}
			}()
			f()
		}()
	}
}

// A request stuck at the head of an unordered queue neither stops the records behind it (they are emitted
// as they complete and do not count against the capacity) nor makes the operator's lists grow with them.
func TestAsyncUnorderedSlowHeadStaysBounded(t *testing.T) {
	calls := &asyncCalls{}
	h, op := newAsyncHarness(t, NewVirtualClock(0), nil, func(s *DataStream) *DataStream {
		return s.UnorderedWait(calls.fn(), time.Hour, 4)
	})
	feedAll(t, h, "a:0@0")
	for i := int64(1); i <= 1000; i++ {
		feedAll(t, h, fmt.Sprintf("a:%d@%d", i, i))
		got := complete(h, calls.last(t, i), rec{"a", i})
		wantLines(t, fmt.Sprint("record ", i), got, fmt.Sprintf("out a:%d @%d", i, i))
		if len(op.queue) > 2*4+64 || len(op.deadlines) > 2*4+64 {
			t.Fatalf("after %d records the queue holds %d entries and the deadlines %d", i, len(op.queue), len(op.deadlines))
		}
	}
	if op.live != 1 {
		t.Fatalf("%d entries in flight, want 1 (the stuck record)", op.live)
	}
}
