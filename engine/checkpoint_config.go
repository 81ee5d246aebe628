package engine

import (
	"time"
)

// Guarantee is a job's delivery guarantee: what a failure may do to its results.
type Guarantee uint8

// The delivery guarantees. Switching them on the same job and crash shows the difference.
const (
	// ExactlyOnce aligns barriers, restores state and rewinds sources to the last completed checkpoint, and
	// commits transactional sinks only when a checkpoint completes: no record is lost or duplicated. Default.
	ExactlyOnce Guarantee = iota
	// AtLeastOnce does not align barriers and lets sinks write at once: after a failure, records since the
	// last checkpoint are processed and written again (duplicates), none is lost.
	AtLeastOnce
	// AtMostOnce restores state from the last checkpoint but lets sources go on from where they had read:
	// records in flight at the failure, and their effect on state since the checkpoint, are lost.
	AtMostOnce
)

func (g Guarantee) String() string {
	return [...]string{"exactly-once", "at-least-once", "at-most-once"}[g]
}

// CheckpointConfig configures checkpoints, Flink's execution.checkpointing options. The zero value disables
// periodic checkpoints; TriggerCheckpoint and TriggerSavepoint still work.
type CheckpointConfig struct {
	// Interval between periodic checkpoints, on the job's clock. Zero: no periodic checkpoints.
	Interval time.Duration
	// MinPause is the least time between the end of one checkpoint and the start of the next. Default 0.
	MinPause time.Duration
	// Timeout aborts a checkpoint that has not completed by then. Default 10 minutes, as in Flink.
	Timeout time.Duration
	// Dir is where checkpoints are written. Default: a new temporary directory per job.
	Dir string
	// Retained is how many completed checkpoints are kept; older ones are deleted. Default 2, so that a
	// corrupt newest checkpoint can fall back to the one before. Savepoints are never deleted.
	Retained int
	// Guarantee is the job's delivery guarantee. Default ExactlyOnce.
	Guarantee Guarantee
	// RestoreFrom starts the job from a checkpoint or savepoint directory (holding a _metadata file), possibly
	// with other parallelisms than the job that wrote it: keyed state is redistributed by key group.
	RestoreFrom string
}

// RestartStrategy says whether and how a failed job restarts, Flink's fixed-delay strategy. The zero value
// means: no restarts without checkpointing; with periodic checkpoints, up to 10 restarts 1 second apart.
type RestartStrategy struct {
	// Attempts is the most restarts before the job fails for good; negative disables restarts.
	Attempts int
	// Delay is the wait before each restart.
	Delay time.Duration
}

func (r RestartStrategy) enabled(cfg Config) bool {
	if r.Attempts < 0 {
		return false
	}
	return r.Attempts > 0 || cfg.Checkpointing.Interval > 0
}

func (r RestartStrategy) attempts() int {
	if r.Attempts > 0 {
		return r.Attempts
	}
	return 10
}

func (r RestartStrategy) delay() time.Duration {
	if r.Delay > 0 || r.Attempts > 0 {
		return r.Delay
	}
	return time.Second
}
