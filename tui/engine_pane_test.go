package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

// The engine pane kept the previous notebook's job after another notebook opened. Each notebook starts with
// an empty pane. With the kernel in its own process, the job's pictures come over the protocol.
func TestEnginePaneIsClearedPerNotebook(t *testing.T) {
	for name, newRunner := range map[string]func(*notebook.Notebook, interp.Options) (interp.Runner, error){"in process": nil, "kernel process": startKernel} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.md"), filepath.Join(dir, "b.md")
			os.WriteFile(a, []byte("# A\n```go\nenv := engine.NewEnvironment(engine.Config{Parallelism: 1})\nenv.FromElements(1, 2, 3).Collect()\nenv.Execute(\"job of a\")\n```\n"), 0o644)
			os.WriteFile(b, []byte("# B\n```go\nx := 1\n```\n"), 0o644)
			m := newTestModel(t, 140, 40, i18n.EN)
			m.opts.NewRunner = newRunner
			if err := m.open(a); err != nil {
				t.Fatal(err)
			}
			press(m, "ctrl+r")
			waitFor(t, m, func() bool { return m.nb.session.State(m.nb.cells()[0].Meta.ID).Status == interp.Done })
			waitFor(t, m, func() bool {
				m.Update(tickMsg{})
				return strings.Contains(screenText(m), "job of a") && strings.Contains(screenText(m), "FINISHED")
			})
			if err := m.open(b); err != nil {
				t.Fatal(err)
			}
			m.Update(tickMsg{})
			if s := screenText(m); strings.Contains(s, "job of a") || !strings.Contains(s, "No job yet") {
				t.Errorf("after opening b the engine pane shows:\n%s", s)
			}
		})
	}
}

// At 80x24 the engine pane (tab gives it the screen) squeezed its seven views into 22 lines, a line or two
// each, and could not scroll. It is laid out taller and scrolls with ↑/↓ and pgup/pgdn.
func TestEnginePaneScrollsOnASmallScreen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.md")
	os.WriteFile(path, []byte("# A\n```go\nenv := engine.NewEnvironment(engine.Config{Parallelism: 1})\nenv.FromElements(1, 2, 3).Collect()\nenv.Execute(\"small job\")\n```\n"), 0o644)
	m := newTestModel(t, 80, 24, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	waitFor(t, m, func() bool { return m.nb.session.State(m.nb.cells()[0].Meta.ID).Status == interp.Done })
	m.Update(tickMsg{})
	press(m, "tab")
	first := screenText(m)
	if !strings.Contains(first, "small job") || strings.Contains(first, "Throughput") {
		t.Fatalf("the engine pane's first page:\n%s", first)
	}
	for range 3 {
		m.Update(keyMsg("pgdown"))
	}
	if s := screenText(m); !strings.Contains(s, "Throughput") {
		t.Errorf("scrolled down, the engine pane does not reach its last view:\n%s", s)
	}
	checkFits(t, m, 80, 24)
	press(m, "esc")
	if m.focus != focusNotebook {
		t.Error("esc did not give the notebook the focus back")
	}
}
