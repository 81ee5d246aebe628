package interp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"maps"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
	sqltable "github.com/de4e/weir/engine/table"
	"github.com/de4e/weir/sources"
	"github.com/traefik/yaegi/interp"
)

// Options configures a Kernel. The zero Options is valid.
type Options struct {
	// Dir is the directory relative paths in cells are read from (the notebook's). Default: the process's
	// working directory.
	Dir string
	// Config is the engine configuration that environments created in cells start from: fields a cell's
	// engine.Config leaves unset are taken from it (engine.Config.Merge). Its Stdout is ignored (a cell's output is captured).
	Config engine.Config
	// Replays, if set, makes the controller of every replay a cell starts from a bundled recording
	// (sources.Bundled.Replay(nil)), so that the workbench can pause, step and pace it. Default: each replay
	// runs as fast as possible.
	Replays *Replays
	// Tries is how many times each check (by name) has already failed, as Kernel.Tries returned it from an
	// earlier kernel: a kernel process restarted after a death goes on counting towards RevealAfter.
	// Default: none.
	Tries map[string]int
	// OnPanic, if set, is called with the place (cell, line and column) of each frame of a panic in
	// interpreted code, innermost first, as the interpreter reports it: before the panic ends the cell, or the
	// process when it happens in a goroutine a cell started. A kernel process sends them to its client, so
	// that a crash can name the cell's line. Default: none.
	OnPanic func(cell string, line, col int)
	// RevealAnswers shows the expected value in every failed check that has one (weir check --answers), the
	// learner's request for the answer. Default false: a failure gives a hint until it has failed
	// RevealAfter times.
	RevealAnswers bool
	// Lang is the language of the hints of failed checks: "en" or "ko". Default: the notebook's language
	// (its annotation's "lang") when a Session makes the kernel, else "en".
	Lang string
}

// Kernel runs the cells of one notebook in one interpreter, so that what a cell declares is seen by the
// cells run after it. Cells run one at a time; Start returns at once and the Execution reports the cell's
// output and jobs while it runs. A Kernel is safe for concurrent use.
type Kernel struct {
	opts Options

	mu      sync.Mutex
	in      *interp.Interpreter
	cur     *Execution // the running cell, or nil
	imports map[string]bool
	slots   map[string]int  // cell id -> position slot (see slotLines)
	funcs   map[string]bool // the functions cells have declared
	jobs    []*engine.Job
	checks  []CheckResult
	tries   map[string]int // check name -> how many times it has failed in this kernel, across restarts
	gen     int            // counts restarts, so that a restarted kernel's late output is dropped
	last    *Execution

	tenv       *sqltable.Environment // the SQL cells' table environment (see tableEnv), nil until used
	tenvEngine *engine.Environment   // the engine Environment under tenv
	sqlRuns    map[string]*Execution // the latest run of each SQL cell, for sqlcells.Result
}

// New returns a kernel with the standard library, the engine, the sources and the check helpers loaded, and
// fmt, strings, math, time, sort, engine, sources and check already imported.
func New(opts Options) *Kernel {
	k := &Kernel{opts: opts, tries: maps.Clone(opts.Tries)}
	k.reset()
	return k
}

// prelude is imported into every kernel, so that short cells need no imports.
var prelude = []string{"fmt", "math", "sort", "strings", "time", "github.com/de4e/weir/engine", "github.com/de4e/weir/sources", checkPath}

// startedPath is the package of started, which every kernel imports under the name startedPkg, and
// startedCall the call of it that begins each chunk of a cell's statements, with the run's number.
const (
	startedPath = "weir/started"
	startedPkg  = "weirstarted_"
	startedCall = startedPkg + ".Started(%d)"
)

// started is called first by the code of each chunk of a cell's statements, with the number of the run, once
// the interpreter runs it. yaegi compiles a chunk in the goroutine that then runs it (EvalWithContext) and
// gives the code the interpreter's run id only when it starts running, so a stop that lands before (it bumps
// the run id) is lost, and a loop in the chunk would run for ever, after the cell has ended as stopped. By
// then the run's context has ended (yaegi stops the interpreter when it sees that), or the run is over, so
// started ends the goroutine instead.
func (k *Kernel) started(run int64) {
	k.mu.Lock()
	ex := k.cur
	k.mu.Unlock()
	if ex == nil || ex.number != run || ex.ctx.Err() != nil {
		runtime.Goexit()
	}
}

// reset makes a fresh interpreter. k.mu must be held.
func (k *Kernel) reset() {
	k.gen++
	gen := k.gen
	out := &cellWriter{k: k, gen: gen}
	errw := &cellWriter{k: k, gen: gen, stderr: true}
	in := interp.New(interp.Options{Stdout: out, Stderr: errw, GoPath: k.opts.Dir})
	if err := in.Use(cellStdlib); err != nil {
		panic(err)
	}
	if err := in.Use(cellExports); err != nil {
		panic(err)
	}
	if err := in.Use(k.symbols()); err != nil {
		panic(err)
	}
	var b strings.Builder
	b.WriteString("import (\n")
	for _, p := range prelude {
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	fmt.Fprintf(&b, "\t%s %q\n)\n", startedPkg, startedPath)
	if _, err := in.Eval(b.String()); err != nil {
		panic(fmt.Sprintf("interp: the prelude does not load: %v", err))
	}
	k.in = in
	k.imports = map[string]bool{}
	for _, p := range prelude {
		k.imports[p[strings.LastIndex(p, "/")+1:]+" "+p] = true
	}
	k.slots = map[string]int{}
	k.funcs = map[string]bool{}
	k.checks = nil
	k.tenv, k.tenvEngine = nil, nil
	k.sqlRuns = map[string]*Execution{}
}

// symbols returns the per-kernel overrides: engine.NewEnvironment observes what cells run, and the check
// package records into this kernel.
func (k *Kernel) symbols() interp.Exports {
	eng := map[string]reflect.Value{}
	for name, v := range cellExports["github.com/de4e/weir/engine/engine"] {
		eng[name] = v
	}
	eng["NewEnvironment"] = reflect.ValueOf(k.newEnvironment)
	src := map[string]reflect.Value{}
	for name, v := range cellExports["github.com/de4e/weir/sources/sources"] {
		src[name] = v
	}
	src["FindRecording"] = reflect.ValueOf(func(name string) (sources.Bundled, error) {
		b, err := sources.FindRecording(name)
		if k.opts.Replays != nil {
			b.NewControl = k.opts.Replays.NewController
		}
		return b, err
	})
	return interp.Exports{
		"github.com/de4e/weir/engine/engine":   eng,
		"github.com/de4e/weir/sources/sources": src,
		checkPath + "/check":                   k.checkSymbols(),
		sqlCellsPath + "/sqlcells":             k.sqlCellsSymbols(),
		startedPath + "/started":               {"Started": reflect.ValueOf(k.started)},
	}
}

// newEnvironment is engine.NewEnvironment as cells see it: defaults from Options.Config, output into the
// running cell, and jobs and collected results reported to the cell's Execution.
func (k *Kernel) newEnvironment(cfg engine.Config) *engine.Environment {
	k.mu.Lock()
	base := k.opts.Config
	k.mu.Unlock()
	base.Stdout = nil     // a cell's output is captured
	cfg = base.Merge(cfg) // what the cell sets wins over the workbench's defaults
	k.mu.Lock()
	ex := k.cur
	k.mu.Unlock()
	if cfg.Stdout == nil && ex != nil { // Print sinks write into the running cell unless it says otherwise
		cfg.Stdout = ex.stdoutWriter()
	}
	env := engine.NewEnvironment(cfg)
	if ex != nil {
		env.Observe(engine.Observer{
			JobStarted: func(j *engine.Job) { k.addJob(ex, j) },
			Collecting: func(name string, c *engine.Collected) { ex.addResult(name, c) },
		})
	}
	return env
}

func (k *Kernel) addJob(ex *Execution, j *engine.Job) {
	k.mu.Lock()
	k.jobs = append(k.jobs, j)
	k.mu.Unlock()
	ex.mu.Lock()
	ex.jobs = append(ex.jobs, j)
	canceled := ex.canceled
	ex.mu.Unlock()
	if canceled {
		j.Cancel()
	}
}

// Lookup returns the value of a global a cell declared (a variable or a function), as compiled code sees
// it: an interpreted function comes back as a Go func value that runs in the interpreter.
func (k *Kernel) Lookup(name string) (any, error) {
	if !token.IsIdentifier(name) {
		return nil, fmt.Errorf("interp: %q is not a name", name)
	}
	k.mu.Lock()
	in := k.in
	k.mu.Unlock()
	v, err := in.Eval(name)
	if err != nil {
		return nil, err
	}
	if !v.IsValid() || !v.CanInterface() {
		return nil, fmt.Errorf("interp: %s has no value", name)
	}
	return v.Interface(), nil
}

// Config returns the engine configuration cells' environments start from.
func (k *Kernel) Config() engine.Config {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.opts.Config
}

// SetConfig changes the engine configuration that environments created from now on start from (the
// workbench's delivery-guarantee switch), and that the jobs of the SQL cells' next statements start from.
func (k *Kernel) SetConfig(c engine.Config) {
	k.mu.Lock()
	k.opts.Config = c
	tenv, env := k.tenv, k.tenvEngine
	k.mu.Unlock()
	if tenv != nil {
		c.Stdout = env.Config().Stdout // into the running cell
		tenv.SetConfig(c)
	}
}

func (k *Kernel) hasFunc(name string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.funcs[name]
}

// Jobs returns the jobs started by cells since the kernel was made or restarted, oldest first.
func (k *Kernel) Jobs() []*engine.Job {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]*engine.Job(nil), k.jobs...)
}

// Restart interrupts the running cell, cancels every job the kernel started and starts a fresh interpreter:
// everything cells declared is forgotten.
func (k *Kernel) Restart() {
	k.Close()
	k.mu.Lock()
	k.reset()
	k.mu.Unlock()
}

// Interrupt stops the running cell, if any: the interpreter stops at its next loop or call, and the jobs the
// cell started are canceled. The goroutines that are blocked for good, and a job's user function that never
// returns, go on (Execution.Goroutines counts them) until the process ends: a kernel process ends itself
// then (package github.com/de4e/weir/kernel), and Restart of an in-process Kernel gives a fresh interpreter
// beside them.
func (k *Kernel) Interrupt() {
	k.mu.Lock()
	ex := k.cur
	k.mu.Unlock()
	if ex != nil {
		ex.interrupt()
	}
}

// Running reports whether a cell is running.
func (k *Kernel) Running() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cur != nil
}

// ErrBusy is returned by Start while another cell is running.
var ErrBusy = errors.New("interp: a cell is already running")

// Cell is what a kernel runs: a cell's id, its source and its language (notebook.LangSQL for Flink SQL;
// anything else is Go).
type Cell struct {
	ID     string
	Source string
	// Lang is the cell's language: notebook.LangSQL for a SQL cell, otherwise Go.
	Lang string
	// Check marks one of a lesson's check cells (notebook.Meta.Check). Only such a cell may use the check
	// package: any other cell that names check is refused before it runs, and a check made outside a check
	// cell panics. Default false: a cell of the learner's.
	Check bool
	// Key is the cell's result key (notebook.Meta.Key), with which a kernel in another process draws its
	// results. Optional.
	Key string
	// Above are the cells above it in its notebook, as they read when it started; an error about a name one
	// of them defines says to run them first. Optional.
	Above []Cell
}

// Start runs a cell in the background and returns its Execution at once. ctx bounds the cell: when it is
// done, the cell is interrupted.
func (k *Kernel) Start(ctx context.Context, c Cell) (*Execution, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cur != nil {
		return nil, ErrBusy
	}
	slot, ok := k.slots[c.ID]
	if !ok {
		slot = len(k.slots) + 1
		k.slots[c.ID] = slot
	}
	// A cell run again replaces its earlier check results: the latest run is what counts.
	k.checks = slices.DeleteFunc(k.checks, func(r CheckResult) bool { return r.Cell == c.ID })
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	ex := &Execution{Cell: c, kernel: k, slot: slot, gen: k.gen, number: runNumbers.Add(1), started: time.Now(), done: make(chan struct{}), cancel: cancel}
	// The end of the cell's context stops its jobs too, as an interrupt does (with the context's cause as
	// the reason); once the cell has ended, its jobs are no longer its context's (ExecuteAsync).
	ex.unwatch = context.AfterFunc(parent, ex.stop)
	ex.ctx = ctx
	k.cur = ex
	if isSQL(c) {
		k.sqlRuns[c.ID] = ex
		go ex.runSQL(ctx)
	} else {
		go ex.run(ctx, k.in)
	}
	return ex, nil
}

// StartCell is Start for a Runner.
func (k *Kernel) StartCell(ctx context.Context, c Cell) (CellRun, error) {
	ex, err := k.Start(ctx, c)
	if err != nil {
		return nil, err
	}
	return ex, nil
}

// LiveJobs returns Jobs as the live views watch them.
func (k *Kernel) LiveJobs() []LiveJob {
	jobs := k.Jobs()
	out := make([]LiveJob, len(jobs))
	for i, j := range jobs {
		out[i] = LiveJobOf(j)
	}
	return out
}

// LiveJobOf returns an engine job of this process as a LiveJob.
func LiveJobOf(j *engine.Job) LiveJob { return liveJob{j} }

// liveJob is an engine job as a LiveJob.
type liveJob struct{ *engine.Job }

func (j liveJob) IterationSnapshot() (engine.IterationSnapshot, bool) {
	if it := j.Iteration(); it != nil {
		return it.Snapshot(), true
	}
	return engine.IterationSnapshot{}, false
}

// Died returns 0 and nil: a kernel in the host's process dies with it.
func (k *Kernel) Died() (int, error) { return 0, nil }

// Replays returns the kernel's ReplayControl (Options.Replays); nil when it has none.
func (k *Kernel) Replays() ReplayControl {
	if k.opts.Replays == nil {
		return nil
	}
	return k.opts.Replays
}

// Close interrupts the running cell and cancels every job the kernel started. The goroutines a cell
// started and left running go on until they return: only a kernel process (package kernel) ends them.
func (k *Kernel) Close() error {
	k.Interrupt()
	k.mu.Lock()
	jobs := k.jobs
	k.jobs = nil
	k.mu.Unlock()
	for _, j := range jobs {
		j.Cancel()
	}
	return nil
}

// Run runs a cell and waits for it to end.
func (k *Kernel) Run(ctx context.Context, c Cell) *Execution {
	ex, err := k.Start(ctx, c)
	if err != nil {
		ex = &Execution{Cell: c, done: make(chan struct{}), err: err}
		close(ex.done)
		return ex
	}
	<-ex.Done()
	return ex
}

// slotLines is how many lines each cell's positions take in the interpreter's positions: the text of a cell
// with slot s is evaluated under a line directive placing it at line s*slotLines + its own line, so an
// error's line tells which cell it is in even when the code runs later from a job. Cells are limited to this
// many lines.
const slotLines = 1000

// finish ends the execution. k.mu must not be held.
func (k *Kernel) finish(ex *Execution) {
	ex.unwatch()
	k.mu.Lock()
	if k.cur == ex {
		k.cur = nil
	}
	k.last = ex
	k.mu.Unlock()
}

// current returns the running execution if it belongs to generation gen.
func (k *Kernel) current(gen int) *Execution {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen != gen {
		return nil
	}
	if k.cur != nil {
		return k.cur
	}
	return k.last
}

// cellOf returns the id of the cell whose slot holds line, and the line within the cell.
func (k *Kernel) cellOf(line int) (string, int) {
	slot, l := line/slotLines, line%slotLines
	k.mu.Lock()
	defer k.mu.Unlock()
	for id, s := range k.slots {
		if s == slot {
			return id, l
		}
	}
	return "", line
}

// isIntGlobal reports whether the interpreter has a global called name holding an integer.
func (k *Kernel) isIntGlobal(in *interp.Interpreter) func(string) bool {
	return func(name string) bool {
		if !token.IsIdentifier(name) {
			return false
		}
		v, err := func() (v reflect.Value, err error) {
			defer func() {
				if recover() != nil {
					err = errors.New("panic")
				}
			}()
			return in.Eval(name)
		}()
		if err != nil || !v.IsValid() {
			return false
		}
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return true
		}
		return false
	}
}

// dropImported blanks out imports already made, which the interpreter would refuse as redeclared, and
// records the new ones. Lines and columns stay where they were.
func (k *Kernel) dropImported(c chunk) chunk {
	fset, f, prefix, err := parseChunk(c)
	if err != nil {
		return c
	}
	src := []byte(prefix + c.text)
	blank := func(from, to token.Pos) {
		for i := fset.Position(from).Offset; i < fset.Position(to).Offset; i++ {
			if src[i] != '\n' {
				src[i] = ' '
			}
		}
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		dup := 0
		for _, s := range g.Specs {
			is := s.(*ast.ImportSpec)
			path, _ := strconv.Unquote(is.Path.Value)
			name := path[strings.LastIndex(path, "/")+1:]
			if is.Name != nil {
				name = is.Name.Name
			}
			key := name + " " + path
			k.mu.Lock()
			seen := k.imports[key]
			k.imports[key] = true
			k.mu.Unlock()
			if seen {
				dup++
				if g.Lparen.IsValid() {
					blank(is.Pos(), is.End())
				}
			}
		}
		if dup == len(g.Specs) {
			blank(g.Pos(), g.End())
		}
	}
	c.text = string(src[len(prefix):])
	return c
}

// Execution is one run of a cell.
type Execution struct {
	Cell   Cell
	kernel *Kernel
	slot   int
	gen    int
	number int64 // the run's number in the process, the value of its goroutines' runLabel

	started time.Time
	done    chan struct{}
	ctx     context.Context // the cell's context
	cancel  context.CancelFunc
	unwatch func() bool // stops the end of the context from stopping the cell's jobs

	mu          sync.Mutex
	out         bytes.Buffer // stdout and stderr, interleaved as written
	value       string       // the value of the cell's last expression, if any
	err         error
	jobs        []*engine.Job
	results     []*Result
	canceled    bool
	interrupted bool
	panicPos    []string // the interpreter's "line:col" of each frame of a panic, innermost first, " main" added for top-level code
	ended       time.Time
}

// CellID returns the id of the cell run.
func (ex *Execution) CellID() string { return ex.Cell.ID }

// Done is closed when the cell has ended.
func (ex *Execution) Done() <-chan struct{} { return ex.done }

// Err returns the cell's error once it has ended: a *CellError for a cell that did not compile, panicked,
// failed a job or was interrupted; nil while it runs and for a cell that succeeded.
func (ex *Execution) Err() error {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.err
}

// Output returns what the cell has written so far to stdout and stderr (Print sinks included).
func (ex *Execution) Output() string {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.out.String()
}

// Value returns the formatted value of the cell's last expression ("" when it ends with a statement).
func (ex *Execution) Value() string {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.value
}

// Jobs returns the jobs the cell has started.
func (ex *Execution) Jobs() []*engine.Job {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return append([]*engine.Job(nil), ex.jobs...)
}

// JobStates returns the name, status and restarts of each job the cell started.
func (ex *Execution) JobStates() []JobState {
	jobs := ex.Jobs()
	out := make([]JobState, len(jobs))
	for i, j := range jobs {
		out[i] = JobState{Name: j.Name(), Status: j.Status(), Restarts: j.Restarts()}
	}
	return out
}

// Results returns the streams the cell collects, in the order it asked for them.
func (ex *Execution) Results() []*Result {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return append([]*Result(nil), ex.results...)
}

// Duration returns how long the cell has run (or ran).
func (ex *Execution) Duration() time.Duration {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if ex.ended.IsZero() {
		return time.Since(ex.started)
	}
	return ex.ended.Sub(ex.started)
}

// Running reports whether the cell has not ended yet.
func (ex *Execution) Running() bool {
	select {
	case <-ex.done:
		return false
	default:
		return true
	}
}

func (ex *Execution) addResult(name string, c *engine.Collected) {
	ex.mu.Lock()
	ex.results = append(ex.results, &Result{Name: name, Collected: c})
	ex.mu.Unlock()
}

func (ex *Execution) stdoutWriter() *cellWriter {
	return &cellWriter{k: ex.kernel, gen: ex.gen, only: ex}
}

// interrupt stops the cell as the learner's interrupt.
func (ex *Execution) interrupt() {
	ex.mu.Lock()
	ex.interrupted = true
	ex.mu.Unlock()
	ex.stop()
}

// stop ends the cell's context, which stops the interpreter, and cancels the jobs the cell has started and
// those it starts from now on.
func (ex *Execution) stop() {
	ex.mu.Lock()
	ex.canceled = true
	jobs := append([]*engine.Job(nil), ex.jobs...)
	ex.mu.Unlock()
	ex.cancel()
	for _, j := range jobs {
		j.Cancel()
	}
}

// CellError is a cell's failure, with the place in the cell it comes from when that is known.
type CellError struct {
	Cell      string // the id of the cell the error points into (it may be another cell than the one run)
	Line, Col int    // 0 when unknown
	Kind      string // "syntax", "compile", "panic", "job", "interrupted", "crash" (the kernel process died)
	Msg       string
}

func (e *CellError) Error() string {
	where := "cell " + e.Cell
	if e.Line > 0 {
		where += fmt.Sprintf(", line %d:%d", e.Line, e.Col)
	}
	return fmt.Sprintf("%s: %s: %s", where, e.Kind, e.Msg)
}

// posRE matches the positions the interpreter puts in its messages ("_.go:12:3: " or "12:3: ").
var posRE = regexp.MustCompile(`(?:_\.go:)?(\d+):(\d+): `)

// locate turns the interpreter's positions in msg into the cell and line they belong to, and returns the first.
func (k *Kernel) locate(msg string) (cell string, line, col int, rest string) {
	m := posRE.FindStringSubmatchIndex(msg)
	if m == nil {
		return "", 0, 0, msg
	}
	l, _ := strconv.Atoi(msg[m[2]:m[3]])
	c, _ := strconv.Atoi(msg[m[4]:m[5]])
	cell, line = k.cellOf(l)
	rest = msg[:m[0]] + msg[m[1]:]
	return cell, line, c, k.relabel(rest)
}

// relabel rewrites any other interpreter positions in s as cell:line:col.
func (k *Kernel) relabel(s string) string {
	return posRE.ReplaceAllStringFunc(s, func(p string) string {
		m := posRE.FindStringSubmatch(p)
		l, _ := strconv.Atoi(m[1])
		id, line := k.cellOf(l)
		return fmt.Sprintf("%s:%d:%s: ", id, line, m[2])
	})
}

func (ex *Execution) run(ctx context.Context, in *interp.Interpreter) {
	ex.labelRun()
	k := ex.kernel
	defer func() {
		if r := recover(); r != nil { // a bug of the interpreter itself: report it, keep the host alive
			ex.fail(&CellError{Cell: ex.Cell.ID, Kind: "panic", Msg: fmt.Sprintf("the interpreter failed: %v", r)})
		}
		ex.mu.Lock()
		ex.ended = time.Now()
		ex.mu.Unlock()
		k.finish(ex)
		ex.cancel()
		close(ex.done)
	}()
	if n := strings.Count(ex.Cell.Source, "\n"); n >= slotLines-1 {
		ex.fail(&CellError{Cell: ex.Cell.ID, Kind: "syntax", Msg: fmt.Sprintf("the cell has %d lines; split it into cells of fewer than %d", n, slotLines-1)})
		return
	}
	if !ex.Cell.Check {
		if line, col := usesCheck(ex.Cell.Source); line > 0 {
			ex.fail(&CellError{Cell: ex.Cell.ID, Line: line, Col: col, Kind: "syntax", Msg: "the name check belongs to the lesson's check cells: a cell of yours can neither call the check package nor declare a name check"})
			return
		}
	}
	chunks, err := split(ex.Cell.Source, k.hasFunc)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			ex.fail(&CellError{Cell: ex.Cell.ID, Line: se.Line, Col: se.Col, Kind: "syntax", Msg: se.Msg})
		} else {
			ex.fail(&CellError{Cell: ex.Cell.ID, Kind: "syntax", Msg: err.Error()})
		}
		return
	}
	for _, c := range chunks {
		if c.decl {
			c = k.dropImported(c)
		}
		c = lower(c, k.isIntGlobal(in))
		// A line directive puts the text at its cell's place in the interpreter's positions (line
		// slot*slotLines + its line, at its column), at a constant cost: padding with blank lines instead cost
		// memory growing with the square of the number of cells (yaegi keeps every evaluated file's line
		// table). The directive must begin a line, hence the leading newline. For statements a call of
		// startedCall comes first, so that yaegi reads the source as statements even when it begins with var
		// or const (which it would otherwise take as a file of declarations), and so that a stop yaegi lost
		// ends the code before it begins (see started).
		pad := fmt.Sprintf("\n//line :%d:%d\n", ex.slot*slotLines+c.line, c.col)
		if !c.decl {
			pad = "\n" + fmt.Sprintf(startedCall, ex.number) + pad
		}
		if err := ctx.Err(); err != nil { // stopped between chunks
			ex.fail(k.cellError(ex, ctx, c, err))
			return
		}
		v, err := in.EvalWithContext(ctx, pad+c.text)
		if err != nil {
			ex.fail(k.cellError(ex, ctx, c, err))
			return
		}
		if c.decl {
			k.mu.Lock()
			for _, name := range funcNames(c) {
				k.funcs[name] = true
			}
			k.mu.Unlock()
		}
		// The cell's value is that of its last chunk: a chunk that shows nothing clears an earlier one's.
		value := ""
		if c.show && v.IsValid() && v.CanInterface() && k.hasResults(in, c.callee) {
			value = formatValue(v)
		}
		ex.mu.Lock()
		ex.value = value
		ex.mu.Unlock()
	}
	// A cell that started jobs with ExecuteAsync ends while they run; Execute has already waited.
	if ex.Cell.Check {
		k.requireChecks(ex.Cell.ID)
	}
}

// hasResults reports whether a chunk ending in a call of callee (see chunk.callee) has a value to show:
// false for a function without results and for the builtins without one; true when callee is "" (the
// chunk ends in another expression) or cannot be evaluated on its own (a conversion, another builtin).
func (k *Kernel) hasResults(in *interp.Interpreter, callee string) bool {
	if callee == "" {
		return true
	}
	if resultlessBuiltins[callee] && !k.hasFunc(callee) {
		return false
	}
	f, err := in.Eval(callee)
	if err != nil || !f.IsValid() || f.Kind() != reflect.Func {
		return true
	}
	return f.Type().NumOut() > 0
}

// cellError explains an error of the interpreter in the cell's terms.
func (k *Kernel) cellError(ex *Execution, ctx context.Context, cur chunk, err error) *CellError {
	ex.mu.Lock()
	interrupted := ex.interrupted
	pos := append([]string(nil), ex.panicPos...)
	ex.mu.Unlock()
	if ctx.Err() != nil || interrupted {
		msg := "the cell was interrupted"
		if !interrupted {
			msg = "the cell was stopped: " + context.Cause(ctx).Error()
		}
		return &CellError{Cell: ex.Cell.ID, Kind: "interrupted", Msg: msg}
	}
	var p interp.Panic
	if errors.As(err, &p) {
		msg := goWords(k.relabel(fmt.Sprint(p.Value)))
		if msg == "nil type" {
			msg = "the interpreter cannot run this code (yaegi reports \"nil type\"); a range over a value it cannot type, or a generic call, is the usual cause: write a three-clause for loop or a non-generic function"
		}
		ce := &CellError{Cell: ex.Cell.ID, Kind: "panic", Msg: msg}
		switch {
		case len(pos) > 0 && !strings.HasSuffix(pos[0], " main"):
			ce.Cell, ce.Line, ce.Col, _ = k.locate(strings.Fields(pos[0])[0] + ": ")
		case cur.line > 0: // in the cell's top-level statement
			ce.Line, ce.Col = cur.line, cur.col
		}
		return ce
	}
	var te *engine.TaskError
	if errors.As(err, &te) || strings.Contains(err.Error(), "(subtask ") {
		ce := &CellError{Cell: ex.Cell.ID, Kind: "job", Msg: goWords(k.relabel(err.Error()))}
		if len(pos) > 0 && !strings.HasSuffix(pos[0], " main") {
			ce.Cell, ce.Line, ce.Col, _ = k.locate(strings.Fields(pos[0])[0] + ": ")
			ce.Msg += fmt.Sprintf(" (the panic is at cell %s line %d:%d)", ce.Cell, ce.Line, ce.Col)
		}
		return ce
	}
	cell, line, col, rest := k.locate(err.Error())
	if cell == "" {
		cell = ex.Cell.ID
	}
	if cell == ex.Cell.ID {
		rest = explainUndefined(rest, ex.Cell.Source, line, ex.Cell.Above)
	}
	return &CellError{Cell: cell, Line: line, Col: col, Kind: "compile", Msg: rest}
}

func (ex *Execution) fail(err *CellError) {
	ex.mu.Lock()
	if ex.err == nil {
		ex.err = err
	}
	ex.mu.Unlock()
}

// panicLineRE matches the frames the interpreter writes to stderr when interpreted code panics.
var panicLineRE = regexp.MustCompile(`^(\d+:\d+): panic: (main)?(\()?`)

// cellWriter sends the interpreter's output to the running cell. The interpreter's panic frames are kept as
// positions instead of being shown.
type cellWriter struct {
	k      *Kernel
	gen    int
	stderr bool
	only   *Execution // a Print sink's writer: always this execution
	line   []byte     // a partial stderr line
}

func (w *cellWriter) Write(p []byte) (int, error) {
	ex := w.only
	if ex == nil {
		ex = w.k.current(w.gen)
	}
	if ex == nil {
		return len(p), nil
	}
	if !w.stderr {
		// A job's error printed by the cell carries the interpreter's positions and reflect's words.
		s := goWords(w.k.relabelInternal(string(p)))
		ex.mu.Lock()
		ex.out.WriteString(s)
		ex.mu.Unlock()
		return len(p), nil
	}
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			break
		}
		line := string(w.line[:i+1])
		w.line = w.line[i+1:]
		m := panicLineRE.FindStringSubmatch(line)
		ex.mu.Lock()
		if m != nil {
			p := m[1]
			if m[2] != "" && m[3] != "" { // "main(": the top-level code of an Eval
				p += " main"
			}
			ex.panicPos = append(ex.panicPos, p)
		} else {
			ex.out.WriteString(line)
		}
		ex.mu.Unlock()
		if f := w.k.opts.OnPanic; f != nil && m != nil {
			cell, line, col, _ := w.k.locate(m[1] + ": ")
			f(cell, line, col)
		}
	}
	return len(p), nil
}

// formatValue formats a cell's last value as fmt's %v does, with strings quoted. A collected stream shows
// its values; other pointers, functions and channels show nothing (they are handles, not answers).
func formatValue(v reflect.Value) string {
	x := v.Interface()
	if c, ok := x.(*engine.Collected); ok {
		return fmt.Sprint(c.Values())
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return ""
	}
	if s, ok := x.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v", x)
}
