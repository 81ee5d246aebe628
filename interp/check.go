package interp

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"sort"

	"github.com/de4e/weir/sources"
)

// checkPath is the import path of the check package that cells of checks use; it exists only inside the
// kernel, which records each check it makes.
const checkPath = "weir/check"

// CheckResult is the outcome of one check made by a check cell.
type CheckResult struct {
	Cell   string // the id of the check cell
	Name   string // what was checked
	OK     bool
	Detail string // for a failure, what was expected and what was found
}

func (r CheckResult) String() string {
	if r.OK {
		return "PASS " + r.Name
	}
	return "FAIL " + r.Name + ": " + r.Detail
}

// Checks returns the checks made since the kernel was made or restarted, in order: for each cell, those of its
// latest run (running a cell again replaces its earlier results).
func (k *Kernel) Checks() []CheckResult {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]CheckResult(nil), k.checks...)
}

// Tries returns how many times each check (by name) has failed in this kernel, across restarts
// (Options.Tries).
func (k *Kernel) Tries() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return maps.Clone(k.tries)
}

// RevealAfter is how many times a check must fail in one kernel before its failure shows the expected value.
// Until then a failure gives a hint (too small, too large, which key differs), so that a learner works the
// answer out instead of copying it.
const RevealAfter = 3

// record records a check of the running cell, which must be a check cell (Cell.Check).
func (k *Kernel) record(fn, name string, ok bool, detail, answer string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cur == nil || !k.cur.Cell.Check {
		panic(fmt.Sprintf("check.%s: only the lesson's check cells make checks", fn))
	}
	if !ok {
		if k.tries == nil {
			k.tries = map[string]int{}
		}
		k.tries[name]++
		switch n := k.tries[name]; {
		case answer == "":
		case k.opts.RevealAnswers:
			detail += fmt.Sprintf(k.phrases().revealed, answer)
		case n >= RevealAfter:
			detail += fmt.Sprintf(k.phrases().revealedAfter, n, answer)
		}
	}
	k.checks = append(k.checks, CheckResult{Cell: k.cur.Cell.ID, Name: name, OK: ok, Detail: detail})
}

// requireChecks records a failed check for a check cell that ran without error but made no check: its
// checks cannot have run (a cell before it may have broken them).
func (k *Kernel) requireChecks(cell string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range k.checks {
		if r.Cell == cell {
			return
		}
	}
	k.checks = append(k.checks, CheckResult{Cell: cell, Name: "the checks of " + cell + " ran", Detail: "the cell made no check"})
}

// checkSymbols is the check package as the lesson's check cells see it (no other cell may use it):
//
//	check.Equal(name, got, want)   // passes when got and want are equal as JSON values (numbers within 1e-9)
//	check.True(name, ok, detail)   // passes when ok; detail is the hint shown otherwise
//	check.Hint(name, ok, hint, answer) // as True, and shows answer too once it has failed RevealAfter times
//	check.Answer(recording, key)   // the recorded answer next to a bundled recording
//
// A failed Equal or Hint gives a hint, not the expected value, until it has failed RevealAfter times. Checks read a
// cell's results and the engine's metrics, never the learner's code.
func (k *Kernel) checkSymbols() map[string]reflect.Value {
	return map[string]reflect.Value{
		"Equal": reflect.ValueOf(func(name string, got, want any) bool {
			ok, hint, answer := compareJSON(got, want, k.phrases())
			k.record("Equal", name, ok, hint, answer)
			return ok
		}),
		"True": reflect.ValueOf(func(name string, ok bool, detail string) bool {
			k.record("True", name, ok, detail, "")
			return ok
		}),
		"Hint": reflect.ValueOf(func(name string, ok bool, hint string, answer any) bool {
			b, err := json.Marshal(answer)
			if err != nil {
				b = []byte(fmt.Sprint(answer))
			}
			k.record("Hint", name, ok, hint, clip(string(b)))
			return ok
		}),
		"Answer": reflect.ValueOf(func(recording, key string) any {
			k.mu.Lock()
			inCheck := k.cur != nil && k.cur.Cell.Check
			k.mu.Unlock()
			if !inCheck {
				panic("check.Answer: only the lesson's check cells read answers")
			}
			answers, err := sources.Answers(recording)
			if err != nil {
				panic(fmt.Sprintf("check.Answer: %v", err))
			}
			v, ok := answers[key]
			if !ok {
				panic(fmt.Sprintf("check.Answer: the recording %q has no answer %q", recording, key))
			}
			return v
		}),
	}
}

// compareJSON compares two values as their JSON forms, so that an int and a float64 of the same value, or a
// map[string]int and a map[string]any, are equal; numbers are equal within a relative 1e-9. For a difference
// it returns a hint that does not give the expected value away (see hint) and, apart, the expected value.
func compareJSON(got, want any, ph phrases) (ok bool, detail, answer string) {
	g, err1 := normalize(got)
	w, err2 := normalize(want)
	if err1 != nil || err2 != nil {
		return false, fmt.Sprintf("cannot compare: %v %v", err1, err2), ""
	}
	if equalJSON(g, w) {
		return true, "", ""
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return false, fmt.Sprintf(ph.got, clip(string(gb)), hint(g, w, ph)), clip(string(wb))
}

// hint says how got differs from want without saying what want is: a number is too small or too large, a
// list has too few or too many items, a map misses a key, has one too many or differs at a key (the first in
// order, with that key's own hint).
func hint(got, want any, ph phrases) string {
	switch w := want.(type) {
	case float64:
		if g, ok := got.(float64); ok {
			if g < w {
				return ph.small
			}
			return ph.large
		}
	case []any:
		if g, ok := got.([]any); ok {
			switch {
			case len(g) < len(w):
				return fmt.Sprintf(ph.few, len(g))
			case len(g) > len(w):
				return fmt.Sprintf(ph.many, len(g))
			}
			for i := range g {
				if !equalJSON(g[i], w[i]) {
					return fmt.Sprintf(ph.item, i, hint(g[i], w[i], ph))
				}
			}
		}
	case map[string]any:
		if g, ok := got.(map[string]any); ok {
			keys := make([]string, 0, len(w)+len(g))
			for k := range w {
				keys = append(keys, k)
			}
			for k := range g {
				if _, ok := w[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				gv, gok := g[k]
				wv, wok := w[k]
				switch {
				case !gok:
					return fmt.Sprintf(ph.missing, k)
				case !wok:
					return fmt.Sprintf(ph.extra, k)
				case !equalJSON(gv, wv):
					return fmt.Sprintf("%q: %s", k, hint(gv, wv, ph))
				}
			}
		}
	case bool:
		return fmt.Sprintf(ph.should, w)
	}
	return ph.differs
}

// phrases are the words of hints and revealed answers in one language.
type phrases struct {
	small, large, few, many, item, missing, extra, should, differs, got, revealed, revealedAfter string
}

// hintPhrases are the hints' words by notebook language ("en" is the default).
var hintPhrases = map[string]phrases{
	"en": {small: "too small", large: "too large", few: "too few items (%d)", many: "too many items (%d)",
		item: "item %d differs: %s", missing: "%q is missing", extra: "%q should not be there", should: "should be %v",
		differs: "not the expected value", got: "got %s: %s", revealed: " (the expected value is %s)",
		revealedAfter: " (failed %d times; the expected value is %s)"},
	"ko": {small: "너무 작음", large: "너무 큼", few: "항목이 너무 적음(%d개)", many: "항목이 너무 많음(%d개)",
		item: "%d번째 항목이 다름: %s", missing: "%q 항목이 없음", extra: "%q 항목은 없어야 함", should: "%v이어야 함",
		differs: "기대한 값이 아님", got: "결과 %s: %s", revealed: " (기대한 값: %s)",
		revealedAfter: " (%d번 실패했습니다. 기대한 값: %s)"},
}

// phrases returns the hint words of the kernel's language (Options.Lang).
func (k *Kernel) phrases() phrases {
	if ph, ok := hintPhrases[k.opts.Lang]; ok {
		return ph
	}
	return hintPhrases["en"]
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)))
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
