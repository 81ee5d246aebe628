// Package engine is Weir's embedded stream-processing engine, built to behave as Apache Flink does so that
// what a learner sees here is what Flink would do.
//
// # Programs
//
// A program builds a graph on an Environment and runs it with Execute. Building is lazy: sources, Map,
// KeyBy, Window and sinks only record operators; nothing runs until Execute (or ExecuteAsync, which returns
// a Job handle at once).
//
//	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
//	clicks := env.FromSource(src, &strategy, "clicks")
//	clicks.KeyByField("Page").
//		Window(engine.TumblingEventTimeWindows(15 * time.Second)).
//		Aggregate(engine.Count(), engine.WithKeyAndWindow).
//		Print()
//	job, err := env.Execute("clicks per page")
//
// Records are values of any type and user functions are plain function types (MapFunc, KeySelector, ...)
// or structs of functions (ProcessFunction, AggregateFunction). The API has no generic functions, so Go
// cells interpreted by yaegi can call all of it.
//
// # Runtime
//
// Execute turns the graph into a Plan: operators connected forward with equal parallelism are fused into a
// chain, and each chain becomes a vertex whose parallel subtasks run in their own goroutines. A JobManager
// places subtask i of every vertex in slot i (Flink's slot sharing) of the TaskManagers in Config. Subtasks
// exchange records in buffers over bounded channels with a fixed number of credits per channel, so a slow
// operator backpressures its producers. KeyBy partitions by key group (Config.MaxParallelism of them, 128 by
// default, with Flink's range formulas), the unit in which keyed state moves when a job is rescaled.
//
// # Time
//
// Event time comes from a WatermarkStrategy (ForBoundedOutOfOrderness: watermark = largest timestamp - bound -
// 1 ms; ForMonotonousTimestamps; ForGenerator), applied in the source or with AssignTimestampsAndWatermarks,
// emitted periodically or per record, with idleness. An operator's watermark is the minimum over its inputs,
// ignoring idle ones. When a bounded input ends it emits MaxWatermark, which fires every event-time window
// and timer. Processing time comes from Config.Clock: the wall clock by default, a VirtualClock in tests and
// scripted replays, so that every run can be reproduced.
//
// # Windows, state and timers
//
// Tumbling, sliding and session windows in event and processing time, global and count windows, with
// triggers, evictors, allowed lateness (late firings) and a side output for late records; results carry the
// window's max timestamp (end - 1). ProcessFunction on a KeyedStream gets ValueState, ListState, MapState,
// ReducingState and AggregatingState (each with an optional TTL) and event- and processing-time timers.
// State lives in a heap backend or on disk in Pebble (Config.StateBackend).
//
// # Fault tolerance
//
// With Config.Checkpointing, a coordinator injects barriers at the sources; operators with several inputs
// align them, snapshot their state and forward them; a checkpoint completes when its metadata file is
// renamed into place. A failed attempt restarts (Config.Restart) from the newest intact checkpoint, sources
// rewind, and two-phase-commit sinks (SinkToFiles, SinkToTransactional) commit only what a completed
// checkpoint covers: exactly-once results. Faults injects failures at named Failpoints to show it.
//
// # Observing a job
//
// Job.Snapshot returns live figures (records, rates, watermarks, open windows, state sizes, backpressure,
// checkpoints) without slowing the job; Job.Events returns discrete events such as window firings and late
// records. The workbench polls both.
package engine
