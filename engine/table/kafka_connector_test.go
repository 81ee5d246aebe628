package table

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/sources/kafka"
)

// kafkaCluster starts an in-process Kafka cluster (franz-go's kfake) with topics of four partitions and
// returns its bootstrap servers, as 'properties.bootstrap.servers' takes them.
func kafkaCluster(t *testing.T, topics ...string) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return strings.Join(c.ListenAddrs(), ",")
}

// topicRecords reads every committed record of a topic up to its end, as "key => value" strings ("<nil>"
// for a tombstone), sorted: a bounded job on Weir's own Kafka source, which looks up the end offsets first.
func topicRecords(t *testing.T, servers, topic string) []string {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	recs := env.FromSource(kafka.Source{Brokers: strings.Split(servers, ","), Topic: topic, Bounded: true,
		DecodeRecord: func(r *kgo.Record) (any, error) {
			v := "<nil>"
			if r.Value != nil {
				v = string(r.Value)
			}
			return string(r.Key) + " => " + v, nil
		}}, nil, topic).Collect()
	if _, err := env.Execute("read " + topic); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range recs.Values() {
		out = append(out, v.(string))
	}
	return sorted(out)
}

// Flink's Kafka SQL connector by its option names: the clicks recording written by INSERT INTO a 'kafka'
// table in JSON (as weir sql export's scripts expect the topic filled), then read back, bounded, with the
// table's watermark emitted per partition by the source: the windowed count over four partitions read by
// two subtasks is the recording's (1000 clicks per page and 15-second window), none dropped as late.
func TestKafkaConnectorRoundTrip(t *testing.T) {
	servers := kafkaCluster(t, "clicks")
	tenv := newTableEnv(2)
	mustExec(t, tenv, clicksDDL)
	kafkaClicks := `CREATE TABLE kclicks (page STRING, user_id BIGINT, ts TIMESTAMP(3),
		WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
	) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'properties.bootstrap.servers' = '` + servers + `',
		'properties.group.id' = 'weir', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
		'format' = 'json', 'key.format' = 'json', 'key.fields' = 'page')`
	mustExec(t, tenv, kafkaClicks)
	mustExec(t, tenv, "INSERT INTO kclicks SELECT * FROM clicks")
	recs := topicRecords(t, servers, "clicks")
	if len(recs) != 12000 {
		t.Fatalf("the topic holds %d records, want the 12000 clicks", len(recs))
	}
	if want := `{"page":"/about"} => {"page":"/about","user_id":0,"ts":"1970-01-01 00:00:13.275"}`; recs[0] != want {
		t.Errorf("the first record is %s, want %s", recs[0], want)
	}
	requireClicksPerWindow(t, tenv, "kclicks")
}

// produce writes records (key, value; a value "<nil>" is a tombstone) to partition 0 of a topic, in order.
func produce(t *testing.T, servers, topic string, kvs ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(servers, ",")...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := 0; i < len(kvs); i += 2 {
		rec := &kgo.Record{Topic: topic, Partition: 0, Key: []byte(kvs[i])}
		if kvs[i+1] != "<nil>" {
			rec.Value = []byte(kvs[i+1])
		}
		if err := cl.ProduceSync(context.Background(), rec).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// 'upsert-kafka' as Flink's upsert Kafka connector: read, each record upserts its key's row and a tombstone
// deletes it, normalized into a changelog (+I for a new key, -U/+U for a changed row, nothing for an
// unchanged one, -D for a deletion); written, an updating query's +I/+U rows become its keys' values and
// its -D rows tombstones, with -U dropped.
func TestUpsertKafkaConnector(t *testing.T) {
	servers := kafkaCluster(t, "rates", "counts")
	produce(t, servers, "rates",
		`{"currency":"EUR"}`, `{"currency":"EUR","rate":114}`,
		`{"currency":"JPY"}`, `{"currency":"JPY","rate":1}`,
		`{"currency":"EUR"}`, `{"currency":"EUR","rate":116}`,
		`{"currency":"EUR"}`, `{"currency":"EUR","rate":116}`,
		`{"currency":"JPY"}`, "<nil>",
		`{"currency":"GBP"}`, "<nil>",
	)
	tenv := newTableEnv(2)
	mustExec(t, tenv, `CREATE TABLE rates (currency STRING, rate BIGINT, PRIMARY KEY (currency) NOT ENFORCED) WITH (
		'connector' = 'upsert-kafka', 'topic' = 'rates', 'properties.bootstrap.servers' = '`+servers+`',
		'key.format' = 'json', 'value.format' = 'json', 'scan.bounded.mode' = 'latest-offset')`)
	r := mustExec(t, tenv, "SELECT * FROM rates")
	equalLines(t, "the rates' changelog", r.Strings(), []string{"+I[EUR, 114]", "+I[JPY, 1]", "-U[EUR, 114]", "+U[EUR, 116]", "-D[JPY, 1]"})

	mustExec(t, tenv, clicksDDL)
	mustExec(t, tenv, `CREATE TABLE counts (page STRING, clicks BIGINT, PRIMARY KEY (page) NOT ENFORCED) WITH (
		'connector' = 'upsert-kafka', 'topic' = 'counts', 'properties.bootstrap.servers' = '`+servers+`',
		'key.format' = 'json', 'value.format' = 'csv', 'value.fields-include' = 'EXCEPT_KEY')`)
	mustExec(t, tenv, "INSERT INTO counts SELECT page, COUNT(*) FROM clicks WHERE user_id < 2 GROUP BY page")
	recs := topicRecords(t, servers, "counts")
	last := map[string]string{}
	for _, rec := range recs {
		kv := strings.SplitN(rec, " => ", 2)
		last[kv[0]] = kv[1]
	}
	var got []string
	for k, v := range last {
		got = append(got, k+" => "+v)
	}
	r = mustExec(t, tenv, "SELECT page, COUNT(*) FROM clicks WHERE user_id < 2 GROUP BY page")
	r.mode = ResultTable
	var want []string
	for _, row := range r.Rows() {
		want = append(want, `{"page":"`+row[0].(string)+`"} => `+planner.FormatValue(row[1], planner.TypeBigInt))
	}
	equalLines(t, "each page's last record in the upsert topic", sorted(got), sorted(want))
	if len(recs) <= len(want) {
		t.Errorf("%d records for %d pages: the sink wrote no updates", len(recs), len(want))
	}
}

// A malformed value fails the job with its topic, partition and offset, or is skipped with
// 'csv.ignore-parse-errors'; a 'kafka' table's record without a value is skipped.
func TestKafkaConnectorMalformedRecords(t *testing.T) {
	servers := kafkaCluster(t, "nums")
	produce(t, servers, "nums", "", "1,a", "", "2,b,extra", "", "<nil>", "", "3,c")
	tenv := newTableEnv(1)
	ddl := `CREATE TABLE nums%s (n BIGINT, s STRING) WITH ('connector' = 'kafka', 'topic' = 'nums',
		'properties.bootstrap.servers' = '` + servers + `', 'format' = 'csv', 'scan.bounded.mode' = 'latest-offset'%s)`
	mustExec(t, tenv, strings.Replace(strings.Replace(ddl, "%s", "_strict", 1), "%s", "", 1))
	mustExec(t, tenv, strings.Replace(strings.Replace(ddl, "%s", "_lenient", 1), "%s", ", 'csv.ignore-parse-errors' = 'true'", 1))
	r := mustExec(t, tenv, "SELECT * FROM nums_lenient")
	equalLines(t, "the well-formed rows", r.Strings(), []string{"+I[1, a]", "+I[3, c]"})
	r, err := tenv.ExecuteSQL("SELECT * FROM nums_strict")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Await(); err == nil || !strings.Contains(err.Error(), "kafka: topic nums partition 0 offset 1: malformed record: the value has 3 CSV fields, want 2") {
		t.Errorf("the strict table's job ended with %v", err)
	}
}

func TestKafkaConnectorErrors(t *testing.T) {
	tenv := newTableEnv(1)
	with := func(opts string) string {
		return "'topic' = 't', 'properties.bootstrap.servers' = 'localhost:9092'" + opts
	}
	mustExec(t, tenv, "CREATE TABLE src (k STRING, n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')")
	mustExec(t, tenv, "CREATE TABLE append_only (k STRING, n BIGINT) WITH ('connector' = 'kafka', "+with(", 'format' = 'json'")+")")
	for _, c := range []struct{ sql, msg string }{
		{"CREATE TABLE a (k STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'kafka', " + with(", 'format' = 'json'") + ")",
			"doesn't support defining PRIMARY KEY constraint on the table"},
		{"CREATE TABLE a (k STRING) WITH ('connector' = 'upsert-kafka', " + with(", 'key.format' = 'json', 'value.format' = 'json'") + ")",
			"'upsert-kafka' tables require to define a PRIMARY KEY constraint"},
		{"CREATE TABLE a (k STRING) WITH ('connector' = 'kafka', 'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json')",
			"the option 'topic' is required"},
		{"CREATE TABLE a (k STRING) WITH ('connector' = 'kafka', " + with(", 'format' = 'avro'") + ")",
			"'value.format' must be 'json' or 'csv', not 'avro'"},
		{"CREATE TABLE a (k STRING) WITH ('connector' = 'kafka', " + with(", 'format' = 'json', 'scan.startup.mode' = 'timestamp'") + ")",
			"'scan.startup.mode' must be 'earliest-offset', 'latest-offset' or 'group-offsets' in Weir, not 'timestamp'"},
		{"CREATE TABLE a (k STRING) WITH ('connector' = 'kafka', " + with(", 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once'") + ")",
			"'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'"},
		{"CREATE TABLE a (k STRING) WITH ('connector' = 'kafka', " + with(", 'format' = 'json', 'properties.group.idd' = 'g'") + ")",
			"Unsupported options found for 'kafka': properties.group.idd, did you mean 'properties.group.id'?"},
		{"INSERT INTO append_only SELECT k, COUNT(*) FROM src GROUP BY k",
			"Table sink 'default_catalog.default_database.append_only' doesn't support consuming update changes"},
	} {
		_, err := tenv.ExecuteSQL(c.sql)
		if !(errors.Is(err, planner.ErrValidation) || errors.Is(err, planner.ErrUnsupported)) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s:\nerror %v\nwant %q", c.sql, err, c.msg)
		}
	}
}

// INSERT INTO a 'kafka' table with 'sink.delivery-guarantee' = 'exactly-once' through the clicks
// recording's crash: the job restarts from its last checkpoint, and the topic, read committed, holds each
// click once (Kafka transactions committed with the checkpoints).
func TestKafkaConnectorExactlyOnceThroughACrash(t *testing.T) {
	servers := kafkaCluster(t, "out")
	tenv := newTableEnv(2)
	mustExec(t, tenv, strings.Replace(clicksDDL, "'name' = 'clicks',", "'name' = 'clicks', 'crash' = 'true',", 1))
	mustExec(t, tenv, `CREATE TABLE out_clicks (page STRING, user_id BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'kafka',
		'topic' = 'out', 'properties.bootstrap.servers' = '`+servers+`', 'format' = 'json',
		'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'clicks-')`)
	mustExec(t, tenv, "SET 'execution.checkpointing.interval' = '20 ms'")
	r := mustExec(t, tenv, "INSERT INTO out_clicks SELECT * FROM clicks")
	if n := r.Job().Restarts(); n != 1 {
		t.Errorf("the job restarted %d times, want once, at the crash marker", n)
	}
	recs := topicRecords(t, servers, "out")
	distinct := map[string]bool{}
	for _, rec := range recs {
		distinct[rec] = true
	}
	if len(recs) != 12000 || len(distinct) != 12000 {
		t.Errorf("the topic holds %d committed records, %d distinct; want each of the 12000 clicks once", len(recs), len(distinct))
	}
}

// produceAt writes values to partitions of a topic with the given record timestamps (epoch milliseconds):
// one "partition:millis:value" each.
func produceAt(t *testing.T, servers, topic string, recs ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(servers, ",")...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, r := range recs {
		f := strings.SplitN(r, ":", 3)
		p, _ := strconv.Atoi(f[0])
		ms, _ := strconv.ParseInt(f[1], 10, 64)
		rec := &kgo.Record{Topic: topic, Partition: int32(p), Timestamp: time.UnixMilli(ms), Value: []byte(f[2])}
		if err := cl.ProduceSync(context.Background(), rec).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// Flink's Kafka metadata columns, filled from each record: its topic, partition, offset, timestamp and
// timestamp type, read-only ones VIRTUAL. A WATERMARK FOR the record's timestamp is emitted per partition
// by the source (the partitions interleave in one subtask, yet no row is late), and a 'timestamp' column
// that is not VIRTUAL sets the timestamps of the records an INSERT writes: read back, they are the same.
func TestKafkaConnectorMetadataColumns(t *testing.T) {
	servers := kafkaCluster(t, "events", "copy")
	produceAt(t, servers, "events", "0:1000:a", "1:1500:b", "0:2000:c", "1:4000:d", "0:5500:e", "1:5600:f")
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		mustExec(t, tenv, `CREATE TABLE events (v STRING,
			tpc STRING METADATA FROM 'topic' VIRTUAL, part INT METADATA FROM 'partition' VIRTUAL,
			off BIGINT METADATA FROM 'offset' VIRTUAL, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
			tt STRING METADATA FROM 'timestamp-type' VIRTUAL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
		) WITH ('connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = '`+servers+`',
			'format' = 'csv', 'scan.bounded.mode' = 'latest-offset')`)
		r := mustExec(t, tenv, "SELECT * FROM events")
		equalLines(t, fmt.Sprintf("p%d: the metadata of each record", p), sorted(r.Strings()), []string{
			"+I[a, events, 0, 0, 1970-01-01 00:00:01.000, CreateTime]", "+I[b, events, 1, 0, 1970-01-01 00:00:01.500, CreateTime]",
			"+I[c, events, 0, 1, 1970-01-01 00:00:02.000, CreateTime]", "+I[d, events, 1, 1, 1970-01-01 00:00:04.000, CreateTime]",
			"+I[e, events, 0, 2, 1970-01-01 00:00:05.500, CreateTime]", "+I[f, events, 1, 2, 1970-01-01 00:00:05.600, CreateTime]",
		})
		r = mustExec(t, tenv, "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '3' SECOND)) GROUP BY window_start, window_end")
		equalLines(t, fmt.Sprintf("p%d: rows per 3 s of record time", p), sorted(r.Strings()), []string{
			"+I[1970-01-01 00:00:00.000, 3]", "+I[1970-01-01 00:00:03.000, 3]"})
	}
	tenv := newTableEnv(2)
	mustExec(t, tenv, `CREATE TABLE events (v STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') WITH ('connector' = 'kafka',
		'topic' = 'events', 'properties.bootstrap.servers' = '`+servers+`', 'format' = 'csv', 'scan.bounded.mode' = 'latest-offset')`)
	mustExec(t, tenv, `CREATE TABLE copy (w STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', off BIGINT METADATA FROM 'offset' VIRTUAL)
		WITH ('connector' = 'kafka', 'topic' = 'copy', 'properties.bootstrap.servers' = '`+servers+`', 'format' = 'json',
		'scan.bounded.mode' = 'latest-offset')`)
	mustExec(t, tenv, "INSERT INTO copy SELECT UPPER(v), ts + INTERVAL '1' HOUR FROM events")
	r := mustExec(t, tenv, "SELECT w, ts FROM copy")
	equalLines(t, "the timestamps written", sorted(r.Strings()), []string{
		"+I[A, 1970-01-01 01:00:01.000]", "+I[B, 1970-01-01 01:00:01.500]", "+I[C, 1970-01-01 01:00:02.000]",
		"+I[D, 1970-01-01 01:00:04.000]", "+I[E, 1970-01-01 01:00:05.500]", "+I[F, 1970-01-01 01:00:05.600]"})
	if recs := topicRecords(t, servers, "copy"); len(recs) != 6 || recs[0] != ` => {"w":"A"}` {
		t.Errorf("the copy's records: %q, want 6 with the value's physical column only", recs)
	}
}

// Metadata columns refused as Flink refuses them: on a connector without metadata, an unknown key, a type
// the metadata cannot be cast to, and a persisted read-only key in a table written to; 'headers' is Flink's
// MAP<STRING, BYTES>, a type Weir's SQL lacks.
func TestKafkaConnectorMetadataErrors(t *testing.T) {
	tenv := newTableEnv(1)
	kafkaWith := "WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json')"
	mustExec(t, tenv, "CREATE TABLE src (k STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1')")
	mustExec(t, tenv, "CREATE TABLE persisted_offset (k STRING, off BIGINT METADATA FROM 'offset') "+kafkaWith)
	for _, c := range []struct{ sql, msg string }{
		{"CREATE TABLE a (k STRING, off BIGINT METADATA FROM 'offset') WITH ('connector' = 'datagen')",
			"declares metadata columns (off), but the 'datagen' connector doesn't implement the SupportsReadingMetadata interface"},
		{"CREATE TABLE a (k STRING, o BIGINT METADATA FROM 'ofset' VIRTUAL) " + kafkaWith,
			"Invalid metadata key 'ofset' in column 'o' of table 'a', did you mean 'offset'?"},
		{"CREATE TABLE a (k STRING, o STRING METADATA FROM 'offset' VIRTUAL) " + kafkaWith,
			"The column cannot be declared as 'STRING' because the type must be castable from metadata type 'BIGINT NOT NULL'"},
		{"CREATE TABLE a (k STRING, h STRING METADATA FROM 'headers') " + kafkaWith, "Weir's SQL has no MAP or BYTES type"},
		{"INSERT INTO persisted_offset SELECT k, 1 FROM src", "Invalid metadata key 'offset' in column 'off' of table 'default_catalog.default_database.persisted_offset'"},
	} {
		_, err := tenv.ExecuteSQL(c.sql)
		if !(errors.Is(err, planner.ErrValidation) || errors.Is(err, planner.ErrUnsupported)) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s:\nerror %v\nwant %q", c.sql, err, c.msg)
		}
	}
}
