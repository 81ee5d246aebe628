package engine

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// partitioning says how records travel from the subtasks of one operator to those of the next.
type partitioning uint8

const (
	partDefault   partitioning = iota // forward if parallelism matches, else rebalance (Flink's default)
	partForward                       // subtask i to subtask i
	partRebalance                     // round robin
	partBroadcast                     // every record to every subtask
	partHash                          // by key group of the record's key
	partGlobal                        // everything to subtask 0
)

func (p partitioning) String() string {
	return [...]string{"DEFAULT", "FORWARD", "REBALANCE", "BROADCAST", "HASH", "GLOBAL"}[p]
}

// node is one operator of the logical graph that the API builds.
type node struct {
	id          int
	name        string
	kind        string // "source", "operator", "sink"
	parallelism int    // 0: the environment's default
	maxPar      int    // upper bound (a non-parallel source: 1)
	inputs      []edgeSpec
	newOp       func() operator // nil for sources
	source      *sourceSpec
	keyed       bool // uses keyed state and timers
	chaining    chainMode
	gauges      []namedGauge // registered with DataStream.Gauge (metrics_custom.go)
}

type chainMode uint8

const (
	chainDefault chainMode = iota
	chainStartNew
	chainNever
)

// edgeSpec is an input of a node: which node it reads, how records are partitioned, and which input of a
// two-input operator it feeds.
type edgeSpec struct {
	from  *node
	side  *OutputTag // read this side output of from, not its main output
	part  partitioning
	key   KeySelector
	input int
}

type sourceSpec struct {
	src      Source
	strategy *WatermarkStrategy
}

// streamInput is one upstream of a DataStream: a node's main or side output, with how to partition it.
type streamInput struct {
	node *node
	side *OutputTag
	part partitioning
	key  KeySelector
}

// DataStream is a stream of records of any type. It is lazy: building one records an operator in its
// Environment's graph, and nothing runs until Environment.Execute.
type DataStream struct {
	env    *Environment
	inputs []streamInput // several after Union
}

// KeyedStream is a DataStream partitioned by key, whose operators get keyed state and timers.
type KeyedStream struct {
	DataStream
	key KeySelector
}

func (s *DataStream) add(name string, newOp func() operator, keyed bool) *DataStream {
	n := s.env.addNode(name, "operator")
	n.newOp, n.keyed = newOp, keyed
	for _, in := range s.inputs {
		n.inputs = append(n.inputs, edgeSpec{from: in.node, side: in.side, part: in.part, key: in.key})
	}
	return &DataStream{env: s.env, inputs: []streamInput{{node: n}}}
}

// last returns the node that produced s, for the setters below.
func (s *DataStream) last(what string) *node {
	if len(s.inputs) != 1 || s.inputs[0].side != nil || s.inputs[0].part != partDefault {
		panic(fmt.Sprintf("engine: %s applies to the stream an operator returns, not to a union, side output or partitioned stream", what))
	}
	return s.inputs[0].node
}

// Name sets the name of the operator that produced s, shown in plans and the workbench.
func (s *DataStream) Name(name string) *DataStream { s.last("Name").name = name; return s }

// SetParallelism sets how many parallel subtasks run the operator that produced s.
func (s *DataStream) SetParallelism(p int) *DataStream {
	if p < 1 {
		panic(fmt.Sprintf("engine: parallelism must be at least 1, got %d", p))
	}
	n := s.last("SetParallelism")
	if n.maxPar > 0 && p > n.maxPar {
		panic(fmt.Sprintf("engine: %s cannot run with parallelism %d (at most %d)", n.name, p, n.maxPar))
	}
	n.parallelism = p
	return s
}

// DisableChaining keeps the operator that produced s out of every chain.
func (s *DataStream) DisableChaining() *DataStream {
	s.last("DisableChaining").chaining = chainNever
	return s
}

// StartNewChain starts a new chain at the operator that produced s.
func (s *DataStream) StartNewChain() *DataStream {
	s.last("StartNewChain").chaining = chainStartNew
	return s
}

func (s *DataStream) withPart(p partitioning, key KeySelector) DataStream {
	out := DataStream{env: s.env}
	for _, in := range s.inputs {
		in.part, in.key = p, key
		out.inputs = append(out.inputs, in)
	}
	return out
}

// Map applies f to every record.
func (s *DataStream) Map(f MapFunc) *DataStream {
	return s.add("Map", func() operator { return &mapOp{f: f} }, false)
}

// FlatMap applies f to every record; f emits zero or more records.
func (s *DataStream) FlatMap(f FlatMapFunc) *DataStream {
	return s.add("FlatMap", func() operator { return &flatMapOp{f: f} }, false)
}

// Filter keeps the records for which f returns true.
func (s *DataStream) Filter(f FilterFunc) *DataStream {
	return s.add("Filter", func() operator { return &filterOp{f: f} }, false)
}

// Process runs a ProcessFunction on every record; on a plain DataStream it has no keyed state or timers.
func (s *DataStream) Process(f ProcessFunction) *DataStream {
	if f.ProcessElement == nil {
		panic("engine: ProcessFunction needs ProcessElement")
	}
	return s.add("Process", func() operator {
		return &processOp{open1: f.Open, fn1: f.ProcessElement, timerFn: f.OnTimer}
	}, false)
}

// AssignTimestampsAndWatermarks assigns timestamps and generates watermarks with strategy from here on,
// replacing any watermarks from upstream.
func (s *DataStream) AssignTimestampsAndWatermarks(strategy WatermarkStrategy) *DataStream {
	if strategy.align != nil {
		panic("engine: AssignTimestampsAndWatermarks: watermark alignment (" + strategy.align.String() + ") works only in a source's strategy (FromSource)")
	}
	return s.add("Timestamps/Watermarks", func() operator { return &watermarkOp{gen: wmEmitter{s: strategy}} }, false)
}

// KeyBy partitions the stream by key: records with equal keys go to the same subtask, by key group.
func (s *DataStream) KeyBy(key KeySelector) *KeyedStream {
	return &KeyedStream{DataStream: s.withPart(partHash, key), key: key}
}

// KeyByField is KeyBy(KeyByField(name)).
func (s *DataStream) KeyByField(name string) *KeyedStream { return s.KeyBy(KeyByField(name)) }

// Rebalance distributes records round robin over the next operator's subtasks.
func (s *DataStream) Rebalance() *DataStream { d := s.withPart(partRebalance, nil); return &d }

// Broadcast sends every record to every subtask of the next operator. For broadcast state, see
// BroadcastWithState.
func (s *DataStream) Broadcast() *DataStream { d := s.withPart(partBroadcast, nil); return &d }

// Forward sends subtask i's records to subtask i of the next operator, which must have the same parallelism.
func (s *DataStream) Forward() *DataStream { d := s.withPart(partForward, nil); return &d }

// Global sends every record to the first subtask of the next operator.
func (s *DataStream) Global() *DataStream { d := s.withPart(partGlobal, nil); return &d }

// Union merges streams of the same kind of record into one, without ordering between them.
func (s *DataStream) Union(others ...*DataStream) *DataStream {
	out := &DataStream{env: s.env, inputs: append([]streamInput(nil), s.inputs...)}
	for _, o := range others {
		out.inputs = append(out.inputs, o.inputs...)
	}
	return out
}

// SideOutput returns the side output tag of the operator that produced s.
func (s *DataStream) SideOutput(tag *OutputTag) *DataStream {
	return &DataStream{env: s.env, inputs: []streamInput{{node: s.last("SideOutput"), side: tag}}}
}

// Connect pairs s with other for a CoProcessFunction; the two may carry different kinds of record.
func (s *DataStream) Connect(other *DataStream) *ConnectedStreams {
	return &ConnectedStreams{first: *s, second: *other}
}

// WindowAll groups the whole stream (not keyed) into windows, evaluated by a single subtask.
func (s *DataStream) WindowAll(assigner WindowAssigner) *WindowedStream {
	ws := s.KeyBy(func(any) any { return 0 }).Window(assigner) // one key: every record in one subtask
	ws.all = true
	return ws
}

// Process runs a ProcessFunction per key, with keyed state and timers (Flink's KeyedProcessFunction).
func (k *KeyedStream) Process(f ProcessFunction) *DataStream {
	if f.ProcessElement == nil {
		panic("engine: ProcessFunction needs ProcessElement")
	}
	return k.add("KeyedProcess", func() operator {
		return &processOp{open1: f.Open, fn1: f.ProcessElement, timerFn: f.OnTimer}
	}, true)
}

// Reduce combines each record with the previous result of its key and emits every result (a rolling reduce).
func (k *KeyedStream) Reduce(f ReduceFunc) *DataStream {
	return k.add("Reduce", func() operator { return &rollingOp{reduce: f} }, true)
}

// Sum emits, for every record, the first record of its key with field replaced by the running sum
// ("" sums the records themselves).
func (k *KeyedStream) Sum(field string) *DataStream { return k.rolling("sum", field) }

// Min emits the first record of the key with field replaced by the running minimum.
func (k *KeyedStream) Min(field string) *DataStream { return k.rolling("min", field) }

// Max emits the first record of the key with field replaced by the running maximum.
func (k *KeyedStream) Max(field string) *DataStream { return k.rolling("max", field) }

// MinBy emits the record of the key with the smallest field so far (the first one on ties).
func (k *KeyedStream) MinBy(field string) *DataStream { return k.rolling("minBy", field) }

// MaxBy emits the record of the key with the largest field so far (the first one on ties).
func (k *KeyedStream) MaxBy(field string) *DataStream { return k.rolling("maxBy", field) }

func (k *KeyedStream) rolling(kind, field string) *DataStream {
	f := rollingField(kind, field)
	name := strings.ToUpper(kind[:1]) + kind[1:]
	if field != "" {
		name += "(" + field + ")"
	}
	return k.add(name, func() operator { return &rollingOp{reduce: f} }, true)
}

// Window groups each key's records into windows of assigner.
func (k *KeyedStream) Window(assigner WindowAssigner) *WindowedStream {
	if assigner == nil {
		panic("engine: Window: assigner is nil")
	}
	return &WindowedStream{keyed: k, assigner: assigner}
}

// CountWindow groups each key's records into windows of size records, sliding by slide if given
// (Flink's countWindow: GlobalWindows with a count trigger, and a count evictor when sliding). Size and slide
// must be positive.
func (k *KeyedStream) CountWindow(size int64, slide ...int64) *WindowedStream {
	if size <= 0 {
		panic(fmt.Sprintf("engine: CountWindow: size must be positive, got %d", size))
	}
	if len(slide) > 1 {
		panic(fmt.Sprintf("engine: CountWindow: at most one slide, got %d", len(slide)))
	}
	if len(slide) == 1 && slide[0] <= 0 {
		panic(fmt.Sprintf("engine: CountWindow: slide must be positive, got %d", slide[0]))
	}
	ws := k.Window(GlobalWindows())
	if len(slide) == 0 {
		return ws.Trigger(PurgingTrigger(CountTrigger(size)))
	}
	return ws.Evictor(CountEvictor(int(size))).Trigger(CountTrigger(slide[0]))
}

// WindowedStream is a keyed stream grouped into windows, waiting for a window function.
type WindowedStream struct {
	keyed    *KeyedStream
	assigner WindowAssigner
	trigger  Trigger
	evictor  Evictor
	lateness time.Duration
	lateTag  *OutputTag
	all      bool
}

// Trigger replaces the assigner's default trigger.
func (w *WindowedStream) Trigger(t Trigger) *WindowedStream {
	if t == nil {
		panic("engine: WindowedStream.Trigger: trigger is nil")
	}
	w.trigger = t
	return w
}

// Evictor sets an evictor; the window then keeps every record rather than aggregating incrementally.
func (w *WindowedStream) Evictor(e Evictor) *WindowedStream {
	if e == nil {
		panic("engine: WindowedStream.Evictor: evictor is nil")
	}
	w.evictor = e
	return w
}

// AllowedLateness keeps each event-time window's state for d after its end, so records up to d late still
// update it and cause a late firing. The default is 0; a negative lateness is refused, as in Flink.
func (w *WindowedStream) AllowedLateness(d time.Duration) *WindowedStream {
	if d < 0 {
		panic(fmt.Sprintf("engine: AllowedLateness: lateness cannot be negative, got %v", d))
	}
	w.lateness = d
	return w
}

// SideOutputLateData sends records too late for any window to the side output tag instead of dropping them.
func (w *WindowedStream) SideOutputLateData(tag *OutputTag) *WindowedStream {
	if tag == nil {
		panic("engine: SideOutputLateData: output tag is nil")
	}
	w.lateTag = tag
	return w
}

// Reduce aggregates each window incrementally with f; if fn is given, it receives the single result.
func (w *WindowedStream) Reduce(f ReduceFunc, fn ...ProcessWindowFunc) *DataStream {
	return w.ReduceWith(f, ProcessWindowFunction{Process: optFn("Reduce", fn)})
}

// Aggregate aggregates each window incrementally with agg; if fn is given, it receives the single result.
func (w *WindowedStream) Aggregate(agg AggregateFunction, fn ...ProcessWindowFunc) *DataStream {
	return w.AggregateWith(agg, ProcessWindowFunction{Process: optFn("Aggregate", fn)})
}

// Process keeps every record of each window and hands them all to fn when the window fires.
func (w *WindowedStream) Process(fn ProcessWindowFunc) *DataStream {
	return w.ProcessWith(ProcessWindowFunction{Process: fn})
}

// ReduceWith is Reduce with a ProcessWindowFunction, whose Process (if set) receives the single result and
// whose Clear (if set) runs when a window is cleaned up.
func (w *WindowedStream) ReduceWith(f ReduceFunc, fn ProcessWindowFunction) *DataStream {
	if f == nil {
		panic("engine: WindowedStream.Reduce: reduce function is nil")
	}
	return w.build("Reduce", windowFunction{reduce: f, process: fn.Process, clear: fn.Clear})
}

// AggregateWith is Aggregate with a ProcessWindowFunction, whose Process (if set) receives the single result
// and whose Clear (if set) runs when a window is cleaned up.
func (w *WindowedStream) AggregateWith(agg AggregateFunction, fn ProcessWindowFunction) *DataStream {
	if agg.CreateAccumulator == nil || agg.Add == nil || agg.GetResult == nil {
		panic("engine: WindowedStream.Aggregate: the AggregateFunction needs CreateAccumulator, Add and GetResult")
	}
	return w.build("Aggregate", windowFunction{agg: &agg, process: fn.Process, clear: fn.Clear})
}

// ProcessWith is Process with a ProcessWindowFunction, whose Clear (if set) runs when a window is cleaned up.
func (w *WindowedStream) ProcessWith(fn ProcessWindowFunction) *DataStream {
	if fn.Process == nil {
		panic("engine: WindowedStream.Process: the window function is nil")
	}
	return w.build("Process", windowFunction{process: fn.Process, clear: fn.Clear})
}

func optFn(what string, fn []ProcessWindowFunc) ProcessWindowFunc {
	switch len(fn) {
	case 0:
		return nil
	case 1:
		return fn[0]
	}
	panic(fmt.Sprintf("engine: WindowedStream.%s: at most one window function, got %d", what, len(fn)))
}

func (w *WindowedStream) build(what string, fn windowFunction) *DataStream {
	trig := w.trigger
	if trig == nil {
		trig = w.assigner.DefaultTrigger()
	}
	if w.assigner.Merging() && !trig.CanMerge() {
		panic("engine: trigger " + trig.String() + " cannot be used with merging windows")
	}
	a, ev, lateness, tag := w.assigner, w.evictor, w.lateness.Milliseconds(), w.lateTag
	if !a.IsEventTime() {
		lateness = 0
	}
	name := fmt.Sprintf("Window(%s, %s, %s)", a, trig, what)
	out := w.keyed.add(name, func() operator {
		return &windowOp{assigner: a, trigger: trig, evictor: ev, lateness: lateness, lateTag: tag, fn: fn}
	}, true)
	if w.all {
		out.SetParallelism(1)
		out.last("WindowAll").maxPar = 1
	}
	return out
}

// ConnectedStreams are two streams processed together by a CoProcessFunction.
type ConnectedStreams struct {
	first, second DataStream
	keyed         bool
}

// KeyBy keys both streams, the first by key1 and the second by key2, so that records with equal keys meet in
// the same subtask with shared keyed state.
func (c *ConnectedStreams) KeyBy(key1, key2 KeySelector) *ConnectedStreams {
	return &ConnectedStreams{first: c.first.withPart(partHash, key1), second: c.second.withPart(partHash, key2), keyed: true}
}

// Process runs f on both inputs.
func (c *ConnectedStreams) Process(f CoProcessFunction) *DataStream {
	if f.ProcessElement1 == nil || f.ProcessElement2 == nil {
		panic("engine: CoProcessFunction needs ProcessElement1 and ProcessElement2")
	}
	name := "CoProcess"
	if c.keyed {
		name = "KeyedCoProcess"
	}
	out := c.first.add(name, func() operator {
		return &processOp{open1: f.Open, fn1: f.ProcessElement1, fn2: f.ProcessElement2, timerFn: f.OnTimer}
	}, c.keyed)
	n := out.inputs[0].node
	for _, in := range c.second.inputs {
		n.inputs = append(n.inputs, edgeSpec{from: in.node, side: in.side, part: in.part, key: in.key, input: 1})
	}
	return out
}

// Map applies f1 to the first input's records and f2 to the second's.
func (c *ConnectedStreams) Map(f1, f2 MapFunc) *DataStream {
	return c.Process(CoProcessFunction{
		ProcessElement1: func(_ *Context, v any, out Collector) { out.Collect(f1(v)) },
		ProcessElement2: func(_ *Context, v any, out Collector) { out.Collect(f2(v)) },
	})
}

// SinkTo ends the stream in f, run by every subtask of the stream's parallelism.
func (s *DataStream) SinkTo(name string, f SinkFunc) *DataStream {
	d := s.add(name, func() operator { return &sinkOp{f: f} }, false)
	d.inputs[0].node.kind = "sink"
	return d
}

// Print writes every record to the environment's Stdout (Config.Stdout), one a line. With parallelism above 1,
// each line starts with the subtask's number, "2> ", as Flink's print sink does.
func (s *DataStream) Print() *DataStream {
	env := s.env
	var mu sync.Mutex
	d := s.add("Print", func() operator {
		op := &sinkOp{}
		op.f = func(v any, _ int64) error {
			mu.Lock()
			defer mu.Unlock()
			var err error
			if op.task.parallelism > 1 {
				_, err = fmt.Fprintf(env.stdout(), "%d> %v\n", op.task.index+1, v)
			} else {
				_, err = fmt.Fprintf(env.stdout(), "%v\n", v)
			}
			return err
		}
		return op
	}, false)
	d.inputs[0].node.kind = "sink"
	return d
}

// WriteAsText writes every record as a line of text to path; with parallelism above 1, path is a directory
// holding one file per subtask, named 1, 2, ... as in Flink.
func (s *DataStream) WriteAsText(path string) *DataStream {
	d := s.add("WriteAsText", func() operator {
		op := &sinkOp{}
		var f *os.File
		op.openFn = func(i, p int) error {
			name := path
			if p > 1 {
				if err := os.MkdirAll(path, 0o755); err != nil {
					return err
				}
				name = fmt.Sprintf("%s/%d", path, i+1)
			}
			var err error
			f, err = os.Create(name)
			return err
		}
		op.f = func(v any, _ int64) error { _, err := fmt.Fprintln(f, v); return err }
		op.closeFn = func() error {
			if f == nil {
				return nil
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}
		return op
	}, false)
	d.inputs[0].node.kind = "sink"
	return d
}

// Collected gathers the records of a Collect sink. It is safe to read while the job runs.
type Collected struct {
	mu   sync.Mutex
	recs []TimestampedValue
}

// Values returns the records collected so far, in arrival order.
func (c *Collected) Values() []any {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]any, len(c.recs))
	for i, r := range c.recs {
		out[i] = r.Value
	}
	return out
}

// Records returns the records collected so far with their timestamps.
func (c *Collected) Records() []TimestampedValue {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]TimestampedValue(nil), c.recs...)
}

// Strings returns the collected records formatted with %v and sorted: a stable view of what a parallel
// job produced, whose order between subtasks is not defined.
func (c *Collected) Strings() []string {
	vs := c.Values()
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprint(v)
	}
	sort.Strings(out)
	return out
}

// Len returns the number of records collected so far.
func (c *Collected) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.recs)
}

// Collect ends the stream in a sink that keeps every record in memory, for tests, cells and small results.
func (s *DataStream) Collect() *Collected {
	c := &Collected{}
	if f := s.env.observer.Collecting; f != nil {
		f(s.lastName(), c)
	}
	d := s.add("Collect", func() operator { return newCollectOp(c) }, false)
	d.inputs[0].node.kind = "sink"
	return c
}

// lastName returns the name of the operator that produces the stream (the names of a union's inputs, joined).
func (s *DataStream) lastName() string {
	names := make([]string, 0, len(s.inputs))
	for _, in := range s.inputs {
		n := in.node.name
		if in.side != nil {
			n += "." + in.side.Name
		}
		names = append(names, n)
	}
	return strings.Join(names, "+")
}
