package kernel

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
)

// An interrupt stopped a cell's goroutines only at their next loop iteration or call: a goroutine blocked
// for good (on select {}, a channel nobody sends to, a long sleep, a mutex; or the cell itself, in a long
// sleep) outlived the interrupt, in the kernel, until the next restart. Now the kernel counts the
// interrupted cell's goroutines and, when some are still running interruptGrace after the interrupt, ends
// itself: the cell fails saying so, Died reports interp.ErrGoroutinesLeft, and the next cell runs in a new
// kernel. The goroutines that do stop leave the kernel and what the cells declared alone.
func TestAnInterruptStopsEveryGoroutineTheCellStarted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     string // "blocking" is written and the cell loops after it, unless it says what it writes
		output  string // what the cell writes once its goroutines have started ("blocking")
		restart bool   // the goroutines cannot stop: the kernel must restart
		timeout bool   // the end of the cell's context stops it (weir run's cell timeout), not Interrupt
	}{
		{name: "select in a goroutine", src: "ready := make(chan int)\ngo func() { ready <- 1; select {} }()\n<-ready", restart: true},
		{name: "receive nobody sends to", src: "ready, ch := make(chan int), make(chan int)\ngo func() { ready <- 1; <-ch }()\n<-ready", restart: true},
		{name: "sleep in a goroutine", src: "ready := make(chan int)\ngo func() { ready <- 1; time.Sleep(time.Hour) }()\n<-ready", restart: true},
		{name: "mutex", src: "import \"sync\"\nvar mu sync.Mutex\nmu.Lock()\nready := make(chan int)\ngo func() { ready <- 1; mu.Lock() }()\n<-ready", restart: true},
		{name: "the cell sleeps", src: "fmt.Println(\"blocking\")\ntime.Sleep(time.Hour)", restart: true},
		{name: "looping goroutines stop", src: "n := 0\nfor i := 0; i < 3; i++ {\n\tgo func() { for { n++ } }()\n}"},
		{name: "a job is canceled", src: "env := engine.NewEnvironment(engine.Config{})\nenv.FromSource(engine.GeneratorSource{Gen: func(i int64) engine.SourceElement { return engine.SourceElement{Value: i, Timestamp: i} }}, nil, \"forever\").Print()\nenv.Execute(\"forever\")", output: "0\n"},
		{name: "the end of its context cancels a job", timeout: true, src: "env := engine.NewEnvironment(engine.Config{})\nenv.FromSource(engine.GeneratorSource{Gen: func(i int64) engine.SourceElement { return engine.SourceElement{Value: i, Timestamp: i} }}, nil, \"forever\").Print()\nenv.Execute(\"forever\")", output: "0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startClient(t, Options{})
			runCell(t, c, "decl", "x := 41")
			c.mu.Lock()
			old := c.proc.cmd.Process
			c.mu.Unlock()
			src, output := tc.src, tc.output
			if output == "" {
				output = "blocking\n"
				if !strings.Contains(src, output) {
					src += "\nfmt.Println(\"blocking\")\nfor { time.Sleep(time.Millisecond) }"
				}
			}
			ctx, stop := context.WithCancelCause(context.Background())
			defer stop(nil)
			r, err := c.StartCell(ctx, interp.Cell{ID: "stuck", Source: src})
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(time.Minute)
			for !strings.Contains(r.Output(), output) { // the goroutines have started
				if !r.Running() || time.Now().After(deadline) {
					t.Fatalf("the cell wrote %q and ended with %v", r.Output(), r.Err())
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // from ready <- 1 to the statement they block in
			if tc.timeout {
				stop(errors.New("it ran longer than 2m0s"))
			} else {
				c.Interrupt()
			}
			select {
			case <-r.Done():
			case <-time.After(time.Minute):
				t.Fatal("the interrupted cell did not end")
			}
			var ce *interp.CellError
			if !errors.As(r.Err(), &ce) || ce.Kind != "interrupted" || ce.Cell != "stuck" {
				t.Fatalf("the cell ended with %v, want it interrupted", r.Err())
			}
			n, why := c.Died()
			if !tc.restart {
				if want := map[bool]string{false: "the cell was interrupted", true: "the cell was stopped: it ran longer than 2m0s"}[tc.timeout]; ce.Msg != want || n != 0 {
					t.Errorf("the kernel restarted (%d, %v) for goroutines that stop: %q", n, why, ce.Msg)
				}
				if r := runCell(t, c, "after", "x + 1"); r.Err() != nil || r.Value() != "42" {
					t.Errorf("after the interrupt: %q, %v; want 42", r.Value(), r.Err())
				}
				return
			}
			const want = "the cell was interrupted, but the cell's goroutines did not stop: 1 still ran 2s after cell stuck was interrupted; the kernel was restarted"
			if !strings.HasPrefix(ce.Msg, want) {
				t.Errorf("the cell says %q, want %q", ce.Msg, want)
			}
			if n != 1 || !errors.Is(why, interp.ErrGoroutinesLeft) {
				t.Errorf("Died() = %d, %v; want 1 and %v", n, why, interp.ErrGoroutinesLeft)
			}
			deadline = time.Now().Add(10 * time.Second)
			for old.Signal(syscall.Signal(0)) == nil { // signal 0 fails once the process has ended
				if time.Now().After(deadline) {
					t.Fatal("the kernel process that held the goroutines is still alive")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if r := runCell(t, c, "after", "x"); r.Err() == nil || !strings.Contains(r.Err().Error(), "undefined: x") {
				t.Errorf("x survived the restart: %v %q", r.Err(), r.Value())
			}
			if r := runCell(t, c, "next", "y := 6 * 7\ny"); r.Err() != nil || r.Value() != "42" {
				t.Errorf("the next cell gives %q, %v; want 42", r.Value(), r.Err())
			}
		})
	}
}
