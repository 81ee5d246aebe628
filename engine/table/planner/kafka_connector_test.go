package planner

import (
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/sources/kafka"
)

// 'sink.delivery-guarantee' picks the Kafka sink's mode: 'none' is Flink's DeliveryGuarantee.NONE, whose
// checkpoints do not wait for acknowledgements (kafka.Sink.NoFlush; sources/kafka's
// TestSinkNoFlushDoesNotWaitAtCheckpoints shows the difference), 'at-least-once' (the default) waits, and
// 'exactly-once' writes in transactions.
func TestKafkaDeliveryGuarantees(t *testing.T) {
	for _, c := range []struct {
		option                 string
		noFlush, transactional bool
	}{
		{"", false, false},
		{", 'sink.delivery-guarantee' = 'at-least-once'", false, false},
		{", 'sink.delivery-guarantee' = 'none'", true, false},
		{", 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'p-'", false, true},
	} {
		st, err := sqlparse.Parse("CREATE TABLE k (s STRING) WITH ('connector' = 'kafka', 'topic' = 't', " +
			"'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json'" + c.option + ")")
		if err != nil {
			t.Fatal(err)
		}
		tab, err := TableFromDDL(st.(*sqlparse.CreateTable))
		if err != nil {
			t.Fatal(err)
		}
		env := engine.NewEnvironment(engine.Config{Parallelism: 1})
		in := env.FromElements(Row{Kind: Insert, Fields: []any{"x"}})
		_, closer, err := kafkaSink(in, tab, tab.physical(), false)
		if err != nil {
			t.Fatal(err)
		}
		s := closer.(*kafka.Sink)
		if s.NoFlush != c.noFlush || s.Transactional != c.transactional {
			t.Errorf("%q: NoFlush %v, Transactional %v; want %v and %v", c.option, s.NoFlush, s.Transactional, c.noFlush, c.transactional)
		}
	}
}
