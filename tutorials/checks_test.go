package tutorials

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/notebook"
)

// A learner's copy whose check cell was rewritten to pass, and which adds a check cell of its own, is judged
// by the lesson's checks: the rewritten cell gets the lesson's text back and the added one is no check cell
// (issue 20: checks the learner's cells cannot replace).
func TestRestoreChecksJudgesACopyByTheLessonsChecks(t *testing.T) {
	src, err := Source("en/01-batch-and-stream.md")
	if err != nil {
		t.Fatal(err)
	}
	const forged = "check.True(\"each word's final count\", true, \"\")\n"
	text := string(src)
	i := strings.Index(text, "<!-- weir:{\"id\":\"check-final\"")
	j := strings.Index(text[i:], "```go\n") + i + len("```go\n")
	k := strings.Index(text[j:], "```\n") + j
	text = text[:j] + forged + text[k:] + "\n<!-- weir:{\"id\":\"mine\",\"check\":\"mine\"} -->\n```go\ncheck.True(\"mine\", true, \"\")\n```\n"
	nb, err := notebook.Parse("copy.md", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	missing, ok := RestoreChecks(nb)
	if !ok || len(missing) != 0 {
		t.Fatalf("RestoreChecks = %v, %v; want a copy with every check cell", missing, ok)
	}
	if c := nb.Cell("check-final"); c == nil || strings.Contains(c.Text, forged) {
		t.Fatalf("the forged check cell is still there: %+v", c)
	}
	s := interp.NewSession(nb, interp.Options{})
	defer s.Kernel.Restart()
	rep := s.RunAll(context.Background(), interp.RunOptions{Checks: true, CellTimeout: time.Minute})
	var failed []string
	for _, r := range rep.Checks {
		if !r.OK {
			failed = append(failed, r.Name)
		}
	}
	if !slices.Contains(failed, "each word's final count") {
		t.Errorf("the starter passes the restored checks: failed %q", failed)
	}
	last := rep.Cells[len(rep.Cells)-1]
	if last.CellID() != "mine" || last.Err() == nil {
		t.Errorf("the learner's own check cell ran as a check cell")
	}
}

// A copy without one of the lesson's check cells says which, and a notebook that is no lesson is left alone.
func TestRestoreChecksNamesMissingCellsAndLeavesOtherNotebooksAlone(t *testing.T) {
	src, _ := Source("en/03-keyed-state-and-connected-streams.md")
	text := strings.Replace(string(src), `"check":"join"`, `"checkx":"join"`, 1)
	nb, err := notebook.Parse("copy.md", []byte(strings.Replace(text, `"id":"check-join"`, `"id":"gone"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if missing, ok := RestoreChecks(nb); !ok || !slices.Equal(missing, []string{"check-join"}) {
		t.Errorf("RestoreChecks = %v, %v; want check-join missing", missing, ok)
	}
	other, _ := notebook.Parse("mine.md", []byte("# Mine\n\n```go\nx := 1\n```\n"))
	if _, ok := RestoreChecks(other); ok {
		t.Error("a notebook that is no lesson was taken for one")
	}
}

// Every check cell of a lesson is read-only, so that the workbench does not let a learner edit the checks
// (weir check restores them anyway, with RestoreChecks).
func TestCheckCellsAreReadOnly(t *testing.T) {
	lessons, _ := Lessons("")
	for _, l := range lessons {
		nb, err := Open(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range nb.Cells() {
			if c.Meta.Check != "" && !c.Meta.ReadOnly {
				t.Errorf("%s: check cell %s is not read-only", l.Path, c.Meta.ID)
			}
		}
	}
}
