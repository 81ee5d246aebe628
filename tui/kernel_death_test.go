package tui

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/kernel"
	"github.com/de4e/weir/notebook"
	"github.com/de4e/weir/tui/i18n"
)

func TestMain(m *testing.M) {
	kernel.MainIfKernel() // the workbench below starts this test binary as its kernel
	os.Exit(m.Run())
}

// startKernel is Options.NewRunner as the weir command sets it.
func startKernel(_ *notebook.Notebook, opts interp.Options) (interp.Runner, error) {
	c, err := kernel.Start(kernel.Options{Kernel: opts})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// kernelWorkbench is a workbench with a kernel process, in a terminal of 120x40, on a notebook holding text.
type kernelWorkbench struct {
	t    *testing.T
	tm   *teatest.TestModel
	path string
}

// startKernelWorkbench writes text into a notebook file and opens the workbench on it.
func startKernelWorkbench(t *testing.T, text string) *kernelWorkbench {
	path := filepath.Join(t.TempDir(), "nb.md")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Lang: i18n.EN, Store: store, Open: path, NewRunner: startKernel})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	return &kernelWorkbench{t: t, tm: tm, path: path}
}

// send presses keys.
func (w *kernelWorkbench) send(keys ...string) {
	for _, k := range keys {
		w.tm.Send(keyMsg(k))
	}
}

// waitScreen waits (a minute at most) until the terminal has shown want.
func (w *kernelWorkbench) waitScreen(want string) {
	w.t.Helper()
	teatest.WaitFor(w.t, w.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(time.Minute), teatest.WithCheckInterval(50*time.Millisecond))
}

// quit quits without saving and returns the final model.
func (w *kernelWorkbench) quit() *Model {
	w.send("ctrl+q", "ctrl+q")
	return w.tm.FinalModel(w.t, teatest.WithFinalTimeout(time.Minute)).(*Model)
}

// A cell whose goroutine panics ended the workbench, leaving the terminal garbled and the unsaved edits
// lost. With the kernel in its own process the workbench says the kernel died and why, keeps the notebook
// with its unsaved edit as it was, and runs the next cell in the new kernel.
func TestTheWorkbenchSurvivesAKernelDeathWithItsEdits(t *testing.T) {
	text := "# crash\n\n```go\nx := 1\n```\n\n```go\ndone := make(chan int)\ngo func() {\n\tpanic(\"boom\")\n}()\n<-done\n```\n\n```go\nfmt.Println(\"still\", \"alive\")\n```\n"
	w := startKernelWorkbench(t, text)
	w.waitScreen("x := 1") // the notebook opens in a command: keys before it would go to the start screen
	// An unsaved edit: a new cell under the first, holding "y := 2".
	w.send("b", "enter", "y", " ", ":", "=", " ", "2", "esc")
	w.waitScreen("y := 2")
	w.send("down", "ctrl+r")
	w.waitScreen("the kernel died: panic: boom (cell cell-2, line 3:2); restarting")
	w.send("down", "ctrl+r")
	w.waitScreen("still alive")
	fm := w.quit()
	got := string(fm.nb.nb.Render())
	if !strings.Contains(got, "```go\ny := 2\n```") || !strings.Contains(got, "panic(\"boom\")") || !fm.nb.dirty {
		t.Errorf("the notebook changed under the kernel's death (dirty %v):\n%s", fm.nb.dirty, got)
	}
	if disk, _ := os.ReadFile(w.path); string(disk) != text {
		t.Errorf("the file changed on disk:\n%s", disk)
	}
	if n, _ := fm.nb.session.Runner().Died(); n != 1 {
		t.Errorf("the kernel died %d times, want 1", n)
	}
}

// An interrupted cell whose goroutine was blocked for good left it running in the kernel. The kernel now
// ends itself when the interrupted cell's goroutines have not stopped after a grace period, and the
// workbench says so, in the learner's language, and keeps the notebook and its unsaved edits.
func TestTheWorkbenchSaysWhenACellsGoroutinesDidNotStop(t *testing.T) {
	w := startKernelWorkbench(t, "# stuck\n\n```go\nready := make(chan int)\ngo func() { ready <- 1; select {} }()\n<-ready\nfmt.Println(\"blocked\")\nfor { time.Sleep(time.Millisecond) }\n```\n")
	w.waitScreen("ready <- 1")
	w.send("b", "enter", "y", " ", ":", "=", " ", "2", "esc", "up") // an unsaved edit below, then back
	w.waitScreen("y := 2")
	w.send("ctrl+r")
	w.waitScreen("blocked")
	w.send("i", "i")
	w.waitScreen("the cell's goroutines did not stop; restarting the kernel")
	fm := w.quit()
	if got := string(fm.nb.nb.Render()); !strings.Contains(got, "```go\ny := 2\n```") || !fm.nb.dirty {
		t.Errorf("the notebook changed under the restart (dirty %v):\n%s", fm.nb.dirty, got)
	}
	if n, why := fm.nb.session.Runner().Died(); n != 1 || !errors.Is(why, interp.ErrGoroutinesLeft) {
		t.Errorf("Died() = %d, %v; want 1 and %v", n, why, interp.ErrGoroutinesLeft)
	}
}
