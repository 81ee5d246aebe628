package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/tui/i18n"
)

// A running cell whose replay knows its length (a bundled recording) shows a progress bar with the
// percentage, the events replayed of the total and, once there is a rate, the time left, instead of a
// spinner; paused, it says so in place of the time left.
func TestRunningReplayShowsAProgressBar(t *testing.T) {
	path := waitingLiveNotebook(t)
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	m.nb.togglePause()
	press(m, "ctrl+r")
	id := m.nb.cells()[0].Meta.ID
	waitFor(t, m, func() bool {
		return m.nb.session.State(id).Status == interp.Running && len(m.nb.replays().Progress()) > 0
	})
	for range 3 {
		m.Update(m.nb.replayStep(m.lang)())
	}
	m.Update(tickMsg(time.Now()))
	// The clicks recording's 12,001 lines: its events and the crash marker.
	s := screenText(m)
	if !strings.Contains(s, "3/12001 events · ⏸ paused") || !strings.Contains(s, "0%") || !strings.Contains(s, "░░░░") {
		t.Errorf("the paused replay's bar:\n%s", s)
	}
	if strings.ContainsAny(strings.Join(strings.Split(s, "\n")[:4], "\n"), strings.Join(spinner, "")) {
		t.Errorf("a spinner beside the bar:\n%s", s)
	}
	m.nb.togglePause()
	waitFor(t, m, func() bool { return m.nb.session.State(id).Status == interp.Done })
	m.Update(tickMsg(time.Now())) // the pane takes the run's end on its next tick, as it took the bar
	if s := screenText(m); strings.Contains(s, "events ·") {
		t.Errorf("the bar outlived the run:\n%s", s)
	}
}

// replayBar draws the percentage, the count and the time left; paused, the pause instead of the time.
func TestReplayBar(t *testing.T) {
	for _, tc := range []struct {
		r      replayStatus
		paused bool
		lang   i18n.Lang
		want   string
	}{
		{replayStatus{cell: "c", pos: 250, total: 1000, left: 30 * time.Second}, false, i18n.EN, "█████░░░░░░░░░░░░░░  25% 250/1000 events · 30.0s left"},
		{replayStatus{cell: "c", pos: 250, total: 1000, left: -1}, false, i18n.EN, "█████░░░░░░░░░░░░░░  25% 250/1000 events"},
		{replayStatus{cell: "c", pos: 999, total: 1000, left: 90 * time.Second}, true, i18n.EN, "███████████████████ 100% 999/1000 events · ⏸ paused"},
		{replayStatus{cell: "c", pos: 500, total: 1000, left: 2 * time.Minute}, false, i18n.KO, "██████████░░░░░░░░░  50% 이벤트 500/1000개 · 2m0s 남음"},
	} {
		if got := ansi.Strip(replayBar(tc.r, tc.paused, tc.lang)); got != tc.want {
			t.Errorf("replayBar(%+v, %v, %v) = %q, want %q", tc.r, tc.paused, tc.lang, got, tc.want)
		}
	}
}
