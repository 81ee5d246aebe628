-- Flink SQL client script written by `weir sql export nexmark.md`: the notebook's 3 SQL cells, in order.
-- Run it with: ./bin/sql-client.sh -f THIS_FILE.sql
--
-- Weir's own connectors were replaced by Kafka tables (JSON values, one topic per table, brokers
-- 'localhost:9092': change 'properties.bootstrap.servers' to yours). Put Flink's Kafka SQL connector
-- (flink-sql-connector-kafka) in the SQL client's lib/ directory, and fill each source topic with the
-- table's rows as JSON objects keyed by column name: any Kafka producer, or Weir itself, with
-- INSERT INTO a table of the same columns and Kafka options SELECT * FROM the Weir table. A table
-- replacing a bounded Weir source (a recording, a generator, a number of events) reads the topic up to
-- its end when the query starts ('scan.bounded.mode' = 'latest-offset'), so its queries end. Replaced:
--   bid (cell cell-1, line 2): 'weir-nexmark' ('number-of-events' = '1000', 'table' = 'bid') -> 'kafka', topic 'bid'
--   person (cell cell-1, line 7): 'weir-nexmark' ('number-of-events' = '1000', 'table' = 'person') -> 'upsert-kafka', topic 'person'
--
-- To check:
--   Flink's SQL client shows the queries of a script (-f) in tableau mode only: the script sets it first,
--   and a SET of another result mode is left as a comment. A query over an unbounded Kafka table runs
--   until it is canceled (ctrl+c), as a query over an unbounded source does in Weir.

SET 'sql-client.execution.result-mode' = 'tableau';

-- cell cell-1
-- Weir's Nexmark generator, one table per event kind
CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
  dateTime TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'bid',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'weir',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json'
);

CREATE TABLE person (id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR,
  state VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'person',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'scan.bounded.mode' = 'latest-offset',
  'value.format' = 'json'
);

-- cell cell-2
CREATE TABLE seq (x BIGINT) WITH ('connector' = 'datagen', 'fields.x.kind' = 'sequence',
  'fields.x.start' = '1', 'fields.x.end' = '3');
CREATE TABLE big_bids (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole');

-- cell q1
-- SET 'sql-client.execution.result-mode' = 'table'; (a script's queries are shown in tableau mode)
INSERT INTO big_bids SELECT auction, price FROM bid WHERE price > 10000000;
SELECT auction % 10 AS bucket, COUNT(*) AS bids FROM bid GROUP BY auction % 10 -- per bucket
;
