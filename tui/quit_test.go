package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/de4e/weir/tui/i18n"
)

// ctrl+q with unsaved edits asks first, and a second ctrl+q quits; another key in between takes the first
// back. ctrl+c never quits: with nothing running it says how to quit.
func TestQuitAsksAboutUnsavedEdits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# N\n```go\nx := 1\n```\n"), 0o644)
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	ctrl := func(r rune) tea.Cmd {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl})
		return cmd
	}
	var isQuit func(cmd tea.Cmd) bool
	isQuit = func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		msg := cmd()
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
		// A sequence (the recovery file's write, then quit) is a slice of commands.
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice {
			for i := range v.Len() {
				if c, ok := v.Index(i).Interface().(tea.Cmd); ok && isQuit(c) {
					return true
				}
			}
		}
		return false
	}
	if isQuit(ctrl('c')) || !strings.Contains(m.status, "ctrl+q quits") {
		t.Errorf("ctrl+c with nothing running: status %q", m.status)
	}
	m.nb.dirty = true
	if isQuit(ctrl('q')) || !strings.Contains(m.status, "unsaved changes") {
		t.Fatalf("the first ctrl+q with unsaved edits quit, or said %q", m.status)
	}
	press(m, "down") // takes the first ctrl+q back
	if isQuit(ctrl('q')) {
		t.Fatal("a ctrl+q after another key quit without asking")
	}
	if !isQuit(ctrl('q')) {
		t.Fatal("the second ctrl+q in a row did not quit")
	}
}

// A paused replay stays marked on the status bar for as long as the pause lasts (the passing "paused" message
// used to vanish after a few seconds, and a cell waiting on the replay looked hung).
func TestPauseStaysOnTheStatusBar(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# N\n```go\nx := 1\n```\n"), 0o644)
	m := newTestModel(t, 160, 40, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.statusBar(), "replay paused") {
		t.Fatal("paused before any pause")
	}
	m.nb.togglePause()
	m.status = "" // the passing message is gone
	if !strings.Contains(m.statusBar(), "replay paused") {
		t.Errorf("status bar %q: want the pause shown while it lasts", m.statusBar())
	}
	m.nb.togglePause()
	if strings.Contains(m.statusBar(), "replay paused") {
		t.Errorf("status bar %q after resuming", m.statusBar())
	}
}
