package kernel

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"reflect"
	"runtime/debug"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/sources"
)

// updateEvery is how often a running cell's news is sent, and liveEvery how often the newest job's picture.
const (
	updateEvery = 100 * time.Millisecond
	liveEvery   = 200 * time.Millisecond
)

// interruptGrace is how long the goroutines of an interrupted cell (its own, its jobs' and what they
// started: interp.Execution.Goroutines) have to stop before the kernel ends itself with ExitGoroutinesLeft,
// and reapEvery how often they are counted meanwhile.
const (
	interruptGrace = 2 * time.Second
	reapEvery      = 50 * time.Millisecond
)

// ExitGoroutinesLeft is the exit status of a kernel that ended itself because goroutines of an interrupted
// cell were still running interruptGrace after the interrupt: Go cannot stop a goroutine blocked for good
// (select {}, a channel nobody sends to, a long time.Sleep, a mutex), only end its process.
const ExitGoroutinesLeft = 4

// maxStack bounds a goroutine's stack in the kernel process (Go's default is 1 GiB), so that a recursion
// without end ends in a stack overflow before it holds much of the memory limit.
const maxStack = 256 << 20

// ErrProtocol is returned by Serve for a request it cannot read.
var ErrProtocol = errors.New("kernel: bad request")

// Main serves the protocol on the process's stdin and stdout, as weir kernel does, until stdin ends. It
// first points os.Stdout at os.Stderr, so that nothing a cell writes there can corrupt the protocol; the
// client keeps the end of stderr to explain a death.
func Main() error {
	out := os.Stdout
	os.Stdout = os.Stderr
	// The terminal's ctrl+c reaches the whole process group; the kernel is interrupted by its client instead.
	signal.Ignore(os.Interrupt)
	return Serve(os.Stdin, out)
}

// MainIfKernel runs Main and exits when the process was started as a kernel (its first argument is
// "kernel"), as a Client starts it; otherwise it returns at once. A test binary whose tests start kernels
// calls it first in TestMain, since the test binary is the os.Executable a Client starts.
func MainIfKernel() {
	if len(os.Args) > 1 && os.Args[1] == "kernel" {
		if err := Main(); err != nil {
			fmt.Fprintf(os.Stderr, "weir kernel: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// server is the kernel side of the protocol.
type server struct {
	out  io.Writer
	wmu  sync.Mutex // guards out: one event per line
	k    *interp.Kernel
	reps *interp.Replays

	mu      sync.Mutex
	cancel  context.CancelCauseFunc // the running cell's, or nil
	running int64                   // the running cell's run number
	ex      *interp.Execution       // the running cell's execution, or nil
	reaped  chan struct{}           // once the running cell is interrupted: closed when its goroutines are gone
}

// send writes one event. An event JSON cannot hold is dropped with a line on stderr; a failed write (the
// client has gone) ends the process, which nobody is left to serve.
func (s *server) send(ev event) {
	b, err := json.Marshal(ev)
	if err != nil {
		fmt.Fprintf(os.Stderr, "weir kernel: a %s event is dropped: %v\n", ev.Ev, err)
		return
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.out.Write(append(b, '\n')); err != nil {
		os.Exit(1)
	}
}

// Serve runs a kernel on the requests read from in, one JSON object a line, and writes its events to out,
// until in ends. The first request must be init. See the package documentation for the protocol.
func Serve(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	s := &server{out: out}
	first := true
	for sc.Scan() {
		var req request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			return fmt.Errorf("%w: %v", ErrProtocol, err)
		}
		if first != (req.Op == opInit) {
			return fmt.Errorf("%w: %q: the first request, and only it, is init", ErrProtocol, req.Op)
		}
		first = false
		if err := s.handle(req); err != nil {
			return err
		}
	}
	return sc.Err()
}

func (s *server) handle(req request) error {
	switch req.Op {
	case opInit:
		if req.Init == nil {
			return fmt.Errorf("%w: init without options", ErrProtocol)
		}
		s.init(*req.Init)
	case opRun:
		if req.Cell == nil {
			return fmt.Errorf("%w: run %d without a cell", ErrProtocol, req.Run)
		}
		s.run(req.Run, *req.Cell)
	case opInterrupt:
		s.interrupt(req)
	case opConfig:
		if req.Config != nil {
			s.k.SetConfig(*req.Config)
		}
	case opReplay:
		switch {
		case req.Step:
			s.reps.Step()
		case req.Speed != nil:
			s.reps.SetSpeed(*req.Speed)
		case req.Paused != nil:
			s.reps.SetPaused(*req.Paused)
		}
	case opCheckpoint, opSavepoint, opKillTM:
		go s.act(req)
	default:
		return fmt.Errorf("%w: unknown operation %q", ErrProtocol, req.Op)
	}
	return nil
}

// interrupt stops the running cell (see opInterrupt) and starts counting down its goroutines.
func (s *server) interrupt(req request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case req.Run != 0 && req.Run != s.running: // meant for a run that has ended; the next one must not be stopped
		return
	case req.Cause != "" && s.cancel != nil:
		s.cancel(errors.New(req.Cause))
	default:
		s.k.Interrupt()
	}
	if s.ex != nil && s.reaped == nil {
		s.reaped = make(chan struct{})
		go reap(s.ex, s.reaped, interruptGrace)
	}
}

// reap closes reaped once the interrupted execution ex has no goroutine left. If some are still running
// after grace, it ends the process with ExitGoroutinesLeft, saying so on stderr, where the client reads it
// as the reason (interp.ErrGoroutinesLeft); the client then starts a new kernel.
func reap(ex *interp.Execution, reaped chan struct{}, grace time.Duration) {
	deadline := time.Now().Add(grace)
	for {
		n := ex.Goroutines()
		if n == 0 {
			close(reaped)
			return
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "weir kernel: %v: %d still ran %v after cell %s was interrupted\n", interp.ErrGoroutinesLeft, n, grace, ex.CellID())
			os.Exit(ExitGoroutinesLeft)
		}
		time.Sleep(reapEvery)
	}
}

// init makes the kernel, with its memory limit.
func (s *server) init(o initOptions) {
	if o.MemoryLimit > 0 {
		debug.SetMemoryLimit(o.MemoryLimit)
		go watchMemory(o.MemoryLimit, memoryEvery)
	}
	debug.SetMaxStack(maxStack)
	s.reps = interp.NewReplays(o.Speed)
	s.reps.SetPaused(o.Paused)
	s.k = interp.New(interp.Options{Dir: o.Dir, Lang: o.Lang, RevealAnswers: o.RevealAnswers, Config: o.Config,
		Tries: o.Tries, Replays: s.reps, OnPanic: func(cell string, line, col int) {
			s.send(event{Ev: evPanic, Cell: cell, Line: line, Col: col})
		}})
	if o.MemoryLimit > 0 {
		checkMemory(o.MemoryLimit) // a limit below what the kernel needs to load ends it before it is ready
	}
	go s.watchJobs()
	s.send(event{Ev: evReady})
}

// run starts a cell and streams its news until it ends.
func (s *server) run(id int64, c interp.Cell) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ex, err := s.k.Start(ctx, c)
	if err != nil {
		cancel(nil)
		// Not from the request loop, which must keep reading whatever the client's reading of events does.
		go s.send(event{Ev: evDone, Run: id, Err: &interp.CellError{Cell: c.ID, Kind: "setup", Msg: err.Error()}})
		return
	}
	s.mu.Lock()
	s.cancel, s.running, s.ex, s.reaped = cancel, id, ex, nil
	s.mu.Unlock()
	go func() {
		defer cancel(nil)
		sent, lens := 0, map[int]int{}
		t := time.NewTicker(updateEvery)
		defer t.Stop()
		for done := false; !done; {
			select {
			case <-ex.Done():
				done = true
			case <-t.C:
			}
			ev := event{Ev: evUpdate, Run: id, Value: ex.Value(), Jobs: ex.JobStates(), Checks: s.k.Checks()}
			out := ex.Output()
			ev.Output, sent = out[sent:], len(out)
			for i, r := range ex.Results() {
				if n, prev := r.Len(), lens[i]; prev != n+1 || done { // lens holds Len+1, so that a new result is sent
					lens[i] = n + 1
					ev.Results = append(ev.Results, drawnResult{Name: r.Name, Drawn: r.Draw(c.Key)})
				} else {
					ev.Results = append(ev.Results, drawnResult{Name: r.Name}) // unchanged
				}
			}
			s.send(ev)
		}
		s.mu.Lock()
		reaped := s.reaped
		s.cancel, s.running, s.ex, s.reaped = nil, 0, nil, nil
		s.mu.Unlock()
		if reaped != nil { // an interrupted cell ends when its goroutines have, or the process does
			<-reaped
		}
		var ce *interp.CellError
		if err := ex.Err(); err != nil && !errors.As(err, &ce) {
			ce = &interp.CellError{Cell: c.ID, Kind: "setup", Msg: err.Error()}
		}
		s.send(event{Ev: evDone, Run: id, Err: ce, Checks: s.k.Checks(), Tries: s.k.Tries(), Duration: ex.Duration()})
	}()
}

// watchJobs sends the newest job's picture every liveEvery while it runs, and once more when it has ended,
// and the replays' progress when it has changed.
func (s *server) watchJobs() {
	var (
		last    *engine.Job
		next    uint64
		settled bool // the last picture sent shows the job ended
		replays []sources.Progress
	)
	for range time.Tick(liveEvery) {
		if ps := noSkips(s.reps.Progress()); !reflect.DeepEqual(ps, replays) {
			replays = ps
			s.send(event{Ev: evReplay, Replays: ps})
		}
		jobs := s.k.Jobs()
		if len(jobs) == 0 {
			last = nil
			continue
		}
		j := jobs[len(jobs)-1]
		if j != last {
			last, next, settled = j, 0, false
		}
		if settled {
			continue
		}
		lj := &liveJob{Job: len(jobs) - 1, Name: j.Name(), Snapshot: j.Snapshot(), TaskManagers: j.TaskManagers()}
		lj.Events = j.Events(next)
		if n := len(lj.Events); n > 0 {
			next = lj.Events[n-1].Seq + 1
		}
		for i := range lj.Events {
			if k := lj.Events[i].Key; k != nil { // a key may be of a type declared in a cell: send its text
				lj.Events[i].Key = fmt.Sprint(k)
			}
		}
		if it := j.Iteration(); it != nil {
			snap := it.Snapshot()
			lj.Iteration = &snap
		}
		finite(reflect.ValueOf(lj).Elem()) // a rate of 0/0 is NaN, which JSON cannot hold
		settled = lj.Snapshot.Status.Terminal()
		s.send(event{Ev: evLive, Live: lj})
	}
}

// act answers a checkpoint, savepoint or kill-tm request.
func (s *server) act(req request) {
	ev := event{Ev: evReply, Seq: req.Seq}
	jobs := s.k.Jobs()
	var err error
	switch {
	case req.Job < 0 || req.Job >= len(jobs):
		err = fmt.Errorf("no job %d: the kernel has started %d", req.Job, len(jobs))
	case req.Op == opCheckpoint:
		ev.ID, err = jobs[req.Job].TriggerCheckpoint()
	case req.Op == opSavepoint:
		ev.ID, err = jobs[req.Job].TriggerSavepoint(req.Dir)
	default:
		err = jobs[req.Job].KillTaskManager(req.TM)
	}
	if err != nil {
		ev.Error = err.Error()
	}
	s.send(ev)
}

// finite replaces the NaN and infinite floats held in v (addressable) by 0.
func finite(v reflect.Value) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			v.SetFloat(0)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				finite(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			finite(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			finite(v.Elem())
		}
	}
}
