// Package table is Flink's Table API and SQL on Weir: a TableEnvironment whose ExecuteSQL runs Flink SQL
// statements (DDL, queries, INSERT INTO, statement sets, SET, SHOW, DESCRIBE, EXPLAIN) and whose tables
// convert to and from DataStreams.
//
//	tenv := table.NewEnvironment(env)
//	tenv.ExecuteSQL(`CREATE TABLE clicks (user_name STRING, url STRING, ts TIMESTAMP(3),
//		WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem',
//		'path' = 'data/clicks.json', 'format' = 'json')`)
//	res, err := tenv.ExecuteSQL(`SELECT user_name, COUNT(url) AS cnt FROM clicks GROUP BY user_name`)
//	res.Await()
//	res.Print(os.Stdout, table.ResultTableau)
//
// Statements are parsed by package sqlparse and planned by package planner, which compiles them to the
// engine's DataStream operators. Tables are dynamic tables, as in Flink: a query's result is a changelog
// of rows, each a planner.Row with a RowKind (+I insert, -U and +U an update's old and new row, -D
// delete). A GROUP BY without a window updates its rows as input arrives; a window aggregation over the
// TUMBLE, HOP, CUMULATE and SESSION table-valued functions (or Flink's legacy GROUP BY TUMBLE(ts, size),
// HOP(...) and SESSION(...) group windows) emits each window's rows once, when the watermark passes the
// window's end (or, on a PROCTIME() attribute, when processing time passes it), and so do window Top-N,
// window deduplication and window joins. OVER aggregations (ROWS or RANGE ... PRECEDING AND CURRENT ROW in
// event time, ROWS in processing time, with LAG), MATCH_RECOGNIZE (on package cep: ORDER BY a time
// attribute then further keys, MEASURES and DEFINE with FIRST/LAST offsets, PREV/NEXT(e, 0), aggregates,
// MATCH_ROWTIME() and MATCH_PROCTIME(), AFTER MATCH SKIP, WITHIN; pattern groups, alternatives and PERMUTE
// refused with Flink's reasons), ORDER BY, LIMIT and OFFSET (in streaming: a time attribute first, or a
// Top-N), and IN and EXISTS subqueries (semi and anti joins) run as Flink runs them;
// package planner documents each rule. A TableResult shows a result in the SQL client's three modes:
// ResultTableau, ResultChangelog and ResultTable (the current content, with updates applied).
//
// The Table API plans the same queries from Go: From("clicks").Where("url <> './cart'").GroupBy("user_name").
// Select("user_name", "COUNT(url) AS cnt"), WindowTumble, WindowHop, WindowCumulate and WindowSession for the
// window TVFs, UnionAll, and Join, LeftOuterJoin, RightOuterJoin and FullOuterJoin of two tables with a
// condition. Wherever it takes an expression it takes SQL text or an Expression built as Flink's Table API
// Expressions are (Col, Lit, Call, and methods such as Plus, Times, IsGreater, And, IsNull, Sum, As, Desc):
// From("orders").Join(From("products"), Col("product").IsEqual(Col("id"))).Where(Col("amount").IsGreater(2)).
// Select(Col("amount").Times(Col("price")).As("total")). SQLQuery plans a SELECT; FromDataStream makes a table of a DataStream and CreateTemporaryView names it for SQL;
// ToDataStream (insert-only tables) and ToChangelogStream turn a table back into a DataStream of Rows.
// ExecuteScript runs a script statement by statement, as `weir sql FILE.sql` does; ExecuteScriptContext does
// the same for a notebook's ```sql cell, showing each result as its statement starts and canceling the
// running job when the cell is interrupted.
// EXECUTE STATEMENT SET BEGIN INSERT INTO ...; INSERT INTO ...; END (in a script also the SQL client's BEGIN
// STATEMENT SET; ... END;) runs several INSERT INTO statements as one job; CreateStatementSet does the same
// from Go.
//
// A query that reads only connector tables runs as its own job on a new engine Environment made from the
// given one's Config (or the one SetConfig gave since) and the options SET so far ('parallelism.default',
// 'execution.runtime-mode', 'execution.checkpointing.interval' and 'execution.checkpointing.mode', each
// for the statements after it, as in Flink's SQL client); one that reads a table made by FromDataStream
// runs on the given Environment as a job of its own operators and the DataStream program upstream of them
// (engine.Environment.ExecuteAsyncOfConfig, with the checkpointing of the moment), as Flink's
// StreamTableEnvironment makes the pipeline of one statement: the Environment's other sinks, and earlier
// queries, are not run again.
//
// Connectors follow Flink's names and options (package planner lists them): 'datagen', 'filesystem',
// 'kafka' and 'upsert-kafka' (on package sources/kafka, tested against franz-go's kfake), 'print',
// 'blackhole', and Weir's own 'weir-recording', 'weir-generator' and 'weir-nexmark', which read the bundled
// recordings and generators of package sources as tables. A Kafka table's metadata columns read each
// record's topic, partition, offset, timestamp and timestamp type, and a persisted 'timestamp' column sets
// the timestamps of the records written ('headers' is refused: Weir's SQL has no MAP type);
// 'sink.delivery-guarantee' = 'none' produces without waiting for acknowledgements at checkpoints, as
// Flink's NONE. SetReplayControl hands recording and generator tables the workbench's replay controls
// (pause, step, speed), as DataStream replays of bundled recordings obey them.
package table
