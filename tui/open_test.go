package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
