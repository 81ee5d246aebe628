package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/de4e/weir/tui/i18n"
)

// typeText types s into m one key at a time ("\n" is Enter).
func typeText(m *Model, s string) {
	for _, r := range s {
		if r == '\n' {
			press(m, "enter")
			continue
		}
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// The editor had no Tab, Enter lost the indentation, there was no undo, and saving turned the file's tabs
// into spaces. Tab indents and shift+tab dedents, Enter keeps the indentation and adds one after {, a }
// dedents, ctrl+z undoes a run of typing as one step and ctrl+y redoes it, and the cell keeps its tabs.
func TestEditorIndentsUndoesAndKeepsTabs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# E\n```go\nfor i := 0; i < 2; i++ {\n\tfmt.Println(i)\n}\n```\n"), 0o644)
	m := newTestModel(t, 100, 30, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	ctrl := func(r rune) { m.Update(tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl}) }
	press(m, "enter") // edit; the cursor is at the end
	typeText(m, "\nif true {\nx := 1\n}")
	press(m, "esc")
	want := "for i := 0; i < 2; i++ {\n\tfmt.Println(i)\n}\nif true {\n\tx := 1\n}\n"
	if got := m.nb.selected().Text; got != want {
		t.Fatalf("after typing, the cell is\n%q\nwant\n%q", got, want)
	}

	press(m, "enter")
	typeText(m, "\nabc def")
	m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	if got := m.nb.editor.Value(); !strings.HasSuffix(got, "\nabc def    ") {
		t.Fatalf("tab did not indent: %q", got)
	}
	ctrl('z') // the tab
	ctrl('z') // "def"
	if got := m.nb.editor.Value(); !strings.HasSuffix(got, "\nabc ") {
		t.Fatalf("two undos leave %q, want the typed word and the tab undone", got)
	}
	ctrl('z') // " "
	ctrl('z') // "abc"
	ctrl('z') // the new line
	if got := m.nb.editor.Value() + "\n"; got != want {
		t.Fatalf("undoing everything leaves %q", got)
	}
	ctrl('y')
	ctrl('y')
	if got := m.nb.editor.Value(); !strings.HasSuffix(got, "}\nabc") {
		t.Fatalf("two redos give %q", got)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}) // nothing to dedent
	press(m, "esc")
	pressRun(m, "ctrl+s")
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "\n\tfmt.Println(i)\n}\nif true {\n\tx := 1\n}\nabc\n") {
		t.Errorf("the saved file lost its tabs or the edit:\n%s", b)
	}
}
