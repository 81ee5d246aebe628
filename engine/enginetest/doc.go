// Package enginetest tests one operator of the engine at a time, step by step, without running a job: Flink's
// operator test harnesses (KeyedOneInputStreamOperatorTestHarness, TwoInputStreamOperatorTestHarness and
// ProcessFunctionTestHarnesses), in the manner of net/http/httptest.
//
// A Harness runs the operator as one subtask of a job that never starts. Each call hands the operator one
// element (ProcessElement, or ProcessElement1 and ProcessElement2 for two inputs), one watermark
// (ProcessWatermark) or one move of processing time (SetProcessingTime), on the caller's goroutine, and
// returns once the operator has handled it, so what it emitted is known exactly: Output lists everything in
// order, Records and ExtractOutputValues the main output, Watermarks the watermarks and SideOutput a side
// output. Processing time starts at 0 and moves only when told.
//
// The harness also shows what the operator keeps: NumKeyedStateEntries counts the entries of its keyed state
// and NumEventTimeTimers and NumProcessingTimeTimers its live timers. A keyed function that is done with a key
// should bring them back to 0; a function that never clears a state or deletes a timer shows as a count that
// only grows, the state leak that makes a job's checkpoints grow for ever.
//
// Snapshot takes the operator's state as a checkpoint does, and Options.Restore starts a new harness from one
// or several snapshots, redistributing keyed state by key group when Options.Parallelism and
// Options.Subtask differ from the snapshots' (a rescaled restore).
//
// Constructors exist for the common functions (ForKeyedProcessFunction, ForProcessFunction,
// ForKeyedCoProcessFunction, ForCoProcessFunction) and for any pipeline of one chain of operators built on a
// keyed stream, a stream or two streams (ForKeyedOperator, ForOperator, ForTwoInputOperator), which covers
// windows, rolling aggregations and joins. A panic in the function under test is returned as an
// *engine.TaskError naming the operator and the element.
//
// The package is callable from notebook cells: its API has no generics and takes the engine's plain
// function types.
package enginetest
