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
