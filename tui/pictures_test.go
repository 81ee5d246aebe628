package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
	"github.com/de4e/weir/tui/live"
)

// TestPictures runs the live demo notebook (testdata/live.md: clicks per page in 15-second event-time
// windows, checkpointed every 300 ms, on two TaskManagers) in the workbench at twice real time, kills a
// TaskManager once checkpoints have completed, lets the job finish, and draws issue 19's pictures from that
// real run: the checkpoints as bars of duration (alignment apart) and size, with the state size over time
// as a line, the job graph with each vertex's throughput and backpressure as sparklines, and the windows
// as a strip of intervals per key. make screenshots writes each to docs/screenshots for the README (-screenshots).
func TestPictures(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the run takes about 15 s")
	}
	src, err := os.ReadFile("testdata/live.md")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "live.md")
	os.WriteFile(path, src, 0o644)
	m := newTestModel(t, 140, 45, i18n.EN)
	m.opts.Speed = 2
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	h := func() *live.History { return m.engine.history }
	latest := func() engine.JobSnapshot { s, _ := h().Latest(); return s }
	// Polled as the workbench polls, every 200 ms, so that the rates are over its intervals.
	deadline := time.Now().Add(time.Minute)
	for h() == nil || len(latest().Checkpoints) < 5 {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoints after a minute")
		}
		time.Sleep(200 * time.Millisecond)
		m.Update(tickMsg(time.Now()))
	}
	graph := live.Graph(h(), 100, 10, i18n.EN) // while it runs
	if !strings.ContainsAny(ansi.Strip(graph), "▄▅▆▇█") {
		t.Errorf("the running job's throughput sparklines are flat:\n%s", ansi.Strip(graph))
	}
	press(m, "X")
	waitFor(t, m, func() bool { return latest().Status.Terminal() })
	m.Update(tickMsg(time.Now()))

	const w = 100
	for _, pic := range []struct {
		name  string
		draw  string
		wants []string
	}{
		{"checkpoints-and-state", live.Checkpoints(h(), w, 14, i18n.EN) + "\n\n" + live.State(h(), w, 6, i18n.EN),
			[]string{"COMPLETED", "█", "░", "duration bar", "State size"}},
		{"job-graph-sparklines", graph, []string{"RUNNING", "rec/s", "backpressure"}},
		{"windows-per-key", live.WindowStrip(h(), w, 12, i18n.EN), []string{"/index", "[■■■", "■ fired"}},
	} {
		s := ansi.Strip(pic.draw)
		for _, want := range pic.wants {
			if !strings.Contains(s, want) {
				t.Errorf("%s lacks %q:\n%s", pic.name, want, s)
			}
		}
		shot(t, pic.name, s)
	}
}

// TestTimelinePicture runs lesson 4's stream sorter (testdata/timeline.md: a watermark of bound 1 s after
// every record, replayed on the recording's arrival times) in the workbench at 120x40 and draws issue 19's
// last picture from that real run: event time against the watermark, the late records marked. make
// screenshots writes the view and the workbench screen, where the engine pane beside the notebook shows it,
// to docs/screenshots (-screenshots).
func TestTimelinePicture(t *testing.T) {
	src, err := os.ReadFile("testdata/timeline.md")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "timeline.md")
	os.WriteFile(path, src, 0o644)
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	h := func() *live.History { return m.engine.history }
	waitFor(t, m, func() bool {
		s, ok := h().Latest()
		return h() != nil && ok && s.Status.Terminal()
	})
	m.Update(tickMsg(time.Now()))

	pic := ansi.Strip(live.Timeline(h(), 100, 14, i18n.EN))
	var marks []rune
	for c := range 100 {
		for _, l := range strings.Split(pic, "\n") {
			if r := []rune(l); c < len(r) && (r[c] == '•' || r[c] == '×') && strings.ContainsAny(l, "┤│") {
				marks = append(marks, r[c])
			}
		}
	}
	// Arrivals 4 2 7 11 9 15 12 13 17 14 21 24 22 19 23: 2, 9, 12, 13, 14, 22 and 19 are late.
	if string(marks) != "•×••×•××•×••××•" || !strings.Contains(pic, "7 late of 15 · Sort") {
		t.Errorf("the sorter's timeline: marks %s, want •×••×•××•×••××•:\n%s", string(marks), pic)
	}
	shot(t, "event-time-timeline", pic)
	screen := ansi.Strip(m.render())
	if !strings.Contains(screen, "Event time against the watermark") {
		t.Errorf("the engine pane at 120x40 does not show the timeline:\n%s", screen)
	}
	shot(t, "timeline-120x40", screen)
}
