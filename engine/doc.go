// Package engine is Weir's embedded stream-processing engine, built to behave as Apache Flink does so that
// what a learner sees here is what Flink would do.
//
// # Programs
//
// A program builds a graph on an Environment and runs it with Execute. Building is lazy: sources, Map,
// KeyBy, Window and sinks only record operators; nothing runs until Execute (or ExecuteAsync, which returns
// a Job handle at once).
//
// ExecuteAsyncOf starts a job of only some streams of an Environment (each given sink and everything it
// reads), as Flink's TableEnvironment makes the pipeline of one statement; engine/table runs a query over a
// DataStream with it, so the Environment's other sinks and earlier queries are not run again.
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
// A function written in a cell costs an interpreter call per record (about 1 µs). Two forms avoid it, and
// Flink has no exact equivalent of either: the declarative field helpers, compiled Go the engine runs
// itself (filters FieldEquals, FieldNotEquals, FieldLess, FieldGreater and FieldIn, projections KeepFields
// and RenameField, with KeyByField and the built-in aggregates Count, SumOf and AverageOf), and the batch
// forms MapBatch, FilterBatch and FlatMapBatch, whose function takes up to BatchSize records per call. A
// batch is handed on before every watermark, checkpoint barrier and the end of the input, so batching
// changes neither results nor exactly-once.
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
// An input is idle after WatermarkStrategy.WithIdleness's timeout or when its source returns an Idle marker,
// until its next record: an idle input does not hold watermarks back, and when the last active input becomes
// idle the largest watermark of all inputs is flushed (Flink's StatusWatermarkValve). A record may have no
// timestamp (Context.HasTimestamp, TimestampedValue.HasTimestamp): a source element with NoTimestamp, or the
// output of a processing-time timer; whatever a timestamp assigner returns, even math.MinInt64, is a
// timestamp. Event-time windows refuse records without one. Job.Snapshot shows which inputs are idle.
//
// Watermark alignment (WatermarkStrategy.WithWatermarkAlignment, Flink's FLIP-182 and FLIP-217) keeps the
// readers of the sources in one group within a maximum drift of each other: every update interval of the
// job's processing clock the job takes the group's lowest watermark over readers that are neither idle nor
// finished, and a reader whose watermark is above it plus the drift stops reading (it still handles
// checkpoints) until a later announcement allows it. Job.Snapshot reports each aligned source subtask's
// group, watermark, maximum allowed watermark and whether it is paused.
//
// # Windows, state and timers
//
// Tumbling, sliding and session windows in event and processing time, global and count windows, with
// triggers, evictors, allowed lateness (late firings) and a side output for late records; results carry the
// window's max timestamp (end - 1). ProcessFunction on a KeyedStream gets ValueState, ListState, MapState,
// ReducingState and AggregatingState (each with an optional TTL) and event- and processing-time timers.
// State lives in a heap backend or on disk in Pebble (Config.StateBackend). A heap checkpoint is
// copy-on-write: a state value whose type has a method CopyState() any (an accumulator the function changes
// in place, then puts back with Update, as it must for Pebble) is copied only when it is first read after a
// checkpoint froze it, so the checkpoint keeps the value of its moment; other values must be replaced, not
// changed in place. Putting back the value Get returned costs no second lookup on the heap. Checkpoints and
// Pebble write state in binary: scalars, slices and maps of values, times, and the engine's and the SQL
// planner's own values (accumulators, windows, rows); only values of other types, such as a user's structs,
// go through encoding/gob, so a job restored in a new process registers those first (RegisterType).
//
// A window function (ProcessWindowFunc) gets a WindowContext, Flink's ProcessWindowFunction.Context: the
// window, both clocks, side outputs, WindowState (per key and window) and GlobalState (per key); a
// ProcessWindowFunction's Clear runs when a window is cleaned up, to drop its per-window state. Triggers
// follow Flink's: continuous triggers cap each next firing at the window's end (so they fire at the end and
// never after it), DeltaTrigger and ProcessingTimeoutTrigger wrap record deltas and timeouts, and
// GlobalWindowsWithEndOfStreamTrigger fires once when the input ends. Processing-time tumbling windows can be
// staggered per subtask (WindowStagger). Window builders refuse bad sizes, offsets, gaps and counts when the
// program is built.
//
// The window operator's fast path (event-time windows with the default trigger) registers a window's timer
// once per key, when the window gets its first record, and with no allowed lateness that timer is also the
// window's cleanup timer; merging (session) windows likewise register and delete each timer once, outside the
// timer queue's set of live timers (a deleted one is found in the bucket of its time). On the heap backend,
// the contents of windows that do not merge are kept window-major: per window, a hash table from key to
// accumulator (keyed by the hash the key group is computed from),
// updated with one probe per record and dropped whole when the window's last key fires; Count, SumOf and
// AverageOf keep their accumulators unboxed there. A key's session windows are a small sorted slice that
// in-order input changes at its ends (a new session appended, the first one fired), and on the heap each
// session keeps its contents in its entry, so a record costs one lookup of its key; a snapshot copies the
// sets in its synchronous phase. A heap checkpoint holds these entries by key group
// as it holds any keyed state, so restoring and rescaling are unchanged, and checkpoints written before this
// layout restore into it.
//
// # Joins and broadcast state
//
// DataStream.Join and CoGroup pair the records of two streams by key within windows (Where, EqualTo, Window,
// Apply): the inputs are tagged, unioned, keyed and windowed, so triggers, evictors and allowed lateness
// apply, and results carry the window's max timestamp. KeyedStream.IntervalJoin joins each left record at t
// with the right records of its key in [t+lower, t+upper] (Between, with exclusive bounds if asked), in event
// time only; both sides wait in keyed state until the watermark passes the last time they can join, and late
// records are dropped or go to SideOutputLeftLateData / SideOutputRightLateData.
//
// DataStream.BroadcastWithState(descriptors...) broadcasts a low-volume stream and declares map states that
// ConnectBroadcast's ProcessBroadcastElement writes and every regular element reads (read-only); on a
// KeyedStream the function also has keyed state, timers and ApplyToKeyedState. Broadcast state is operator
// state: checkpointed per subtask, and on restore with another parallelism each new subtask copies old
// subtask i mod the old parallelism. As in Flink, subtasks may see broadcast elements in different orders;
// for exact results judge regular elements in event-time timers.
//
// # Sinks
//
// Print, Collect, SinkTo and WriteAsText end a stream; AddSink ends it in a SinkFunction made per subtask,
// Flink's RichSinkFunction: Open(subtask, parallelism) before the first record, Invoke for each record,
// Close when the subtask has finished its input. A failed attempt is not closed, so a sink holding a
// resource releases an earlier attempt's when it is opened again. Package sources builds its CSV and NDJSON
// FileSink on it, and on TwoPhaseCommitSink for exactly-once output.
//
// A TwoPhaseCommitSink that implements TransactionLister (FileSink does) has, when an attempt starts and after
// the restored checkpoint's pre-committed transactions are committed, every transaction that earlier attempts
// or processes left open aborted (EventTransactionsAborted), as Flink's FileSink discards in-progress files
// written after the checkpoint it restores; one that implements LingeringAborter (the Kafka sink) is asked
// at the same point to abort what earlier attempts left open, given its parallelism, so that it also finds
// the transactions of subtasks a run at a higher parallelism had. A job that starts from the beginning in the checkpoint directory
// of a job that committed output and never finished fails with ErrRecoveryBehindCommit unless
// CheckpointConfig.AtLeastOnceRecovery. The Pebble backend turns a write failure of its database (a full
// disk) into a task failure naming the directory, instead of waiting on Pebble's retried flush.
//
// # Async I/O and cancellation
//
// DataStream.OrderedWait and UnorderedWait (and their WithRetry variants) are Flink's AsyncDataStream: an
// AsyncFunction starts a request per record and completes its ResultFuture from any goroutine. Up to
// capacity requests are in flight (a full queue backpressures the input); results keep their record's
// timestamp; ordered mode emits in input order, unordered mode in completion order but never across a
// watermark. Completions, timeouts and retries are handled on the subtask's goroutine, and in-flight records
// are kept in checkpoints and called again after a restore. Environment.ExecuteContext runs a job under a
// context.Context: cancelling it cancels the job, and the context sources (SourceContext.Context) and
// requests get is cancelled whenever the job's attempt stops.
//
// # Batch execution mode
//
// Config.RuntimeMode is Flink's execution.runtime-mode: Streaming (the default), Batch, or Automatic, which
// picks Batch when every source is Bounded (SliceSource, GeneratorSource with a Count, package sources'
// FileSource and Replay) and Streaming otherwise; Job.RuntimeMode says which ran. In Batch every keyed
// operator holds its input (in its share of the slot's managed memory, spilling beyond it) until it ends, sorts it by key and then timestamp, and processes one
// key at a time with the watermark at -inf, so nothing is late; when a key is done its event-time and then
// processing-time timers fire with the watermark at +inf (timers those callbacks register are ignored), so
// windows fire at the end of input, key by key. Only the final watermark flows between operators. Rolling
// aggregations (Reduce, Sum, Min, Max, MinBy, MaxBy) emit only each key's final value, stamped MaxWatermark;
// a keyed broadcast operator reads its broadcast input first. Periodic checkpointing is switched off (an
// EventCheckpointingDisabled event says so) and TriggerCheckpoint and TriggerSavepoint return
// ErrBatchCheckpoint. Final results equal Streaming's for input without late records.
//
// A Batch job runs stage by stage, as Flink's batch scheduler does. Plan.BatchStages splits the plan into
// pipelined regions: vertices joined by forward edges form one stage, and every other exchange (KeyBy,
// Rebalance, Broadcast, Global, PartitionByHash, PartitionByRange) is a blocking result partition between
// stages; regions whose blocking edges would form a cycle are merged. A stage starts when every stage it reads
// has finished. Each producer subtask writes all of its output, per consumer subtask, into a result partition
// that stays in memory up to Config.BlockingPartitionRecords records (default 65536) and beyond that is
// written to checksummed files under the job's temporary directory; consumers read their subpartitions in
// producer-subtask order, and a result is released once every stage reading it has finished. A failure
// restarts only the failed stage (Flink's RestartPipelinedRegionFailoverStrategy), within Config.Restart. A
// result that is missing or corrupt (ErrPartitionNotFound), or lost with a killed TaskManager, makes its
// producer stage run again first. Sinks stay exactly-once across these restarts: a stage's Collect and
// two-phase-commit sinks are committed when the stage finishes, a failed attempt's output is aborted, and a
// stage rerun to rebuild a lost result does not commit its sinks again; plain sink functions (SinkTo, Print,
// WriteAsText, AddSink) are at-least-once. JobSnapshot.Stages and the stage-running, stage-finished,
// stage-failed and partition-lost events report progress, and the workbench shows a stages pane in place of
// watermarks. Unlike Flink, Weir restarts a whole stage rather than only the failed parallel pipeline in it,
// and runs stages one at a time.
//
// # Bounded jobs: DataSet operations
//
// Flink's DataSet operations run on bounded DataStreams as its migration guide maps them: operators that
// need all of their input keep it in keyed state (KeyedStream.ReduceGroup, Aggregate, FirstN,
// FirstNSorted, DataStream.CoGroupBounded, JoinBounded, Cross) or operator state (SortPartition,
// PartitionByRange, FlatMapWithBroadcastSet) and emit when the input ends, so checkpoints taken while it
// is read keep what they hold. JoinBounded gives inner and outer joins (nil for the missing side) with
// Flink's join hints: sort-merge, hash (build either side) and broadcast hash. Distinct, PartitionByHash
// and PartitionByRange (boundaries from a sample) complete the set.
//
// In Batch mode these operators keep no keyed state. ReduceGroup, CoGroupBounded, Aggregate, FirstN and Cross
// receive their input sorted by key and emit each key when the next begins. JoinBounded runs its hint's
// strategy on managed memory as Flink's batch drivers do: sort-merge sorts both inputs through spilling
// external sorters and merges them; the repartition hash hints build the named input into a hybrid hash join,
// spill partitions that do not fit and join them recursively; the broadcast hints build the broadcast input in
// every subtask. The probe input waits in spilling pages until both inputs have ended. Each join takes its
// share of its slot's managed memory; spill files live in the job's working directory and are removed when the
// operator closes or the job ends.
//
// Environment.ExecuteDataflow builds a dataflow with a function on a fresh Environment with the caller's
// Config and Observer and runs it as one bounded job, so a library can run one job after another for a
// caller's Environment, each shown live; package engine/graph (Gelly) runs every graph operation and
// superstep this way.
//
// Environment.IterateBulk is Flink's bulk iteration (iterate(n), closeWith(result, terminationCriterion)):
// Step maps the partial solution to the next one for up to MaxIterations supersteps, or until the
// termination criterion's stream is empty. Environment.IterateDelta is Flink's delta iteration
// (iterateDelta, closeWith(solutionSetDelta, newWorkset)): a solution set keyed by a KeySelector, updated by
// each superstep's delta (a record replaces its key's entry), and a workset; it ends when the workset is
// empty or after MaxIterations. Unlike Flink, which runs an iteration in one job with a feedback channel and
// superstep barriers, Weir runs each superstep as one bounded job on the caller's Config, fed the previous
// result from a bounded source; the driver holds the solution set between supersteps and hands it to each
// one as a stream. Each superstep reaches the Observer, logs an EventSuperstepCompleted, and is described by
// a SuperstepInfo (workset, delta and solution-set sizes) in the IterationResult and to OnSuperstep. Errors
// wrap ErrIteration and name the superstep.
//
// Aggregators are Flink's: BulkIteration.Aggregators (and DeltaIteration's) register named Aggregators
// (LongSumAggregator, DoubleSumAggregator, or a Zero and Aggregate pair), and ConvergenceAggregator with
// Convergence registers a ConvergenceCriterion over one of them (LongZeroConvergence, DoubleZeroConvergence,
// DoubleThresholdConvergence). A step reaches them through env.IterationRuntimeContext(): what superstep N's
// functions add with IterationAggregator(name).Aggregate is combined over all subtasks, recorded in
// SuperstepInfo.Aggregates, returned by PreviousIterationAggregate in superstep N+1, and asked of the
// criterion, which ends the iteration with EndedConvergence. SolutionSetEntry probes a delta iteration's
// solution set in place, as Flink's solution-set join does; a step that only probes it does not stream it.
// Job.Iteration leads from any superstep's job to the iteration's IterationProgress, whose Snapshot the
// workbench polls while the iteration runs.
//
// Managed memory. Each TaskManager has Config.ManagedMemorySize bytes of managed memory (Flink's
// taskmanager.memory.managed.size; default 128 MiB, or ManagedMemoryFraction of TaskManagerMemory), divided
// evenly among its slots and handed out in pages of MemorySegmentSize. In Batch mode a keyed operator's input
// is serialised into its share of those pages, sorted by key, timestamp and arrival with normalised keys kept
// in the pages (Flink's NormalizedKeySorter), spilled as sorted runs to Config.TempDir when the share is full,
// and merged, so a bounded job's sort holds its budget rather than its input. Job.Snapshot reports each
// TaskManager's managed memory, network buffers, heap and Pebble state and spills (JobSnapshot.Memory).
// Batch joins take their pages from the slot's managed memory and show in JobSnapshot.Memory while they run.
// In Streaming mode each keyed operator on the Pebble backend reserves its even share of the slot's managed
// memory for a write-back cache of hot entries (package state's pebble_cache.go): reads and writes of cached
// keys stay in memory, and changes reach Pebble in batches, when the cache evicts and, for entries that stay
// unchanged over a checkpoint interval, a few per write after a checkpoint. A checkpoint's synchronous phase
// only captures the changed entries (copy-on-write) and links Pebble's files; its asynchronous phase writes
// the captured entries as an sstable of their own, which a restore ingests.
// In Batch mode KeyedStream.Reduce and the rolling aggregations are a hash aggregation (Flink's hash-based
// reduce): each key's accumulator is kept in a hash table in managed pages, and when the table is full its
// partial results spill to sorted runs that are merged at the end. The blocking results between Batch stages
// stay in memory up to Config.BlockingPartitionRecords records or Config.BlockingPartitionMemory bytes
// (default 4 MiB), then go to files.
//
// # Fault tolerance
//
// With Config.Checkpointing, a coordinator injects barriers at the sources; operators with several inputs
// align them, snapshot their state and forward them; a checkpoint completes when its metadata file is
// renamed into place. A failed attempt restarts (Config.Restart) from the newest intact checkpoint, sources
// rewind, and two-phase-commit sinks (SinkToFiles, SinkToTransactional) commit only what a completed
// checkpoint covers: exactly-once results. Job.KillTaskManager and a source's Crash records show it; tests
// inject failures at named failpoints through package engine/enginetest. A restart never goes back past a
// checkpoint whose output a sink already committed unless CheckpointConfig.AtLeastOnceRecovery allows it
// (ErrRecoveryBehindCommit), and LatestCheckpoint returns only a checkpoint whose metadata and every state
// file pass their checks (VerifyCheckpoint).
//
// # Configuration
//
// Every Config default is stated on its field and applied when the Environment is made (Environment.Config
// returns the result). Config.Merge lays a program's own Config over defaults, as the workbench does with a
// cell's: the fields the program sets win. Guarantee's zero value, DefaultGuarantee, means exactly-once unless
// such a default chooses another. A job without CheckpointConfig.Dir keeps its checkpoints in a temporary
// directory that is removed when it ends.
//
// # Testing operators
//
// Package enginetest drives one operator (a ProcessFunction, a CoProcessFunction, a window or any chain on a
// keyed stream or on two streams) step by step without running a job, as Flink's operator test harnesses:
// elements, watermarks and processing time are handed to it on the caller's goroutine, and the test reads its
// output, side outputs, keyed state entries and timers, and can snapshot it and restore a new harness from the
// snapshot (rescaled by key group). The engine's scenario scripts run on the same harness.
//
// # Observing a job
//
// Job.Snapshot returns live figures (records, rates, watermarks, open windows, state sizes, backpressure,
// checkpoints) without slowing the job; Job.Events returns discrete events such as window firings and late
// records. The workbench polls both. A library that builds its operator from the public API publishes its own
// figures with DataStream.Gauge (Flink: a gauge on the operator's metric group): Job.Snapshot calls the gauge
// on the polling goroutine and puts its value in the operator's OperatorSnapshot.Gauges. Package engine/cep
// publishes its Stats this way (cep.StatsGauge), which the workbench draws live.
//
// # Libraries beside the engine
//
// Flink's libraries are packages of their own, built on this package's public API and never imported by it.
// Package engine/ml builds Flink ML 2.x's API on bounded jobs: Estimators fit Models on bounded tables of rows
// (a slice or a bounded DataStream), training runs as bulk iterations whose supersteps sum every subtask's
// block before one reduce (KMeans, the SGD of linear and logistic regression), and randomness repeats Flink
// ML's java.util.Random draws, so KMeans with seed 1 gives Flink ML's cluster ids at parallelism 1. It also
// has NaiveBayes and Knn (Flink ML's), decision trees (Spark ML's parameters, one bounded job per tree level),
// the text features Tokenizer, HashingTF and IDF, and LDA trained by online variational Bayes, one bounded job
// per mini-batch.
// Its online stages learn from unbounded streams in Streaming mode: OnlineKMeans (Flink ML's decayed mini-batch
// update), OnlineLogisticRegression (FTRL-Proximal) and OnlineStandardScaler (running mean and deviation per
// window) emit every model version as a row of a model data stream; the fitted model connects its input with
// that stream broadcast to every subtask, predicts with the latest version each subtask has received, and
// reports the latest version's figures through LatestVersion for a live view.
// Package engine/graph is Gelly: graphs of vertices and edges (from lists, streams, files and generators),
// their transformations, degrees and neighbourhood methods, Gelly's three iteration models (vertex-centric,
// scatter-gather, gather-sum-apply) on delta iterations, and its library (PageRank, label propagation,
// connected components, shortest paths, community detection, HITS, triangle enumeration, Jaccard and
// Adamic-Adar), checked against networkx.
// Package engine/cep is Flink's CEP library: patterns of named stages with conditions that may read the
// partial match, quantifiers, Within and after-match skip strategies, compiled as Flink's NFACompiler does and
// matched over a versioned shared buffer, one NFA per key held in keyed state (so checkpointed, restored and
// rescaled with the job), in event time (events sorted until the watermark passes them) or processing time.
// The shared buffer locks a node's edges per Dewey version, as Flink's SharedBufferAccessor does, so a partial
// match pruned by its window frees its events even while a node it shares stays in use.
// Package engine/table runs Flink SQL and the Table API: a TableEnvironment keeps a catalog of tables
// (CREATE TABLE with Flink's connector options, views, tables made from DataStreams), whose statements are
// parsed by engine/table/sqlparse and planned by engine/table/planner into Map/Filter, a keyed
// ProcessFunction with retractable accumulators emitting Flink's +I/-U/+U/-D changelog, and window
// aggregations; regular joins keep both sides in keyed MapState and emit Flink's StreamingJoin changelog,
// interval joins run on KeyedStream.IntervalJoin, temporal joins join each row with the version valid at its
// time once the watermark passes it, and ROW_NUMBER() filtered by rn <= N runs as Flink's Rank (Top-N) or
// Deduplicate; OVER aggregations keep each partition's rows until the watermark passes them and emit each
// row once with its frame's aggregates; window Top-N, window deduplication, window joins and windowed GROUP
// BYs emit once per window; ORDER BY is a temporal sort in streaming; IN and EXISTS subqueries run as Flink's
// semi and anti joins; a statement set runs several INSERT INTO statements as one job; results come back as
// Rows with a RowKind, as a DataStream, or in the SQL client's three result modes.
package engine
