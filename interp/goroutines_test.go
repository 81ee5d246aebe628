package interp

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// Goroutines counts what an interrupt leaves of a cell: its goroutines, those of its jobs and the cell's
// own. The interpreter stops a looping goroutine at its next iteration and the interrupt cancels the jobs;
// a goroutine blocked for good stays, in this process, which is why a kernel process ends itself then
// (package kernel).
func TestGoroutinesCountsWhatAnInterruptLeaves(t *testing.T) {
	k := New(Options{Config: engineConfig()})
	// While a cell runs, two goroutines are its own: the one running it and the interpreter's.
	for _, tc := range []struct {
		src           string
		running, left int
	}{
		{"n := 0\ngo func() { for { n++ } }()\ngo func() { for { n-- } }()\nfor {}", 4, 0},
		{"env := engine.NewEnvironment(engine.Config{})\nenv.FromSource(engine.GeneratorSource{Gen: func(i int64) engine.SourceElement { return engine.SourceElement{Value: i, Timestamp: i} }}, nil, \"forever\").Print()\nenv.Execute(\"forever\")", 3, 0},
		{"ready := make(chan int)\ngo func() { ready <- 1; select {} }()\n<-ready\nfor {}", 3, 1},
		{"ready, ch := make(chan int), make(chan int)\ngo func() { ready <- 1; <-ch }()\ngo func() { ready <- 1; <-ch }()\n<-ready\n<-ready\nfor {}", 4, 2},
		{"time.Sleep(time.Hour)", 2, 1}, // the interpreter's goroutine, in compiled code it cannot stop
	} {
		ex, err := k.Start(context.Background(), Cell{ID: "c", Source: tc.src})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for ex.Goroutines() < tc.running {
			if time.Now().After(deadline) {
				t.Fatalf("%q: %d goroutines, want %d while it runs", tc.src, ex.Goroutines(), tc.running)
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // from ready <- 1 to the statement they block in
		k.Interrupt()
		<-ex.Done()
		deadline = time.Now().Add(10 * time.Second)
		for ex.Goroutines() > tc.left && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := ex.Goroutines(); got != tc.left {
			t.Errorf("%q: %d goroutines left after the interrupt, want %d", tc.src, got, tc.left)
		}
	}
}

// yaegi compiles a cell's code in the goroutine that then runs it, and gives the code the interpreter's run
// id only when it starts running, so a stop that landed before (a context that had already ended, an
// interrupt during the compile) was lost: the cell ended as stopped while its loop ran on for ever. A cell
// stopped at any moment of its start leaves nothing running.
func TestACellStoppedAsItStartsLeavesNothingRunning(t *testing.T) {
	k := New(Options{})
	for i := range 40 {
		delay := time.Duration(i-1) * 50 * time.Microsecond // the first context has ended before the start
		ctx, cancel := context.WithCancelCause(context.Background())
		if delay < 0 {
			cancel(errors.New("stopped early"))
		}
		ex, err := k.Start(ctx, Cell{ID: "spin", Source: "n := 0\nfor { n++; time.Sleep(time.Millisecond) }"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cancel(errors.New("stopped early"))
		<-ex.Done()
		deadline := time.Now().Add(5 * time.Second)
		for ex.Goroutines() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := ex.Goroutines(); n > 0 {
			t.Fatalf("stopped %v after its start, the cell left %d goroutines running (%v)", delay, n, ex.Err())
		}
	}
}

// countLabeled reads the text form of a goroutine profile (runtime/pprof, debug=1).
func TestCountLabeled(t *testing.T) {
	profile := `goroutine profile: total 9
3 @ 0x1 0x2
# labels: {"weir-cell-run":"7"}
#	0x1	main.f+0x1	/x.go:1

2 @ 0x3
# labels: {"other":"x", "weir-cell-run":"70"}
#	0x3	main.g+0x1	/x.go:2

1 @ 0x4
# labels: {"other":"x", "weir-cell-run":"7"}
#	0x4	main.h+0x1	/x.go:3

3 @ 0x5
#	0x5	main.i+0x1	/x.go:4
`
	for label, want := range map[string]int{`"weir-cell-run":"7"`: 4, `"weir-cell-run":"70"`: 2, `"weir-cell-run":"8"`: 0} {
		if got := countLabeled(bytes.NewBufferString(profile), label); got != want {
			t.Errorf("%s: %d goroutines, want %d", label, got, want)
		}
	}
}
