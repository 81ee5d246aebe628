package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/tui/i18n"
)

// Jupyter's cell conventions a learner brings: y copies a cell (c is the checkpoint here), x cuts it, v and V
// paste it below and above with an id of its own, z undoes the last delete; [ runs the cells above the
// selected one, ] the selected one and those below.
func TestCopyCutPasteUndoDeleteAndRunAboveBelow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# C\n```go\nx := 1\n```\n```go\nx *= 10\n```\n```go\nx += 5\n```\n"), 0o644)
	m := newTestModel(t, 100, 30, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	texts := func() string {
		var out []string
		for _, c := range m.nb.cells() {
			out = append(out, strings.TrimSpace(c.Text))
		}
		return strings.Join(out, " | ")
	}
	press(m, "y", "j", "j", "v") // copy the first, paste it below the third
	if got := texts(); got != "x := 1 | x *= 10 | x += 5 | x := 1" {
		t.Fatalf("after y, j, j, v: %s", got)
	}
	cells := m.nb.cells()
	if cells[3].Meta.ID == cells[0].Meta.ID || m.nb.sel != 3 {
		t.Errorf("the pasted cell has the id %q of the copied one, or is not selected (%d)", cells[3].Meta.ID, m.nb.sel)
	}
	press(m, "x") // cut the pasted cell
	press(m, "k", "V")
	if got := texts(); got != "x := 1 | x := 1 | x *= 10 | x += 5" {
		t.Fatalf("after x, k, V: %s", got)
	}
	press(m, "d", "d", "d", "d") // delete two cells
	if got := texts(); got != "x := 1 | x += 5" {
		t.Fatalf("after deleting two: %s", got)
	}
	press(m, "z", "z")
	if got := texts(); got != "x := 1 | x := 1 | x *= 10 | x += 5" {
		t.Fatalf("z z does not bring the deleted cells back in place: %s", got)
	}
	press(m, "z") // the cut cell comes back too, at its place in the notebook as it was then (as Jupyter's)
	if got := texts(); got != "x := 1 | x := 1 | x *= 10 | x := 1 | x += 5" || m.nb.sel != 3 {
		t.Fatalf("the third z does not bring the cut cell back: %s", got)
	}
	press(m, "z")
	if !strings.Contains(m.status, "no deleted cell") {
		t.Errorf("z with nothing deleted: %q", m.status)
	}
	press(m, "d", "d")

	// ] runs from the selected cell down, [ the cells above it.
	m.nb.sel = 1
	press(m, "]")
	waitFor(t, m, func() bool { return len(m.nb.queue) == 0 && !m.nb.session.Runner().Running() })
	if v, _ := m.nb.session.Kernel.Lookup("x"); v != 15 {
		t.Errorf("] from the second cell: x = %v, want 15", v)
	}
	if st := m.nb.session.State(m.nb.cells()[0].Meta.ID); st.Status != 0 {
		t.Errorf("] ran the cell above the selection: %v", st.Status)
	}
	m.nb.sel = 3
	press(m, "[")
	waitFor(t, m, func() bool { return len(m.nb.queue) == 0 && !m.nb.session.Runner().Running() })
	if v, _ := m.nb.session.Kernel.Lookup("x"); v != 10 {
		t.Errorf("[ above the last cell: x = %v, want 10", v)
	}
	if st := m.nb.session.State(m.nb.cells()[3].Meta.ID); st.Status != interp.Stale {
		t.Errorf("[ ran the selected cell: %v", st.Status)
	}
}
