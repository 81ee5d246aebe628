package tui

import (
	"fmt"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/tui/i18n"
	"github.com/de4e/weir/tui/live"
)

// enginePane watches the newest job the notebook's cells started: on every tick it takes the job's
// snapshot and new events into a History, which the live views draw. It never blocks on the engine.
type enginePane struct {
	job     interp.LiveJob
	history *live.History
	width   int
	height  int
	// offset is the first line shown when the pane has the whole screen and scrolls (see full).
	offset int
}

// fullHeight is the height the dashboard is laid out in when it has the whole screen, where it scrolls:
// squeezed into a small terminal its seven views would show a line or two each.
const fullHeight = 60

// full draws the dashboard at fullHeight (or the pane's height if taller) and shows height lines of it from
// offset, clamped (View stays pure: the clamping is not stored).
func (e *enginePane) full(lang i18n.Lang) string {
	h := max(e.height, fullHeight)
	lines := strings.Split(live.Dashboard(e.history, e.width, h, lang), "\n")
	off := max(0, min(e.offset, len(lines)-e.height))
	return strings.Join(lines[off:min(len(lines), off+e.height)], "\n")
}

// scroll moves the full-screen dashboard by n lines, within its fullHeight.
func (e *enginePane) scroll(n int) {
	e.offset = max(0, min(e.offset+n, max(e.height, fullHeight)-e.height))
}

// jobsMsg gives the engine pane the jobs the notebook's cells started, oldest first, on every tick: it
// watches the newest.
type jobsMsg []interp.LiveJob

// engineAction is an action on the watched job, sent to the engine pane as a message.
type engineAction uint8

const (
	actCheckpoint engineAction = iota // trigger a checkpoint
	actSavepoint                      // trigger a savepoint into a new temporary directory
	actKill                           // kill the job's first TaskManager
)

// SetSize gives the pane w × h cells.
func (e *enginePane) SetSize(w, h int) { e.width, e.height = w, h }

// Update handles the engine pane's messages: the tick's jobs (it polls the newest), an action on the
// watched job (run as a command, off the workbench's goroutine, which reports through statusMsg) and, when
// the pane has the whole screen, the keys that scroll it.
func (e *enginePane) Update(msg tea.Msg, lang i18n.Lang) tea.Cmd {
	switch msg := msg.(type) {
	case jobsMsg:
		e.poll(msg)
	case engineAction:
		switch msg {
		case actCheckpoint, actSavepoint:
			return e.checkpoint(lang, msg == actSavepoint)
		case actKill:
			return e.kill(lang)
		}
	case tea.KeyPressMsg:
		switch msg.String() {
		case "up", "k":
			e.scroll(-1)
		case "down", "j":
			e.scroll(1)
		case "pgup", "ctrl+u":
			e.scroll(-e.height / 2)
		case "pgdown", "ctrl+d", "space":
			e.scroll(e.height / 2)
		}
	}
	return nil
}

// poll takes a snapshot of the newest job in jobs.
func (e *enginePane) poll(jobs []interp.LiveJob) {
	if len(jobs) == 0 {
		return
	}
	newest := jobs[len(jobs)-1]
	if newest != e.job {
		e.job, e.history = newest, live.NewHistory(0, 0)
	}
	e.history.Add(e.job.Snapshot(), e.job.Events(e.history.NextSeq()))
	if it, ok := e.job.IterationSnapshot(); ok { // a superstep's job: follow its iteration too
		e.history.SetIteration(it)
	}
}

func (e *enginePane) view(lang i18n.Lang) string {
	return live.Dashboard(e.history, e.width, e.height, lang)
}

// checkpoint returns the command that triggers a checkpoint (a savepoint into a new temporary directory when
// savepoint is set) of the watched job and says which; it runs as a command, off the workbench's goroutine.
func (e *enginePane) checkpoint(lang i18n.Lang, savepoint bool) tea.Cmd {
	job := e.job
	return func() tea.Msg {
		if job == nil {
			return statusMsg(lang.T("job.none"))
		}
		if savepoint {
			dir, err := os.MkdirTemp("", "weir-savepoint-")
			if err != nil {
				return statusMsg(fmt.Sprintf(lang.T("act.failed"), lang.T("op.savepoint"), err))
			}
			id, err := job.TriggerSavepoint(dir)
			if err != nil {
				return statusMsg(fmt.Sprintf(lang.T("act.failed"), lang.T("op.savepoint"), err))
			}
			return statusMsg(fmt.Sprintf(lang.T("act.savepoint"), id, dir))
		}
		id, err := job.TriggerCheckpoint()
		if err != nil {
			return statusMsg(fmt.Sprintf(lang.T("act.failed"), lang.T("op.checkpoint"), err))
		}
		return statusMsg(fmt.Sprintf(lang.T("act.checkpoint"), id))
	}
}

// kill returns the command that kills the first TaskManager of the watched job and says which.
func (e *enginePane) kill(lang i18n.Lang) tea.Cmd {
	job := e.job
	return func() tea.Msg {
		if job == nil {
			return statusMsg(lang.T("job.none"))
		}
		tms := job.TaskManagers()
		if len(tms) == 0 {
			return statusMsg(lang.T("job.none"))
		}
		if err := job.KillTaskManager(tms[0].ID); err != nil {
			return statusMsg(fmt.Sprintf(lang.T("act.failed"), lang.T("op.kill"), err))
		}
		return statusMsg(fmt.Sprintf(lang.T("act.kill"), tms[0].ID))
	}
}

// speeds are the replay speeds + and - step through; 0 is as fast as possible.
var speeds = []float64{0.5, 1, 2, 5, 10, 20, 50, 100, 0}

func nextSpeed(cur float64, dir int) float64 {
	i := len(speeds) - 1
	for j, s := range speeds {
		if s == cur {
			i = j
		}
	}
	i = max(0, min(len(speeds)-1, i+dir))
	return speeds[i]
}

func speedLabel(lang i18n.Lang, s float64) string {
	if s == 0 {
		return lang.T("speed.max")
	}
	return fmt.Sprintf("%gx", s)
}

// setSpeed changes the speed of the notebook's replays, running and future.
func (p *notebookPane) setSpeed(s float64) {
	p.speed = s
	p.replays().SetSpeed(s)
}

// togglePause pauses or resumes the notebook's replays.
func (p *notebookPane) togglePause() bool {
	p.paused = !p.paused
	p.replays().SetPaused(p.paused)
	return p.paused
}

// replayPaused reports whether the notebook's replays are paused: by the learner (p), or by a pause marker in
// a recording, which pauses its replay until the learner resumes it.
func (p *notebookPane) replayPaused() bool {
	if p.paused {
		return true
	}
	for _, pr := range p.replays().Progress() {
		if pr.Paused {
			return true
		}
	}
	return false
}

// replayStep lets every paused replay emit one more event. It returns a command that waits (up to a second)
// for a stepped replay to emit it and says what was stepped: the replay's position and the event's arrival
// time; with no paused replay it says so.
func (p *notebookPane) replayStep(lang i18n.Lang) tea.Cmd {
	rc := p.replays()
	before := rc.Step()
	stepped := false
	for _, b := range before {
		stepped = stepped || b.Paused
	}
	if !stepped {
		return func() tea.Msg { return statusMsg(lang.T("step.none")) }
	}
	return func() tea.Msg {
		deadline := time.Now().Add(time.Second)
		for {
			now := rc.Progress()
			for i, b := range before {
				if i < len(now) && b.Paused && now[i].Position > b.Position {
					return statusMsg(fmt.Sprintf(lang.T("step.done"), now[i].Position, arrival(now[i].LastArrival)))
				}
			}
			if time.Now().After(deadline) {
				return statusMsg(lang.T("step.waiting"))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// arrival formats a replayed event's arrival time: a clock time (UTC, to the millisecond) for an epoch
// timestamp, the offset from the recording's start for a small one.
func arrival(ms int64) string {
	if ms >= 1e11 { // after 1973: an epoch time
		return time.UnixMilli(ms).UTC().Format("15:04:05.000")
	}
	return (time.Duration(ms) * time.Millisecond).String()
}
