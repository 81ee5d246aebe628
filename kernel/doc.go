// Package kernel runs a notebook's cells in a kernel process of their own, as Jupyter does, so that no cell
// can take the workbench or weir run down with it: a panic in a goroutine a cell started, a recursion
// without end (a fatal stack overflow) or a heap past the memory limit ends the kernel process, and the
// client says why, starts a new kernel and goes on.
//
// The hidden command weir kernel is the kernel process: Main serves the protocol below on its stdin and
// stdout. A Client starts one (this program with the argument "kernel", Options.Command) and is an
// interp.Runner, so that an interp.Session runs its cells through it exactly as through an in-process
// interp.Kernel (interp.NewSessionOn).
//
// # Deaths
//
// When the kernel process ends without being asked to, the running cell (if any) fails with a
// *interp.CellError of kind "crash" whose message is "the kernel died: <reason>; it was restarted, and what
// the cells declared is lost: ...", Client.Died counts the death and returns the reason, and a new process
// starts. Nothing runs again by itself: the cells that declared what the next cell needs must be run again.
// The reason is read from the end of the dead process's stderr and its exit status:
//
//	the cell's goroutines did not stop: ...      the interrupted cell's goroutines were still running 2 s
//	                                             after the interrupt (exit status 4, interp.ErrGoroutinesLeft);
//	                                             the cell fails as interrupted, saying so
//	panic: <message> (cell <id>, line <l>:<c>)   a panic nobody recovered, placed at the innermost frame
//	                                             of interpreted code the interpreter reported
//	stack overflow: a recursion that never ends? a goroutine's stack passed 256 MiB
//	memory limit exceeded: the heap holds ...    the heap passed Options.MemoryLimit (exit status 3)
//	out of memory, other fatal errors            the Go runtime's words
//	killed by signal <name>                      a signal (the system's OOM killer sends SIGKILL)
//
// The memory limit (Options.MemoryLimit, DefaultMemoryLimit 2 GiB) is set with debug.SetMemoryLimit, so
// that the collector works harder as the heap nears it, and watched every 50 ms: a heap still over it after
// a collection ends the process with ExitMemoryLimit. Restart and Close end the process too, and with it
// every goroutine and job the cells started.
//
// An interrupt stops the cell's interpreted code at its next loop iteration or call and cancels its jobs,
// but Go cannot stop a goroutine blocked for good (select {}, a channel nobody sends to, a long sleep, a
// mutex, a user function in a job that never returns). So after an interrupt (or the end of a cell's
// context) the kernel counts the cell's goroutines (interp.Execution.Goroutines) every 50 ms and holds the
// cell's done event until none is left; if some are still running 2 s after the interrupt, it ends itself
// with ExitGoroutinesLeft, saying how many on stderr, and the client starts a new kernel as after a death:
// the cell fails as interrupted with that reason, and Died returns interp.ErrGoroutinesLeft, wrapped.
//
// # Protocol
//
// Jupyter's kernels speak its messaging protocol over five ZeroMQ sockets (shell, iopub, stdin, control,
// heartbeat), with signed multipart messages; Weir's workbench needs more than it carries (the engine's job
// snapshots and events for the live views, replay control, drawn results in every mode) and no network, so
// the kernel speaks a small line protocol over a pipe instead: one JSON object a line, requests on the
// kernel's stdin, events on its stdout. The kernel's stderr is not part of it: the client keeps its last
// 64 KiB to explain a death, and the kernel points os.Stdout at it so that a cell cannot write into the
// protocol. The kernel ignores SIGINT (the terminal's ctrl+c reaches weir run's whole process group): its
// client interrupts it with a request. It ends when its stdin does, so it never outlives its client.
//
// Requests carry "op":
//
//	{"op":"init","init":{"dir":..,"lang":..,"reveal_answers":..,"config":{..},"speed":..,"paused":..,"memory_limit":..}}
//	    first, and only first: the kernel's interp.Options and memory limit; the kernel answers "ready"
//	{"op":"run","run":N,"cell":{"ID":..,"Source":..,"Lang":..,"Check":..,"Key":..,"Above":[..]}}
//	    run a cell (interp.Cell); N numbers the run, and every event about it carries "run":N
//	{"op":"interrupt","run":N} / {"op":"interrupt","run":N,"cause":"it ran longer than 2m0s"}
//	    stop run N: as the learner's interrupt, or as the end of its context with that cause; ignored
//	    when run N has already ended, so that it cannot stop the next cell (without "run": whatever runs).
//	    Its done event waits until the cell's goroutines have stopped, or the kernel ends itself (Deaths)
//	{"op":"config","config":{..}}      the engine.Config of environments made from now on (no Clock, Stdout)
//	{"op":"replay","speed":S} / {"op":"replay","paused":true|false} / {"op":"replay","step":true}
//	{"op":"checkpoint","seq":Q,"job":J} / {"op":"savepoint","seq":Q,"job":J,"dir":D} / {"op":"kill-tm","seq":Q,"job":J,"tm":T}
//	    act on job J (counted from 0 in the order cells started them); the reply carries "seq":Q
//
// Events carry "ev":
//
//	{"ev":"ready"}
//	{"ev":"update","run":N,"output":..,"value":..,"results":[{"name":..,"drawn":{..}}],"jobs":[..],"checks":[..]}
//	    every 100 ms while the cell runs, and once when it ends: output is what the cell wrote since the
//	    last update; each result is drawn (interp.Drawn) in every mode of its language with the cell's key,
//	    or has no "drawn" when it has not changed
//	{"ev":"done","run":N,"err":{"Cell":..,"Line":..,"Col":..,"Kind":..,"Msg":..},"checks":[..],"duration":ns}
//	{"ev":"panic","cell":..,"line":L,"col":C}
//	    a frame of a panic in interpreted code, innermost first, sent before the panic ends the cell or the
//	    process
//	{"ev":"live","live":{"job":J,"name":..,"snapshot":{..},"events":[..],"iteration":{..},"task_managers":[..]}}
//	    the newest job's engine.JobSnapshot and new engine.Events (keys as text) every 200 ms while it runs,
//	    and once when it has ended, for the live views
//	{"ev":"replays","replays":[..]}    the replays' sources.Progress, when it changes
//	{"ev":"reply","seq":Q,"id":ID,"error":..}
package kernel
