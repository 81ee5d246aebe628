package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
)

// wordsCell declares a struct type, collects a stream of it and prints: its results must cross the pipe drawn,
// since the kernel's client cannot hold values of a type declared in a cell.
const wordsCell = `type Count struct { Word string; N int }
env := engine.NewEnvironment(engine.Config{Parallelism: 1})
counts := env.FromElements(Count{"a", 1}, Count{"b", 2}, Count{"a", 3}).Collect()
job, err := env.Execute("words")
if err != nil { panic(err) }
fmt.Println("ran", job.Name())
len(counts.Values())`

// A cell's output, value, results (in every mode) and jobs come over the pipe as the in-process kernel has
// them.
func TestACellRunsInTheKernelProcessAsInProcess(t *testing.T) {
	c := startClient(t, Options{})
	r, err := c.StartCell(context.Background(), interp.Cell{ID: "words", Source: wordsCell, Key: "N"})
	if err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	got := interp.CellRun(r)
	want := interp.New(interp.Options{}).Run(context.Background(), interp.Cell{ID: "words", Source: wordsCell})
	if got.Err() != nil || want.Err() != nil {
		t.Fatalf("errors: kernel process %v, in process %v", got.Err(), want.Err())
	}
	if got.Output() != "ran words\n" || got.Output() != want.Output() || got.Value() != "3" {
		t.Errorf("output %q value %q; in process %q %q", got.Output(), got.Value(), want.Output(), want.Value())
	}
	if !reflect.DeepEqual(got.JobStates(), want.JobStates()) || len(got.JobStates()) != 1 {
		t.Errorf("jobs %v, in process %v", got.JobStates(), want.JobStates())
	}
	gr, wr := got.Results(), want.Results()
	if len(gr) != 1 || len(wr) != 1 {
		t.Fatalf("%d results, in process %d", len(gr), len(wr))
	}
	for _, mode := range append(interp.Modes, "") {
		if g, w := gr[0].Render(mode, "N"), wr[0].Render(mode, "N"); g != w {
			t.Errorf("mode %q: drawn %q, in process %q", mode, g, w)
		}
		if g, w := gr[0].Header(mode), wr[0].Header(mode); g != w {
			t.Errorf("mode %q: header %q, in process %q", mode, g, w)
		}
	}
}

// A cell stopped by its context says why, as in process; Restart ends the kernel process, and with it the
// goroutines a cell left running.
func TestTimeoutInterruptAndRestart(t *testing.T) {
	c := startClient(t, Options{})
	ctx, cancel := context.WithTimeoutCause(context.Background(), 300*time.Millisecond, errors.New("it ran longer than 300ms"))
	defer cancel()
	r, err := c.StartCell(ctx, interp.Cell{ID: "spin", Source: "n := 0\nfor { n++ }"})
	if err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	var ce *interp.CellError
	if !errors.As(r.Err(), &ce) || ce.Kind != "interrupted" || !strings.Contains(ce.Msg, "it ran longer than 300ms") {
		t.Errorf("the timed-out cell ended with %v", r.Err())
	}
	r, err = c.StartCell(context.Background(), interp.Cell{ID: "wait", Source: "for { time.Sleep(time.Millisecond) }"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartCell(context.Background(), interp.Cell{ID: "other", Source: "1"}); !errors.Is(err, interp.ErrBusy) {
		t.Errorf("a second cell while one runs: %v, want ErrBusy", err)
	}
	c.Interrupt()
	<-r.Done()
	if !errors.As(r.Err(), &ce) || ce.Msg != "the cell was interrupted" {
		t.Errorf("the interrupted cell ended with %v", r.Err())
	}
	runCell(t, c, "bg", "go func() { for { time.Sleep(time.Millisecond) } }()\nx := 1")
	c.mu.Lock()
	old := c.proc.cmd.Process
	c.mu.Unlock()
	c.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for old.Signal(syscall.Signal(0)) == nil { // signal 0 fails once the process has ended
		if time.Now().After(deadline) {
			t.Fatal("the restarted kernel's process is still alive, with the goroutine its cell started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := runCell(t, c, "after", "x"); r.Err() == nil {
		t.Errorf("x survived the restart")
	}
	if n, _ := c.Died(); n != 0 {
		t.Errorf("a restart counted as %d deaths", n)
	}
}

// The live views' pictures cross the pipe: a job's snapshot, events and task managers, and a checkpoint
// request reaches the job.
func TestLiveJobsComeOverThePipe(t *testing.T) {
	c := startClient(t, Options{})
	r := runCell(t, c, "job", `env := engine.NewEnvironment(engine.Config{Parallelism: 1})
env.FromElements("a", "b", "a").Map(func(v any) any { return v.(string) + "!" }).Print()
if _, err := env.Execute("sums"); err != nil { panic(err) }`)
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	var jobs []interp.LiveJob
	deadline := time.Now().Add(20 * time.Second)
	for {
		jobs = c.LiveJobs()
		if len(jobs) == 1 && jobs[0].Snapshot().Status == engine.JobFinished {
			break
		}
		if time.Now().After(deadline) {
			var st []string
			for _, j := range jobs {
				st = append(st, j.Name()+" "+j.Snapshot().Status.String())
			}
			t.Fatalf("no finished job came: %q", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	j := jobs[0]
	if s := j.Snapshot(); j.Name() != "sums" || s.Name != "sums" || len(s.Vertices) == 0 || len(j.TaskManagers()) != 1 {
		t.Errorf("the job's picture: name %q, snapshot %q with %d vertices, %d task managers", j.Name(), s.Name, len(s.Vertices), len(j.TaskManagers()))
	}
	if _, err := j.TriggerCheckpoint(); err == nil {
		t.Errorf("a checkpoint of a finished job succeeded")
	}
}

// Every field of a job's snapshot crosses the pipe: JSON keeps it whole.
func TestJobSnapshotSurvivesJSON(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, Checkpointing: engine.CheckpointConfig{Interval: time.Millisecond, Dir: t.TempDir()}, Stdout: os.Stderr})
	env.FromElements(1, 2, 3, 4).KeyBy(func(v any) any { return v.(int) % 2 }).Reduce(func(a, b any) any { return a.(int) + b.(int) }).Collect()
	job, err := env.Execute("sums")
	if err != nil {
		t.Fatal(err)
	}
	snap := job.Snapshot()
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var back engine.JobSnapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normal(snap), normal(back)) || len(snap.Vertices) != 2 || len(snap.Checkpoints) == 0 {
		t.Errorf("the snapshot changed on its way:\n%+v\n%+v", snap, back)
	}
}

// normal returns a copy of the snapshot's value with the monotonic clock readings of its times dropped,
// which JSON does not keep.
func normal(s engine.JobSnapshot) engine.JobSnapshot {
	v := reflect.ValueOf(&s).Elem()
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if t, ok := v.Interface().(time.Time); ok {
			v.Set(reflect.ValueOf(t.Round(0).UTC()))
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Field(i).CanSet() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(v)
	return s
}

// A job's picture holding NaN or infinite rates (0/0) crossed no pipe: JSON refuses them. finite zeroes them,
// in nested structs, slices and pointers.
func TestFiniteMakesAPictureJSONCanHold(t *testing.T) {
	nan := math.NaN()
	lj := &liveJob{Name: "j", Snapshot: engine.JobSnapshot{Vertices: []engine.VertexSnapshot{{Operators: []engine.OperatorSnapshot{{RateIn: nan, RateOut: math.Inf(1)}}}}},
		Iteration: &engine.IterationSnapshot{}}
	if _, err := json.Marshal(lj); err == nil {
		t.Fatal("JSON holds NaN: the test shows nothing")
	}
	finite(reflect.ValueOf(lj).Elem())
	if _, err := json.Marshal(lj); err != nil {
		t.Fatal(err)
	}
	if op := lj.Snapshot.Vertices[0].Operators[0]; op.RateIn != 0 || op.RateOut != 0 {
		t.Errorf("rates %v %v, want 0", op.RateIn, op.RateOut)
	}
}

// weir check failed a lesson now and then with "the cell was stopped: context canceled": the end of one
// cell's context (RunAll cancels it once the cell is done) reached the kernel as an interrupt after the next
// cell had started, and stopped that one. An interrupt names its run, and stops no other.
func TestALateInterruptDoesNotStopTheNextCell(t *testing.T) {
	c := startClient(t, Options{})
	first := runCell(t, c, "first", "1")
	if first.Err() != nil {
		t.Fatal(first.Err())
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	next, err := c.StartCell(ctx, interp.Cell{ID: "next", Source: "for { time.Sleep(time.Millisecond) }"})
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.proc.send(request{Op: opInterrupt, Run: 1, Cause: "context canceled"}) // the first run's, arriving late
	c.mu.Unlock()
	cancel(errors.New("its own deadline"))
	<-next.Done()
	var ce *interp.CellError
	if !errors.As(next.Err(), &ce) || ce.Msg != "the cell was stopped: its own deadline" {
		t.Errorf("the next cell ended with %v; want it stopped by its own context only", next.Err())
	}
}
