package table

import (
	"context"
	"errors"
	"strings"
	"testing"

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
