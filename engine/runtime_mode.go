package engine

import (
	"errors"
	"fmt"
)

// RuntimeMode is how a job runs, Flink's execution.runtime-mode.
type RuntimeMode int

const (
	// Streaming processes records as they arrive, with watermarks, incremental results and checkpoints. It
	// is the zero value and the default, as in Flink.
	Streaming RuntimeMode = iota
	// Batch runs a bounded job with Flink's BATCH semantics: every keyed operator gets its input sorted by
	// key (then timestamp) and processes one key at a time once its input has ended, firing that key's
	// event-time and then processing-time timers (and so its windows) with an infinite watermark when the
	// key is done, ignoring timers those callbacks register; no watermark
	// flows but the final one; rolling aggregations emit only their final value per key; periodic
	// checkpointing is switched off (the job records an EventCheckpointingDisabled event). The job runs
	// stage by stage (Plan.BatchStages): every exchange but a forward one is blocking, a stage starts when
	// the stages it reads have finished, and a failure restarts only the failed stage (region failover).
	Batch
	// Automatic is Batch when every source of the job is bounded (see Bounded) and Streaming otherwise.
	Automatic
)

func (m RuntimeMode) String() string {
	switch m {
	case Streaming:
		return "STREAMING"
	case Batch:
		return "BATCH"
	case Automatic:
		return "AUTOMATIC"
	}
	return fmt.Sprintf("RuntimeMode(%d)", int(m))
}

// Boundedness says whether a source ends, Flink's Boundedness.
type Boundedness int

const (
	// ContinuousUnbounded is a source that may never end. A source that does not say is taken as one.
	ContinuousUnbounded Boundedness = iota
	// BoundedInput is a source that ends: Automatic mode may run its job in Batch.
	BoundedInput
)

// Bounded is implemented by a Source that can say whether it ends (Flink's Source#getBoundedness).
// SliceSource, GeneratorSource with a Count, and package sources' FileSource and Replay implement it.
type Bounded interface {
	Boundedness() Boundedness
}

// Boundedness returns BoundedInput: a slice ends.
func (SliceSource) Boundedness() Boundedness { return BoundedInput }

// Boundedness returns BoundedInput when Count is positive, else ContinuousUnbounded.
func (g GeneratorSource) Boundedness() Boundedness {
	if g.Count > 0 {
		return BoundedInput
	}
	return ContinuousUnbounded
}

// EventCheckpointingDisabled is recorded when a Batch job ignores Config.Checkpointing.Interval.
const EventCheckpointingDisabled EventKind = "checkpointing-disabled"

// resolveRuntimeMode returns the mode a job over plan runs in: Automatic becomes Batch when every source
// is bounded (Flink: StreamGraphGenerator#shouldExecuteInBatchMode), else Streaming.
func resolveRuntimeMode(mode RuntimeMode, nodes []*node) RuntimeMode {
	if mode != Automatic {
		return mode
	}
	for _, n := range nodes {
		if n.source == nil {
			continue
		}
		b, ok := n.source.src.(Bounded)
		if !ok || b.Boundedness() != BoundedInput {
			return Streaming
		}
	}
	return Batch
}

// settleRuntimeMode resolves the job's RuntimeMode and, in Batch, switches periodic checkpointing off as
// Flink does (StreamGraphGenerator logs "Disabled Checkpointing. Checkpointing is not supported and not
// needed when executing jobs in BATCH mode."). It returns the note for the job's events, or "".
func (j *Job) settleRuntimeMode(nodes []*node) string {
	j.cfg.RuntimeMode = resolveRuntimeMode(j.cfg.RuntimeMode, nodes)
	if j.cfg.RuntimeMode != Batch || j.cfg.Checkpointing.Interval <= 0 {
		return ""
	}
	j.cfg.Checkpointing.Interval = 0
	return "Config.Checkpointing.Interval is ignored: checkpointing is not supported and not needed in BATCH mode"
}

// RuntimeMode returns the mode the job runs in: Streaming or Batch, Automatic being settled when it starts.
func (j *Job) RuntimeMode() RuntimeMode { return j.cfg.RuntimeMode }

// ErrBatchCheckpoint is returned by Job.TriggerCheckpoint and TriggerSavepoint in Batch mode: keyed
// operators hold their input until it ends, outside any state a checkpoint could take (Flink: checkpoints
// are not supported in BATCH execution).
var ErrBatchCheckpoint = errors.New("engine: checkpoints and savepoints are not supported in Batch mode (Config.RuntimeMode)")

func (j *Job) refuseBatchCheckpoint(what string) error {
	if j.cfg.RuntimeMode == Batch {
		return fmt.Errorf("%w: job %q refuses a %s", ErrBatchCheckpoint, j.name, what)
	}
	return nil
}
