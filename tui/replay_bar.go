package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/sources"
	"github.com/de4e/weir/tui/i18n"
	"github.com/de4e/weir/tui/live"
)

// replayBarWidth is the width of a running cell's replay progress bar, its percentage included.
const replayBarWidth = 24

// replayStatus is how far the replay of the running cell has got, taken on every tick (View draws it and
// reads no clock): the events and markers replayed of the replay's length, and the time left at the rate so
// far.
type replayStatus struct {
	cell       string // the running cell's id; "" when no replay of known length runs
	pos, total int64
	left       time.Duration // -1 when there is no rate yet
}

// takeReplayStatus finds, among the notebook's replays, the newest one the running cell started that knows
// its length and has not ended, and records how far it is at now.
func (p *notebookPane) takeReplayStatus(now time.Time) {
	p.replayNow = replayStatus{}
	if p.lastRan == "" {
		return
	}
	st := p.session.State(p.lastRan)
	if st.Status != interp.Running || st.Exec == nil {
		return
	}
	since := now.Add(-st.Exec.Duration())
	var best sources.Progress
	for _, pr := range p.replays().Progress() {
		if pr.Total > 0 && pr.Position < pr.Total && !pr.Started.Before(since) && pr.Started.After(best.Started) {
			best = pr
		}
	}
	if best.Total == 0 {
		return
	}
	p.replayNow = replayStatus{cell: p.lastRan, pos: best.Position, total: best.Total, left: -1}
	if el := now.Sub(best.Started); best.Position > 0 && el > 0 {
		p.replayNow.left = time.Duration(float64(el) * float64(best.Total-best.Position) / float64(best.Position))
	}
}

// replayBar draws a replayStatus: bubbles' progress bar with its percentage, the events replayed of the
// total, and the time left (or that the replay waits while it is paused).
func replayBar(r replayStatus, paused bool, lang i18n.Lang) string {
	bar := progress.New(progress.WithWidth(replayBarWidth), progress.WithColors(accent), progress.WithFillCharacters('█', '░'))
	line := bar.ViewAs(float64(r.pos)/float64(r.total)) + " " + fmt.Sprintf(lang.T("replay.events"), r.pos, r.total)
	switch {
	case paused:
		line += " · ⏸ " + lang.T("job.paused")
	case r.left >= 0:
		line += " · " + fmt.Sprintf(lang.T("replay.eta"), live.Dur(r.left))
	}
	return line
}
