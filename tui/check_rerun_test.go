package tui

import (
	"strings"
	"testing"

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
		_, cmd := m.Update(tea.KeyPressMsg{Code: 'C', Text: "C", Mod: tea.ModShift})
		if !strings.Contains(m.status, "running the notebook's") {
			t.Errorf("status while checking: %q", m.status)
		}
		m.Update(cmd())
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
