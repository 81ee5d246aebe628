// Package planner validates Flink SQL statements parsed by package sqlparse against a Catalog, plans them
// as trees of logical nodes, and compiles the nodes to Weir's DataStream operators. Package table drives
// it; this package documents the rules it follows.
//
// # Dynamic tables and changelogs
//
// Every stream the planner builds carries Row values: a RowKind and the fields in the order of the node's
// Columns. As in Flink, each node knows whether its output is insert-only (+I rows only) or updating
// (Node.Updating): a source, a VALUES clause, a Calc (projection and filter, which keeps each row's kind),
// a window TVF and a window aggregation are insert-only; a GROUP BY without a window (AggregateNode) is
// updating, and so is any node above an updating one. Explain prints each node's changelog mode.
//
// A GROUP BY is Flink's GroupAggFunction on a KeyedStream keyed by the grouping values: per group it keeps
// a record count (rows accumulated minus rows retracted) and one retractable accumulator per aggregate
// in ValueState. A +I or +U input row accumulates and a -U or -D row retracts; then the first row of a
// group emits +I, a later change emits -U of the old result and +U of the new one, an unchanged result
// emits nothing, and a group whose count returns to zero emits -D and is cleared. COUNT, SUM, AVG, MIN,
// MAX and their DISTINCT forms all retract (MIN, MAX and DISTINCT keep each value's multiplicity), so an
// aggregation may read an updating input; over an insert-only input, and in windows, MIN and MAX keep only
// their current extreme, as Flink's MaxAggFunction does. Types follow Flink: COUNT is BIGINT NOT NULL, SUM and AVG of
// an integer type keep it (an INT average is truncated), MIN and MAX keep their argument's type. In batch
// execution mode (Compiler.Batch) a GROUP BY emits each group's final row once, as +I.
//
// Aggregations and joins change their state in place (an accumulator, a key's join rows) rather than
// copying it per row: the values are state.Mutable, so the heap backend copies one only when a row changes
// it after a checkpoint froze it (Flink's CopyOnWriteStateMap), and puts back after Get cost no lookup. A
// key of up to three BIGINT or timestamp values is kept as int64s, not as an encoded string. A subtree
// that a query contains twice (Nexmark q5's HOP count in both inputs of its join; two scans of one table)
// is compiled once and read by both consumers, as Flink's sub-plan reuse does.
//
// # Windows
//
// The window table-valued functions TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset]), HOP(TABLE t,
// DESCRIPTOR(ts), slide, size [, offset]), CUMULATE(TABLE t, DESCRIPTOR(ts), step, size) and
// SESSION(TABLE t [PARTITION BY k], DESCRIPTOR(ts), gap) need ts to be a time attribute: a column that
// the table's WATERMARK FOR declares, or window_time of an earlier window. A table's watermark is the
// largest value of its WATERMARK expression so far; Weir emits it after every row (Flink: periodically),
// so that which rows are late does not depend on timing (a 'weir-nexmark' table, whose rows come in order,
// after every 64th: see Connectors). A TVF adds window_start, window_end and window_time (window_end - 1
// ms, the new time attribute). GROUP BY window_start, window_end (and other
// keys) over a TVF is a window aggregation on the engine's WindowOperator with the event-time trigger:
// each window emits one +I row per group when the watermark passes its end. An event-time HOP whose size is
// a multiple of its slide is aggregated by slices, as Flink's SlicingWindowOperator does: each row is
// accumulated once, into its group's slide-long slice, and a window's row merges its slices (a group's
// slices are one sorted list in ValueState, read once per row and once per window). As in Flink's
// SlicingWindowOperator, a row whose slice (its window for TUMBLE, its slide for HOP, its step for
// CUMULATE) has already fired is late and dropped from all of its windows; session windows merge, and a
// row is late only once its merged session has fired. A window TVF over an updating input is refused
// with Flink's reason.
//
// A column AS PROCTIME() (a computed column, or a select item as in Nexmark q12's view) is a
// processing-time attribute, TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*: its value is the processing time
// (engine.Config.Clock) at which the operator computing it, chained to its input, processed the row, and it
// must be the whole expression (Flink materializes it lazily where it is read; Weir where it is declared). A
// watermark on it is refused, as in Flink. Window TVFs and group windows over it run in processing time:
// a row belongs to the windows of its PROCTIME() value (Flink's window operator reads its own clock; the
// two differ by the row's time in transit, and the row's own time keeps the result independent of how the
// channels into the window interleave), and a window fires when the window operator's processing time passes
// its end, TUMBLE_PROCTIME and window_time being a processing-time attribute. Nothing is late in processing
// time, and, as in Flink, windows still open when a bounded input ends never fire. With
// engine.Config.DeterministicTime processing time travels with the records from the sources' arrival times
// (the connector 'weir-nexmark' arrives each event at its dateTime), so the result is the same on every run.
// Window Top-N, window joins and cascading window aggregations over processing-time windows plan as a
// regular Top-N, join or GROUP BY.
//
// Flink's legacy group windows, GROUP BY k, TUMBLE(ts, size [, offset]), HOP(ts, slide, size [, offset]) or
// SESSION(ts, gap), with TUMBLE_START, TUMBLE_END and TUMBLE_ROWTIME (HOP_..., SESSION_...) in the select
// list and HAVING, are planned as the window aggregation of the same window TVF: one +I row per window and
// group when the watermark passes the window's end; a SESSION group window's sessions are per group (Nexmark
// q11). An auxiliary function must name the window of GROUP BY (same function, same arguments), and only
// one group window function may appear in GROUP BY, as in Flink.
//
// A GROUP BY whose keys include window_start and window_end of a windowed, insert-only input (a window
// aggregation, or a Calc keeping those columns, such as Nexmark q5's GROUP BY starttime, endtime) is a
// window aggregation over the input's windows, as Flink plans it: each group's row is emitted once, as
// +I, when the watermark passes the window's end, and a row of a window that has fired is dropped.
//
// # Joins
//
// A regular join (INNER, LEFT, RIGHT or FULL [OUTER] JOIN ... ON, or a comma join whose WHERE then becomes
// the join condition, as Flink's optimizer pushes a filter into an inner join) is Flink's StreamingJoin:
// both inputs are connected and keyed by the equalities left.col = right.col of the condition (a join
// without one runs on a single key), each side keeps its rows for a key in one ValueState (each distinct row
// with its multiplicity and, on an outer side, its number of matches, as Flink's JoinRecordStateViews; with
// a state TTL in MapState, so that rows expire one by one), and the rest of the condition is
// evaluated on each pair. Without a TTL a side's rows for a key are one byte slice holding no pointers
// (joinRows), so the garbage collector does not scan the rows a join keeps for good; an insert-only input
// adds each row without looking for an equal one (its duplicates join as one row of several copies would).
// A row whose value has no SQL type cannot be kept: the join emits an error row (ErrJoinValue). A NULL key matches nothing. The output follows StreamingJoinOperator: an inner
// join forwards each input row's kind (+I, +U, -U, -D), so an inner join of insert-only inputs is
// insert-only; an outer join emits only +I and -D: an outer row without a match is emitted padded with
// NULLs, retracted (-D) when its first match arrives, and emitted again when its last match is
// retracted. SET 'table.exec.state.ttl' (a duration such as '1 h'; default 0, forever) expires a join's
// rows that have not been written for that long in processing time, as Flink's state TTL does. The
// join's columns are no longer time attributes.
//
// An inner join of two insert-only inputs whose condition bounds the distance of a time attribute of
// each side from below and above (l.ts BETWEEN r.ts - INTERVAL '5' SECOND AND r.ts + INTERVAL '6'
// SECOND, or two comparisons; a strict bound is made inclusive by one millisecond) is an interval join,
// Flink's IntervalJoin, compiled to the engine's KeyedStream.IntervalJoin: rows wait in state only until
// the watermark passes the last time they can still join, a row behind the watermark is late and
// dropped, and the output is insert-only. Outer interval joins are not supported yet; such a join runs
// as a regular join.
//
// JOIN (or LEFT JOIN) versioned FOR SYSTEM_TIME AS OF l.ts ON ... is an event-time temporal join, Flink's
// TemporalRowTimeJoinOperator: versioned must be a table with a PRIMARY KEY, all of whose columns the ON
// equalities name, and an event-time attribute; l.ts the left input's event-time attribute, and the left
// input insert-only. Each left row waits in state until the watermark passes its time and then joins the
// version of its key with the latest time not after it (a -D version deletes the key until a newer one);
// a LEFT JOIN pads a row without one with NULLs. The output is insert-only and keeps l.ts as its time
// attribute. Processing-time temporal joins and lookup joins are not supported.
//
// A join of two windowed inputs on the same window TVF (TUMBLE, HOP or CUMULATE of the same sizes) whose
// condition equates both window_start and window_end is Flink's window join (WindowJoin): INNER, LEFT,
// RIGHT or FULL OUTER, each window's rows of both sides wait in state until the watermark passes the
// window's end and are then joined and emitted as +I rows (an outer row without a match padded with
// NULLs), so the output is insert-only and the window's state is cleared. A row whose window has fired is
// late and dropped (a window aggregation's rows never are: it emits them before the watermark that fired
// their window goes on, so a window join, window Top-N or windowed GROUP BY over one looks for none).
// Inputs on different windows join as a regular join, as in Flink.
//
// A conjunct of WHERE that is x [NOT] IN (SELECT y ...) or [NOT] EXISTS (SELECT ...) is a semi (anti)
// join of the query's rows with the subquery, as Flink's SubQueryRemoveRule rewrites it: IN joins on
// x = y, and the conjuncts of the subquery's WHERE that read the outer query's columns (correlation;
// an unqualified name means the subquery's column if it has one) become the join condition, the others
// filter the subquery. NOT IN is null-aware: a row is kept only if no y equals x and neither x nor any y
// is NULL (or the subquery is empty). As Flink's StreamingSemiAntiJoinOperator, the join keeps both
// inputs in keyed state and forwards a left row when it has a match (semi) or none (anti), emits it when
// its first match arrives (semi, +I) or deletes it then (anti, -D), and reverses that when its last match
// is retracted: a semi join of insert-only inputs is insert-only, an anti join updates. When both sides
// are windowed by the same TVF and the correlation equates window_start and window_end, it is a window
// semi (anti) join, emitted when the window ends, insert-only. A subquery elsewhere (under OR, in the
// select list) is refused; an aggregated or otherwise complex subquery may not read outer columns.
//
// # Top-N and deduplication
//
// SELECT ..., ROW_NUMBER() OVER (PARTITION BY p ORDER BY o [DESC], ...) AS rn FROM t in a subquery whose
// outer query filters rn <= N, rn < N or rn = 1 is Flink's Rank (Top-N): per partition it keeps the rows
// in ValueState (of an insert-only input only the first N, as Flink's AppendOnlyTopNFunction; of an
// updating input all of them, as its RetractableTopNFunction, so that a retracted row's successor can move
// up) and emits the changes of the first N:
// when the outer query reads rn, every rank whose row changed is updated (-U of the old row with its rank,
// +U of the new), and a rank that did not exist is inserted; otherwise the row pushed out of the first N
// is deleted (-D) and the new row inserted (+I). Equal sort keys keep their arrival order. With rn = 1 (or
// rn <= 1) ordered by one time attribute it is Flink's Deduplicate: ascending keeps each key's first row,
// descending its last (a later row with an equal time replaces it), and a replaced row is retracted with
// -U and its successor emitted with +U. ROW_NUMBER() without such a filter and rank ranges other than from
// 1 (rn = 2, rn BETWEEN) are refused. RANK() and DENSE_RANK() Top-N (WHERE rk <= N) run in batch mode, as
// Flink's BatchExecRank: per partition the rows are sorted when the input ends and those ranked at most N
// emitted as +I, rows of equal sort keys sharing a rank (RANK then skips ranks, DENSE_RANK does not); in
// streaming they are refused with Flink's reason ("RANK() on streaming table is not supported currently":
// its StreamExecRank runs only ROW_NUMBER).
//
// A Top-N whose PARTITION BY holds window_start and window_end of a windowed input (a window TVF, or a
// window aggregation grouped by both) is Flink's window Top-N (WindowRank): per partition it keeps the
// first N rows until the watermark passes the window's end, then emits them once, as +I rows, so its
// output is insert-only. Ordered by the window TVF's time column with rn = 1 (or rn <= 1) it is Flink's
// window deduplication (WindowDeduplicate): ascending keeps each window's first row, descending its last.
// A row whose window has fired when it arrives is late and dropped from that window (of a HOP or
// CUMULATE TVF it still counts in the windows that have not fired), judged by the watermark of the row's
// own input partition.
//
// # ORDER BY and LIMIT
//
// As in Flink, how a query's ORDER BY and LIMIT run depends on the execution mode. In batch mode
// (Compiler.Batch) the whole result is sorted when the input ends and emitted as +I rows, at most LIMIT
// of them (Flink's Sort and SortLimit). In streaming mode, ORDER BY whose first key is a time attribute,
// ascending, without LIMIT, is Flink's TemporalSort: rows wait until the watermark passes their time and
// are then emitted in time order, rows of equal time sorted by the other keys (equal rows in arrival
// order); a row behind the watermark is late and dropped; the output is insert-only. ORDER BY with LIMIT
// is Flink's SortLimit, a Top-N over the whole table whose changelog deletes the row pushed out of the
// first LIMIT rows; LIMIT alone emits the first LIMIT rows to arrive. Any other streaming ORDER BY is
// refused ("Sort on a non-time-attribute field is not supported"). ORDER BY names result columns by name,
// alias or position (ORDER BY 2), or any expression of the query's input, which is then computed only to
// sort on. Sorts run in one subtask, as Flink's singleton distribution does. LIMIT n OFFSET m (or OFFSET m
// [ROWS]) skips the first m rows: in streaming ORDER BY ... OFFSET is a Top-N of ranks m+1 to m+n (Flink's
// SortLimit with an offset), LIMIT ... OFFSET without ORDER BY emits the rows arriving after the first m.
//
// # OVER aggregations
//
// COUNT, SUM, AVG, MIN and MAX (with DISTINCT) OVER (PARTITION BY p ORDER BY ts frame), or OVER w with
// WINDOW w AS (...), is Flink's OverAggregate in event time: ts must be a time attribute, ascending;
// the frame is ROWS BETWEEN n PRECEDING AND CURRENT ROW (the current row and n before it), RANGE
// BETWEEN INTERVAL 'd' unit PRECEDING AND CURRENT ROW (every row of the partition at most d before the
// current row's time, so rows of equal time get equal results), or UNBOUNDED PRECEDING; without a frame
// it is RANGE UNBOUNDED PRECEDING, as in SQL. All aggregates of a query share one window, as Flink
// requires in streaming. Per partition, rows wait in MapState until the watermark passes their time and
// are then emitted in time order (rows of equal time in arrival order), each once, with its aggregates:
// the output is insert-only and keeps ts as its time attribute. As in Flink, a late row is dropped: with
// an unbounded frame one not after the watermark, with a bounded frame one not after the last time its
// partition emitted. LAG(x [, offset [, default]]) OVER such a window is x of the row offset rows before
// (Flink's LagAggFunction; rows of equal time in a RANGE window see the last of them), on unbounded frames
// only. A FOLLOWING bound ("OVER RANGE FOLLOWING windows are not supported yet.", for ROWS too), LEAD ("LEAD
// Function is not supported in stream mode."), LAG on a bounded frame ("LAG Function with retraction is not
// supported in stream mode."), an order other than a time attribute ascending, and an updating input are
// refused with Flink's reasons. Ordered by a PROCTIME() attribute, an OVER window emits each row as it
// arrives, with the aggregates of its ROWS frame or of all rows so far (RANGE UNBOUNDED PRECEDING), as
// Flink's ProcTimeRowsBoundedPrecedingFunction and ProcTimeUnboundedPrecedingFunction; a bounded RANGE
// frame in processing time is not supported yet. A table made by FromDataStream whose watermark is
// SOURCE_WATERMARK() keeps the stream's own timestamps and watermarks.
//
// # MATCH_RECOGNIZE
//
// FROM t MATCH_RECOGNIZE ([PARTITION BY cols] ORDER BY ts [, key [ASC|DESC] ...] MEASURES ... [ONE ROW PER
// MATCH] [AFTER MATCH SKIP ...] PATTERN (...) [WITHIN INTERVAL ...] DEFINE ...) is Flink's Match, run on
// package cep: ts must be a time attribute, ascending (an event-time one: rows wait until the watermark
// passes them; a PROCTIME() one: rows match as they arrive), and the ORDER BY keys after it order the rows
// of the same event time before they are matched (Flink's EventComparator, cep's WithComparator; NULL first
// ascending; in processing time rows match in arrival order). The pattern is a sequence of variables with
// the quantifiers *, +, ?, {n}, {n,}, {n,m} and {,m}, each optionally reluctant (a trailing ?); it compiles
// as Flink's translation does: strict contiguity between variables, looping quantifiers consecutive and
// greedy unless reluctant, WITHIN as the pattern's within (a match's span must be below it), and AFTER
// MATCH SKIP PAST LAST ROW, TO NEXT ROW (the default without the clause, as in Flink, whose Calcite
// converter sets it), TO FIRST v and TO LAST v as the CEP skip strategies. A variable without DEFINE matches any row. In DEFINE of X a bare column or X.col reads the
// current row and Y.col the last row of Y so far; in MEASURES a bare column reads the last row of the match
// and Y.col the last row of Y; FIRST(e [, n]) and LAST(e [, n]) read the n-th row from the first or last
// of the variable e names (all rows of the match when it names none, X's in X's DEFINE including the
// current row), NULL when there is none; PREV(e, 0) and NEXT(e, 0) read as LAST(e, 0); COUNT, SUM, AVG, MIN
// and MAX aggregate over those rows. MATCH_ROWTIME() in MEASURES is the match's event time (the time of its
// last row), a TIMESTAMP(3) event-time attribute that a window over the matches can group by
// (MATCH_ROWTIME(ts) has ts's type); MATCH_PROCTIME() the processing time it was found at, a
// processing-time attribute. Each match emits one row (ONE ROW PER MATCH): the PARTITION BY columns, then
// the measures; the output is insert-only. A DEFINE that fails on a row (division by zero) is false for it.
// Refused with Flink's reasons: ALL ROWS PER MATCH, a pattern of optional variables only (it could match
// no row), a greedy quantifier on the last variable, a reluctant
// optional variable (A??), a variable used twice, alternatives (A | B), quantified groups ((A B)+), PERMUTE
// and exclusions ({- A -}) (Calcite's grammar parses them, Flink's PatternTranslator refuses them), PREV and
// NEXT with an offset other than 0 (physical offsets; PREV(e) is PREV(e, 1)), an ORDER BY that does not
// start with a time attribute ascending, and an updating input. A group without a quantifier, (A B) C, is
// part of the sequence.
//
// # Types and expressions
//
// BOOLEAN is a Go bool; TINYINT to BIGINT are int64; FLOAT, DOUBLE and DECIMAL(p, s) are float64 (a
// DECIMAL is rounded to its scale and printed with it, but its arithmetic is binary floating point, not
// exact); CHAR, VARCHAR and STRING are string; TIMESTAMP(p), TIMESTAMP_LTZ(p) and DATE are time.Time in
// UTC; NULL is nil. Arithmetic derives result types as Calcite does (INT / INT is an INT), comparisons and
// AND/OR/NOT use SQL's three-valued logic, and CASE, CAST, TRY_CAST, IN, BETWEEN, LIKE, IS [NOT] NULL and
// the built-in functions UPPER, LOWER, TRIM, CONCAT, ||, SUBSTRING, REPLACE, CHAR_LENGTH, ABS, ROUND, FLOOR,
// CEIL, MOD, POWER, SQRT, COALESCE, NULLIF, IF, TO_TIMESTAMP, TO_TIMESTAMP_LTZ, DATE_FORMAT and
// TIMESTAMPDIFF behave as Flink's. An expression that fails on a row (division by zero, a CAST of a
// malformed string) fails the job with ErrRuntime and the expression's position, as Flink's generated
// code throws.
//
// # Connectors
//
// CREATE TABLE ... WITH ('connector' = ...) takes Flink's connector names and option names: 'datagen'
// ('number-of-rows', 'rows-per-second', and per column 'fields.<col>.kind' = 'random' or 'sequence' with
// 'start'/'end', 'min'/'max', 'length', 'max-past'; random values are a function of the row's index, so
// every run and parallelism generates the same rows), 'filesystem' ('path', 'format' = 'json' or 'csv',
// read with package sources' FileSource and written, insert-only, with its FileSink: in a job that
// checkpoints (an interval, a kept checkpoint directory or a restore, exactly-once) as part files in the
// directory 'path' committed with the checkpoints, as Flink's filesystem sink, else as plain files), 'print'
// ('print-identifier', 'standard-error') and 'blackhole'. 'kafka' and 'upsert-kafka' take Flink's Kafka
// options (kafka_connector.go says which): 'kafka' is an append-only topic of json or csv values, whose
// WATERMARK FOR ts AS ts - INTERVAL ... the source emits per partition, as Flink pushes it down into the
// KafkaSource; 'upsert-kafka' needs a PRIMARY KEY, reads upserts and tombstones normalized into a changelog
// (Flink's ChangelogNormalize) and writes an updating query's changes. Weir's own 'weir-recording',
// 'weir-generator' (recording_connector.go) and 'weir-nexmark' read package sources' recordings and
// generators. Unknown options are refused, naming the nearest known one.
//
// A projection of a 'weir-nexmark' table's columns that keeps the watermark's column, and may add
// PROCTIME() (which the readers stamp with their subtask's processing time as they read the row), is read
// by the connector itself (Flink's projection push-down), with no Calc operator after the source; and a
// 'weir-nexmark' table's watermark is assigned by its source operator (Flink's watermark push-down), with
// no watermark assigner after it. Its readers return rows in dateTime order, so a WATERMARK FOR dateTime
// AS dateTime - INTERVAL ... comes after every 64th row rather than after each: no row of an ordered
// reader can be late, however often the watermark comes.
//
// # Rows at run time
//
// A Calc (filter and projection) is one operator: its own error rows and its input's go to a side output
// whose sink fails the job, so a query ending in a Calc or a connector's scan has no separate check of its
// rows (Compiler.Checked; a job of one statement runs the error sinks Compiler.ErrorSinks lists). A row is
// built in one allocation where it can be (rowBlock): the Row, its fields and the values a 'weir-nexmark'
// source reads as BIGINT and TIMESTAMP(3), or a Calc computes as DOUBLE or DECIMAL, which would otherwise be
// boxed one by one. Expressions are closures bound once per query; integer, DOUBLE and DECIMAL columns,
// literals and arithmetic, MOD of integers and comparisons of integers are evaluated on unboxed values, as
// Flink's generated code works on Java primitives.
//
// # Errors
//
// Validation errors wrap ErrValidation, queries Weir or Flink does not run wrap ErrUnsupported; both name
// the line and column of the offending part of the statement and, for an unknown table, column, function
// or option, the nearest existing name. A runtime error (ErrRuntime) fails the job.
package planner
