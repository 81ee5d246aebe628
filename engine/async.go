package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AsyncFunction is the user code of Async I/O, Flink's AsyncFunction and RichAsyncFunction: it starts a
// request for each record and completes the record's ResultFuture when the answer arrives, from any
// goroutine, so that many requests to an external system are in flight at once.
type AsyncFunction struct {
	// AsyncInvoke starts the request for v and should return at once; it, or a goroutine it starts, completes
	// result with the records to emit for v. ctx is the request's context: it is cancelled once the request
	// has completed or timed out, or the job stops (canceled, failed, restarting), so a request blocked on
	// I/O should give up when it is done. It runs on the subtask's goroutine. Required.
	AsyncInvoke func(ctx context.Context, v any, result ResultFuture)
	// Timeout, if set, is called on the subtask's goroutine when v's request has not completed within the
	// operator's timeout (all retries included). It decides v's outcome through result: Complete emits
	// records anyway (Complete(nil) drops v), CompleteExceptionally fails the job. If nil, the job fails
	// with an error wrapping ErrAsyncTimeout that names the operator and v (Flink's default timeout).
	Timeout func(v any, result ResultFuture)
	// Open, if set, runs once per parallel instance before the first request; an error fails the job.
	Open func(ctx *Context) error
	// Close, if set, runs once per parallel instance after its input ended and every request completed.
	Close func() error
}

// ResultFuture is how an AsyncFunction hands back the outcome of one request, Flink's ResultFuture. It may
// be called from any goroutine. Only the first completion counts: later calls are ignored.
type ResultFuture interface {
	// Complete emits results for the request's record, each with the record's timestamp. Complete(nil) or an
	// empty slice emits nothing. The operator keeps the slice: do not change it afterwards.
	Complete(results []any)
	// CompleteExceptionally fails the request with err: the job fails with err (wrapped with the operator
	// and the record), unless the retry strategy retries on it.
	CompleteExceptionally(err error)
}

// ErrAsyncTimeout is the failure of an Async I/O request that did not complete within its timeout when the
// AsyncFunction has no Timeout of its own.
var ErrAsyncTimeout = errors.New("engine: async request timed out")

// AsyncRetryStrategy says which Async I/O requests are retried and when, Flink's AsyncRetryStrategy built by
// AsyncRetryStrategies: a request whose result satisfies RetryOnResult, or whose error satisfies
// RetryOnError, is called again after a delay, up to MaxAttempts retries, as long as its timeout has not
// passed. Build one with FixedDelayRetryStrategy or ExponentialBackoffRetryStrategy and add predicates with
// IfResult and IfError. The outcome of the last attempt is the request's outcome.
type AsyncRetryStrategy struct {
	// MaxAttempts is how many retries may follow the first call: Flink's canRetry(currentAttempts) is
	// currentAttempts <= maxAttempts, the first call being attempt 1, so a request is called at most
	// MaxAttempts+1 times.
	MaxAttempts int
	// Delay is the wait before the retry with the fixed-delay strategy, and the initial delay with the
	// exponential one.
	Delay time.Duration
	// Multiplier is the exponential strategy's factor (0 for a fixed delay). As in Flink, the k-th retry of a
	// request waits min(Delay × Multiplier^k, MaxDelay). Unlike Flink, whose strategy object carries the last
	// delay across all the requests of a subtask, the delay is per request, which keeps runs reproducible.
	Multiplier float64
	// MaxDelay bounds the exponential strategy's delay.
	MaxDelay time.Duration
	// RetryOnResult, if set, retries a request completed with results it returns true for.
	RetryOnResult func(results []any) bool
	// RetryOnError, if set, retries a request completed exceptionally with an error it returns true for.
	RetryOnError func(err error) bool
}

// FixedDelayRetryStrategy retries up to maxAttempts times, waiting delay before each retry, Flink's
// AsyncRetryStrategies.FixedDelayRetryStrategyBuilder. Add what to retry on with IfResult and IfError.
func FixedDelayRetryStrategy(maxAttempts int, delay time.Duration) AsyncRetryStrategy {
	if maxAttempts < 1 {
		panic(fmt.Sprintf("engine: FixedDelayRetryStrategy maxAttempts must be at least 1, got %d", maxAttempts))
	}
	if delay <= 0 {
		panic(fmt.Sprintf("engine: FixedDelayRetryStrategy delay must be positive, got %v", delay))
	}
	return AsyncRetryStrategy{MaxAttempts: maxAttempts, Delay: delay}
}

// ExponentialBackoffRetryStrategy retries up to maxAttempts times; the k-th retry of a request waits
// min(initialDelay × multiplier^k, maxDelay), Flink's AsyncRetryStrategies.
// ExponentialBackoffDelayRetryStrategyBuilder. Add what to retry on with IfResult and IfError.
func ExponentialBackoffRetryStrategy(maxAttempts int, initialDelay, maxDelay time.Duration, multiplier float64) AsyncRetryStrategy {
	switch {
	case maxAttempts < 1:
		panic(fmt.Sprintf("engine: ExponentialBackoffRetryStrategy maxAttempts must be at least 1, got %d", maxAttempts))
	case initialDelay <= 0:
		panic(fmt.Sprintf("engine: ExponentialBackoffRetryStrategy initialDelay must be positive, got %v", initialDelay))
	case maxDelay < initialDelay:
		panic(fmt.Sprintf("engine: ExponentialBackoffRetryStrategy maxDelay (%v) must be at least initialDelay (%v)", maxDelay, initialDelay))
	case multiplier < 1:
		panic(fmt.Sprintf("engine: ExponentialBackoffRetryStrategy multiplier must be at least 1, got %v", multiplier))
	}
	return AsyncRetryStrategy{MaxAttempts: maxAttempts, Delay: initialDelay, MaxDelay: maxDelay, Multiplier: multiplier}
}

// IfResult returns s retrying requests whose results satisfy p (Flink's ifResult).
func (s AsyncRetryStrategy) IfResult(p func(results []any) bool) AsyncRetryStrategy {
	s.RetryOnResult = p
	return s
}

// IfError returns s retrying requests that failed with an error satisfying p (Flink's ifException).
func (s AsyncRetryStrategy) IfError(p func(err error) bool) AsyncRetryStrategy {
	s.RetryOnError = p
	return s
}

// RetryIfEmptyResult is a result predicate that retries a request completed with no records, Flink's
// RetryPredicates.EMPTY_RESULT_PREDICATE.
func RetryIfEmptyResult(results []any) bool { return len(results) == 0 }

// RetryIfError is an error predicate that retries every failed request, Flink's
// RetryPredicates.HAS_EXCEPTION_PREDICATE.
func RetryIfError(err error) bool { return err != nil }

// backoff returns the delay before a request's next retry; last is the delay before its previous retry (0
// before the first).
func (s *AsyncRetryStrategy) backoff(last time.Duration) time.Duration {
	if s.Multiplier == 0 {
		return s.Delay
	}
	if last == 0 {
		last = s.Delay
	}
	return min(time.Duration(float64(last)*s.Multiplier), s.MaxDelay)
}

func (s *AsyncRetryStrategy) check(method string) {
	if s.MaxAttempts < 1 || s.Delay <= 0 {
		panic(fmt.Sprintf("engine: %s needs a retry strategy with MaxAttempts >= 1 and a positive Delay (build it with FixedDelayRetryStrategy or ExponentialBackoffRetryStrategy)", method))
	}
	if s.Multiplier != 0 && (s.Multiplier < 1 || s.MaxDelay < s.Delay) {
		panic(fmt.Sprintf("engine: %s: an exponential retry strategy needs Multiplier >= 1 and MaxDelay >= Delay", method))
	}
	if s.RetryOnResult == nil && s.RetryOnError == nil {
		panic(fmt.Sprintf("engine: %s: the retry strategy retries nothing: set IfResult or IfError", method))
	}
}

// OrderedWait runs f on every record with up to capacity requests in flight, and emits each record's results
// in input order, with the record's timestamp (Flink's AsyncDataStream.orderedWait). When capacity requests
// are in flight (watermarks waiting for their turn count too) the operator waits, which backpressures its
// input. A request not completed within timeout (counted in milliseconds of the job's clock) calls
// f.Timeout; a timeout of 0 means none. In-flight records are kept in checkpoints and called again after a
// restore (from their first attempt); they must be encodable with encoding/gob (RegisterType). At the end of
// input the operator waits for every request.
//
// Flink's AsyncDataStream is a holder of static helpers that take the stream as their first argument. Go
// cannot name both a type and a function AsyncDataStream, and a stateless package value would only add a
// word, so the helpers are DataStream methods that chain like Map: Flink's
// AsyncDataStream.orderedWait(stream, f, timeout, unit, capacity) is stream.OrderedWait(f, timeout, capacity).
func (s *DataStream) OrderedWait(f AsyncFunction, timeout time.Duration, capacity int) *DataStream {
	return s.asyncWait("OrderedWait", f, timeout, capacity, true, nil)
}

// UnorderedWait is OrderedWait emitting each record's results as soon as its request completes (Flink's
// AsyncDataStream.unorderedWait). Results never overtake a watermark, nor a watermark results: only records
// between the same two watermarks are reordered (Flink's UnorderedStreamElementQueue segments).
func (s *DataStream) UnorderedWait(f AsyncFunction, timeout time.Duration, capacity int) *DataStream {
	return s.asyncWait("UnorderedWait", f, timeout, capacity, false, nil)
}

// OrderedWaitWithRetry is OrderedWait retrying requests as retry says (Flink's
// AsyncDataStream.orderedWaitWithRetry).
func (s *DataStream) OrderedWaitWithRetry(f AsyncFunction, timeout time.Duration, capacity int, retry AsyncRetryStrategy) *DataStream {
	retry.check("OrderedWaitWithRetry")
	return s.asyncWait("OrderedWaitWithRetry", f, timeout, capacity, true, &retry)
}

// UnorderedWaitWithRetry is UnorderedWait retrying requests as retry says (Flink's
// AsyncDataStream.unorderedWaitWithRetry).
func (s *DataStream) UnorderedWaitWithRetry(f AsyncFunction, timeout time.Duration, capacity int, retry AsyncRetryStrategy) *DataStream {
	retry.check("UnorderedWaitWithRetry")
	return s.asyncWait("UnorderedWaitWithRetry", f, timeout, capacity, false, &retry)
}

func (s *DataStream) asyncWait(method string, f AsyncFunction, timeout time.Duration, capacity int, ordered bool, retry *AsyncRetryStrategy) *DataStream {
	if f.AsyncInvoke == nil {
		panic(fmt.Sprintf("engine: %s needs an AsyncFunction with AsyncInvoke", method))
	}
	if capacity < 1 {
		panic(fmt.Sprintf("engine: %s capacity must be at least 1, got %d", method, capacity))
	}
	if timeout < 0 {
		panic(fmt.Sprintf("engine: %s timeout must not be negative (0 means none), got %v", method, timeout))
	}
	return s.add("Async I/O", func() operator {
		return &asyncOp{f: f, timeout: timeout, capacity: capacity, ordered: ordered, retry: retry}
	}, false)
}
