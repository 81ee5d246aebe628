package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/de4e/weir/tui/i18n"
)

// C used to add its results to every earlier run's: the second C on the same notebook said "2 passed, 4
// failed" where the first said "1 passed, 2 failed", and saved that progress. Each check run now replaces
// the last, and the status says what C re-runs.
func TestCheckTwiceCountsTheLatestRunOnly(t *testing.T) {
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open("en/01-batch-and-stream.md"); err != nil {
		t.Fatal(err)
	}
	var results []string
	for range 2 {
		m.Update(tea.KeyPressMsg{Code: 'C', Text: "C", Mod: tea.ModShift})
		if !strings.Contains(m.status, "running the notebook's") {
			t.Errorf("status while checking: %q", m.status)
		}
		tickUntil(t, m, func() bool { return !m.nb.checking })
		results = append(results, m.status)
	}
	if results[0] != results[1] || !strings.Contains(results[0], "passed") {
		t.Errorf("first check %q, second %q: want the same counts", results[0], results[1])
	}
	p, ok := m.store.Progress(m.nb.lesson)
	if !ok || p.Total == 0 || p.Total > 3 {
		t.Errorf("saved progress %+v: want the latest run's checks only", p)
	}
}

// tickUntil sends ticks to m until cond holds, running the commands they return (not the next tick's), as
// the program would.
func tickUntil(t *testing.T, m *Model, cond func() bool) {
	t.Helper()
	m.opts.Poll = time.Millisecond // the tick commands run here; they need not wait
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		_, cmd := m.Update(tickMsg(time.Now()))
		runCmds(m, cmd)
		time.Sleep(5 * time.Millisecond)
	}
}

// runCmds runs cmd and feeds its messages to m, recursively, leaving out ticks.
func runCmds(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil, tickMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			runCmds(m, c)
		}
	default:
		_, next := m.Update(msg)
		runCmds(m, next)
	}
}
