package tui

import (
	"testing"

	"github.com/de4e/weir/engine"
)

// The workbench's "delivery guarantee of the next run" control cycles through the three guarantees, starting
// from the engine's default (exactly-once).
func TestGuaranteeControlCycles(t *testing.T) {
	g := engine.DefaultGuarantee
	var got []string
	for range 4 {
		g = nextGuarantee(g)
		got = append(got, guaranteeName(g))
	}
	want := []string{"at-least-once", "at-most-once", "exactly-once", "at-least-once"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("cycle %v, want %v", got, want)
		}
	}
	if guaranteeName(engine.DefaultGuarantee) != "exactly-once" {
		t.Errorf("the default guarantee is shown as %q", guaranteeName(engine.DefaultGuarantee))
	}
}
