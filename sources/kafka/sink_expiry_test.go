package kafka

import (
	"strings"
	"testing"
	"time"
)

// A transaction the brokers aborted because its timeout expired (kfake aborts it and bumps the producer
// epoch, as Kafka's transaction coordinator does) has lost its records: committing it, from the process
// that began it or from a new one that recovered it by name, is an error saying so, never a silent
// "nothing to commit" (Flink: FlinkKafkaInternalProducer#commitTransaction fails with ProducerFencedException
// or InvalidTxnStateException after a timeout abort).
func TestExpiredTransactionCommitIsAnError(t *testing.T) {
	const timeout = 300 * time.Millisecond
	for _, tc := range []struct {
		name    string
		recover bool
	}{
		{"same process", false},
		{"new process", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			brokers := onePartitionCluster(t, "out")
			s := &Sink{Brokers: brokers, Topic: "out", Transactional: true, TransactionTimeout: timeout}
			txn, err := s.Begin(0, "part-000-run-0000-000001")
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				txn.Write(i, 0)
			}
			if err := txn.PreCommit(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * timeout) // kfake aborts it on its timer
			if tc.recover {
				txn.(*kafkaTxn).cl.Close() // the process dies
				second := &Sink{Brokers: brokers, Topic: "out", Transactional: true, TransactionTimeout: timeout}
				if txn, err = second.Recover("part-000-run-0000-000001"); err != nil {
					t.Fatal(err)
				}
			}
			err = txn.Commit()
			if err == nil || !strings.Contains(err.Error(), "lost") {
				t.Fatalf("committing an expired transaction: %v, want an error saying its records are lost", err)
			}
			if got := readTopicWithin(t, brokers, "out"); len(got) != 0 {
				t.Fatalf("read_committed sees %v, want nothing", got)
			}
		})
	}
}
