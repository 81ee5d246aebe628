package engine

// The user functions of the DataStream API. They are plain function types and structs of functions rather than
// generic interfaces, so that Go cells interpreted by yaegi (which cannot call generic functions of compiled
// packages) can pass closures straight in. Records are values of any type; a function type-asserts them.

// MapFunc turns one record into one record.
type MapFunc func(v any) any

// FlatMapFunc turns one record into zero or more records, handed to out.
type FlatMapFunc func(v any, out Collector)

// FilterFunc keeps the records for which it returns true.
type FilterFunc func(v any) bool

// KeySelector extracts the key of a record. Keys must be comparable (strings, numbers, structs of them).
type KeySelector func(v any) any

// ReduceFunc combines two records of the same key (or window) into one. It must be associative.
type ReduceFunc func(a, b any) any

// Collector receives the records a function emits.
type Collector interface {
	Collect(v any)
}

// ProcessFunction is the lowest-level operator, Flink's ProcessFunction and KeyedProcessFunction in one:
// on a KeyedStream its Context gives keyed state and timers; on a plain DataStream only timestamps,
// watermarks and side outputs. OnTimer may be nil when no timer is registered.
type ProcessFunction struct {
	// Open, if set, runs once per parallel instance before the first record.
	Open func(ctx *Context) error
	// ProcessElement is called for every record.
	ProcessElement func(ctx *Context, v any, out Collector)
	// OnTimer is called when a timer registered through ctx fires; ctx.Timestamp() is the timer's time and
	// ctx.TimeDomain() says which clock it was set on.
	OnTimer func(ctx *Context, timestamp int64, out Collector)
}

// CoProcessFunction processes the two inputs of connected streams, with shared state when they are keyed.
type CoProcessFunction struct {
	Open            func(ctx *Context) error
	ProcessElement1 func(ctx *Context, v any, out Collector)
	ProcessElement2 func(ctx *Context, v any, out Collector)
	OnTimer         func(ctx *Context, timestamp int64, out Collector)
}

// AggregateFunction aggregates the records of a window (or of AggregatingState) incrementally through an
// accumulator, Flink's AggregateFunction. Merge is needed only for merging (session) windows.
type AggregateFunction struct {
	CreateAccumulator func() any
	Add               func(v any, acc any) any
	GetResult         func(acc any) any
	Merge             func(a, b any) any

	// builtin marks Count, SumOf and AverageOf, whose accumulators the window operator keeps unboxed on the
	// heap backend.
	builtin builtinAgg
}

// ProcessWindowFunc is called when a window fires, with the window's key and every record of the window (or,
// after an incremental Reduce or Aggregate, with the single pre-aggregated result). ctx.Window() is the
// window; everything collected carries the window's max timestamp.
type ProcessWindowFunc func(ctx *WindowContext, key any, elements []any, out Collector)

// ProcessWindowFunction is a ProcessWindowFunc with a Clear hook (Flink's ProcessWindowFunction with its
// clear(Context)): Clear, if set, runs when a window is cleaned up (at its end plus the allowed lateness), and
// is where per-window state (ctx.WindowState()) is dropped. Pass it to WindowedStream.ProcessWith,
// ReduceWith or AggregateWith.
type ProcessWindowFunction struct {
	Process ProcessWindowFunc
	Clear   func(ctx *WindowContext)
}

// SinkFunc receives every record that reaches a sink, with its timestamp (NoTimestamp if none).
// An error fails the job.
type SinkFunc func(v any, timestamp int64) error

// OutputTag names a side output of a ProcessFunction or of a window's late data.
type OutputTag struct {
	Name string
}

// NewOutputTag returns the tag of a side output called name.
func NewOutputTag(name string) *OutputTag { return &OutputTag{Name: name} }

// WindowResult is what the built-in WithKeyAndWindow window function emits: the key, the window and
// the window's aggregate.
type WindowResult struct {
	Key   any
	Start int64 // inclusive, milliseconds
	End   int64 // exclusive, milliseconds
	Value any
}

// WithKeyAndWindow is a ProcessWindowFunc that wraps a window's (pre-aggregated) result with its key and
// bounds as a WindowResult. Pass it to WindowedStream.Aggregate or Reduce.
func WithKeyAndWindow(ctx *WindowContext, key any, elements []any, out Collector) {
	w := ctx.Window()
	for _, e := range elements {
		out.Collect(WindowResult{Key: key, Start: w.Start, End: w.End, Value: e})
	}
}

// Count is an AggregateFunction that counts records, as int64.
//
//go:noinline
func Count() AggregateFunction {
	// Never inlined: the window operator recognises the built-in aggregates by their functions' code
	// (builtinKind), which inlining would copy into the caller.
	return AggregateFunction{
		CreateAccumulator: func() any { return int64(0) },
		Add:               func(_ any, acc any) any { return acc.(int64) + 1 },
		GetResult:         func(acc any) any { return acc },
		Merge:             func(a, b any) any { return a.(int64) + b.(int64) },
		builtin:           builtinAgg{kind: aggCount},
	}
}

// SumOf is an AggregateFunction that adds up field of every record as float64 ("" sums the records
// themselves). Fields are read as Field does.
//
//go:noinline
func SumOf(field string) AggregateFunction {
	return AggregateFunction{
		CreateAccumulator: func() any { return float64(0) },
		Add:               func(v any, acc any) any { return acc.(float64) + Float(v, field) },
		GetResult:         func(acc any) any { return acc },
		Merge:             func(a, b any) any { return a.(float64) + b.(float64) },
		builtin:           builtinAgg{kind: aggSum, field: field},
	}
}

// avgAcc is AverageOf's accumulator.
type avgAcc struct {
	Sum   float64
	Count int64
}

// AverageOf is an AggregateFunction that averages field of every record as float64.
//
//go:noinline
func AverageOf(field string) AggregateFunction {
	return AggregateFunction{
		CreateAccumulator: func() any { return avgAcc{} },
		Add: func(v any, acc any) any {
			a := acc.(avgAcc)
			return avgAcc{a.Sum + Float(v, field), a.Count + 1}
		},
		GetResult: func(acc any) any {
			a := acc.(avgAcc)
			if a.Count == 0 {
				return float64(0)
			}
			return a.Sum / float64(a.Count)
		},
		Merge: func(a, b any) any {
			x, y := a.(avgAcc), b.(avgAcc)
			return avgAcc{x.Sum + y.Sum, x.Count + y.Count}
		},
		builtin: builtinAgg{kind: aggAverage, field: field},
	}
}
