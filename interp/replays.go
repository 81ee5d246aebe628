package interp

import (
	"sync"

	"github.com/de4e/weir/sources"
)

// ReplayControl steers the replays of bundled recordings a kernel's cells start, those running and those to
// come: the workbench's pause, step and speed keys.
type ReplayControl interface {
	// SetSpeed sets the replay speed: 0 as fast as possible, 1 real time, N times real time.
	SetSpeed(speed float64)
	// SetPaused pauses or resumes the replays.
	SetPaused(paused bool)
	// Step lets every paused replay emit one more event and returns how far every replay was before the
	// step, in Progress's order: those whose Progress said Paused were stepped.
	Step() []sources.Progress
	// Progress returns how far each replay is, newest last.
	Progress() []sources.Progress
}

// maxReplays is how many of the newest replays a Replays keeps steering.
const maxReplays = 16

// Replays is a ReplayControl over the controllers it makes (Options.Replays): each replay a cell starts from
// a bundled recording gets a controller at the current speed, paused if the replays are. It is safe for
// concurrent use.
type Replays struct {
	mu          sync.Mutex
	controllers []*sources.Controller // the newest maxReplays
	speed       float64
	paused      bool
}

// NewReplays returns a Replays whose replays run at speed (0: as fast as possible).
func NewReplays(speed float64) *Replays { return &Replays{speed: speed} }

// NewController makes the controller of a new replay.
func (r *Replays) NewController() *sources.Controller {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := sources.NewController(r.speed)
	if r.paused {
		c.Pause()
	}
	r.controllers = append(r.controllers, c)
	if len(r.controllers) > maxReplays {
		r.controllers = r.controllers[len(r.controllers)-maxReplays:]
	}
	return c
}

// SetSpeed implements ReplayControl.
func (r *Replays) SetSpeed(speed float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.speed = speed
	for _, c := range r.controllers {
		c.SetSpeed(speed)
	}
}

// SetPaused implements ReplayControl.
func (r *Replays) SetPaused(paused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = paused
	for _, c := range r.controllers {
		if paused {
			c.Pause()
		} else {
			c.Resume()
		}
	}
}

// Step implements ReplayControl.
func (r *Replays) Step() []sources.Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	before := make([]sources.Progress, len(r.controllers))
	for i, c := range r.controllers {
		if before[i] = c.Progress(); before[i].Paused {
			c.Step()
		}
	}
	return before
}

// Progress implements ReplayControl.
func (r *Replays) Progress() []sources.Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]sources.Progress, len(r.controllers))
	for i, c := range r.controllers {
		out[i] = c.Progress()
	}
	return out
}
