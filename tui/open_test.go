package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// open opens path as the program does, for tests: the open's command reads the file, its message goes
// through Update, and the commands that returns run. It returns the open's error, if any.
func (m *Model) open(path string) error {
	msg := m.openCmd(path)().(openedMsg)
	_, cmd := m.Update(msg)
	runCmds(m, cmd)
	return msg.err
}

// Opening a notebook read the file inside Update. Update now only returns the command that reads it; the
// notebook shows when the command's message comes back; a failed open says why and keeps the notebook that
// was open; and the unsaved edits of the notebook another replaces are kept in its recovery file.
func TestOpenRunsInACommand(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.md"), filepath.Join(dir, "second.md")
	os.WriteFile(first, []byte("# First\n```go\nx := 1\n```\n"), 0o644)
	os.WriteFile(second, []byte("# Second\n```go\ny := 2\n```\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
	m := newTestModel(t, 100, 30, i18n.EN)

	press(m, "o")
	for _, r := range first {
		m.Update(keyMsg(string(r)))
	}
	_, cmd := m.Update(keyMsg("enter"))
	if m.nb != nil || m.screen != screenStart {
		t.Fatal("enter opened the notebook inside Update")
	}
	if cmd == nil {
		t.Fatal("enter returned no command")
	}
	runCmds(m, cmd)
	if m.nb == nil || m.nb.nb.Title() != "First" {
		t.Fatalf("after the open's command: %q", screenText(m))
	}

	m.nb.cells()[0].Text = "x := 10\n"
	m.nb.dirty = true
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "go.mod"), "a notebook is a Markdown file"},
		{filepath.Join(dir, "missing.md"), "no such"},
		{dir, "directory"},
	} {
		if err := m.open(tc.path); err == nil || !strings.Contains(m.status, tc.want) {
			t.Errorf("open %s: err %v, status %q, want %q", tc.path, err, m.status, tc.want)
		}
		if m.nb.nb.Title() != "First" || !m.nb.dirty {
			t.Errorf("a failed open of %s replaced the open notebook or its edits", tc.path)
		}
	}

	if err := m.open(second); err != nil {
		t.Fatal(err)
	}
	if m.nb.nb.Title() != "Second" {
		t.Fatalf("second notebook not shown: %q", screenText(m))
	}
	rec, _, err := notebook.LoadRecovery(first)
	if err != nil || rec == nil || !strings.Contains(string(rec.Render()), "x := 10") {
		t.Fatalf("the first notebook's unsaved edit was not kept: %v, %v", rec, err)
	}
}

// Nothing runs when a notebook is opened (issue 18): not its cells, and not a lesson's hidden or check
// cells; only the cell the learner runs, and only that one.
func TestNothingRunsWhenANotebookIsOpened(t *testing.T) {
	dir := t.TempDir()
	marker := func(name string) string { return filepath.Join(dir, name) }
	cell := func(name string) string {
		return "```go\nimport \"os\"\nos.WriteFile(\"" + marker(name) + "\", nil, 0o644)\n```\n"
	}
	path := filepath.Join(dir, "side-effects.md")
	text := "# Side effects\n\n" + cell("first") + "\n<!-- weir:{\"hidden\":true} -->\n" + cell("hidden") + "\n" + cell("last")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, 100, 30, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	if err := m.open("en/01-batch-and-stream.md"); err != nil { // a lesson, then the notebook again
		t.Fatal(err)
	}
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	for range 20 { // the poll's ticks come and go
		m.Update(tickMsg(time.Now()))
		time.Sleep(5 * time.Millisecond)
	}
	for _, c := range m.nb.cells() {
		if st := m.nb.session.State(c.Meta.ID); st.Status != interp.Idle || st.Exec != nil {
			t.Errorf("cell %s is %v after the open", c.Meta.ID, st.Status)
		}
	}
	for _, name := range []string{"first", "hidden", "last"} {
		if _, err := os.Stat(marker(name)); err == nil {
			t.Errorf("opening the notebook ran the cell that writes %s", name)
		}
	}
	pressRun(m, "ctrl+r") // the selected cell: the first
	waitFor(t, m, func() bool { _, err := os.Stat(marker("first")); return err == nil })
	waitIdle(t, m)
	for _, name := range []string{"hidden", "last"} {
		if _, err := os.Stat(marker(name)); err == nil {
			t.Errorf("running the first cell ran the cell that writes %s", name)
		}
	}
}
