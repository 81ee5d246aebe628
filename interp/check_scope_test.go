package interp

import (
	"strings"
	"testing"
)

// A cell of the learner's cannot make checks, read answers or shadow the check package (issue 20): each is
// refused before it runs, with the line of the offending name.
func TestALearnersCellCannotUseOrShadowCheck(t *testing.T) {
	for _, src := range []string{
		`check.True("mine", true, "")`,
		`x := check.Answer("words", "wordCounts")`,
		"var check = 1",
		"n := 1\ncheck := map[string]int{}",
		"func check() {}",
		"type check struct{}",
	} {
		k := New(Options{})
		ex := run(t, k, "cell", src)
		err := ex.Err()
		if err == nil || !strings.Contains(err.Error(), "belongs to the lesson's check cells") {
			t.Errorf("%q: err = %v; want it refused", src, err)
		}
		if len(k.Checks()) != 0 {
			t.Errorf("%q recorded checks: %+v", src, k.Checks())
		}
		k.Restart()
	}
	// A selector named check is another name: the field of a value a check cell declared.
	k := New(Options{})
	defer k.Restart()
	runCheck(k, "decl", "type U struct{ check int }\nu := U{check: 1}\ncheck.True(\"declared\", true, \"\")")
	mustRun(t, k, "sel", "n := u.check\n_ = n")
}

// A function a check cell declares still checks only while a check cell runs: called from a learner's cell
// it panics instead of recording.
func TestACheckOutsideACheckCellPanics(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	if ex := runCheck(k, "helpers", "func pass() { check.True(\"forged\", true, \"\") }\ncheck.True(\"real\", true, \"\")"); ex.Err() != nil {
		t.Fatal(ex.Err())
	}
	ex := run(t, k, "mine", "pass()")
	if err := ex.Err(); err == nil || !strings.Contains(err.Error(), "only the lesson's check cells make checks") {
		t.Errorf("err = %v; want the forged check refused", err)
	}
	if got := k.Checks(); len(got) != 1 || got[0].Name != "real" {
		t.Errorf("checks = %+v; want only the check cell's own", got)
	}
}

// A check cell that ends without an error but made no check fails: its checks cannot have run.
func TestACheckCellThatMakesNoCheckFails(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	runCheck(k, "empty", "if false { check.True(\"never\", true, \"\") }")
	got := k.Checks()
	if len(got) != 1 || got[0].OK || got[0].Cell != "empty" {
		t.Errorf("checks = %+v; want one failure for the cell", got)
	}
}

// A failed check.Equal hints without the expected value; after RevealAfter failures it shows it.
func TestAFailedEqualHintsAndRevealsOnlyAfterRepeatedFailures(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	cases := []struct{ got, want, hint string }{
		{"2000", "5000", "got 2000: too small"},
		{"7", "5", "got 7: too large"},
		{"[]int{1, 2}", "[]int{1, 2, 3}", "got [1,2]: too few items (2)"},
		{`map[string]int{"a": 1, "b": 9}`, `map[string]int{"a": 1, "b": 2}`, `got {"a":1,"b":9}: "b": too large`},
		{`map[string]int{"a": 1}`, `map[string]int{"a": 1, "b": 2}`, `"b" is missing`},
		{`map[string]int{"a": 1, "c": 3}`, `map[string]int{"a": 1}`, `"c" should not be there`},
	}
	for i, c := range cases {
		id := "c" + string(rune('a'+i))
		runCheck(k, id, "check.Equal(\""+id+"\", "+c.got+", "+c.want+")")
		got := k.Checks()
		r := got[len(got)-1]
		if r.OK || !strings.Contains(r.Detail, c.hint) || strings.Contains(r.Detail, "expected value") {
			t.Errorf("%s vs %s: detail %q; want the hint %q and no answer", c.got, c.want, r.Detail, c.hint)
		}
	}
	for i := 1; i <= RevealAfter; i++ {
		runCheck(k, "again", `check.Equal("the total", 2000, 5000)`)
		got := k.Checks()
		d := got[len(got)-1].Detail
		if revealed := strings.Contains(d, "the expected value is 5000"); revealed != (i == RevealAfter) {
			t.Errorf("try %d: detail %q; the answer should show from try %d on", i, d, RevealAfter)
		}
	}
}

// check.Hint shows the lesson's own hint, and its answer only from the RevealAfter-th failure on.
func TestAFailedHintRevealsItsAnswerOnlyAfterRepeatedFailures(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	for i := 1; i <= RevealAfter; i++ {
		runCheck(k, "bound", `check.Hint("the bound", false, "too small: 3 events were late", 5000)`)
		got := k.Checks()
		d := got[len(got)-1].Detail
		if !strings.HasPrefix(d, "too small: 3 events were late") || strings.Contains(d, "5000") != (i == RevealAfter) {
			t.Errorf("try %d: detail %q; want the hint, and the answer 5000 only from try %d on", i, d, RevealAfter)
		}
	}
}

// With Options.RevealAnswers (weir check --answers) the first failure already shows the expected value.
func TestRevealAnswersShowsTheExpectedValueAtOnce(t *testing.T) {
	k := New(Options{RevealAnswers: true})
	defer k.Restart()
	runCheck(k, "total", `check.Equal("the total", 2000, 5000)`)
	if got := k.Checks(); len(got) != 1 || !strings.Contains(got[0].Detail, "too small (the expected value is 5000)") {
		t.Errorf("checks = %+v; want the hint and the answer", got)
	}
}

// A Korean notebook's kernel hints in Korean.
func TestHintsFollowTheKernelsLanguage(t *testing.T) {
	k := New(Options{Lang: "ko"})
	defer k.Restart()
	runCheck(k, "total", `check.Equal("합계", map[string]int{"a": 1}, map[string]int{"a": 2, "b": 1})`)
	if got := k.Checks(); len(got) != 1 || got[0].Detail != `결과 {"a":1}: "a": 너무 작음` {
		t.Errorf("checks = %+v; want the hint in Korean", got)
	}
}

// A learner's cell cannot read the recordings' answers (issue 20): sources.Answers, sources.ComputeAnswers and
// sources.WriteBundled are not in the sources package cells see, and Bundled has no method that gives the
// answers; a check cell still reads them with check.Answer.
func TestALearnersCellCannotReadAnswers(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	mustRun(t, k, "setup", `words, _ := sources.FindRecording("words")`)
	for _, src := range []string{
		`a, _ := sources.Answers("words")` + "\nfmt.Println(a)",
		`a, _ := words.Answers()` + "\nfmt.Println(a)",
		"lines, _ := words.Make()\nfmt.Println(sources.ComputeAnswers(\"words\", lines))",
		"dir, _ := os.MkdirTemp(\"\", \"answers\")\nfmt.Println(sources.WriteBundled(words, dir))",
	} {
		if strings.Contains(src, "os.") {
			src = "import \"os\"\n" + src
		}
		ex := run(t, k, "mine", src)
		if ex.Err() == nil || strings.Contains(ex.Output(), "wordCounts") {
			t.Errorf("%q read the answers: output %q, err %v", src, ex.Output(), ex.Err())
		}
	}
	if _, ok := cellExports["github.com/de4e/weir/sources/sources"]["FindRecording"]; !ok {
		t.Fatal("the sources package cells see lost FindRecording")
	}
	runCheck(k, "check", `counts := check.Answer("words", "wordCounts").(map[string]any)
check.Equal("a word's count", counts["스터디"], 2)`)
	if got := k.Checks(); len(got) != 1 || !got[0].OK {
		t.Errorf("checks = %+v; want check.Answer to work in a check cell", got)
	}
}
