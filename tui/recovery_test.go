package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// sendKey sends one key to m and then the message of the command it returns, as the program would (one level:
// the commands under test return a message, not a batch).
func sendKey(m *Model, k string) {
	var msg tea.KeyPressMsg
	switch k {
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	default:
		r := []rune(k)[0]
		msg = tea.KeyPressMsg{Code: r, Text: k}
	}
	if _, cmd := m.Update(msg); cmd != nil {
		m.Update(cmd())
	}
}

// writeRecovery writes path with a cell "x := 1" and a recovery file whose cell reads "x := 2", as a
// workbench that stopped with unsaved edits leaves them.
func writeRecovery(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nb.md")
	if err := os.WriteFile(path, []byte("# N\n```go\nx := 1\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	nb, err := notebook.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	nb.Cells()[0].Text = "x := 2\n"
	if err := nb.SaveRecovery(path); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	os.Chtimes(notebook.RecoveryPath(path), later, later)
	return path
}

// The recovery prompt offered r and x in a status line cut at the screen's width, neither key did anything,
// and the recovered text came back on every open. It is a choice that fits any width: r restores the edits,
// x discards them for good, d shows the difference first.
func TestRecoveryOffersARealChoice(t *testing.T) {
	for _, size := range [][2]int{{60, 16}, {80, 24}, {200, 60}} {
		for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
			m := newTestModel(t, size[0], size[1], lang)
			if err := m.open(writeRecovery(t)); err != nil {
				t.Fatal(err)
			}
			checkFits(t, m, size[0], size[1])
			s := strings.Join(strings.Fields(strings.ReplaceAll(screenText(m), "│", " ")), " ")
			for _, want := range strings.Split(lang.T("recovery.choice"), " · ") {
				if !strings.Contains(s, strings.Join(strings.Fields(want), " ")) {
					t.Errorf("%dx%d %s: the choice %q is not on the screen:\n%s", size[0], size[1], lang, want, screenText(m))
				}
			}
		}
	}

	// d shows the difference; esc goes back to the choice; r restores.
	m := newTestModel(t, 80, 24, i18n.EN)
	path := writeRecovery(t)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	if got := m.nb.cells()[0].Text; got != "x := 1\n" {
		t.Fatalf("before the choice the cell reads %q, want the file's version", got)
	}
	sendKey(m, "d")
	if s := screenText(m); !strings.Contains(s, "-x := 1") || !strings.Contains(s, "+x := 2") {
		t.Errorf("d does not show the difference:\n%s", s)
	}
	sendKey(m, "esc")
	sendKey(m, "j") // no other key acts while the choice waits
	sendKey(m, "r")
	if got := m.nb.cells()[0].Text; got != "x := 2\n" || !m.nb.dirty || m.recovery != nil {
		t.Errorf("after r: cell %q, dirty %v, offer %v", got, m.nb.dirty, m.recovery)
	}

	// x discards: the next open offers nothing and shows the file.
	m = newTestModel(t, 80, 24, i18n.EN)
	path = writeRecovery(t)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	sendKey(m, "x")
	if !strings.Contains(m.status, "discarded") {
		t.Errorf("status after x: %q", m.status)
	}
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	if m.recovery != nil || strings.Contains(screenText(m), "r: restore") || m.nb.cells()[0].Text != "x := 1\n" {
		t.Errorf("the discarded edits came back on the next open:\n%s", screenText(m))
	}
}
