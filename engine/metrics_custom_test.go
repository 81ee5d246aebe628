package engine

import (
	"errors"
	"sync/atomic"
	"testing"
)

// A gauge registered on an operator (Flink: MetricGroup#gauge on the operator's metric group) appears in that
// operator's OperatorSnapshot.Gauges, read at every Snapshot; registering a name again replaces it; a gauge
// that panics reports ErrGaugePanicked instead of stopping the poll; operators without gauges have none.
func TestGaugeInOperatorSnapshot(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	var seen atomic.Int64
	doubled := env.FromElements(1, 2, 3, 4).Map(func(v any) any { seen.Add(1); return v.(int) * 2 }).Name("double").
		Gauge("seen", func() any { return -1 }).
		Gauge("seen", func() any { return seen.Load() }).
		Gauge("broken", func() any { panic("no figures") })
	doubled.Collect()
	job, err := env.Execute("gauges")
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, v := range job.Snapshot().Vertices {
		for _, op := range v.Operators {
			if op.Name != "double" {
				if len(op.Gauges) != 0 {
					t.Errorf("operator %q has gauges %v, registered none", op.Name, op.Gauges)
				}
				continue
			}
			found = true
			if len(op.Gauges) != 2 || op.Gauges[0].Name != "seen" || op.Gauges[1].Name != "broken" {
				t.Fatalf("gauges %+v, want seen then broken", op.Gauges)
			}
			if got, ok := op.Gauge("seen"); !ok || got != int64(4) {
				t.Errorf("gauge seen = %v (%v), want 4 (the replacing gauge, after 4 records)", got, ok)
			}
			if got, _ := op.Gauge("broken"); !errors.Is(got.(error), ErrGaugePanicked) {
				t.Errorf("gauge broken = %v, want ErrGaugePanicked", got)
			}
			if _, ok := op.Gauge("missing"); ok {
				t.Errorf("gauge missing found")
			}
		}
		for _, st := range v.Subtasks {
			for _, op := range st.Operators {
				if op.Gauges != nil {
					t.Errorf("subtask operator %q carries gauges", op.Name)
				}
			}
		}
	}
	if !found {
		t.Fatal("no operator named double in the snapshot")
	}
}

func TestGaugeRefusesBadArguments(t *testing.T) {
	env := NewEnvironment(Config{})
	s := env.FromElements(1).Map(func(v any) any { return v })
	for name, f := range map[string]func(){
		"empty name": func() { s.Gauge("", func() any { return 0 }) },
		"nil gauge":  func() { s.Gauge("g", nil) },
		"union":      func() { s.Union(s).Gauge("g", func() any { return 0 }) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
