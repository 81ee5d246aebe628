// Package cep is Flink's complex event processing library (FlinkCEP) on Weir: patterns over a stream of
// events, written like regular expressions, compiled into a non-deterministic finite automaton (NFA) that
// finds every match, per key, in event time or processing time.
//
// # Patterns
//
// A pattern is a sequence of named stages, built with Flink's names: Begin starts one; Next (strict
// contiguity), FollowedBy (relaxed: events that do not match are skipped), FollowedByAny (any event may be
// skipped, so one event can start several matches), NotNext and NotFollowedBy (an event that must not
// come) add stages; NextGroup, FollowedByGroup and FollowedByAnyGroup (and BeginGroup) add a whole pattern
// as one stage. Where, Or and Subtype give a stage its Condition; a Condition gets a ConditionContext that
// reads the events the partial match already took, by stage name (Flink's IterativeCondition). The
// quantifiers Times, TimesRange, OneOrMore, TimesOrMore and Optional repeat or skip a stage; Consecutive,
// AllowCombinations, Greedy and Until tune a repeated stage. Within bounds a match in time, from its first
// to its last event or (PreviousAndCurrent) between one stage's event and the next. Begin takes the
// AfterMatchSkipStrategy: NoSkip (the default), SkipToNext, SkipPastLastEvent, SkipToFirst(stage) or
// SkipToLast(stage). Patterns Flink refuses (a quantifier on a NOT stage, NotFollowedBy at the end without
// Within, two stages of one name, ...) are refused with an error wrapping ErrMalformedPattern, from
// Compile or, when the program is built, as a panic from CEP.Pattern. Describe draws a pattern's states and
// edges as text.
//
// # Matching
//
// Compilation follows Flink's NFACompiler: from the last stage back to the first, each stage becomes one
// or more states with TAKE, IGNORE and PROCEED edges. At run time a partial match is a computation state
// pointing into a shared buffer that stores every event once, as a graph whose edges carry Dewey-number
// versions, so that partial matches sharing a prefix share its events (Flink's SharedBuffer, after Agrawal
// et al., "Efficient Pattern Matching over Event Streams", SIGMOD 2008). Within prunes partial matches
// as time passes and reports them as timeouts; the skip strategy prunes those a match makes redundant.
//
// # The operator
//
// CEP.Pattern(input, pattern) on a KeyedStream runs one NFA per key; on a plain DataStream one NFA for the
// whole stream, on one subtask. Process (a PatternProcessFunction, whose ProcessTimedOutMatch receives
// timed-out partial matches, typically for a side output), Select, FlatSelect, SelectWithTimeout and
// FlatSelectWithTimeout emit the matches, each a map from stage name to the events it took;
// ProcessContext.StageNames lists a match's stages in the pattern's order, the order Flink's match map
// keeps and a Go map does not. In event time (the default) events wait in keyed state, sorted by
// timestamp (events of one timestamp in arrival order, or as WithComparator's EventComparator orders
// them), until the watermark passes them; events at or behind the watermark are late and dropped or sent
// to SideOutputLateData's tag. InProcessingTime matches events as they arrive. As in Flink's CepOperator,
// what the operator emits carries the match's time, ProcessContext.Timestamp: the timestamp of the event
// that completed the match (in processing time, the processing time then), or, for a timed-out partial
// match, the time its window closed; not the time of the timer that released it.
//
// The NFA's state and shared buffer are keyed state, one value per key, so they are checkpointed,
// restored after a failure and redistributed when a job is rescaled, on the heap or in Pebble.
// PatternStream.Stats reports, for a live view, partial matches per stage and per key, the shared buffer's
// size and the counts of matches, timeouts, late events and dropped partial matches; the stream Process
// (or Select, ...) returns also publishes them through the engine's gauge hook (engine.DataStream.Gauge)
// as the gauge StatsGauge, which Job.Snapshot copies into the operator's OperatorSnapshot.Gauges and the
// workbench draws live.
//
// A timed-out partial match is found by a timer at the end of its window: when the watermark (or, in
// processing time, the clock) passes it, even if no other event of its key comes.
//
// # Bounded state
//
// Flink sets no bound on a key's CEP state: a pattern that keeps partial matches open (no Within,
// FollowedByAny, a looping stage that never ends) grows until the state backend runs out of memory. Weir
// bounds each key (WithKeyLimit; KeyLimit's zero value is the default): at most
// DefaultMaxPartialMatches (10,000) partial matches and DefaultMaxBufferedEvents (100,000) events in its
// shared buffer once an event is processed. A key over a bound fails the job with an error wrapping
// ErrKeyLimit that names the key and the figures; with KeyLimit.DropOldest the partial matches that
// started earliest are dropped instead (not reported as timeouts) and counted in Stats.Dropped and
// KeyStats.Dropped. Events waiting for the watermark are not counted: the watermark's delay bounds them.
package cep
