package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// File I/O ran inside Update (Bubble Tea's event loop): saving, autosaving, the recovery file at quit. It
// runs in the commands Update returns: Update itself writes nothing.
func TestFileWritesRunInCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# N\n```go\nx := 1\n```\n"), 0o644)
	m := newTestModel(t, 100, 30, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	m.opts.Poll = time.Millisecond
	m.nb.cells()[0].Text = "x := 2\n"
	m.nb.dirty = true

	_, cmd := m.Update(tickMsg(time.Now()))
	if _, err := os.Stat(notebook.RecoveryPath(path)); err == nil {
		t.Fatal("the tick's Update wrote the recovery file itself")
	}
	runCmds(m, cmd)
	if _, err := os.Stat(notebook.RecoveryPath(path)); err != nil {
		t.Fatalf("the autosave command did not write the recovery file: %v", err)
	}

	_, cmd = m.Update(keyMsg("ctrl+s"))
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "x := 2") {
		t.Fatal("ctrl+s's Update wrote the file itself")
	}
	runCmds(m, cmd)
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "x := 2") || !strings.Contains(m.status, "saved to") {
		t.Fatalf("the save command: file %q, status %q", b, m.status)
	}

	m.nb.cells()[0].Text = "x := 3\n"
	m.nb.dirty = true
	m.quitArmed = true
	_, cmd = m.Update(keyMsg("ctrl+q"))
	if _, err := os.Stat(notebook.RecoveryPath(path)); err == nil {
		t.Fatal("ctrl+q's Update wrote the recovery file itself")
	}
	if cmd == nil {
		t.Fatal("ctrl+q returned no command")
	}
}
