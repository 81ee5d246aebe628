package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// A cell waiting on a paused replay looked hung (its spinner turned on), and . stepped silently. The
// waiting cell says it waits on the paused replay for as long as the pause lasts, and . says what it
// stepped: the replay's position and the event's arrival time.
func TestPausedReplayShowsOnTheWaitingCellAndStepSaysWhat(t *testing.T) {
	t.Run("in process", func(t *testing.T) { testPausedReplay(t, nil) })
	t.Run("kernel process", func(t *testing.T) { testPausedReplay(t, startKernel) }) // over the protocol's replay requests
}

func testPausedReplay(t *testing.T, newRunner func(*notebook.Notebook, interp.Options) (interp.Runner, error)) {
	path := waitingLiveNotebook(t)
	m := newTestModel(t, 120, 40, i18n.EN)
	m.opts.NewRunner = newRunner
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	step := func() string {
		m.Update(m.nb.replayStep(m.lang)())
		return m.status
	}
	if s := step(); !strings.Contains(s, "no replay is paused") {
		t.Errorf(". with nothing paused says %q", s)
	}
	m.nb.togglePause()
	press(m, "ctrl+r")
	id := m.nb.cells()[0].Meta.ID
	replays := func() int { return len(m.nb.replays().Progress()) }
	waitFor(t, m, func() bool { return m.nb.session.State(id).Status == interp.Running && replays() > 0 })
	if s := screenText(m); !strings.Contains(s, "waiting on the paused replay") {
		t.Errorf("the waiting cell does not say it waits on the paused replay:\n%s", s)
	}
	if s := step(); !strings.Contains(s, "stepped one event: the replay is at event 1,") {
		t.Errorf(". says %q", s)
	}
	if s := step(); !strings.Contains(s, "at event 2,") {
		t.Errorf("the second . says %q", s)
	}
	m.nb.togglePause()
	waitFor(t, m, func() bool { return m.nb.session.State(id).Status == interp.Done })
}

// waitingLiveNotebook writes testdata/live.md into a temporary directory with its job run by Execute, so
// that its cell runs as long as the job's replay does, and returns the copy's path.
func waitingLiveNotebook(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("testdata/live.md")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "live.md")
	text := strings.Replace(string(src), `job, err := env.ExecuteAsync("clicks per page")`, `job, err := env.Execute("clicks per page")`, 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
