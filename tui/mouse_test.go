package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/de4e/weir/tui/i18n"
)

// The mouse, as learners use it in Jupyter: the wheel scrolls the notebook, a click selects the cell under
// it (without making the view jump).
func TestMouseWheelScrollsAndClickSelects(t *testing.T) {
	for _, w := range []int{100, 140} { // one pane, and side by side (a title line more)
		m := newTestModel(t, w, 30, i18n.EN)
		if err := m.open("en/01-batch-and-stream.md"); err != nil {
			t.Fatal(err)
		}
		if v := m.View(); v.MouseMode != tea.MouseModeCellMotion {
			t.Fatalf("the mouse is not enabled: %v", v.MouseMode)
		}
		for range 3 {
			m.Update(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelDown})
		}
		if m.nb.offset != 9 {
			t.Fatalf("width %d: three notches down scrolled to %d, want 9", w, m.nb.offset)
		}
		m.Update(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelUp})
		if m.nb.offset != 6 {
			t.Fatalf("width %d: a notch up scrolled to %d, want 6", w, m.nb.offset)
		}
		spans, _, _ := m.nb.layout(m.lang)
		target := -1
		for i, s := range spans {
			if s[0] >= m.nb.offset+2 && s[0] < m.nb.offset+20 {
				target = i
				break
			}
		}
		if target < 0 {
			t.Fatalf("width %d: no cell in view", w)
		}
		top := 1
		if m.split() {
			top = 2
		}
		offset := m.nb.offset
		m.Update(tea.MouseClickMsg{X: 5, Y: spans[target][0] - offset + top + 1, Button: tea.MouseLeft})
		if m.nb.sel != target || m.nb.offset != offset {
			t.Errorf("width %d: the click selected %d (offset %d), want %d (offset %d)", w, m.nb.sel, m.nb.offset, target, offset)
		}
	}
}
