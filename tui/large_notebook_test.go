package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/de4e/weir/tui/i18n"
)

// largeNotebook returns a notebook of n Go cells, with a Markdown cell before every tenth.
func largeNotebook(n int) string {
	var b strings.Builder
	b.WriteString("# Large\n\nA notebook of many cells.\n\n")
	for i := range n {
		if i%10 == 0 {
			fmt.Fprintf(&b, "Section %d: some *prose* between the cells.\n\n", i/10)
		}
		fmt.Fprintf(&b, "```go\nx%d := %d * 2\nfmt.Println(x%d)\n```\n\n", i, i, i)
	}
	return b.String()
}

// openLarge opens a notebook of n cells in a 120x40 workbench and lays it out once.
func openLarge(tb testing.TB, n int) *Model {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "large.md")
	if err := os.WriteFile(path, []byte(largeNotebook(n)), 0o644); err != nil {
		tb.Fatal(err)
	}
	m := newTestModel(tb, 120, 40, i18n.EN)
	if err := m.open(path); err != nil {
		tb.Fatal(err)
	}
	m.render()
	return m
}

// BenchmarkLargeNotebookKeypress times a key (↓, then ↑, alternately) and the redraw that follows it in a
// notebook of 50,000 cells (issue 18: about 30 s a key).
//
//	go test ./tui -run '^$' -bench LargeNotebook -benchtime 20x
func BenchmarkLargeNotebookKeypress(b *testing.B) {
	m := openLarge(b, 50_000)
	keys := []tea.KeyPressMsg{keyMsg("down"), keyMsg("up")}
	b.ResetTimer()
	for i := range b.N {
		m.Update(keys[i%2])
		m.View()
	}
}

// BenchmarkLargeNotebookIdleTick times the poll's tick and the redraw that follows it in a notebook of
// 50,000 cells where nothing runs.
func BenchmarkLargeNotebookIdleTick(b *testing.B) {
	m := openLarge(b, 50_000)
	b.ResetTimer()
	for range b.N {
		m.Update(tickMsg(time.Now()))
		m.View()
	}
}

// A notebook of many cells drew every cell on every key and every tick (issue 18: 50,000 cells, about 30 s
// a key). A key draws again only the cells it changed (the selection's old and new cell), View copies out
// only the lines on screen, and an idle tick lays nothing out; a run draws its own cell, not the others.
func TestLargeNotebookDrawsOnlyWhatChanged(t *testing.T) {
	m := openLarge(t, 2_000)
	p := m.nb
	if p.draws < 2_000 {
		t.Fatalf("the first layout drew %d blocks, want every one", p.draws)
	}
	// ↓ and ↑ draw the old and the new selection again; pgdown draws (highlighted) the cells it brings on
	// screen, of which a 40-line pane shows at most 8.
	for _, tc := range []struct {
		key         string
		least, most int
	}{{"down", 2, 2}, {"down", 2, 2}, {"up", 2, 2}, {"pgdown", 1, 8}} {
		before := p.draws
		m.Update(keyMsg(tc.key))
		if got := p.draws - before; got < tc.least || got > tc.most {
			t.Errorf("%s drew %d blocks, want %d to %d", tc.key, got, tc.least, tc.most)
		}
		if lines := strings.Count(p.view(m.lang), "\n") + 1; lines != p.height {
			t.Errorf("after %s the view has %d lines, want %d", tc.key, lines, p.height)
		}
	}

	layouts, draws, screen := p.layouts, p.draws, screenText(m)
	for range 5 {
		m.Update(tickMsg(time.Now()))
	}
	if p.layouts != layouts || p.draws != draws || screenText(m) != screen {
		t.Errorf("5 idle ticks: %d layouts, %d blocks drawn, screen changed %v; want none", p.layouts-layouts, p.draws-draws,
			screenText(m) != screen)
	}

	press(m, "ctrl+r")
	id := p.selected().Meta.ID
	waitFor(t, m, func() bool { return p.session.State(id).Exec != nil && !p.session.State(id).Exec.Running() })
	m.Update(tickMsg(time.Now())) // the tick after the run ended draws its end
	if got := p.draws - draws; got < 1 || got > 10 {
		t.Errorf("a run drew %d blocks, want its own cell's few drawings", got)
	}
	if s := screenText(m); !strings.Contains(s, "✓ done") {
		t.Errorf("the finished run is not shown:\n%s", s)
	}
	draws = p.draws
	m.Update(tickMsg(time.Now()))
	m.Update(tickMsg(time.Now()))
	if p.draws != draws {
		t.Errorf("idle ticks after the run drew %d blocks", p.draws-draws)
	}
}
