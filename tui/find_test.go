package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/de4e/weir/tui/i18n"
)

// Find in the notebook (/ or ctrl+f, as Jupyter's and a browser's): the query is typed on the status line,
// enter selects the next cell whose code holds it, n the one after, round past the end.
func TestFindSelectsTheCellsThatHoldTheQuery(t *testing.T) {
	m := newTestModel(t, 100, 30, i18n.EN)
	if err := m.open("en/01-batch-and-stream.md"); err != nil {
		t.Fatal(err)
	}
	var holding []int
	for i, c := range m.nb.cells() {
		if strings.Contains(strings.ToLower(c.Text), "keyby") {
			holding = append(holding, i)
		}
	}
	if len(holding) < 2 {
		t.Fatalf("the lesson has %d cells with KeyBy; the test needs two", len(holding))
	}
	pressRun(m, "/")
	if !m.find.open || !strings.Contains(screenText(m), "/") {
		t.Fatal("/ does not open the query line")
	}
	for _, r := range "KEYBY" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	pressRun(m, "enter")
	if m.nb.sel != holding[0] || !strings.Contains(m.status, "found in cell") {
		t.Fatalf("enter selected cell %d (status %q), want %d", m.nb.sel, m.status, holding[0])
	}
	press(m, "n")
	if m.nb.sel != holding[1] {
		t.Errorf("n selected cell %d, want %d", m.nb.sel, holding[1])
	}
	m.Update(tea.KeyPressMsg{Code: 'f', Mod: tea.ModCtrl})
	for _, r := range "no such text" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	sel := m.nb.sel
	pressRun(m, "enter")
	if m.nb.sel != sel || !strings.Contains(m.status, "is in no cell") {
		t.Errorf("a query no cell holds: selection %d, status %q", m.nb.sel, m.status)
	}
}
