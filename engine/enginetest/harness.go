package enginetest

import (
	"errors"
	"fmt"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/internal/harnessbridge"
	"github.com/de4e/weir/engine/internal/keygroup"
)

// Errors of a Harness. Errors of the function under test are *engine.TaskError values.
var (
	// ErrOneInput is returned by the methods of a second input (ProcessElement2, ProcessWatermark2) on a
	// harness whose operator has one input.
	ErrOneInput = errors.New("enginetest: the operator under test has one input; ProcessElement2 and ProcessWatermark2 need a two-input harness (ForCoProcessFunction, ForKeyedCoProcessFunction, ForTwoInputOperator)")
	// ErrClosed is returned by every method of a closed harness but Close.
	ErrClosed = errors.New("enginetest: the harness is closed")
	// ErrInputEnded is returned by ProcessElement and EndInput after EndInput.
	ErrInputEnded = errors.New("enginetest: the harness's input has ended (EndInput was called)")
	// ErrOptions is wrapped by the constructors' error for invalid Options.
	ErrOptions = errors.New("enginetest: invalid options")
)

// Options configure a harness. The zero Options is valid: a heap state backend, 128 key groups, and the only
// subtask of parallelism 1.
type Options struct {
	// StateBackend selects where keyed state lives. Default engine.DefaultState, the heap; engine.PebbleState
	// keeps it in a Pebble database in a temporary directory that Close removes.
	StateBackend engine.StateBackendKind
	// MaxParallelism is the number of key groups. Default 128, as in Flink.
	MaxParallelism int
	// Parallelism and Subtask make the harness run subtask Subtask (counted from 0) of Parallelism parallel
	// instances, so that it owns only that subtask's key groups: a record whose key is in another subtask's
	// key groups is refused. Use them with Restore to test rescaling. Default parallelism 1, subtask 0.
	Parallelism int
	Subtask     int
	// Restore is the state the harness starts from, Flink's initializeState: snapshots taken with Snapshot by
	// harnesses of the same operators. Keyed state is taken by key group from every snapshot that overlaps
	// the harness's key groups, so that snapshots of all subtasks at one parallelism restore a subtask at
	// another. Default: empty state.
	Restore []*Snapshot
}

// Snapshot is the state of the operators of a harness (keyed state, timers and operator state) at one point,
// held in memory: Flink's OperatorSubtaskState. Pass it in Options.Restore to start a new harness from it.
type Snapshot struct {
	s    *harnessbridge.Snapshot
	from *Harness
}

// Subtask returns the index of the subtask the snapshot was taken from, and the parallelism it ran with.
func (s *Snapshot) Subtask() (index, parallelism int) { return s.s.Subtask, s.s.Parallelism }

// Harness drives an operator step by step on the caller's goroutine, as Flink's operator test harnesses do:
// each call hands the operator one element, watermark or advance of processing time and returns once the
// operator (and the operators chained after it) has handled it. Processing time starts at 0 and moves only
// with SetProcessingTime. A Harness must not be used from several goroutines at once.
type Harness struct {
	d      harnessbridge.Driver
	name   string
	ended  bool
	closed bool
}

// ForKeyedProcessFunction returns a harness for fn on a stream keyed by key (Flink's
// ProcessFunctionTestHarnesses.forKeyedProcessFunction): fn has keyed state and timers.
func ForKeyedProcessFunction(fn engine.ProcessFunction, key engine.KeySelector, opts ...Options) (*Harness, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: ForKeyedProcessFunction needs a key selector", ErrOptions)
	}
	return ForKeyedOperator(key, func(k *engine.KeyedStream) *engine.DataStream { return k.Process(fn) }, opts...)
}

// ForProcessFunction returns a harness for fn on a stream that is not keyed (Flink's
// ProcessFunctionTestHarnesses.forProcessFunction): fn has no keyed state or timers.
func ForProcessFunction(fn engine.ProcessFunction, opts ...Options) (*Harness, error) {
	return ForOperator(func(s *engine.DataStream) *engine.DataStream { return s.Process(fn) }, opts...)
}

// ForKeyedCoProcessFunction returns a harness for fn on two streams keyed by key1 and key2 (Flink's
// ProcessFunctionTestHarnesses.forKeyedCoProcessFunction); feed them with ProcessElement1 and ProcessElement2.
func ForKeyedCoProcessFunction(fn engine.CoProcessFunction, key1, key2 engine.KeySelector, opts ...Options) (*Harness, error) {
	if key1 == nil || key2 == nil {
		return nil, fmt.Errorf("%w: ForKeyedCoProcessFunction needs two key selectors", ErrOptions)
	}
	return ForTwoInputOperator(func(a, b *engine.DataStream) *engine.DataStream {
		return a.Connect(b).KeyBy(key1, key2).Process(fn)
	}, opts...)
}

// ForCoProcessFunction returns a harness for fn on two streams that are not keyed (Flink's
// ProcessFunctionTestHarnesses.forCoProcessFunction).
func ForCoProcessFunction(fn engine.CoProcessFunction, opts ...Options) (*Harness, error) {
	return ForTwoInputOperator(func(a, b *engine.DataStream) *engine.DataStream { return a.Connect(b).Process(fn) }, opts...)
}

// ForKeyedOperator returns a harness for the operators build applies to a stream keyed by key: a window
// (k.Window(...).Aggregate(...)), a rolling aggregation, a process function, with any operators chained
// after it. The harness drives the first operator and records what the last one emits, and the side outputs
// of all of them. build must not repartition the stream again (a KeyBy, Rebalance or change of parallelism
// after the first operator): the operators must form one chain.
func ForKeyedOperator(key engine.KeySelector, build func(k *engine.KeyedStream) *engine.DataStream, opts ...Options) (*Harness, error) {
	if key == nil || build == nil {
		return nil, fmt.Errorf("%w: ForKeyedOperator needs a key selector and a build function", ErrOptions)
	}
	return newHarness(opts, 1, func(in []*engine.DataStream) *engine.DataStream { return build(in[0].KeyBy(key)) })
}

// ForOperator returns a harness for the operators build applies to a stream that is not keyed, as
// ForKeyedOperator does for a keyed one.
func ForOperator(build func(s *engine.DataStream) *engine.DataStream, opts ...Options) (*Harness, error) {
	if build == nil {
		return nil, fmt.Errorf("%w: ForOperator needs a build function", ErrOptions)
	}
	return newHarness(opts, 1, func(in []*engine.DataStream) *engine.DataStream { return build(in[0]) })
}

// ForTwoInputOperator returns a harness for the two-input operator build makes of two streams (connected
// streams, keyed or not, and the joins and broadcast patterns built on them); ProcessElement1 feeds the first
// stream and ProcessElement2 the second.
func ForTwoInputOperator(build func(first, second *engine.DataStream) *engine.DataStream, opts ...Options) (*Harness, error) {
	if build == nil {
		return nil, fmt.Errorf("%w: ForTwoInputOperator needs a build function", ErrOptions)
	}
	return newHarness(opts, 2, func(in []*engine.DataStream) *engine.DataStream { return build(in[0], in[1]) })
}

// newHarness builds the pipeline in an environment of its own and hands it to the engine's harness.
func newHarness(opts []Options, inputs int, build func([]*engine.DataStream) *engine.DataStream) (h *Harness, err error) {
	if len(opts) > 1 {
		return nil, fmt.Errorf("%w: pass at most one Options, got %d", ErrOptions, len(opts))
	}
	var o Options
	if len(opts) == 1 {
		o = opts[0]
	}
	if o.MaxParallelism <= 0 {
		o.MaxParallelism = keygroup.DefaultMaxParallelism
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 1
	}
	switch {
	case o.Parallelism > o.MaxParallelism:
		return nil, fmt.Errorf("%w: Parallelism %d exceeds MaxParallelism %d", ErrOptions, o.Parallelism, o.MaxParallelism)
	case o.Subtask < 0 || o.Subtask >= o.Parallelism:
		return nil, fmt.Errorf("%w: Subtask %d is not one of the %d subtasks (counted from 0)", ErrOptions, o.Subtask, o.Parallelism)
	case o.StateBackend != engine.DefaultState && o.StateBackend != engine.HeapState && o.StateBackend != engine.PebbleState:
		return nil, fmt.Errorf("%w: unknown StateBackend %d", ErrOptions, o.StateBackend)
	}
	restore := make([]*harnessbridge.Snapshot, len(o.Restore))
	for i, s := range o.Restore {
		if s == nil || s.s == nil {
			return nil, fmt.Errorf("%w: Restore[%d] is nil", ErrOptions, i)
		}
		restore[i] = s.s
	}
	env := engine.NewEnvironment(engine.Config{
		Parallelism:    o.Parallelism,
		MaxParallelism: o.MaxParallelism,
		Clock:          engine.NewVirtualClock(0),
		StateBackend:   o.StateBackend,
	})
	in := make([]*engine.DataStream, inputs)
	for i := range in {
		in[i] = env.FromElements()
	}
	var out *engine.DataStream
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("enginetest: building the operator under test: %v", p)
			}
		}()
		out = build(in)
	}()
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errors.New("enginetest: the build function returned no stream")
	}
	d, err := harnessbridge.New(harnessbridge.Config{Env: env, Out: out, Subtask: o.Subtask, Restore: restore})
	if err != nil {
		return nil, err
	}
	ops := d.Operators()
	name := ops[0]
	if len(ops) > 1 {
		name += " -> ..."
	}
	return &Harness{d: d, name: name}, nil
}

func (h *Harness) usable() error {
	if h.closed {
		return ErrClosed
	}
	return nil
}

func (h *Harness) element(input int, v any, ts int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	if h.ended {
		return ErrInputEnded
	}
	if input >= h.d.Inputs() {
		return ErrOneInput
	}
	return h.d.ProcessElement(input, v, ts)
}

// ProcessElement hands v, with event timestamp ts (engine.NoTimestamp for none), to the operator's (first)
// input. A panic in the function under test is returned as an *engine.TaskError naming the operator and v.
func (h *Harness) ProcessElement(v any, ts int64) error { return h.element(0, v, ts) }

// ProcessElement1 is ProcessElement: it hands v to the first input of a two-input operator.
func (h *Harness) ProcessElement1(v any, ts int64) error { return h.element(0, v, ts) }

// ProcessElement2 hands v, with event timestamp ts, to the second input of a two-input operator; on a
// one-input harness it returns ErrOneInput.
func (h *Harness) ProcessElement2(v any, ts int64) error { return h.element(1, v, ts) }

func (h *Harness) watermark(input int, wm int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	if input >= h.d.Inputs() {
		return ErrOneInput
	}
	return h.d.ProcessWatermark(input, wm)
}

// ProcessWatermark advances the watermark of every input to wm: the operator fires its event-time timers up
// to wm and forwards it. A watermark that does not advance is ignored, as the engine's input does.
func (h *Harness) ProcessWatermark(wm int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	for i := 0; i < h.d.Inputs(); i++ {
		if err := h.d.ProcessWatermark(i, wm); err != nil {
			return err
		}
	}
	return nil
}

// ProcessWatermark1 advances the first input's watermark to wm. A two-input operator's watermark is the
// lower of its inputs', so it advances only as far as the second input's allows.
func (h *Harness) ProcessWatermark1(wm int64) error { return h.watermark(0, wm) }

// ProcessWatermark2 advances the second input's watermark to wm; on a one-input harness it returns
// ErrOneInput.
func (h *Harness) ProcessWatermark2(wm int64) error { return h.watermark(1, wm) }

// SetProcessingTime moves processing time to t (milliseconds; it never moves back) and fires the
// processing-time timers due by then.
func (h *Harness) SetProcessingTime(t int64) error {
	if err := h.usable(); err != nil {
		return err
	}
	return h.d.SetProcessingTime(t)
}

// ProcessingTime returns the harness's processing time, 0 until SetProcessingTime moves it.
func (h *Harness) ProcessingTime() int64 { return h.d.ProcessingTime() }

// CurrentWatermark returns the operator's event-time watermark (engine.MinWatermark before the first).
func (h *Harness) CurrentWatermark() int64 { return h.d.CurrentWatermark() }

// EndInput ends the operator's input, as a bounded stream ends: the operators' end-of-input work, then the
// end of the output, then, as when a job finishes, the commit of the transactions two-phase-commit sinks
// pre-committed at the end. As in Flink's harness, it sends no watermark: call
// ProcessWatermark(engine.MaxWatermark) first to fire what the end of a bounded stream fires.
func (h *Harness) EndInput() error {
	if err := h.usable(); err != nil {
		return err
	}
	if h.ended {
		return ErrInputEnded
	}
	h.ended = true
	return h.d.EndInput()
}

// Snapshot takes the operators' state, as a checkpoint would: keyed state, timers and operator state.
func (h *Harness) Snapshot() (*Snapshot, error) {
	if err := h.usable(); err != nil {
		return nil, err
	}
	s, err := h.d.Snapshot()
	if err != nil {
		return nil, err
	}
	return &Snapshot{s: s, from: h}, nil
}

// NotifyCheckpointComplete tells the operators that the checkpoint s was taken for has completed, Flink's
// notifyOfCompletedCheckpoint: two-phase-commit sinks commit the transactions it covers. s must have been
// taken by h.
func (h *Harness) NotifyCheckpointComplete(s *Snapshot) error {
	if err := h.usable(); err != nil {
		return err
	}
	if s == nil || s.from != h {
		return errors.New("enginetest: NotifyCheckpointComplete needs a snapshot this harness took")
	}
	return h.d.NotifyCheckpointComplete(s.s.ID)
}

// NumKeyedStateEntries returns how many entries the operators' keyed state holds: one per key (and window)
// of every ValueState, ListState, MapState, ReducingState and AggregatingState, window contents and trigger
// state, as Flink's numKeyedStateEntries. A function that leaves no state behind brings it back to 0.
func (h *Harness) NumKeyedStateEntries() int {
	if h.closed {
		return 0
	}
	return h.d.KeyedStateEntries()
}

// NumEventTimeTimers returns how many event-time timers are registered and have not fired or been deleted.
func (h *Harness) NumEventTimeTimers() int { return h.d.Timers(false) }

// NumProcessingTimeTimers returns how many processing-time timers are registered and have not fired or been
// deleted.
func (h *Harness) NumProcessingTimeTimers() int { return h.d.Timers(true) }

// Close closes the operators and releases their state. Every later call but Close returns ErrClosed.
func (h *Harness) Close() error {
	if h.closed {
		return nil
	}
	h.closed = true
	return h.d.Close()
}

// String names the operator under test.
func (h *Harness) String() string { return "harness of " + h.name }
