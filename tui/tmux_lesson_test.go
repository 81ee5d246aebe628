package tui

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTmuxLessonWalk walks lesson 1 as a learner would, in the real weir binary in tmux, in both languages at
// 80x24 and 120x40 (issue 19's "done when"): check it (the exercise fails), find the exercise (/), fix it in
// the editor, check again (all pass), pause the replay, run the exercise, step it, resume it, save, quit,
// add a cell whose job checkpoints and restarts, run it paused, kill a TaskManager and watch the job recover
// and finish, save, quit, reopen (the fix is there) and see the progress on the start screen. Skipped
// without tmux, and with -short.
func TestTmuxLessonWalk(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "weir")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	type words struct{ passed, waiting, stepped, saved, progress, killed, restarted, command string }
	langs := map[string]words{
		"en": {`(\d+) passed, (\d+) failed`, "replay paused", "stepped one event", "saved to", "✓", "killed", "restarts 1", " COMMAND "},
		"ko": {`(\d+)개 통과, (\d+)개 실패`, "재생 일시 정지", "이벤트 하나를 진행", "저장했습니다", "✓", "종료", "재시작 1", " 명령 "},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, lang := range []string{"en", "ko"} {
			t.Run(fmt.Sprintf("%s-%dx%d", lang, size[0], size[1]), func(t *testing.T) {
				w := langs[lang]
				state := filepath.Join(dir, fmt.Sprintf("state-%s-%d", lang, size[0]))
				sock := filepath.Join(dir, fmt.Sprintf("tmux-%s-%d.sock", lang, size[0]))
				tmux := func(args ...string) string {
					out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
					if err != nil {
						t.Fatalf("tmux %v: %v\n%s", args, err, out)
					}
					return string(out)
				}
				defer exec.Command("tmux", "-S", sock, "kill-server").Run()
				lesson := lang + "/01-batch-and-stream.md"
				start := func(args string) {
					tmux("new-session", "-d", "-x", fmt.Sprint(size[0]), "-y", fmt.Sprint(size[1]), "-s", "weir",
						fmt.Sprintf("%s --lang %s --state %s %s", bin, lang, state, args))
					tmux("set-option", "-s", "escape-time", "0") // tmux passes Escape on at once
				}
				keys := func(k ...string) { tmux(append([]string{"send-keys", "-t", "weir"}, k...)...) }
				typeText := func(s string) { tmux("send-keys", "-t", "weir", "-l", s) }
				screen := func() string { return tmux("capture-pane", "-p", "-t", "weir") }
				waitFor := func(what string, ok func(string) bool) string {
					t.Helper()
					deadline := time.Now().Add(60 * time.Second)
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
				result := regexp.MustCompile(w.passed)
				checked := func(failed bool) func(string) bool {
					return func(s string) bool {
						m := result.FindStringSubmatch(s)
						return m != nil && (m[2] != "0") == failed
					}
				}

				start(lesson)
				waitFor("the lesson", contains("In ["))
				keys("C")
				first := result.FindStringSubmatch(waitFor("a failing check", checked(true)))

				keys("/")
				typeText("TODO")
				keys("Enter")
				waitFor("the exercise found", contains("exercise-table"))
				// Edit: from the end up to the KeyBy line (the fourth from the end; the three below it are short,
				// so each Up is one line), and replace it with KeyByField("Word").
				keys("Enter")
				keys("M->")
				keys("Up", "Up", "Up", "End", "C-u", "Tab")
				typeText(`KeyByField("Word").`)
				keys("Escape")
				time.Sleep(500 * time.Millisecond) // an Escape right before a key reads as alt+key
				keys("C")
				all := result.FindStringSubmatch(waitFor("every check passing", checked(false)))
				if all[1] != fmt.Sprint(atoi(first[1])+atoi(first[2])) {
					t.Errorf("checks: first %s passed %s failed, then %s passed: want all of them", first[1], first[2], all[1])
				}

				keys("p")
				keys("C-r")
				waitFor("the paused replay", func(s string) bool { return strings.Contains(s, w.waiting) && strings.Contains(s, "RUNNING") })
				keys(".")
				waitFor("the step", contains(w.stepped))
				keys("p")
				waitFor("the run to end", func(s string) bool { return !strings.Contains(s, w.waiting) })

				// Kill a TaskManager under a job that checkpoints and restarts (a cell of one line, below the
				// exercise), while its replay is paused, and watch the job recover and then finish.
				keys("b", "Enter")
				typeText(`kenv := engine.NewEnvironment(engine.Config{Parallelism: 1, Checkpointing: engine.CheckpointConfig{Interval: 100 * time.Millisecond}, ` +
					`Restart: engine.RestartStrategy{Attempts: 3, Delay: 50 * time.Millisecond}}); kw, _ := sources.FindRecording("words"); ` +
					`kenv.FromSource(kw.Replay(nil), nil, "words").Collect(); kenv.Execute("survives a kill")`)
				waitFor("the typed cell", contains(`kenv.Execute("survives a kill")`))
				keys("Escape")
				waitFor("command mode", contains(w.command))
				keys("p")
				waitFor("the pause", contains("⏸"))
				keys("C-r")
				waitFor("the paused job", func(s string) bool { return strings.Contains(s, w.waiting) && strings.Contains(s, "RUNNING") })
				keys("X")
				waitFor("the kill", contains(w.killed))
				waitFor("the job to recover", contains(w.restarted))
				keys("p")
				waitFor("the recovered job to finish", contains("FINISHED"))

				keys("C-s")
				waitFor("the save", contains(w.saved))
				keys("C-q")
				waitGone(t, sock)

				start(lesson)
				waitFor("the lesson again", contains("In ["))
				keys("/")
				typeText("KeyByField(\"Word\")")
				keys("Enter")
				waitFor("the fix, reopened", contains(`KeyByField("Word").`))
				keys("q") // the start screen: the lesson's progress
				waitFor("the progress", contains(fmt.Sprintf("%s %s/%s", w.progress, all[1], all[1])))
				keys("C-q")
				waitGone(t, sock)
			})
		}
	}
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

// waitGone waits for the tmux server on sock to end with its only session (the workbench quit).
func waitGone(t *testing.T, sock string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if err := exec.Command("tmux", "-S", sock, "has-session", "-t", "weir").Run(); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("ctrl+q did not quit")
}
