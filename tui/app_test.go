package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

func newTestModel(t testing.TB, w, h int, lang i18n.Lang) *Model {
	t.Helper()
	store, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Lang: lang, Store: store})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	t.Cleanup(func() {
		if m.nb != nil {
			m.nb.session.Runner().Close()
		}
	})
	return m
}

// pressRun presses keys like press and runs the commands they return (a save's write), as the program would.
func pressRun(m *Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		runCmds(m, cmd)
	}
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(keyMsg(k))
	}
}

// keyMsg is the key press of a key's name.
func keyMsg(k string) tea.KeyPressMsg {
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		msg = tea.KeyPressMsg{Code: tea.KeyUp}
	case "tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab}
	case "pgdown":
		msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		msg = tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "ctrl+r", "ctrl+s", "ctrl+l", "ctrl+q", "ctrl+c":
		msg = tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	default:
		r := []rune(k)[0]
		msg = tea.KeyPressMsg{Code: r, Text: k}
		if r >= 'A' && r <= 'Z' {
			msg = tea.KeyPressMsg{Code: r + 32, Text: k, Mod: tea.ModShift}
		}
	}
	return msg
}

func screenText(m *Model) string { return ansi.Strip(m.render()) }

// checkFits asserts that every line of the screen fits the terminal and that there are exactly h lines.
func checkFits(t *testing.T, m *Model, w, h int) {
	t.Helper()
	lines := strings.Split(m.render(), "\n")
	if len(lines) != h {
		t.Errorf("%d lines on a %d-line terminal", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d cells wide on a %d-cell terminal: %q", i, lw, w, ansi.Strip(l))
		}
	}
}

func TestTinyTerminalSaysSo(t *testing.T) {
	m := newTestModel(t, 40, 10, i18n.EN)
	if s := screenText(m); !strings.Contains(s, "too small") || !strings.Contains(s, "40×10") {
		t.Errorf("tiny terminal shows:\n%s", s)
	}
	checkFits(t, m, 40, 10)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if s := screenText(m); strings.Contains(s, "too small") {
		t.Error("still too small after a resize")
	}
}

func TestStartScreenListsLessonsInBothLanguages(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		want string
	}{{i18n.EN, "1. Batch and stream: counting words"}, {i18n.KO, "1. 배치와 스트림: 단어 세기"}} {
		m := newTestModel(t, 80, 24, tc.lang)
		if s := screenText(m); !strings.Contains(s, tc.want) {
			t.Errorf("%v start screen lacks %q:\n%s", tc.lang, tc.want, s)
		}
		checkFits(t, m, 80, 24)
	}
	m := newTestModel(t, 80, 24, i18n.EN)
	press(m, "ctrl+l")
	if s := screenText(m); !strings.Contains(s, "튜토리얼") {
		t.Errorf("ctrl+l did not switch to Korean:\n%s", s)
	}
}

func waitIdle(t *testing.T, m *Model) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		busy := false
		for _, c := range m.nb.cells() {
			if m.nb.session.State(c.Meta.ID).Status == interp.Running {
				busy = true
			}
		}
		if !busy {
			m.Update(tickMsg(time.Now()))
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("a cell still runs after 30s")
}

func TestOpenRunEditSaveAndRecover(t *testing.T) {
	m := newTestModel(t, 120, 40, i18n.EN)
	pressRun(m, "enter") // the first lesson
	if m.screen != screenNotebook {
		t.Fatalf("enter did not open the lesson:\n%s", screenText(m))
	}
	press(m, "ctrl+r")
	waitIdle(t, m)
	if s := screenText(m); !strings.Contains(s, "In [1]") || !strings.Contains(s, "DE4E 스터디") || !strings.Contains(s, "done") {
		t.Fatalf("after running the first cell:\n%s", s)
	}
	checkFits(t, m, 120, 40)

	// Edit the second cell: enter edit mode, type, leave, and the notebook is modified.
	press(m, "down", "down", "enter") // past the Markdown cell between them
	if !m.nb.editing {
		t.Fatal("enter did not start editing")
	}
	press(m, "/", "/", " ", "h", "i")
	press(m, "esc")
	if !m.nb.dirty || !strings.Contains(m.nb.selected().Text, "// hi") {
		t.Fatalf("edit not kept: dirty=%v text=%q", m.nb.dirty, m.nb.selected().Text)
	}
	// The autosave writes a recovery file; a new workbench on the same store restores it.
	m.nb.autosaved = time.Time{}
	m.opts.Poll = time.Millisecond
	_, cmd := m.Update(tickMsg(time.Now()))
	runCmds(m, cmd) // the autosave is a command
	if _, err := os.Stat(notebook.RecoveryPath(m.nb.path)); err != nil {
		t.Fatalf("no recovery file: %v", err)
	}
	m2 := New(Options{Store: m.store})
	m2.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	pressRun(m2, "enter")
	if m2.recovery == nil {
		t.Fatal("the recovery file was not offered back")
	}
	press(m2, "r")
	if m2.nb == nil || !strings.Contains(m2.nb.cells()[1].Text, "// hi") || !m2.nb.dirty {
		t.Fatal("the recovery file was not offered back")
	}
	m2.nb.session.Runner().Restart()

	pressRun(m, "ctrl+s")
	b, err := os.ReadFile(m.nb.path)
	if err != nil || !strings.Contains(string(b), "// hi") {
		t.Fatalf("save: %v", err)
	}
	if filepath.Dir(filepath.Dir(m.nb.path)) != filepath.Join(m.store.Dir, "lessons") {
		t.Errorf("a bundled lesson is saved as the user's copy, not %s", m.nb.path)
	}
	if _, err := os.Stat(notebook.RecoveryPath(m.nb.path)); !os.IsNotExist(err) {
		t.Error("the recovery file outlived the save")
	}
}

func TestBadCellShowsItsErrorAndTheWorkbenchGoesOn(t *testing.T) {
	m := newTestModel(t, 100, 30, i18n.EN)
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# Bad\n```go\nx := (1 +\n```\n```go\nfor {}\n```\n```go\n\"still alive\"\n```\n"), 0o644)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	waitIdle(t, m)
	if s := screenText(m); !strings.Contains(s, "cell cell-1, line 1:10: syntax: expected operand, found the end of the cell") {
		t.Errorf("syntax error not shown:\n%s", s)
	}
	press(m, "down", "ctrl+r")
	time.Sleep(100 * time.Millisecond)
	press(m, "i", "i")
	waitIdle(t, m)
	if s := screenText(m); !strings.Contains(s, "interrupted") {
		t.Errorf("interrupt not shown:\n%s", s)
	}
	press(m, "down", "ctrl+r")
	waitIdle(t, m)
	if s := screenText(m); !strings.Contains(s, `= "still alive"`) {
		t.Errorf("the kernel did not go on:\n%s", s)
	}
}

func TestHelpListsKeysByContext(t *testing.T) {
	m := newTestModel(t, 120, 40, i18n.KO)
	press(m, "?")
	s := screenText(m)
	for _, want := range []string{"어디서나", "노트북: 명령 모드", "노트북: 편집 모드", "엔진 라이브 보기", "ctrl+r"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	press(m, "esc")
	if m.pager.open {
		t.Error("esc did not close the help")
	}
}

// At 80x24 the help overlay was cut after the notebook's keys and could not scroll; it was hand-made and
// English in Korean. It is bubbles' help in a viewport: it scrolls to its last key, fits the screen, and its
// descriptions are translated; ? closes it again.
func TestHelpScrollsAt80x24InBothLanguages(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
		m := newTestModel(t, 80, 24, lang)
		press(m, "?")
		last := lang.T("key.live.guarantee")
		if s := screenText(m); strings.Contains(s, last) || !strings.Contains(s, lang.T("key.global.quit")) {
			t.Fatalf("%s: the help's first page:\n%s", lang, s)
		}
		checkFits(t, m, 80, 24)
		press(m, "G")
		if s := screenText(m); !strings.Contains(s, last) {
			t.Errorf("%s: the help does not scroll to its last key %q:\n%s", lang, last, s)
		}
		if lang == i18n.KO && !strings.Contains(screenText(m), "재생 한 단계") {
			t.Errorf("the Korean help's keys are not in Korean:\n%s", screenText(m))
		}
		press(m, "?")
		if m.pager.open {
			t.Errorf("%s: ? did not close the help", lang)
		}
	}
}

func TestCellCommands(t *testing.T) {
	m := newTestModel(t, 100, 30, i18n.EN)
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# T\n```go\n1\n```\n```go\n2\n```\n"), 0o644)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	press(m, "b") // insert below the first
	if n := len(m.nb.cells()); n != 3 || m.nb.sel != 1 {
		t.Fatalf("insert below: %d cells, selected %d", n, m.nb.sel)
	}
	press(m, "d", "d")
	if n := len(m.nb.cells()); n != 2 {
		t.Fatalf("d d: %d cells", n)
	}
	press(m, "J") // move "2" (now selected) down: it is last, nothing happens; move it up instead
	press(m, "K")
	if m.nb.cells()[0].Text != "2\n" {
		t.Errorf("K did not move the cell up: %q", m.nb.cells()[0].Text)
	}
	press(m, "m")
	if m.nb.selected().Meta.Mode != interp.ModeTable {
		t.Errorf("m did not cycle the mode: %q", m.nb.selected().Meta.Mode)
	}
}

func TestLessonWindowKeepsTheSelectionInView(t *testing.T) {
	for _, c := range []struct{ n, sel, rows, first, last int }{
		{13, 0, 20, 0, 13},  // everything fits
		{13, 12, 13, 0, 13}, // exactly fits
		{20, 0, 10, 0, 9},   // one row says which are shown
		{20, 10, 10, 6, 15},
		{20, 19, 10, 11, 20},
		{20, 22, 10, 11, 20}, // a recent file is selected: the last lessons show
		{20, 5, 1, 5, 6},     // one row still shows the selected lesson
	} {
		first, last := lessonWindow(c.n, c.sel, c.rows)
		if first != c.first || last != c.last {
			t.Errorf("lessonWindow(%d, %d, %d) = %d, %d; want %d, %d", c.n, c.sel, c.rows, first, last, c.first, c.last)
		}
		if c.sel < c.n && (c.sel < first || c.sel >= last) {
			t.Errorf("lessonWindow(%d, %d, %d) hides the selected lesson", c.n, c.sel, c.rows)
		}
	}
}

// The notebook's View changed its scroll state (View must be pure in Bubble Tea's model): drawing twice
// could show two different screens. The scrolling follows the selection in Update; View only draws.
func TestViewIsPure(t *testing.T) {
	m := newTestModel(t, 80, 24, i18n.EN)
	if err := m.open("en/01-batch-and-stream.md"); err != nil {
		t.Fatal(err)
	}
	top := func() string { return strings.Join(strings.Split(screenText(m), "\n")[:6], "\n") }
	first := top()
	m.nb.sel = len(m.nb.cells()) - 1 // as a key would, but without Update
	m.render()
	if top() != first || m.nb.offset != 0 {
		t.Fatalf("drawing changed the scroll state (offset %d)", m.nb.offset)
	}
	m.Update(statusMsg("")) // any message but an idle tick, which lays nothing out (TestIdleTickDrawsNothing)
	if m.nb.offset == 0 || top() == first {
		t.Errorf("after an update the view does not follow the selection (offset %d)", m.nb.offset)
	}
	checkFits(t, m, 80, 24)
}

// Side by side, nothing showed which pane had the focus (tab moves it): each pane has a title line, the
// focused one marked.
func TestFocusedPaneIsMarked(t *testing.T) {
	m := newTestModel(t, 120, 40, i18n.EN)
	if err := m.open("en/01-batch-and-stream.md"); err != nil {
		t.Fatal(err)
	}
	if s := screenText(m); !strings.Contains(s, "● Notebook") || !strings.Contains(s, "○ Engine") {
		t.Fatalf("the notebook's focus is not marked:\n%s", s)
	}
	press(m, "tab")
	if s := screenText(m); !strings.Contains(s, "○ Notebook") || !strings.Contains(s, "● Engine") {
		t.Fatalf("the engine's focus is not marked:\n%s", s)
	}
	checkFits(t, m, 120, 40)
}

// A cell run at the bottom of the screen showed none of its output: the view followed the selection only
// when it moved. It follows the selected cell when it grows too.
func TestViewFollowsTheSelectedCellsOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nb.md")
	os.WriteFile(path, []byte("# F\n\n"+strings.Repeat("Some prose.\n\n", 8)+"```go\nfor i := 1; i <= 5; i++ { fmt.Println(\"out\", i) }\n```\n"), 0o644)
	m := newTestModel(t, 80, 24, i18n.EN)
	if err := m.open(path); err != nil {
		t.Fatal(err)
	}
	// The workbench's timer delivers a tick (and so a layout pass) before any key press can run the cell;
	// without it a cell that ends within microseconds is first laid out with its output already there.
	m.Update(tickMsg(time.Now()))
	if s := screenText(m); !strings.Contains(s, "In [ ]") || strings.Contains(s, "out 5") {
		t.Fatalf("before the run:\n%s", s)
	}
	press(m, "ctrl+r")
	waitFor(t, m, func() bool { return m.nb.session.State(m.nb.cells()[0].Meta.ID).Status == interp.Done })
	m.Update(tickMsg(time.Now()))
	if s := screenText(m); !strings.Contains(s, "out 5") {
		t.Errorf("the run's output is below the screen:\n%s", s)
	}
}
