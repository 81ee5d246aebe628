package kernel

import (
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/sources"
)

// The requests' operations (request.Op).
const (
	opInit       = "init"       // first request: the kernel's options
	opRun        = "run"        // run a cell
	opInterrupt  = "interrupt"  // stop the running cell
	opConfig     = "config"     // set the engine configuration
	opReplay     = "replay"     // steer the replays: speed, pause, step
	opCheckpoint = "checkpoint" // trigger a checkpoint of a job
	opSavepoint  = "savepoint"  // trigger a savepoint of a job into a directory
	opKillTM     = "kill-tm"    // kill a TaskManager of a job
)

// The events' kinds (event.Ev).
const (
	evReady  = "ready"   // the kernel has loaded and serves requests
	evUpdate = "update"  // a running cell's news
	evDone   = "done"    // a cell ended
	evPanic  = "panic"   // a frame of a panic in interpreted code
	evLive   = "live"    // the newest job's snapshot and events
	evReply  = "reply"   // the answer to a checkpoint, savepoint or kill-tm request
	evReplay = "replays" // the replays' progress
)

// request is one line the client writes to the kernel's stdin.
type request struct {
	Op string `json:"op"`
	// Init is the kernel's options (init).
	Init *initOptions `json:"init,omitempty"`
	// Run numbers a cell run, from 1 (run); events about the run carry it. An interrupt that names a run
	// stops only that run.
	Run  int64        `json:"run,omitempty"`
	Cell *interp.Cell `json:"cell,omitempty"`
	// Cause, for interrupt, is why the cell's context ended ("it ran longer than 2m0s"); empty for the
	// learner's interrupt.
	Cause string `json:"cause,omitempty"`
	// Config is the engine configuration (config); its Clock and Stdout are not sent.
	Config *engine.Config `json:"config,omitempty"`
	// Speed and Paused set the replays' speed and pause (replay); Step steps the paused replays.
	Speed  *float64 `json:"speed,omitempty"`
	Paused *bool    `json:"paused,omitempty"`
	Step   bool     `json:"step,omitempty"`
	// Seq numbers a checkpoint, savepoint or kill-tm request; its reply carries it.
	Seq int64 `json:"seq,omitempty"`
	// Job is the index of the job (in the order the cells started them since the kernel started).
	Job int `json:"job,omitempty"`
	// Dir is a savepoint's directory; TM the TaskManager to kill.
	Dir string `json:"dir,omitempty"`
	TM  int    `json:"tm,omitempty"`
}

// initOptions are the kernel's options, the first request.
type initOptions struct {
	Dir           string        `json:"dir,omitempty"`
	Lang          string        `json:"lang,omitempty"`
	RevealAnswers bool          `json:"reveal_answers,omitempty"`
	Config        engine.Config `json:"config"`
	Speed         float64       `json:"speed,omitempty"`
	Paused        bool          `json:"paused,omitempty"`
	MemoryLimit   int64         `json:"memory_limit"`
	// Tries is how many times each check has failed in the client's earlier kernels (interp.Options.Tries).
	Tries map[string]int `json:"tries,omitempty"`
}

// event is one line the kernel writes to its stdout.
type event struct {
	Ev  string `json:"ev"`
	Run int64  `json:"run,omitempty"`
	// Output is what the cell wrote since the last update (update).
	Output  string            `json:"output,omitempty"`
	Value   string            `json:"value,omitempty"`
	Results []drawnResult     `json:"results,omitempty"`
	Jobs    []interp.JobState `json:"jobs,omitempty"`
	// Err is the cell's error (done), nil when it succeeded.
	Err    *interp.CellError    `json:"err,omitempty"`
	Checks []interp.CheckResult `json:"checks,omitempty"`
	// Tries is how many times each check has failed in this kernel (done), for the next kernel's init.
	Tries    map[string]int `json:"tries,omitempty"`
	Duration time.Duration  `json:"duration,omitempty"`
	// Cell, Line and Col place a panic's frame (panic).
	Cell string `json:"cell,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	// Live is the newest job's picture (live).
	Live *liveJob `json:"live,omitempty"`
	// Replays is the replays' progress (replays), as Replays.Progress returns it (before a step for a step).
	Replays []sources.Progress `json:"replays,omitempty"`
	// Seq, ID and Error answer a checkpoint, savepoint or kill-tm request (reply).
	Seq   int64  `json:"seq,omitempty"`
	ID    int64  `json:"id,omitempty"`
	Error string `json:"error,omitempty"`
}

// drawnResult is a result as it crosses the pipe.
type drawnResult struct {
	Name  string        `json:"name"`
	Drawn *interp.Drawn `json:"drawn"`
}

// liveJob is the picture of a job the live views draw.
type liveJob struct {
	Job          int                       `json:"job"` // its index
	Name         string                    `json:"name"`
	Snapshot     engine.JobSnapshot        `json:"snapshot"`
	Events       []engine.Event            `json:"events,omitempty"` // new since the last picture
	Iteration    *engine.IterationSnapshot `json:"iteration,omitempty"`
	TaskManagers []engine.TaskManager      `json:"task_managers,omitempty"`
}

// noSkips returns the replays' progress without their last bad line's error, which does not cross the pipe
// (the workbench reads the position, arrival and pause).
func noSkips(ps []sources.Progress) []sources.Progress {
	for i := range ps {
		ps[i].LastSkip = nil
	}
	return ps
}
