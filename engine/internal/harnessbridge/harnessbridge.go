// Package harnessbridge connects the public operator test harness (package engine/enginetest) to the engine's
// internals without exporting them from package engine: package engine sets New from an init function, the
// way it registers the Pebble state backend, and enginetest calls it. Nothing here is part of Weir's API.
package harnessbridge

// Kind says what a harness recorded.
type Kind uint8

// The kinds of Emission.
const (
	Record    Kind = iota // a record of the main output
	Side                  // a record of a side output (Tag says which)
	Watermark             // a watermark (Time)
	Idle                  // a change of the idle status (Idle)
	End                   // the end of the output
)

// Emission is one thing the operators under test emitted, in order.
type Emission struct {
	Kind  Kind
	Value any
	Time  int64 // the record's timestamp, or the watermark
	Tag   any   // the *engine.OutputTag of a side output
	Idle  bool
}

// Snapshot is the state of every operator of a harness's chain, held in memory: what Flink's
// OperatorSubtaskState is to its test harnesses.
type Snapshot struct {
	ID             int64 // the checkpoint id the harness gave it, counted from 1
	MaxParallelism int
	Subtask        int
	Parallelism    int
	Ops            []OpSnapshot // head first
}

// OpSnapshot is one operator's part of a Snapshot.
type OpSnapshot struct {
	Name      string
	Backend   string            // "heap" or "pebble"; "" for an operator without keyed state
	KeyGroups [2]int            // the key groups the keyed state covers
	Files     map[string][]byte // the state backend's snapshot directory, by relative path
	OpState   []byte            // non-keyed operator state (a transactional sink's), or nil
}

// Driver drives one chain of operators synchronously. Its methods must be called from one goroutine at a time.
type Driver interface {
	// ProcessElement hands v with timestamp ts to input (0, or 1 for the second input) of the chain's head.
	ProcessElement(input int, v any, ts int64) error
	// ProcessWatermark advances input's watermark to wm; the head sees the lowest over its inputs.
	ProcessWatermark(input int, wm int64) error
	// SetProcessingTime moves processing time to t and fires the processing-time timers due.
	SetProcessingTime(t int64) error
	// ProcessingTime returns the current processing time.
	ProcessingTime() int64
	// CurrentWatermark returns the head operator's watermark.
	CurrentWatermark() int64
	// EndInput ends the chain's input: each operator's endInput, then the end of the output; then, as when a
	// job finishes, the sinks' final transactions are committed.
	EndInput() error
	// Output returns everything recorded since the last ClearOutput.
	Output() []Emission
	// ClearOutput forgets what was recorded.
	ClearOutput()
	// KeyedStateEntries counts the entries of every keyed state of the chain (timers excluded).
	KeyedStateEntries() int
	// Timers counts the live timers of the chain in the event-time (processing false) or processing-time domain.
	Timers(processing bool) int
	// Inputs returns how many inputs the head has; Keyed reports whether it has keyed state.
	Inputs() int
	Keyed() bool
	// Operators names the chain's operators, head first.
	Operators() []string
	// Snapshot takes the chain's state.
	Snapshot() (*Snapshot, error)
	// NotifyCheckpointComplete tells the chain's operators that checkpoint id has completed.
	NotifyCheckpointComplete(id int64) error
	// Close closes the operators and releases the state backends.
	Close() error
}

// Config says which subtask a harness runs and what it restores.
type Config struct {
	// Env is the *engine.Environment the pipeline was built in; Out is the *engine.DataStream of its last
	// operator.
	Env, Out any
	// Subtask is the index of the parallel instance to run, counted from 0, of the parallelism of the chain.
	Subtask int
	// Restore, if not empty, is the state to start from (several snapshots are merged, as after rescaling).
	Restore []*Snapshot
}

// New builds a Driver; package engine sets it from an init function.
var New func(c Config) (Driver, error)
