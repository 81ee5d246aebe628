// Package interp runs the Go cells of Weir notebooks with the yaegi interpreter (github.com/traefik/yaegi
// v0.16.1), against the engine and the sources.
//
// A Kernel holds one interpreter per notebook: what a cell declares is seen by the cells run after it.
// Kernel.Start runs a cell in the background and returns an Execution that reports, while the cell runs,
// its output (stdout, stderr and Print sinks), the jobs it started and the streams it collects (Results,
// shown in a result mode: append, table, changelog or value). A Session adds a notebook: In[n] counters,
// cell states, and stale marks on later cells when an earlier one runs again, over a Runner (a Kernel, or a
// kernel process); Session.RunAll is the headless runner behind weir run and weir check.
//
// Every cell starts with fmt, math, sort, strings, time, engine, sources and check imported; other packages
// of the standard library, and the engine's operator test harness (github.com/de4e/weir/engine/enginetest),
// need an import line. check is the package of exercise checks (check.Equal,
// check.True, check.Answer); it exists only inside the kernel, and only a lesson's check cells may use it.
// The recordings' answers are theirs alone too: sources.Answers, sources.ComputeAnswers and
// sources.WriteBundled are withheld from the sources package cells see (withheldSymbols).
//
// # SQL cells
//
// A cell whose fence is ```sql (notebook.LangSQL) runs Flink SQL through engine/table, in one
// TableEnvironment per kernel: a table or view one SQL cell creates is seen by the next, until Restart. Its
// statements run in order, as Flink's SQL client runs a script: CREATE, DROP and SET say "[INFO] Execute
// statement succeeded.", an INSERT INTO reports its job, EXPLAIN prints its plan, and a query, SHOW or
// DESCRIBE becomes a Result that fills while its job runs. The cell waits for each job, so a query over an
// unbounded source runs until Interrupt, which cancels it. A query's Result is shown in the SQL client's
// result modes: tableau (the default), table or changelog, as SET 'sql-client.execution.result-mode' chose
// before the query, unless the cell's mode (notebook.Meta.Mode) names one of them (SQLModes). A statement
// the parser or planner refuses fails the cell with a *CellError of kind "sql" at its line and column.
//
// Go cells reach the same catalog through a package that exists only inside the kernel:
//
//	import "weir/sqlcells"
//	tenv := sqlcells.TableEnvironment() // the *table.Environment of the SQL cells
//	tenv.CreateTemporaryView("big", tenv.From("bids").Where("price > 100"))
//
// sqlcells.StreamEnvironment returns the engine Environment under it, on which a DataStream is built for
// tenv.FromDataStream, and sqlcells.Result(id) the *table.TableResult of the last query of SQL cell id's
// latest run, for check cells (check.Equal("counts", sqlcells.Result("counts").Rows(), want)). The
// environment is made with the kernel's Config of the moment it is first used; the job of each later
// statement starts from the kernel's Config of its moment (Kernel.SetConfig: the workbench's delivery
// guarantee), and SET 'execution.checkpointing.mode' or 'execution.checkpointing.interval' in a cell wins
// over it for the statements after the SET, as in Flink's SQL client. The DataStreams of
// sqlcells.StreamEnvironment keep the Config it was made with, but a statement that reads them takes the
// checkpointing of the moment.
//
// # Errors
//
// A bad cell never takes the workbench or weir run down. A syntax error, a compile error, a panic (in the cell
// or in a user function inside a running job) and an interrupt each end the cell with a *CellError that names
// the cell, the line and column within it and what happened; the kernel stays usable. Interrupt (and the end
// of the cell's context) stops the interpreter at its next loop iteration or call and cancels the cell's jobs.
// A goroutine blocked for good (on select {}, a channel nobody sends to, a long time.Sleep, a mutex, or a
// user function in a job that never returns) cannot be stopped from outside in Go: Execution.Goroutines
// counts what the cell left (every goroutine carries its cell run's profiler label, which the goroutines it
// starts inherit), and a kernel process ends itself when some are left 2 s after the interrupt, so that its
// client starts a new one (ErrGoroutinesLeft).
//
// What no in-process kernel can survive (a panic in a goroutine the cell started, a recursion that never ends,
// which is a fatal stack overflow, or a heap that outgrows the machine) ends the process the Kernel runs in.
// So the workbench and weir run do not use a Kernel directly: a Session runs its cells through a Runner, and
// theirs is a kernel process (package github.com/de4e/weir/kernel, NewSessionOn), which has a memory limit
// and, when it dies, fails the running cell with a *CellError of kind "crash" that says why and starts again
// with nothing declared. A Kernel (NewSession) is the in-process Runner, for tests and weir --in-process.
//
// # Supported Go
//
// yaegi v0.16.1 implements Go 1.21 without some later features. The kernel handles the gaps so that a
// learner gets working code or a message that says what to write:
//
//	Go                                   in a cell
//	declarations and statements mixed    yes: the cell is cut into pieces evaluated in order
//	importing a package twice            yes: imports already made are skipped
//	for i := range n (Go 1.22)           lowered to for i := 0; i < n; i++ when n is an integer the cell
//	                                     shows (literal, len, conversion, arithmetic, integer variable)
//	min, max, clear (Go 1.21)            refused, with what to write instead (unless the cell defines them)
//	range over functions (Go 1.23)       not supported: yaegi fails; use a slice or a callback
//	x, y := f() at the top of a cell     lowered to temporaries: yaegi gives such globals a type that
//	                                     functions called from other functions cannot read
//	x, y := f() in the body of a         refused, with what to write: yaegi leaves x and y undefined;
//	top-level if, for or switch          inside a function it works
//	return v.(int64) % 1000 into any     lowered to return(v.(int64) % 1000): yaegi panics ("reflect:
//	                                     call of reflect.Value.SetInt on interface Value") on a value
//	                                     returned or assigned with = into an interface whose outermost
//	                                     operator is %, <<, >>, a comparison or ! (SetBool), and stores
//	                                     nil for unary - and ^; in parentheses it is stored right
//	generic functions and types          partly: calls of generic functions of compiled packages fail
//	struct types declared in a cell      yes; the engine sees them as structs with the same fields
//	goroutines, channels, select         yes; Interrupt stops them at their next loop or call, and a
//	                                     kernel process restarts when some are blocked for good
//
// Other yaegi bugs can surface as panics from the reflect package; the cell then fails with the panic and
// its place. Known ones, with what to write instead:
//
//	a range variable of a compiled named type passed on through two interpreted calls: move the code to
//	  the top of the cell, or into one function
//	return job, len(c.Values()) from a function with two results: compute the len into a variable first
//	  ("reflect.Value.SetInt on ptr Value")
//
// An interpreted call costs about a microsecond, against nanoseconds compiled: jobs that must be fast use
// the engine's compiled helpers (KeyByField, Sum, Count, SumOf, AverageOf, field-named timestamps) and keep
// interpreted functions for what only the lesson's code can say.
package interp
