package interp

import (
	"context"
	"time"

	"github.com/de4e/weir/engine"
)

// CellRun is one run of a cell as the workbench and the headless runner see it: an *Execution in this
// process, or a run in a kernel process (package github.com/de4e/weir/kernel), whose output, results and jobs
// arrive over a pipe.
type CellRun interface {
	// CellID returns the id of the cell run.
	CellID() string
	// Done is closed when the cell has ended.
	Done() <-chan struct{}
	// Running reports whether the cell has not ended yet.
	Running() bool
	// Err returns the cell's error once it has ended (a *CellError), nil while it runs and when it succeeded.
	Err() error
	// Output returns what the cell has written so far to stdout and stderr.
	Output() string
	// Value returns the formatted value of the cell's last expression ("" when it ends with a statement).
	Value() string
	// Results returns the streams the cell collects, in the order it asked for them.
	Results() []*Result
	// JobStates returns the name, status and restarts of each job the cell started.
	JobStates() []JobState
	// Duration returns how long the cell has run (or ran).
	Duration() time.Duration
}

// JobState is what a cell's output says of one of its jobs.
type JobState struct {
	Name     string
	Status   engine.JobStatus
	Restarts int
}

// Runner runs a notebook's cells for a Session: a *Kernel in this process, or a kernel in a process of its
// own (kernel.Client), which a cell cannot take down with it.
type Runner interface {
	// StartCell runs a cell in the background; ctx bounds it. It returns ErrBusy while another cell runs.
	StartCell(ctx context.Context, c Cell) (CellRun, error)
	// Running reports whether a cell is running.
	Running() bool
	// Interrupt stops the running cell, if any, and cancels its jobs.
	Interrupt()
	// Restart forgets everything cells declared and stops every job and goroutine they started.
	Restart()
	// Config returns the engine configuration cells' environments start from.
	Config() engine.Config
	// SetConfig changes the engine configuration of environments created from now on.
	SetConfig(engine.Config)
	// Checks returns the results of the checks the check cells made.
	Checks() []CheckResult
	// LiveJobs returns the jobs cells started since the last restart, oldest first, as the live views watch
	// them.
	LiveJobs() []LiveJob
	// Died returns how many times the kernel has died under a cell (and been restarted) and why it last
	// did: ErrGoroutinesLeft, wrapped, when a kernel process ended itself because the goroutines of an
	// interrupted cell did not stop. An in-process kernel never dies without its host, so it returns 0 and
	// nil.
	Died() (n int, reason error)
	// Replays steers the replays of bundled recordings the cells start.
	Replays() ReplayControl
	// Close stops the running cell, its jobs and, for a kernel process, the process.
	Close() error
}

// LiveJob is a job as the workbench's live views watch and steer it: an *engine.Job in this process (see
// Kernel.LiveJobs), or the latest picture a kernel process sent of one of its jobs.
type LiveJob interface {
	Name() string
	// Status returns the job's status (as of its latest picture, for a kernel process's job).
	Status() engine.JobStatus
	// Snapshot returns the job's latest snapshot.
	Snapshot() engine.JobSnapshot
	// Events returns the job's events with a sequence number of at least since.
	Events(since uint64) []engine.Event
	// IterationSnapshot returns the progress of the job's iteration, for a superstep's job.
	IterationSnapshot() (engine.IterationSnapshot, bool)
	TriggerCheckpoint() (int64, error)
	TriggerSavepoint(dir string) (int64, error)
	TaskManagers() []engine.TaskManager
	KillTaskManager(id int) error
}
