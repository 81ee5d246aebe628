package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/tui/i18n"
)

// Long outputs ended in "… N more lines" and wide lines were cut with "…", with no way to see the rest
// (lesson 9's comparison table hid its transactional columns). o expands a cell's output (wide lines wrap)
// and collapses it again; O opens it in a pager that pages and scrolls sideways.
func TestLongOutputsCanBeExpandedAndPaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	src := "# N\n```go\nfor i := 1; i <= 40; i++ { fmt.Println(\"line\", i) }\n" +
		"fmt.Println(\"wide\", strings.Repeat(\"-\", 300), \"END\")\n```\n"
	os.WriteFile(path, []byte(src), 0o644)
	m := newTestModel(t, 80, 24, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	waitFor(t, m, func() bool { return m.nb.session.State(m.nb.cells()[0].Meta.ID).Status == interp.Done })
	out := func() string {
		c := m.nb.cells()[0]
		return ansi.Strip(strings.Join(m.nb.outputLines(c, m.nb.session.State(c.Meta.ID), m.lang), "\n"))
	}
	if s := out(); strings.Contains(s, "line 40") || !strings.Contains(s, "24 more lines (o: show all") {
		t.Fatalf("collapsed output:\n%s", s)
	}
	press(m, "o")
	s := out()
	if !strings.Contains(s, "line 40") || !strings.Contains(s, "END") {
		t.Fatalf("expanded output lacks the last line or the end of the wide one:\n%s", s)
	}
	for _, l := range strings.Split(s, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("an expanded line is %d cells wide on an 80-cell pane: %q", w, l)
		}
	}
	press(m, "o")
	if s := out(); strings.Contains(s, "line 40") {
		t.Fatalf("o again did not collapse the output:\n%s", s)
	}

	press(m, "O")
	if s := screenText(m); !strings.Contains(s, "Output of cell-1") || !strings.Contains(s, "line 1 ") {
		t.Fatalf("O does not open the output in a pager:\n%s", s)
	}
	press(m, "G")
	if s := screenText(m); !strings.Contains(s, "line 40") || strings.Contains(s, "END") {
		t.Fatalf("the pager's end shows:\n%s", s)
	}
	for range 40 {
		press(m, "l")
	}
	if s := screenText(m); !strings.Contains(s, "END") || !strings.Contains(s, "from column") {
		t.Fatalf("scrolling the pager sideways does not reach the wide line's end:\n%s", s)
	}
	checkFits(t, m, 80, 24)
	press(m, "esc")
	if s := screenText(m); strings.Contains(s, "Output of") || !strings.Contains(s, "In [1]") {
		t.Fatalf("esc does not close the pager:\n%s", s)
	}
}

// w writes the selected cell's whole output, without colours, to a file beside the notebook (in a command).
func TestWriteOutputToAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# N\n```go\nfor i := 1; i <= 30; i++ { fmt.Println(\"row\", i) }\n```\n"), 0o644)
	m := newTestModel(t, 80, 24, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	pressRun(m, "w")
	if !strings.Contains(m.status, "no output yet") {
		t.Errorf("w before running: %q", m.status)
	}
	press(m, "ctrl+r")
	waitFor(t, m, func() bool { return m.nb.session.State(m.nb.cells()[0].Meta.ID).Status == interp.Done })
	pressRun(m, "w")
	out := strings.TrimSuffix(path, ".md") + ".cell-1.txt"
	b, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(b), "row 1\n") || !strings.Contains(string(b), "row 30\n") || strings.Contains(string(b), "\x1b") {
		t.Fatalf("the written output (%v):\n%q", err, b)
	}
	if !strings.Contains(m.status, out) {
		t.Errorf("status %q does not say where", m.status)
	}
}
