package bench

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestMeasureOwnProcess measures one case as weir bench --child does: the result carries its CPU time, its
// per-CPU-second rate and a peak RSS read from getrusage.
func TestMeasureOwnProcess(t *testing.T) {
	r, err := Measure("window-count-1k/typed", 200_000)
	if err != nil {
		t.Fatal(err)
	}
	if r.Error != "" || r.Events != 200_000 || !r.OwnProcess || r.PeakRSSBytes <= 0 {
		t.Fatalf("result %+v", r)
	}
	if r.CPUSeconds > 0 && r.EventsPerCPUSecond != float64(r.Events)/r.CPUSeconds {
		t.Errorf("events per CPU-second %v, want %v", r.EventsPerCPUSecond, float64(r.Events)/r.CPUSeconds)
	}
	if _, err := Measure("no-such-case", 10); !errors.Is(err, ErrNoCase) {
		t.Errorf("Measure of an unknown case: %v, want ErrNoCase", err)
	}
}

// TestTypedBaselinesRun checks that the keyed window cases are compared with both loops in one run.
func TestTypedBaselinesRun(t *testing.T) {
	rs := Run(Options{Only: []string{"window-count-1k/heap"}, Events: 20_000}, nil)
	byName := map[string]Result{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	h := byName["window-count-1k/heap"]
	if h.Baseline != "window-count-1k/loop" || h.Typed != "window-count-1k/typed" {
		t.Fatalf("baselines %q and %q", h.Baseline, h.Typed)
	}
	typed := byName["window-count-1k/typed"]
	if h.TypedRatio <= 0 || typed.EventsPerSec <= 0 || h.TypedRatio != h.EventsPerSec/typed.EventsPerSec {
		t.Errorf("typed ratio %v from %v and %v", h.TypedRatio, h.EventsPerSec, typed.EventsPerSec)
	}
}

// TestLatencyPercentiles pins the nearest-rank percentiles of the latency cases.
func TestLatencyPercentiles(t *testing.T) {
	p := &pacer{rate: 1000}
	for i := 100; i >= 1; i-- {
		p.lat = append(p.lat, time.Duration(i)*time.Millisecond)
	}
	l := p.latency()
	if l.Samples != 100 || l.P50 != 51*time.Millisecond || l.P99 != 100*time.Millisecond || l.Max != 100*time.Millisecond {
		t.Errorf("latency %+v", l)
	}
}

// TestLatencyFromDueTime checks that a result's latency counts from when the paced input passed the window's
// end, and that results fired only by the end of input are left out.
func TestLatencyFromDueTime(t *testing.T) {
	p := &pacer{rate: 1000, lastTS: 5000, indexOf: func(ts int64) int64 { return ts }} // event i at i ms
	p.start = time.Now().Add(-3 * time.Second)                                         // event 2000 was due 1 s ago
	p.once.Do(func() {})
	p.result(1999) // the window [1000, 2000)
	p.result(5999) // after the last event: fired by the end of input
	l := p.latency()
	if l.Samples != 1 || l.P50 < time.Second || l.P50 > 2*time.Second {
		t.Errorf("latency %+v, want one sample of about 1 s", l)
	}
}

// TestCheckpointFiguresAreNumbers checks that a checkpoint case reports its checkpoint and recovery as
// numbers in the JSON, not only as text, with the heap the filled state takes.
func TestCheckpointFiguresAreNumbers(t *testing.T) {
	r, err := Measure("recovery-1M-keys/heap", 20_000) // 10,000 keys (the case's Scale is 0.5)
	if err != nil {
		t.Fatal(err)
	}
	ck := r.Checkpoint
	if r.Error != "" || ck == nil {
		t.Fatalf("result %+v", r)
	}
	if ck.Millis <= 0 || ck.Bytes <= 0 || ck.LiveHeapBytes <= 0 || ck.RecoveryMillis <= 0 || ck.SyncMillis > ck.Millis {
		t.Errorf("checkpoint figures %+v", *ck)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"sync_ms":`, `"async_ms":`, `"recovery_ms":`, `"live_heap_bytes":`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("the JSON has no %s: %s", field, b)
		}
	}
	if tab := Table([]Result{r}); !strings.Contains(tab, "recovery ") || !strings.Contains(tab, "(sync ") {
		t.Errorf("the table does not show the checkpoint:\n%s", tab)
	}
}

// TestLatencyWithoutSamplesSaysSo checks that a latency case whose input ended before any window closed says
// so instead of reporting nothing.
func TestLatencyWithoutSamplesSaysSo(t *testing.T) {
	c := Case{Name: "latency-none", Run: func(n int64) (int64, error) { return n, nil }, Latency: func() Latency { return Latency{} }}
	r := measure(c, 10, sharedProcess)
	if !strings.Contains(r.Note, "no latency measured") {
		t.Errorf("note %q", r.Note)
	}
}

// TestNexmarkCasesCompareWithFlink checks that the Nexmark SQL cases, which run Flink's own query text,
// report their rate against Flink's published one, and that a DataStream case computing less does not.
func TestNexmarkCasesCompareWithFlink(t *testing.T) {
	byName := map[string]Case{}
	for _, c := range Cases() {
		byName[c.Name] = c
	}
	for name, want := range map[string]float64{"nexmark-q7/sql": 12_300, "nexmark-q5/sql": 22_100, "nexmark-q1/engine": 157_900,
		"nexmark-q7/engine": 0, "nexmark-q12/engine": 0} {
		if got := byName[name].Flink; got != want {
			t.Errorf("%s: Flink's figure %v, want %v", name, got, want)
		}
	}
	r := measure(Case{Name: "flink", Flink: 100, Run: func(n int64) (int64, error) {
		for start := time.Now(); time.Since(start) < 30*time.Millisecond; { // CPU time for getrusage to see
		}
		return n, nil
	}}, 1000, sharedProcess)
	if r.CPUSeconds <= 0 || r.Flink != 100 || r.FlinkRatioCPU != r.EventsPerCPUSecond/100 {
		t.Errorf("result %+v", r)
	}
}
