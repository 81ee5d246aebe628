package sources

import (
	"fmt"
	"testing"
)

// loginAnswers on hand-made attempts, checked by hand against Flink's rules (the pattern
// Begin("fails").Where(failure).TimesOrMore(3).Consecutive().Next("success").Within(10 s), as
// AfterMatchSkipITCase#testSkipPastLast and #testSkipToNext count overlapping matches).
func TestLoginAnswers(t *testing.T) {
	at := func(user string, sec float64, result string) Event {
		return Event{Time: int64(sec * 1000), Key: user, Payload: map[string]any{"result": result}}
	}
	evs := []Event{
		// a: 4 failures then a success within 10 s: matches from the 1st and the 2nd failure (NoSkip, SkipToNext,
		// SkipToFirst(fails)); SkipPastLastEvent and SkipToLast(fails) keep the first only. Partial matches
		// from the 3rd and 4th failure are discarded by the success (strict contiguity), not timed out.
		at("a", 0, "failure"), at("a", 1, "failure"), at("a", 2, "failure"), at("a", 3, "failure"), at("a", 4, "success"),
		// b: 3 failures, the success 10 s after the first: the first partial times out (10 - 0 >= 10), the
		// others hold 2 and 1 failures and are discarded: no match, 1 timeout.
		at("b", 0, "failure"), at("b", 4, "failure"), at("b", 8, "failure"), at("b", 10, "success"),
		// c: 3 failures and nothing more: 3 partial matches time out at the end of input.
		at("c", 0, "failure"), at("c", 1, "failure"), at("c", 2, "failure"),
		// d: failure, success, 3 failures, success: the second success completes one match.
		at("d", 0, "failure"), at("d", 1, "success"), at("d", 2, "failure"), at("d", 3, "failure"), at("d", 4, "failure"), at("d", 5, "success"),
	}
	a := loginAnswers(evs)
	want := "map[NoSkip:3 SkipPastLastEvent:2 SkipToFirst(fails):3 SkipToLast(fails):2 SkipToNext:3]"
	if got := fmt.Sprint(a["matchesPerStrategy"]); got != want {
		t.Errorf("matches %s, want %s", got, want)
	}
	if a["timeouts"] != 4 {
		t.Errorf("timeouts %v, want 4 (b's first, c's three)", a["timeouts"])
	}
}
