package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

const markdownNotebook = "# Title\n\nIntro.\n\n```go\nx := 1\n```\n\nMiddle *prose* here.\n\n```go\ny := 2\n```\n"

// Markdown cells, as Jupyter's: ↓ from a code cell selects the Markdown below it, enter edits its source,
// esc shows it rendered, and the saved file differs from the original by the edit alone and reopens to the
// same cells. The workbench runs in a real Bubble Tea program (teatest).
func TestMarkdownCellEditsItsSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "md.md")
	if err := os.WriteFile(path, []byte(markdownNotebook), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, New(Options{Lang: i18n.EN, Store: store, Open: path}), teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("In [")) },
		teatest.WithDuration(10*time.Second))
	tm.Send(keyMsg("down"))  // the Markdown cell between the two code cells
	tm.Send(keyMsg("enter")) // edit its source; the cursor is at its end
	tm.Type(" Edited.")
	tm.Send(keyMsg("esc"))
	tm.Send(keyMsg("ctrl+s"))
	want := strings.Replace(markdownNotebook, "Middle *prose* here.\n", "Middle *prose* here. Edited.\n", 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, _ := os.ReadFile(path); string(b) == want {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(path)
			t.Fatalf("the saved file:\n%s\nwant:\n%s", b, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.Send(keyMsg("ctrl+q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if s := ansi.Strip(fm.render()); !strings.Contains(s, "Middle prose here. Edited.") || strings.Contains(s, "*prose*") {
		t.Errorf("after esc the Markdown cell is not shown rendered:\n%s", s)
	}

	before, err := notebook.Parse("md.md", []byte(markdownNotebook))
	if err != nil {
		t.Fatal(err)
	}
	after, err := notebook.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Blocks) != len(before.Blocks) {
		t.Fatalf("reopened: %d blocks, want %d", len(after.Blocks), len(before.Blocks))
	}
	for i, b := range after.Blocks {
		wantText := before.Blocks[i].Text
		if b.Kind == notebook.Prose && strings.Contains(wantText, "Middle") {
			wantText = "\nMiddle *prose* here. Edited.\n\n"
		}
		if b.Kind != before.Blocks[i].Kind || b.Text != wantText || b.Meta.ID != before.Blocks[i].Meta.ID {
			t.Errorf("reopened block %d: %v %q (id %q), want %v %q (id %q)", i, b.Kind, b.Text, b.Meta.ID,
				before.Blocks[i].Kind, wantText, before.Blocks[i].Meta.ID)
		}
	}
}

// Entering and leaving a Markdown cell's editor without typing leaves the notebook unmodified (its
// trailing blank lines included); commands that act on code cells say so on a Markdown cell and leave the
// notebook as it was; running it in the editor renders it.
func TestMarkdownCellUnchangedAndCodeOnlyCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "md.md")
	os.WriteFile(path, []byte(markdownNotebook), 0o644)
	m := newTestModel(t, 100, 30, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "up") // the title and intro
	if m.nb.prose == nil || !strings.Contains(m.nb.prose.Text, "Intro.") {
		t.Fatalf("up from the first code cell selected %v", m.nb.cursor())
	}
	press(m, "enter")
	if !m.nb.editing || m.nb.editor.Value() != "# Title\n\nIntro." {
		t.Fatalf("enter on a Markdown cell: editing %v, editor %q", m.nb.editing, m.nb.editor.Value())
	}
	press(m, "esc")
	if m.nb.dirty || string(m.nb.nb.Render()) != markdownNotebook {
		t.Fatalf("an unchanged edit modified the notebook:\n%s", m.nb.nb.Render())
	}
	for _, k := range []string{"d", "d", "y", "x", "J", "m", "s", "o"} {
		press(m, k)
	}
	if m.nb.dirty || string(m.nb.nb.Render()) != markdownNotebook || !strings.Contains(m.status, "this is a Markdown cell") {
		t.Errorf("code-cell commands on a Markdown cell: status %q, notebook:\n%s", m.status, m.nb.nb.Render())
	}
	press(m, "down", "down", "enter") // the middle Markdown cell
	press(m, "ctrl+r")
	if m.nb.editing || m.nb.prose == nil {
		t.Errorf("ctrl+r in a Markdown cell's editor: editing %v, selected %v", m.nb.editing, m.nb.cursor())
	}
	press(m, "down", "ctrl+r")
	if m.nb.prose != nil || m.nb.selected().Text != "y := 2\n" {
		t.Errorf("down from the middle Markdown cell selected %v", m.nb.cursor())
	}
}
