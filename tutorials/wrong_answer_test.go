package tutorials

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
)

// requireCheckRejects runs lesson with the solution of exercise changed into a plausible wrong answer (old
// replaced by wrong) and fails unless the check named failing fails: the tests of the tests.
func requireCheckRejects(t *testing.T, lesson, exercise, old, wrong, failing string) {
	t.Helper()
	nb, err := Open(lesson)
	if err != nil {
		t.Fatal(err)
	}
	_, solutions := nb.Exercises()
	sol := solutions[exercise]
	if sol == nil || !strings.Contains(sol.Text, old) {
		t.Fatalf("the solution of exercise %s no longer contains %q", exercise, old)
	}
	sol.Text = strings.Replace(sol.Text, old, wrong, 1)
	s := interp.NewSession(nb, interp.Options{})
	defer s.Kernel.Restart()
	rep := s.RunAll(context.Background(), interp.RunOptions{Solutions: true, Checks: true, CellTimeout: time.Minute})
	var failed []string
	for _, r := range rep.Checks {
		if !r.OK {
			failed = append(failed, r.Name)
		}
	}
	if !slices.Contains(failed, failing) {
		t.Fatalf("the wrong answer passes %q (failed checks: %q)", failing, failed)
	}
}
