package interp

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"

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

func (k *Kernel) record(name string, ok bool, detail string) {
	k.mu.Lock()
	cell := ""
	if k.cur != nil {
		cell = k.cur.Cell.ID
	}
	k.checks = append(k.checks, CheckResult{Cell: cell, Name: name, OK: ok, Detail: detail})
	k.mu.Unlock()
}

// checkSymbols is the check package as cells see it:
//
//	check.Equal(name, got, want)   // passes when got and want are equal as JSON values (numbers within 1e-9)
//	check.True(name, ok, detail)   // passes when ok; detail says what was wrong otherwise
//	check.Answer(recording, key)   // the recorded answer next to a bundled recording
//
// Checks read a cell's results and the engine's metrics, never the learner's code.
func (k *Kernel) checkSymbols() map[string]reflect.Value {
	return map[string]reflect.Value{
		"Equal": reflect.ValueOf(func(name string, got, want any) bool {
			ok, detail := sameJSON(got, want)
			k.record(name, ok, detail)
			return ok
		}),
		"True": reflect.ValueOf(func(name string, ok bool, detail string) bool {
			k.record(name, ok, detail)
			return ok
		}),
		"Answer": reflect.ValueOf(func(recording, key string) any {
			b, err := sources.FindRecording(recording)
			if err != nil {
				panic(fmt.Sprintf("check.Answer: %v", err))
			}
			answers, err := b.Answers()
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

// sameJSON compares two values as their JSON forms, so that an int and a float64 of the same value, or a
// map[string]int and a map[string]any, are equal; numbers are equal within a relative 1e-9.
func sameJSON(got, want any) (bool, string) {
	g, err1 := normalize(got)
	w, err2 := normalize(want)
	if err1 != nil || err2 != nil {
		return false, fmt.Sprintf("cannot compare: %v %v", err1, err2)
	}
	if equalJSON(g, w) {
		return true, ""
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return false, fmt.Sprintf("got %s, want %s", clip(string(gb)), clip(string(wb)))
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
