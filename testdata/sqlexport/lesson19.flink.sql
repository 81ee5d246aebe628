-- Flink SQL client script written by `weir sql export 19-sql-and-dynamic-tables.md`: the notebook's 4 SQL cells, in order.
-- Run it with: ./bin/sql-client.sh -f THIS_FILE.sql
--
-- Weir's own connectors were replaced by Kafka tables (JSON values, one topic per table, brokers
-- 'localhost:9092': change 'properties.bootstrap.servers' to yours). Put Flink's Kafka SQL connector
-- (flink-sql-connector-kafka) in the SQL client's lib/ directory, and fill each source topic with the
-- table's rows as JSON objects keyed by column name: any Kafka producer, or Weir itself, with
-- INSERT INTO a table of the same columns and Kafka options SELECT * FROM the Weir table. A table
-- replacing a bounded Weir source (a recording, a generator, a number of events) reads the topic up to
-- its end when the query starts ('scan.bounded.mode' = 'latest-offset'), so its queries end. Replaced:
--   clicks (cell setup, line 1): 'weir-recording' ('fields.page.field' = 'key', 'fields.ts.field' = 'time', 'fields.user_id.field' = 'user', 'name' = 'clicks') -> 'kafka', topic 'clicks'
--
-- To check:
--   Flink's SQL client shows the queries of a script (-f) in tableau mode only: the script sets it first,
--   and a SET of another result mode is left as a comment. A query over an unbounded Kafka table runs
--   until it is canceled (ctrl+c), as a query over an unbounded source does in Weir.

SET 'sql-client.execution.result-mode' = 'tableau';

-- cell setup
CREATE TABLE clicks (
  page STRING,
  user_id BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'clicks',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'weir',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json'
);
DESCRIBE clicks;

-- cell tumble
SELECT page, window_start, window_end, COUNT(*) AS clicks
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '15' SECOND))
GROUP BY page, window_start, window_end;

-- cell changelog
-- SET 'sql-client.execution.result-mode' = 'changelog'; (a script's queries are shown in tableau mode)
SELECT page, COUNT(*) AS clicks
FROM clicks
WHERE user_id < 3
GROUP BY page;

-- cell exercise-shop
/* Exercise: count the clicks on '/shop' by users with user_id 500 or more, per 5-second tumbling window
   of ts. Columns: window_start, clicks (one row per window). */
SELECT window_start, COUNT(*) AS clicks
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
