package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/de4e/weir/notebook"
)

// Status is the state of a cell in a session.
type Status uint8

// The cell states.
const (
	Idle        Status = iota // never run since the kernel started
	Running                   // running now
	Done                      // ran without error
	Failed                    // ran and failed
	Interrupted               // was interrupted
	Stale                     // ran, but an earlier cell has run again since, so its results may be out of date
)

func (s Status) String() string {
	return [...]string{"idle", "running", "done", "failed", "interrupted", "stale"}[s]
}

// CellState is what a session knows of one cell.
type CellState struct {
	Count  int     // the In[n] counter of its last run; 0 if it has not run
	Status Status  // its state now
	Exec   CellRun // its last run, or nil
}

// Session is a notebook open with a kernel: it runs cells, numbers their runs and marks later cells stale
// when an earlier one runs again. The workbench and the headless runner both use it.
type Session struct {
	Notebook *notebook.Notebook
	// Kernel is the kernel NewSession made in this process; nil when the cells run in a kernel process
	// (NewSessionOn).
	Kernel *Kernel
	runner Runner

	mu     sync.Mutex
	count  int
	states map[string]*cellState
}

type cellState struct {
	count int
	stale bool
	exec  CellRun
}

// NewSession opens nb with a new kernel in this process, whose check hints are in the notebook's language
// unless opts.Lang says otherwise.
func NewSession(nb *notebook.Notebook, opts Options) *Session {
	k := New(opts.ForNotebook(nb))
	return &Session{Notebook: nb, Kernel: k, runner: k, states: map[string]*cellState{}}
}

// NewSessionOn opens nb with the cells run by r (a kernel process).
func NewSessionOn(nb *notebook.Notebook, r Runner) *Session {
	return &Session{Notebook: nb, runner: r, states: map[string]*cellState{}}
}

// ForNotebook returns the options with Lang set to the notebook's language (its annotation's "lang") when
// it is unset.
func (o Options) ForNotebook(nb *notebook.Notebook) Options {
	if lang, ok := nb.Meta()["lang"].(string); ok && o.Lang == "" {
		o.Lang = lang
	}
	return o
}

// Runner returns what runs the session's cells.
func (s *Session) Runner() Runner { return s.runner }

// State returns the state of the cell with the given id.
func (s *Session) State(id string) CellState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.states[id]
	if st == nil || st.exec == nil {
		return CellState{}
	}
	out := CellState{Count: st.count, Exec: st.exec}
	switch {
	case st.exec.Running():
		out.Status = Running
	case st.stale:
		out.Status = Stale
	default:
		var ce *CellError
		err := st.exec.Err()
		switch {
		case err == nil:
			out.Status = Done
		case errors.As(err, &ce) && ce.Kind == "interrupted":
			out.Status = Interrupted
		default:
			out.Status = Failed
		}
	}
	return out
}

// Start runs the cell with the given id (source is its text, which may be edited but not yet saved) and
// marks every cell after it that has run as stale.
func (s *Session) Start(ctx context.Context, id, source string) (CellRun, error) {
	var above []Cell
	for _, c := range s.Notebook.Cells() {
		if c.Meta.ID == id {
			break
		}
		above = append(above, Cell{ID: c.Meta.ID, Source: c.Text, Lang: c.Lang})
	}
	cell := Cell{ID: id, Source: source, Above: above}
	if c := s.Notebook.Cell(id); c != nil {
		cell.Lang = c.Lang
		cell.Check = c.Meta.Check != ""
		cell.Key = c.Meta.Key
	}
	ex, err := s.runner.StartCell(ctx, cell)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	after := false
	for _, c := range s.Notebook.Cells() {
		if c.Meta.ID == id {
			after = true
			continue
		}
		if st := s.states[c.Meta.ID]; after && st != nil && st.exec != nil {
			st.stale = true
		}
	}
	s.states[id] = &cellState{count: s.count, exec: ex}
	return ex, nil
}

// Restart restarts the kernel and forgets every cell's state.
func (s *Session) Restart() {
	s.runner.Restart()
	s.mu.Lock()
	s.states = map[string]*cellState{}
	s.count = 0
	s.mu.Unlock()
}

// RunOptions configures RunAll.
type RunOptions struct {
	// Solutions runs each exercise's solution cell in place of the exercise.
	Solutions bool
	// Checks runs the check cells too (weir check); otherwise they are skipped (weir run).
	Checks bool
	// CellTimeout interrupts a cell that runs longer. Default 2 minutes.
	CellTimeout time.Duration
	// Out, if set, receives each cell's output as it finishes.
	Out io.Writer
}

// Report is the outcome of RunAll.
type Report struct {
	Cells  []CellRun
	Checks []CheckResult
}

// Failed returns the number of cells that failed plus the number of failed checks.
func (r *Report) Failed() (cells, checks int) {
	for _, ex := range r.Cells {
		if ex.Err() != nil {
			cells++
		}
	}
	for _, c := range r.Checks {
		if !c.OK {
			checks++
		}
	}
	return cells, checks
}

// RunAll runs the notebook's cells in order, as weir run and weir check do, and stops at the first cell
// that fails. Solution cells only run in place of their exercise (with Solutions); check cells only with
// Checks.
func (s *Session) RunAll(ctx context.Context, opts RunOptions) *Report {
	if opts.CellTimeout <= 0 {
		opts.CellTimeout = 2 * time.Minute
	}
	_, solutions := s.Notebook.Exercises()
	rep := &Report{}
	for i, c := range s.Notebook.Cells() {
		src := c.Text
		switch {
		case c.Meta.Solution != "":
			continue
		case c.Meta.Check != "" && !opts.Checks:
			continue
		case c.Meta.Exercise != "" && opts.Solutions:
			sol := solutions[c.Meta.Exercise]
			if sol == nil {
				ex := failed(c.Meta.ID, fmt.Errorf("the exercise %q has no solution cell", c.Meta.Exercise))
				rep.Cells = append(rep.Cells, ex)
				return rep
			}
			src = sol.Text
		}
		cctx, cancel := context.WithTimeoutCause(ctx, opts.CellTimeout, fmt.Errorf("it ran longer than %v", opts.CellTimeout))
		ex, err := s.Start(cctx, c.Meta.ID, src)
		if err != nil {
			cancel()
			ex = failed(c.Meta.ID, err)
		} else {
			<-ex.Done()
			cancel()
		}
		rep.Cells = append(rep.Cells, ex)
		if opts.Out != nil {
			WriteExecution(opts.Out, i+1, c.Meta, ex)
		}
		if ex.Err() != nil {
			break
		}
	}
	rep.Checks = s.runner.Checks()
	return rep
}

func failed(id string, err error) *Execution {
	ex := &Execution{Cell: Cell{ID: id}, done: make(chan struct{}), err: &CellError{Cell: id, Kind: "setup", Msg: err.Error()}}
	close(ex.done)
	return ex
}

// WriteExecution writes a finished cell as the headless runner shows it: a header with its number and id,
// its output, its results in the cell's mode, its value and its error.
func WriteExecution(w io.Writer, n int, meta notebook.Meta, ex CellRun) {
	fmt.Fprintf(w, "── In [%d] %s %s\n", n, meta.ID, strings.Repeat("─", max(0, 60-len(meta.ID))))
	if out := ex.Output(); out != "" {
		io.WriteString(w, out)
		if !strings.HasSuffix(out, "\n") {
			io.WriteString(w, "\n")
		}
	}
	for _, r := range ex.Results() {
		if !r.IsQuery() { // SHOW, DESCRIBE: the same in every mode
			fmt.Fprintf(w, "[%s]\n", r.Name)
		} else {
			fmt.Fprintf(w, "[%s · %s]\n", r.Name, r.Mode(meta.Mode))
		}
		io.WriteString(w, r.Render(meta.Mode, meta.Key))
	}
	if v := ex.Value(); v != "" {
		fmt.Fprintf(w, "= %s\n", v)
	}
	if err := ex.Err(); err != nil {
		fmt.Fprintf(w, "error: %v\n", err)
	}
}
