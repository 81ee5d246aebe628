package tutorials

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
)

// TestLessonsPassWithTheirSolutionsAndFailWithoutThem is weir check over every bundled lesson: with the
// solutions every cell runs and every check passes; with the starter code each lesson that has exercises
// fails at least one check, so the checks cannot pass vacuously.
func TestLessonsPassWithTheirSolutionsAndFailWithoutThem(t *testing.T) {
	lessons, err := Lessons("")
	if err != nil {
		t.Fatal(err)
	}
	if len(lessons) == 0 {
		t.Fatal("no lessons are bundled")
	}
	for _, l := range lessons {
		t.Run(l.Path, func(t *testing.T) {
			t.Parallel()
			nb, err := Open(l.Path)
			if err != nil {
				t.Fatal(err)
			}
			if l.Title == "" || l.Number == 0 || l.Minutes == 0 || l.DE4E == "" {
				t.Errorf("the lesson's annotation is incomplete: %+v", l)
			}
			var out strings.Builder
			s := interp.NewSession(nb, interp.Options{})
			defer s.Kernel.Restart()
			rep := s.RunAll(context.Background(), interp.RunOptions{Solutions: true, Checks: true, CellTimeout: time.Minute, Out: &out})
			cells, checks := rep.Failed()
			if cells > 0 || checks > 0 || len(rep.Checks) == 0 {
				t.Fatalf("with solutions: %d cells and %d of %d checks failed\n%s", cells, checks, len(rep.Checks), out.String())
			}
			names, _ := nb.Exercises()
			if len(names) == 0 {
				return
			}
			s2 := interp.NewSession(nb, interp.Options{})
			defer s2.Kernel.Restart()
			rep = s2.RunAll(context.Background(), interp.RunOptions{Checks: true, CellTimeout: time.Minute})
			if cells, checks := rep.Failed(); cells == 0 && checks == 0 {
				t.Errorf("the starter code passes every check: the exercises %v check nothing", names)
			}
			requireStarterPassesAreTested(t, l, rep.Checks)
		})
	}
}

func TestEveryLessonHasBothLanguages(t *testing.T) {
	en, _ := Lessons("en")
	ko, _ := Lessons("ko")
	if len(en) != len(ko) {
		t.Fatalf("%d English and %d Korean lessons", len(en), len(ko))
	}
	for i := range en {
		if en[i].Number != ko[i].Number || strings.TrimPrefix(en[i].Path, "en/") != strings.TrimPrefix(ko[i].Path, "ko/") {
			t.Errorf("lesson %s has no Korean twin (found %s)", en[i].Path, ko[i].Path)
		}
	}
}
