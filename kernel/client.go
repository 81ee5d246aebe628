package kernel

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/sources"
)

// Options configures a Client. The zero Options is valid.
type Options struct {
	// Kernel is the interp options of the kernel: its Dir, Config, Lang and RevealAnswers are sent to the
	// process (Config without its Clock and Stdout); Replays and OnPanic stay in the process that sets them
	// and are ignored here.
	Kernel interp.Options
	// Speed is the replays' speed at start (interp.ReplayControl): 0 as fast as possible, the default.
	Speed float64
	// MemoryLimit is the kernel process's memory limit in bytes: past it the process ends and the cell fails
	// with "memory limit exceeded". Default DefaultMemoryLimit; negative: no limit.
	MemoryLimit int64
	// Command is the kernel process's program and arguments. Default: this program (os.Executable) with
	// the argument "kernel", which weir serves as the hidden weir kernel command.
	Command []string
}

// ErrClosed is returned by StartCell once the client is closed.
var ErrClosed = errors.New("kernel: the client is closed")

// Client runs cells in a kernel process of its own and is an interp.Runner: the workbench and weir run use
// it so that no cell can take them down. When the process dies (a panic in a goroutine a cell started, a
// stack overflow, the memory limit, a signal), the running cell fails with a *interp.CellError of kind
// "crash" that says why, and a new process starts: what the cells declared is lost, and nothing is run again.
// A Client is safe for concurrent use.
type Client struct {
	opts Options

	mu      sync.Mutex
	proc    *process // nil once closed
	closed  bool
	runs    int64
	cur     *run // the latest run
	cfg     engine.Config
	checks  []interp.CheckResult
	tries   map[string]int // the checks' failures so far, carried into each new kernel
	died    int
	reason  error
	speed   float64
	paused  bool
	replays []sources.Progress
	jobs    []*remoteJob
	seq     int64
	replies map[int64]chan event
}

// process is one kernel process.
type process struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	wmu     sync.Mutex
	enc     *json.Encoder
	stderr  *tail
	panicAt *place // the innermost frame of the last panic reported; guarded by Client.mu
	ran     bool   // a cell was sent to it; guarded by Client.mu
}

// Start starts a kernel process and returns its client. The process loads in the background: cells sent
// before it is ready wait for it.
func Start(opts Options) (*Client, error) {
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultMemoryLimit
	}
	if len(opts.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("kernel: cannot find this program to start the kernel: %w", err)
		}
		opts.Command = []string{exe, "kernel"}
	}
	c := &Client{opts: opts, cfg: opts.Kernel.Config, speed: opts.Speed, tries: opts.Kernel.Tries, replies: map[int64]chan event{}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.start(); err != nil {
		return nil, err
	}
	return c, nil
}

// start starts a new process. c.mu must be held.
func (c *Client) start() error {
	cmd := exec.Command(c.opts.Command[0], c.opts.Command[1:]...)
	p := &process{cmd: cmd, stderr: &tail{max: 64 << 10}}
	cmd.Stderr = p.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("kernel: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("kernel: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("kernel: cannot start the kernel process: %w", err)
	}
	p.stdin, p.enc = stdin, json.NewEncoder(stdin)
	c.proc = p
	limit := c.opts.MemoryLimit
	if limit < 0 {
		limit = 0
	}
	ko := c.opts.Kernel
	p.send(request{Op: opInit, Init: &initOptions{Dir: ko.Dir, Lang: ko.Lang, RevealAnswers: ko.RevealAnswers,
		Config: wireConfig(c.cfg), Speed: c.speed, Paused: c.paused, MemoryLimit: limit, Tries: c.tries}})
	go c.read(p, stdout)
	return nil
}

// wireConfig returns the configuration as it is sent: without the Clock and Stdout, which stay here.
func wireConfig(cfg engine.Config) engine.Config {
	cfg.Clock, cfg.Stdout = nil, nil
	return cfg
}

// send writes a request; a process that has died no longer reads, which read notices.
func (p *process) send(req request) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_ = p.enc.Encode(req)
}

// read takes the process's events until it ends, then reports its death.
func (c *Client) read(p *process, stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 256<<20)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			fmt.Fprintf(p.stderr, "weir kernel client: %v: %q\n", ErrProtocol, sc.Bytes())
			_ = p.cmd.Process.Kill()
			break
		}
		c.event(p, ev)
	}
	err := p.cmd.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != p { // restarted or closed on purpose
		return
	}
	reason := deathReason(err, string(p.stderr.buf), p.panicAt)
	c.died++
	c.reason = reason
	if !p.ran { // it died by itself before any cell ran (a memory limit below what it needs to load): do not loop
		c.proc = nil
		c.lose(&interp.CellError{Kind: "crash", Msg: fmt.Sprintf("the kernel died before it ran a cell: %v", reason)})
		return
	}
	const lost = "what the cells declared is lost: run the cells this one needs again"
	ce := &interp.CellError{Cell: c.curCell(), Kind: "crash",
		Msg: fmt.Sprintf("the kernel died: %v; it was restarted, and %s", reason, lost)}
	if errors.Is(reason, interp.ErrGoroutinesLeft) { // the kernel ended itself after the interrupt
		ce.Kind, ce.Msg = "interrupted", fmt.Sprintf("the cell was interrupted, but %v; the kernel was restarted, and %s", reason, lost)
	}
	if at := p.panicAt; at != nil && at.cell == ce.Cell {
		ce.Line, ce.Col = at.line, at.col
	}
	c.lose(ce)
	c.proc = nil
	_ = c.start() // if it fails, the next StartCell tries again and says why
}

// curCell returns the id of the running cell, "" if none. c.mu must be held.
func (c *Client) curCell() string {
	if c.cur != nil && c.cur.Running() {
		return c.cur.cell
	}
	return ""
}

// lose ends the running cell with err and forgets the process's jobs, checks and pending replies: its
// process has gone. c.mu must be held.
func (c *Client) lose(err *interp.CellError) {
	if c.cur != nil {
		if err.Cell == "" {
			err.Cell = c.cur.cell
		}
		c.cur.finish(err, 0)
	}
	c.jobs, c.checks, c.replays = nil, nil, nil
	for seq, ch := range c.replies {
		ch <- event{Ev: evReply, Seq: seq, Error: "the kernel process ended"}
		delete(c.replies, seq)
	}
}

// event takes one event of process p.
func (c *Client) event(p *process, ev event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != p {
		return
	}
	r := c.cur
	if r != nil && r.id != ev.Run {
		r = nil
	}
	switch ev.Ev {
	case evUpdate:
		c.checks = ev.Checks
		if r != nil {
			r.update(ev)
		}
	case evDone:
		c.checks, c.tries = ev.Checks, ev.Tries
		p.panicAt = nil
		if r != nil {
			var err error
			if ev.Err != nil {
				err = ev.Err
			}
			r.finish(err, ev.Duration)
		}
	case evPanic:
		if p.panicAt == nil {
			p.panicAt = &place{cell: ev.Cell, line: ev.Line, col: ev.Col}
		}
	case evLive:
		c.live(ev.Live)
	case evReplay:
		c.replays = ev.Replays
	case evReply:
		if ch := c.replies[ev.Seq]; ch != nil {
			ch <- ev
			delete(c.replies, ev.Seq)
		}
	}
}

// StartCell implements interp.Runner: it sends the cell to the kernel process. When ctx ends, the cell is
// stopped with its cause.
func (c *Client) StartCell(ctx context.Context, cell interp.Cell) (interp.CellRun, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if c.proc == nil { // it could not start, or died before running anything: try again, once per cell
		if err := c.start(); err != nil {
			return nil, fmt.Errorf("kernel: the kernel could not be started again after it died (%v): %w", c.reason, err)
		}
	}
	if c.cur != nil && c.cur.Running() {
		return nil, interp.ErrBusy
	}
	c.runs++
	r := newRun(c.runs, cell.ID)
	c.cur = r
	p := c.proc
	p.ran = true
	p.send(request{Op: opRun, Run: r.id, Cell: &cell})
	go func() {
		select {
		case <-ctx.Done():
			if r.Running() {
				p.send(request{Op: opInterrupt, Run: r.id, Cause: context.Cause(ctx).Error()})
			}
		case <-r.done:
		}
	}()
	return r, nil
}

// Running implements interp.Runner.
func (c *Client) Running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur != nil && c.cur.Running()
}

// Interrupt implements interp.Runner: it stops the cell running now, and no cell started after it.
func (c *Client) Interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != nil && c.cur != nil && c.cur.Running() {
		c.proc.send(request{Op: opInterrupt, Run: c.cur.id})
	}
}

// Restart implements interp.Runner: it ends the kernel process, and with it every goroutine and job the
// cells started, and starts a new one.
func (c *Client) Restart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.stop(&interp.CellError{Kind: "interrupted", Msg: "the cell was interrupted: the kernel was restarted"})
	_ = c.start() // if it fails, the next StartCell tries again and says why
}

// stop ends the process on purpose. c.mu must be held.
func (c *Client) stop(err *interp.CellError) {
	if p := c.proc; p != nil {
		c.proc = nil
		_ = p.stdin.Close()
		_ = p.cmd.Process.Kill()
	}
	c.lose(err)
}

// Close implements interp.Runner: it ends the kernel process.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		c.stop(&interp.CellError{Kind: "interrupted", Msg: "the cell was interrupted: the kernel was closed"})
	}
	return nil
}

// Config implements interp.Runner.
func (c *Client) Config() engine.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg
}

// SetConfig implements interp.Runner; the Clock and Stdout stay here (see Options.Kernel).
func (c *Client) SetConfig(cfg engine.Config) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cfg = cfg
	if c.proc != nil {
		w := wireConfig(cfg)
		c.proc.send(request{Op: opConfig, Config: &w})
	}
}

// Checks implements interp.Runner: the checks as the kernel last reported them.
func (c *Client) Checks() []interp.CheckResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]interp.CheckResult(nil), c.checks...)
}

// Died implements interp.Runner.
func (c *Client) Died() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.died, c.reason
}

// Replays implements interp.Runner.
func (c *Client) Replays() interp.ReplayControl { return replayControl{c} }

// replayControl steers the kernel process's replays.
type replayControl struct{ c *Client }

func (r replayControl) SetSpeed(speed float64) {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.c.speed = speed
	if r.c.proc != nil {
		r.c.proc.send(request{Op: opReplay, Speed: &speed})
	}
}

func (r replayControl) SetPaused(paused bool) {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.c.paused = paused
	if r.c.proc != nil {
		r.c.proc.send(request{Op: opReplay, Paused: &paused})
	}
}

// Step steps the paused replays and returns their progress as the kernel last reported it.
func (r replayControl) Step() []sources.Progress {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	if r.c.proc != nil {
		r.c.proc.send(request{Op: opReplay, Step: true})
	}
	return append([]sources.Progress(nil), r.c.replays...)
}

// Progress returns the replays' progress as the kernel last reported it (every 200ms while it changes).
func (r replayControl) Progress() []sources.Progress {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	return append([]sources.Progress(nil), r.c.replays...)
}
