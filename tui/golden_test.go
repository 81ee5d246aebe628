package tui

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/de4e/weir/tui/i18n"
)

var screenshots = flag.String("screenshots", "", "write the main screens as text files into this directory (make screenshots)")

// settle runs the workbench in a real Bubble Tea program on in-memory I/O, sends keys, waits for want to
// be drawn and returns the settled screen without colours.
func settle(t *testing.T, w, h int, lang i18n.Lang, want string, keys ...tea.Msg) string {
	t.Helper()
	store, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Lang: lang, Store: store})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	for _, k := range keys {
		tm.Send(k)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	return ansi.Strip(fm.render())
}

// TestGoldenScreens compares the settled start and notebook screens, at 80x24 and 120x40 and in both
// languages, with the golden files under testdata (go test ./tui -run TestGoldenScreens -update).
func TestGoldenScreens(t *testing.T) {
	enter := tea.KeyPressMsg{Code: tea.KeyEnter}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, lang := range []i18n.Lang{i18n.EN, i18n.KO} {
			want := map[i18n.Lang][2]string{i18n.EN: {"Tutorials", "Batch and stream"}, i18n.KO: {"튜토리얼", "배치와 스트림"}}[lang]
			name := fmt.Sprintf("%dx%d-%s", size[0], size[1], lang)
			t.Run("start-"+name, func(t *testing.T) {
				s := settle(t, size[0], size[1], lang, want[0])
				golden.RequireEqual(t, []byte(s))
				shot(t, "start-"+name, s)
			})
			t.Run("notebook-"+name, func(t *testing.T) {
				s := settle(t, size[0], size[1], lang, "In [", enter)
				golden.RequireEqual(t, []byte(s))
				shot(t, "notebook-"+name, s)
			})
		}
	}
}

// shot writes a screen for the README when -screenshots is set.
func shot(t *testing.T, name, s string) {
	if *screenshots == "" {
		return
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name+".txt"), []byte(s+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
