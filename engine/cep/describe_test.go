package cep

import (
	"strings"
	"testing"
	"time"
)

// The drawing of a three-stage pattern with a window shows the states NFACompiler makes: a start state
// taking a, the b state that skips non-b events (FollowedBy), c's looping state with its copy for IGNORE,
// and the final state.
func TestDescribe(t *testing.T) {
	p := Begin("a").Where(nameIs("a")).FollowedBy("b").Where(nameIs("b")).Next("c").Where(nameIs("c")).OneOrMore().Within(time.Minute)
	got := Describe(p)
	want := `skip strategy: NoSkip, within 60000ms of the first event
6 states
(0) a  [start]
  ├─ TAKE    ──▶ (1) b   if where(a)
  └─ IGNORE  ──▶ itself   if !where(a)
(1) b
  ├─ TAKE    ──▶ (2) c   if where(b)
  └─ IGNORE  ──▶ itself   if !where(b)
(2) c
  └─ TAKE    ──▶ (3) c   if where(c)
(3) c
  ├─ PROCEED ──▶ (4) $endState$   if true
  ├─ TAKE    ──▶ itself   if where(c)
  └─ IGNORE  ──▶ (5) c   if !where(c)
(4) $endState$  [final: match]
(5) c
  ├─ TAKE    ──▶ (3) c   if where(c)
  └─ IGNORE  ──▶ itself   if !where(c)
`
	if got != want {
		t.Fatalf("Describe:\n%s\nwant:\n%s", got, want)
	}
	if d := Describe(Begin("a").NotFollowedBy("b")); !strings.HasPrefix(d, "refused: ") {
		t.Fatalf("a refused pattern is described as %q", d)
	}
}
