package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTmuxWorkbench drives the real weir binary in a tmux session, as a user would: it opens a notebook,
// runs its cell, watches the live watermark, window and checkpoint figures change, kills a TaskManager,
// sees the job recover, saves and quits. It is skipped when tmux is not installed (.ci/run installs it).
func TestTmuxWorkbench(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "weir")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	nb := filepath.Join(dir, "live.md")
	src, err := os.ReadFile("testdata/live.md")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(nb, src, 0o644)

	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-x", "140", "-y", "45", "-s", "weir",
		fmt.Sprintf("%s --lang en --speed 2 --state %s %s", bin, filepath.Join(dir, "state"), nb))
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()
	screen := func() string { return tmux("capture-pane", "-p", "-t", "weir") }
	waitFor := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for time.Now().Before(deadline) {
			if s := screen(); ok(s) {
				return s
			}
			time.Sleep(150 * time.Millisecond)
		}
		t.Fatalf("waiting for %s; the screen is:\n%s", what, screen())
		return ""
	}
	contains := func(sub string) func(string) bool { return func(s string) bool { return strings.Contains(s, sub) } }

	waitFor("the notebook", contains("Live demo: clicks per page"))
	tmux("send-keys", "-t", "weir", "C-r")
	first := waitFor("a checkpoint", regexp.MustCompile(`(?i)completed|✓ \d`).MatchString)
	wmRE := regexp.MustCompile(`(?m)wm[^\n]*?(\d+\.\d+s)`)
	firstWM := wmRE.FindString(first)
	waitFor("the watermark to move", func(s string) bool {
		w := wmRE.FindString(s)
		return w != "" && w != firstWM
	})
	shot(t, "live-140x45", waitFor("an open window", contains("15.0s")))

	tmux("send-keys", "-t", "weir", "X")
	waitFor("the kill", contains("killed"))
	waitFor("the job to recover", regexp.MustCompile(`restarts:? 1`).MatchString)
	waitFor("the job to finish", contains("FINISHED"))

	tmux("send-keys", "-t", "weir", "m")
	tmux("send-keys", "-t", "weir", "C-s")
	waitFor("the save", contains("saved to"))
	b, _ := os.ReadFile(nb)
	if !strings.Contains(string(b), `"mode":"changelog"`) {
		t.Errorf("the saved notebook lacks the changed mode:\n%s", b)
	}
	tmux("send-keys", "-t", "weir", "C-q")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := exec.Command("tmux", "-S", sock, "has-session", "-t", "weir").Run(); err != nil {
			return // the workbench quit and took its session with it
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("ctrl+q did not quit; the screen is:\n%s", screen())
}
