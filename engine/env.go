package engine

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/de4e/weir/engine/internal/faultinject"
	"github.com/de4e/weir/engine/internal/keygroup"
)

// Config configures an Environment. The zero Config is valid: every field has a default, stated below.
type Config struct {
	// Parallelism is the default number of parallel subtasks of each operator. Default: runtime.NumCPU(),
	// as Flink's local environment.
	Parallelism int
	// MaxParallelism is the number of key groups, the upper bound of any keyed operator's parallelism and the
	// unit in which keyed state is redistributed on rescaling. Default 128, as in Flink.
	MaxParallelism int
	// TaskManagers is the number of TaskManagers of the embedded cluster. Default 1.
	TaskManagers int
	// SlotsPerTaskManager is the number of task slots of each TaskManager. Each slot runs one parallel slice
	// of the whole job (Flink's slot sharing), so a job needs as many slots as its largest parallelism.
	// Default: just enough slots for the job.
	SlotsPerTaskManager int
	// Clock is the processing-time clock. Default RealClock; tests and scripted replays use a VirtualClock.
	Clock Clock
	// AutoWatermarkInterval is how often sources emit periodic watermarks, in processing time. Default 200ms.
	AutoWatermarkInterval time.Duration
	// BufferSize is how many records a network buffer holds before it is sent downstream. A buffer is also
	// sent when its subtask has no more input ready, so records never wait for a buffer to fill. Default 256.
	BufferSize int
	// BuffersPerChannel is how many buffers may be in flight on each channel between two subtasks (Flink's
	// credits); a slow consumer makes its producers wait, which is backpressure. Default 4.
	BuffersPerChannel int
	// BlockingPartitionRecords is how many records the blocking result of one producer subtask on one edge
	// of a Batch job keeps in memory; beyond it, or beyond BlockingPartitionMemory, the result is written to
	// files under the job's temporary directory (removed when the job ends), which a restarted stage reads
	// back. Default 65536; negative: always to files.
	BlockingPartitionRecords int
	// BlockingPartitionMemory is how many bytes the blocking result of one producer subtask on one edge of a
	// Batch job keeps in memory before it is written to files, estimated from the Go size of its buffers and
	// of their records' values and keys (the first record of each buffer is sized, with what its strings,
	// slices and maps hold). Default 4 MiB; negative: always to files.
	BlockingPartitionMemory int64
	// Stdout receives the output of Print sinks. Default os.Stdout.
	Stdout io.Writer
	// Checkpointing configures checkpoints and the delivery guarantee; the zero value takes none
	// periodically.
	Checkpointing CheckpointConfig
	// Restart is the restart strategy after a failure (see RestartStrategy for its defaults).
	Restart RestartStrategy
	// StateBackend selects where keyed state lives. Default DefaultState, which is the heap.
	StateBackend StateBackendKind
	// DeterministicTime makes processing time travel with the records, like a watermark: sources set it
	// (SourceContext.SetTime, as scripted replays do with their arrival times), every operator's processing
	// time is the lowest over its inputs, and processing-time timers fire as it passes them. Processing-time
	// windows, timers and TTL then give the same results on every run and at any parallelism, and a source's
	// periodic watermarks are emitted as its time passes each AutoWatermarkInterval, before the record that
	// moved it there. It needs a VirtualClock; NewEnvironment installs one starting at 0 when Clock is nil.
	// Default false: processing time is the clock's, read when a record is processed, as in Flink.
	DeterministicTime bool
	// RuntimeMode is Streaming, Batch or Automatic (Batch when every source is Bounded), Flink's
	// execution.runtime-mode. Default Streaming. Automatic is settled when the job starts (Job.RuntimeMode).
	RuntimeMode RuntimeMode
	// ManagedMemorySize is the managed memory of each TaskManager in bytes (Flink's
	// taskmanager.memory.managed.size): the budget batch operators sort and join in, and in Streaming mode the
	// Pebble backend's write-back cache of hot state (each keyed operator's even share of its slot's, as
	// Flink's RocksDB backend takes managed memory), handed out in pages of MemorySegmentSize and divided
	// evenly among the TaskManager's slots (Job.ManagedMemoryPerSlot). Default:
	// ManagedMemoryFraction of TaskManagerMemory when that is set, else 128 MiB, Flink's default for local
	// execution.
	ManagedMemorySize int64
	// TaskManagerMemory is the memory of each TaskManager in bytes that ManagedMemoryFraction is a fraction of
	// (Flink's taskmanager.memory.flink.size). It only sizes managed memory. Default 0: not stated.
	TaskManagerMemory int64
	// ManagedMemoryFraction is the share of TaskManagerMemory that is managed memory when ManagedMemorySize is
	// not set (Flink's taskmanager.memory.managed.fraction), in (0, 1). Default 0.4, as in Flink.
	ManagedMemoryFraction float64
	// MemorySegmentSize is the size in bytes of a page of managed memory (Flink's
	// taskmanager.memory.segment-size), at least 64. Default 32 KiB, as in Flink.
	MemorySegmentSize int
	// TempDir is the directory operators spill sorted runs and hash partitions to, each in a directory of
	// its own that it removes when done (Flink's io.tmp.dirs). Default os.TempDir().
	TempDir string
}

// withDefaults returns c with every default applied, so that the runtime reads plain fields: the one place
// where the defaults stated on Config, CheckpointConfig and RestartStrategy are made true. Two defaults
// depend on the job and are settled when it starts: SlotsPerTaskManager (just enough for the job's
// parallelism) and CheckpointConfig.Dir (a temporary directory of the job's own).
func (c Config) withDefaults() Config {
	if c.Parallelism <= 0 {
		c.Parallelism = runtime.NumCPU()
	}
	if c.MaxParallelism <= 0 {
		c.MaxParallelism = keygroup.DefaultMaxParallelism
	}
	if c.TaskManagers <= 0 {
		c.TaskManagers = 1
	}
	if c.SlotsPerTaskManager < 0 {
		c.SlotsPerTaskManager = 0
	}
	if c.Clock == nil {
		if c.DeterministicTime {
			c.Clock = NewVirtualClock(0)
		} else {
			c.Clock = RealClock{}
		}
	}
	if c.AutoWatermarkInterval <= 0 {
		c.AutoWatermarkInterval = 200 * time.Millisecond
	}
	if c.BufferSize <= 0 {
		c.BufferSize = 256
	}
	if c.BuffersPerChannel <= 0 {
		c.BuffersPerChannel = 4
	}
	if c.BlockingPartitionRecords == 0 {
		c.BlockingPartitionRecords = defaultBlockingPartitionRecords
	}
	if c.BlockingPartitionMemory == 0 {
		c.BlockingPartitionMemory = defaultBlockingPartitionMemory
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.StateBackend == DefaultState {
		c.StateBackend = HeapState
	}
	cp := &c.Checkpointing
	if cp.Interval < 0 {
		cp.Interval = 0
	}
	if cp.MinPause < 0 {
		cp.MinPause = 0
	}
	if cp.Timeout <= 0 {
		cp.Timeout = defaultCheckpointTimeout
	}
	if cp.Retained <= 0 {
		cp.Retained = defaultRetainedCheckpoints
	}
	if cp.Guarantee == DefaultGuarantee {
		cp.Guarantee = ExactlyOnce
	}
	r := &c.Restart
	switch {
	case r.Attempts == 0 && cp.Interval > 0:
		r.Attempts = defaultRestartAttempts
		if r.Delay <= 0 {
			r.Delay = defaultRestartDelay
		}
	case r.Attempts == 0:
		r.Attempts = -1 // no checkpoints to restart from: a failure ends the job
	}
	if r.Delay < 0 {
		r.Delay = 0
	}
	if c.ManagedMemoryFraction == 0 {
		c.ManagedMemoryFraction = defaultManagedMemoryFraction
	}
	if c.ManagedMemorySize == 0 {
		c.ManagedMemorySize = defaultManagedMemorySize
		if c.TaskManagerMemory > 0 && c.ManagedMemoryFraction > 0 && c.ManagedMemoryFraction < 1 {
			c.ManagedMemorySize = int64(float64(c.TaskManagerMemory) * c.ManagedMemoryFraction)
		}
	}
	if c.MemorySegmentSize == 0 {
		c.MemorySegmentSize = defaultMemorySegmentSize
	}
	if c.TempDir == "" {
		c.TempDir = os.TempDir()
	}
	return c
}

// Merge returns c with every field that other sets (gives a non-zero value) replaced by other's: c holds
// defaults, such as the workbench's, and other what a program asked for. Nested configurations merge field
// by field, so a program that sets only CheckpointConfig.Interval keeps c's Dir and Guarantee. A Guarantee of
// DefaultGuarantee, a StateBackend of DefaultState and a RuntimeMode of Streaming count as unset. When other
// sets DeterministicTime without a Clock, the merged Clock is nil (NewEnvironment then installs a
// VirtualClock of the job's own), since c's clock may not be a virtual one.
func (c Config) Merge(other Config) Config {
	set := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setDur := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	set(&c.Parallelism, other.Parallelism)
	set(&c.MaxParallelism, other.MaxParallelism)
	set(&c.TaskManagers, other.TaskManagers)
	set(&c.SlotsPerTaskManager, other.SlotsPerTaskManager)
	if other.DeterministicTime {
		c.DeterministicTime = true
		c.Clock = nil
	}
	if other.Clock != nil {
		c.Clock = other.Clock
	}
	setDur(&c.AutoWatermarkInterval, other.AutoWatermarkInterval)
	set(&c.BufferSize, other.BufferSize)
	set(&c.BuffersPerChannel, other.BuffersPerChannel)
	if other.Stdout != nil {
		c.Stdout = other.Stdout
	}
	if other.StateBackend != DefaultState {
		c.StateBackend = other.StateBackend
	}
	cp, o := &c.Checkpointing, other.Checkpointing
	setDur(&cp.Interval, o.Interval)
	setDur(&cp.MinPause, o.MinPause)
	setDur(&cp.Timeout, o.Timeout)
	if o.Dir != "" {
		cp.Dir = o.Dir
	}
	set(&cp.Retained, o.Retained)
	if o.Guarantee != DefaultGuarantee {
		cp.Guarantee = o.Guarantee
	}
	if o.RestoreFrom != "" {
		cp.RestoreFrom = o.RestoreFrom
	}
	if other.RuntimeMode != Streaming {
		c.RuntimeMode = other.RuntimeMode
	}
	set(&c.Restart.Attempts, other.Restart.Attempts)
	set(&c.BlockingPartitionRecords, other.BlockingPartitionRecords)
	if other.BlockingPartitionMemory != 0 {
		c.BlockingPartitionMemory = other.BlockingPartitionMemory
	}
	setDur(&c.Restart.Delay, other.Restart.Delay)
	if other.ManagedMemorySize != 0 {
		c.ManagedMemorySize = other.ManagedMemorySize
	}
	if other.TaskManagerMemory != 0 {
		c.TaskManagerMemory = other.TaskManagerMemory
	}
	if other.ManagedMemoryFraction != 0 {
		c.ManagedMemoryFraction = other.ManagedMemoryFraction
	}
	set(&c.MemorySegmentSize, other.MemorySegmentSize)
	if other.TempDir != "" {
		c.TempDir = other.TempDir
	}
	return c
}

// Environment builds a job: its sources and operators form a graph that runs only when Execute is called
// (lazy evaluation, as in Flink). An Environment is not safe for concurrent use while the graph is built.
type Environment struct {
	cfg      Config
	nodes    []*node
	observer Observer
	faults   *faultinject.Faults // failpoints armed by tests (engine/enginetest), nil otherwise

	iteration *IterationRuntimeContext // the superstep this Environment builds, nil otherwise
}

// Observer is told what an Environment runs: the workbench uses it to show the jobs and results of a
// notebook cell live. Either function may be nil; both are called on the goroutine that builds or starts
// the job and must not block.
type Observer struct {
	// JobStarted is called with every job the Environment starts, before its first record is read.
	JobStarted func(*Job)
	// Collecting is called when a stream is collected (DataStream.Collect), with the name of the stream's
	// last operator and the result that will fill as the job runs.
	Collecting func(name string, c *Collected)
}

// Observe makes o the Environment's observer, replacing any earlier one.
func (e *Environment) Observe(o Observer) { e.observer = o }

// Observer returns the Environment's observer (the zero Observer without one), so that a library that runs
// its own jobs on fresh Environments (engine/ml's statistics) can report them as this one's.
func (e *Environment) Observer() Observer { return e.observer }

// NewEnvironment returns an empty Environment with cfg (the zero Config for every default).
func NewEnvironment(cfg Config) *Environment {
	if _, virtual := cfg.Clock.(*VirtualClock); cfg.DeterministicTime && cfg.Clock != nil && !virtual {
		panic("engine: DeterministicTime needs a VirtualClock (or no Clock)")
	}
	if cfg.RuntimeMode < Streaming || cfg.RuntimeMode > Automatic {
		panic(fmt.Sprintf("engine: Config.RuntimeMode %d is not Streaming, Batch or Automatic", int(cfg.RuntimeMode)))
	}
	c := cfg.withDefaults()
	if cfg.Parallelism > c.MaxParallelism {
		panic(fmt.Sprintf("engine: parallelism %d exceeds max parallelism %d", cfg.Parallelism, c.MaxParallelism))
	}
	return &Environment{cfg: c}
}

// Config returns the environment's configuration with defaults filled in.
func (e *Environment) Config() Config { return e.cfg }

func (e *Environment) stdout() io.Writer { return e.cfg.Stdout }

func (e *Environment) addNode(name, kind string) *node {
	n := &node{id: len(e.nodes) + 1, name: name, kind: kind}
	e.nodes = append(e.nodes, n)
	return n
}

// FromSource adds a source to the graph. With strategy, records get timestamps and watermarks in the source
// itself, per reader (as Flink's fromSource); pass nil to assign them later or not at all.
func (e *Environment) FromSource(src Source, strategy *WatermarkStrategy, name string) *DataStream {
	n := e.addNode("Source: "+name, "source")
	n.source = &sourceSpec{src: src, strategy: strategy}
	if b, ok := src.(BoundedParallelism); ok {
		n.maxPar = b.MaxParallelism()
	}
	return &DataStream{env: e, inputs: []streamInput{{node: n}}}
}

// FromElements is a bounded, non-parallel source of the given records, without timestamps.
func (e *Environment) FromElements(vs ...any) *DataStream { return e.FromSlice(vs) }

// FromSlice is a bounded, non-parallel source of the records of vs, without timestamps.
func (e *Environment) FromSlice(vs []any) *DataStream {
	elems := make([]SourceElement, len(vs))
	for i, v := range vs {
		elems[i] = SourceElement{Value: v, Timestamp: NoTimestamp}
	}
	return e.FromSource(SliceSource(elems), nil, "Collection")
}

// SliceSource is a bounded, replayable, non-parallel Source of the given elements.
type SliceSource []SourceElement

// MaxParallelism returns 1: a slice is read by one reader.
func (SliceSource) MaxParallelism() int { return 1 }

// Reader returns a reader at the start of the slice.
func (s SliceSource) Reader(SourceContext) (SourceReader, error) { return &sliceReader{elems: s}, nil }

type sliceReader struct {
	elems []SourceElement
	pos   int
}

func (r *sliceReader) Read() (SourceElement, error) {
	if r.pos >= len(r.elems) {
		return SourceElement{}, ErrEndOfInput
	}
	r.pos++
	return r.elems[r.pos-1], nil
}
func (r *sliceReader) Close() error { return nil }
func (r *sliceReader) Offset() ([]byte, error) {
	return []byte(fmt.Sprint(r.pos)), nil
}
func (r *sliceReader) Seek(off []byte) error {
	_, err := fmt.Sscan(string(off), &r.pos)
	return err
}

// GeneratorSource is a parallel, replayable, bounded or unbounded Source that calls Gen(i) for its i-th
// record (i counts from 0 across all readers: reader k of p produces i = k, k+p, k+2p, ...). Count bounds it;
// a Count of 0 or less makes it unbounded.
type GeneratorSource struct {
	Gen   func(i int64) SourceElement
	Count int64
}

// Reader returns reader ctx.Subtask of the generator.
func (g GeneratorSource) Reader(ctx SourceContext) (SourceReader, error) {
	return &genReader{g: g, next: int64(ctx.Subtask), step: int64(ctx.Parallelism)}, nil
}

type genReader struct {
	g          GeneratorSource
	next, step int64
}

func (r *genReader) Read() (SourceElement, error) {
	if r.g.Count > 0 && r.next >= r.g.Count {
		return SourceElement{}, ErrEndOfInput
	}
	e := r.g.Gen(r.next)
	r.next += r.step
	return e, nil
}
func (r *genReader) Close() error            { return nil }
func (r *genReader) Offset() ([]byte, error) { return []byte(fmt.Sprint(r.next)), nil }
func (r *genReader) Seek(off []byte) error   { _, err := fmt.Sscan(string(off), &r.next); return err }

// Plan returns the job graph Execute would run now: operators chained into vertices, with their
// parallelism and the partitioning of every edge.
func (e *Environment) Plan() (*Plan, error) { return buildPlan(e) }
