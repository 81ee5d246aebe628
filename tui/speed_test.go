package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/tui/i18n"
)

// A lesson that wants its replays slow enough to watch the engine pane says so in its annotation
// ({"speed": 2}); everything else keeps the maximum speed, and --speed (Options.Speed) wins.
func TestNotebookAnnotationSetsTheReplaySpeed(t *testing.T) {
	dir := t.TempDir()
	slow, plain := filepath.Join(dir, "slow.md"), filepath.Join(dir, "plain.md")
	os.WriteFile(slow, []byte("# S\n<!-- weir:{\"lang\":\"en\",\"speed\":2} -->\n\nWatch the engine pane.\n\n```go\nx := 1\n```\n"), 0o644)
	os.WriteFile(plain, []byte("# P\n```go\nx := 1\n```\n"), 0o644)
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open(slow); err != nil {
		t.Fatal(err)
	}
	if m.nb.speed != 2 || !strings.Contains(m.statusBar(), "speed 2x") {
		t.Errorf("the annotated notebook opens at speed %v (bar %q), want 2", m.nb.speed, m.statusBar())
	}
	if err := m.open(plain); err != nil {
		t.Fatal(err)
	}
	if m.nb.speed != 0 {
		t.Errorf("a notebook without the annotation opens at speed %v, want max", m.nb.speed)
	}
	m.opts.Speed = 5
	if err := m.open(slow); err != nil {
		t.Fatal(err)
	}
	if m.nb.speed != 5 {
		t.Errorf("--speed 5 gives %v on the annotated notebook, want 5", m.nb.speed)
	}
}
