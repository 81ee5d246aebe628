package engine

import (
	"fmt"
	"time"
)

// Guarantee is a job's delivery guarantee: what a failure may do to its results.
type Guarantee uint8

// The delivery guarantees. Switching them on the same job and crash shows the difference.
const (
	// DefaultGuarantee is the zero value: the configuration does not choose, and the job runs exactly-once
	// unless it is started from a place that chooses another default (the workbench's "delivery guarantee of
	// the next run" control). It differs from ExactlyOnce only in that such a default may replace it.
	DefaultGuarantee Guarantee = iota
	// ExactlyOnce aligns barriers, restores state and rewinds sources to the last completed checkpoint, and
	// commits transactional sinks only when a checkpoint completes: no record is lost or duplicated.
	ExactlyOnce
	// AtLeastOnce does not align barriers and lets sinks write at once: after a failure, records since the
	// last checkpoint are processed and written again (duplicates), none is lost.
	AtLeastOnce
	// AtMostOnce restores state from the last checkpoint but lets sources go on from where they had read:
	// records in flight at the failure, and their effect on state since the checkpoint, are lost.
	AtMostOnce
)

func (g Guarantee) String() string {
	switch g {
	case DefaultGuarantee, ExactlyOnce:
		return "exactly-once"
	case AtLeastOnce:
		return "at-least-once"
	case AtMostOnce:
		return "at-most-once"
	}
	return fmt.Sprintf("Guarantee(%d)", uint8(g))
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
	// Dir is where checkpoints are written. Default: a new temporary directory per job, removed with
	// everything in it (except savepoints written there) when the job ends. A Dir given here is kept.
	Dir string
	// Retained is how many completed checkpoints are kept; older ones are deleted. Default 2, so that a
	// corrupt newest checkpoint can fall back to the one before. Savepoints are never deleted.
	Retained int
	// Guarantee is the job's delivery guarantee. Default (DefaultGuarantee): ExactlyOnce.
	Guarantee Guarantee
	// RestoreFrom starts the job from a checkpoint or savepoint directory (holding a _metadata file), possibly
	// with other parallelisms than the job that wrote it: keyed state is redistributed by key group.
	RestoreFrom string
	// AtLeastOnceRecovery lets a recovery restore a checkpoint older than the newest one whose output a
	// two-phase-commit sink has committed (when the newer checkpoints are corrupt or gone), writing that
	// output again, with an EventRecoveryBehindCommit. Default false: such a recovery fails the job with
	// ErrRecoveryBehindCommit rather than silently repeat committed output.
	AtLeastOnceRecovery bool
}

// RestartStrategy says whether and how a failed job restarts, Flink's fixed-delay strategy.
//
// Defaults: with Attempts zero, a job with periodic checkpoints (CheckpointConfig.Interval > 0) restarts up
// to 10 times, with a Delay of 1 second unless Delay is set; a job without them does not restart. With
// Attempts set, Delay is used as given (zero restarts at once).
type RestartStrategy struct {
	// Attempts is the most restarts before the job fails for good; negative disables restarts.
	Attempts int
	// Delay is the wait before each restart.
	Delay time.Duration
}

// Default restart strategy of a job with periodic checkpoints (Flink's fixed-delay defaults when
// checkpointing is enabled).
const (
	defaultRestartAttempts = 10
	defaultRestartDelay    = time.Second
)

// Default checkpoint settings.
const (
	defaultCheckpointTimeout   = 10 * time.Minute
	defaultRetainedCheckpoints = 2
)
