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

// wrongAnswer is a plausible wrong answer to an exercise: its solution with old replaced by wrong, which must
// fail the check named failing (in English and in Korean: the twin lessons have the same code and checks).
type wrongAnswer struct {
	lesson   string // the file name, such as "03-keyed-state-and-connected-streams.md"
	exercise string
	name     string // the mistake
	old      string
	wrong    string
	failing  [2]string // the check it fails, in en and ko
}

// wrongAnswers are the mistakes each exercise's checks must catch (issue 20): at least two per exercise.
var wrongAnswers = []wrongAnswer{
	// Lesson 3: rides and fares.
	{"03-keyed-state-and-connected-streams.md", "join", "never clears the fare it pairs",
		"ctx.DeleteEventTimeTimer(fare.Time + hour)\n\t\t\tctx.ValueState(fareState).Clear()", "ctx.DeleteEventTimeTimer(fare.Time + hour)",
		[2]string{"a fare, then its ride: one pair, and no state or timer left", "요금 뒤에 운행: 짝 하나, 남는 상태와 타이머 없음"}},
	{"03-keyed-state-and-connected-streams.md", "join", "clears the ride but leaves its timer",
		"ctx.DeleteEventTimeTimer(ride.Time + hour)\n", "\n",
		[2]string{"a ride, then its fare: one pair, and no state or timer left", "운행 뒤에 요금: 짝 하나, 남는 상태와 타이머 없음"}},
	{"03-keyed-state-and-connected-streams.md", "join", "registers no timer for a waiting ride",
		"ctx.RegisterEventTimeTimer(ride.Time + hour)", "_ = hour",
		[2]string{"a ride whose fare never comes goes to leftover an hour after it, and is cleared", "요금이 오지 않는 운행은 한 시간 뒤 leftover로 가고 지워짐"}},
	{"03-keyed-state-and-connected-streams.md", "join", "an empty OnTimer",
		"OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\tif", "OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\treturn\n\t\tif",
		[2]string{"a fare whose ride never comes goes to leftover an hour after it, and is cleared", "운행이 오지 않는 요금은 한 시간 뒤 leftover로 가고 지워짐"}},
	{"03-keyed-state-and-connected-streams.md", "join", "reports a leftover but keeps it in state",
		"ctx.Output(leftover, r)\n\t\t\tctx.ValueState(rideState).Clear()", "ctx.Output(leftover, r)",
		[2]string{"a ride whose fare never comes goes to leftover an hour after it, and is cleared", "요금이 오지 않는 운행은 한 시간 뒤 leftover로 가고 지워짐"}},
}

// TestChecksRejectPlausibleWrongAnswers runs each wrong answer in both languages.
func TestChecksRejectPlausibleWrongAnswers(t *testing.T) {
	for _, w := range wrongAnswers {
		for i, lang := range []string{"en", "ko"} {
			t.Run(lang+"/"+w.lesson+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				requireCheckRejects(t, lang+"/"+w.lesson, w.exercise, w.old, w.wrong, w.failing[i])
			})
		}
	}
}
