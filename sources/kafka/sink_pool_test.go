package kafka

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
)

// onePartitionCluster is cluster with topics of one partition, so that a lingering transaction holds back
// every record written after it (its records and the later ones share a partition).
func onePartitionCluster(t *testing.T, topics ...string) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// readTopicWithin is readTopic, failing the test if read_committed readers are held back (a lingering open
// transaction keeps the last stable offset from moving) for longer than a generous bound, far below the
// transaction timeout of 10 minutes.
func readTopicWithin(t *testing.T, brokers []string, topic string) []string {
	t.Helper()
	got := make(chan []string, 1)
	go func() { got <- readTopic(t, brokers, topic) }()
	select {
	case g := <-got:
		return g
	case <-time.After(30 * time.Second):
		t.Fatalf("reading %s read_committed did not end: a transaction of the crashed process is still open", topic)
		return nil
	}
}

// Flink's KafkaSink fences the producers of a failed attempt and aborts their lingering transactions on
// restore (Flink: KafkaSinkITCase#testAbortTransactionsOfPendingCheckpointsAfterFailure and
// #testAbortTransactionsAfterScaleInBeforeFirstCheckpoint); a transaction pre-committed by the crashed
// process is committed. Transactional ids come from a pool per subtask: prefix, subtask, index.
func TestNewProcessFencesLingeringTransactions(t *testing.T) {
	brokers := onePartitionCluster(t, "out")
	first := &Sink{Brokers: brokers, Topic: "out", Transactional: true}
	pre, err := first.Begin(0, "part-000-run1-0000-000001")
	if err != nil {
		t.Fatal(err)
	}
	if id := pre.(*kafkaTxn).txid; id != "weir-out-0-1" {
		t.Errorf("transactional id %s, want weir-out-0-1 (prefix, subtask, index)", id)
	}
	for i := range 3 {
		pre.Write(fmt.Sprint("kept ", i), 0)
	}
	if err := pre.PreCommit(); err != nil {
		t.Fatal(err)
	}
	open, err := first.Begin(0, "part-000-run1-0000-000002")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		open.Write(fmt.Sprint("dropped ", i), 0)
	}
	if err := open.(*kafkaTxn).cl.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The first process dies: its clients are gone, both transactions still open on the brokers.
	pre.(*kafkaTxn).cl.Close()
	open.(*kafkaTxn).cl.Close()

	second := &Sink{Brokers: brokers, Topic: "out", Transactional: true}
	rp, err := second.Recover("part-000-run1-0000-000001")
	if err != nil {
		t.Fatal(err)
	}
	if err := rp.Commit(); err != nil {
		t.Fatal(err)
	}
	// Its first transaction fences the pool, aborting the open transaction of the dead process.
	next, err := second.Begin(0, "part-000-run2-0000-000003") // numbered after the restored transactions, as the engine does
	if err != nil {
		t.Fatal(err)
	}
	next.Write("after", 0)
	if err := next.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	got := readTopicWithin(t, brokers, "out")
	slices.Sort(got)
	if strings.Join(got, ",") != "after,kept 0,kept 1,kept 2" {
		t.Fatalf("committed %v", got)
	}
}

// A pooled id is reused only when its previous transaction can no longer be needed: a sink whose
// transactions outnumber its pool while checkpoints are pending fails with an error saying so, rather
// than committing another transaction's records under the id.
func TestTransactionalIDPoolRefusesReuseWhilePending(t *testing.T) {
	brokers := cluster(t, "out")
	s := &Sink{Brokers: brokers, Topic: "out", Transactional: true, PoolSize: 2}
	defer s.Close()
	a, err := s.Begin(0, "part-000-run-0000-000001")
	if err != nil {
		t.Fatal(err)
	}
	a.Write("a", 0)
	if err := a.PreCommit(); err != nil {
		t.Fatal(err)
	}
	b, err := s.Begin(0, "part-000-run-0000-000002")
	if err != nil {
		t.Fatal(err)
	}
	b.PreCommit()
	if _, err := s.Begin(0, "part-000-run-0000-000003"); err == nil || !strings.Contains(err.Error(), "raise PoolSize") {
		t.Fatalf("reusing the id of a pending transaction: %v, want an error saying to raise PoolSize", err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	// a is committed, but it is the subtask's latest commit: a restore may still commit it again.
	if _, err := s.Begin(0, "part-000-run-0000-000003"); err == nil {
		t.Fatal("reused the id of the latest committed transaction")
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Begin(0, "part-000-run-0000-000003"); err != nil {
		t.Fatalf("the id is free once a later transaction is committed: %v", err)
	}
}

// Kafka to Kafka across a crashed process: the first process fails for good while a checkpoint is being
// completed, leaving a pre-committed and an open transaction on the brokers; a second process restores the
// latest checkpoint with a new Sink. Every input record is committed once, and read_committed readers are
// not held back by the first process's transactions.
func TestKafkaSinkExactlyOnceAcrossProcesses(t *testing.T) {
	brokers := cluster(t, "clicks")
	out := onePartitionCluster(t, "out")
	evs := publish(t, brokers, "clicks", "clicks")
	var want []string
	for _, e := range evs {
		b, _ := json.Marshal(e)
		want = append(want, string(b))
	}
	slices.Sort(want)
	ckpt := t.TempDir()
	run := func(restore string, faults *enginetest.Faults) (*engine.Job, error) {
		var decoded atomic.Int64
		env := engine.NewEnvironment(engine.Config{Parallelism: 2,
			Checkpointing: engine.CheckpointConfig{Interval: 5 * time.Millisecond, Dir: ckpt, RestoreFrom: restore},
			Restart:       engine.RestartStrategy{Attempts: -1}}) // a failure ends the process
		if faults != nil {
			enginetest.InjectFaults(env, faults)
		}
		sink := &Sink{Brokers: out, Topic: "out", Transactional: true}
		src := Source{Brokers: brokers, Topic: "clicks", Bounded: true, Decode: slowDecode(&decoded)}
		env.FromSource(src, nil, "clicks").SinkToTransactional("KafkaSink", sink)
		job, err := env.Execute("kafka to kafka")
		if err == nil {
			err = sink.Close()
		}
		// A crashed process does not close its sink: its transactions stay open on the brokers.
		return job, err
	}
	faults := &enginetest.Faults{}
	faults.Arm(enginetest.FailBeforeMetadataRename, 2)
	if _, err := run("", faults); !errors.Is(err, enginetest.ErrInjected) {
		t.Fatalf("the first process ended with %v, want the injected fault", err)
	}
	latest, err := engine.LatestCheckpoint(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("restoring %s", filepath.Base(latest))
	if _, err := run(latest, nil); err != nil {
		t.Fatal(err)
	}
	got := readTopicWithin(t, out, "out")
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("%d records committed, want %d; first differences: %v", len(got), len(want), first(got))
	}
}

var _ engine.LingeringAborter = (*Sink)(nil)

// A job restored at a lower parallelism aborts the transactions that subtasks it no longer has left open
// (their transactional ids are prefix-SUBTASK-INDEX with SUBTASK >= the new parallelism, which no subtask
// fences as its own pool), by probing the pools of the subtasks beyond its parallelism until one the
// brokers do not know (Flink: KafkaSinkITCase#testAbortTransactionsAfterScaleInBeforeFirstCheckpoint,
// TransactionAborter). Without it a read_committed reader waits for the transaction timeout.
func TestLowerParallelismAbortsTransactionsOfVanishedSubtasks(t *testing.T) {
	brokers := onePartitionCluster(t, "out")
	first := &Sink{Brokers: brokers, Topic: "out", Transactional: true}
	for sub := range 4 { // a process at parallelism 4 dies with a transaction of every subtask open
		txn, err := first.Begin(sub, fmt.Sprintf("part-%03d-run1-0000-000001", sub))
		if err != nil {
			t.Fatal(err)
		}
		txn.Write(fmt.Sprint("dropped ", sub), 0)
		if err := txn.(*kafkaTxn).cl.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		txn.(*kafkaTxn).cl.Close()
	}
	second := &Sink{Brokers: brokers, Topic: "out", Transactional: true}
	aborted, err := second.AbortLingering(2)
	if err != nil {
		t.Fatal(err)
	}
	if aborted != 4 {
		t.Errorf("aborted %d transactions, want 4 (2 of the remaining subtasks, 2 of the vanished ones)", aborted)
	}
	for sub := range 2 {
		txn, err := second.Begin(sub, fmt.Sprintf("part-%03d-run2-0000-000001", sub))
		if err != nil {
			t.Fatal(err)
		}
		txn.Write(fmt.Sprint("after ", sub), 0)
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	got := readTopicWithin(t, brokers, "out")
	slices.Sort(got)
	if strings.Join(got, ",") != "after 0,after 1" {
		t.Fatalf("committed %v", got)
	}
	// Started again, nothing is left to abort, and the probe stops at the first subtask never used.
	if aborted, err := (&Sink{Brokers: brokers, Topic: "out", Transactional: true}).AbortLingering(2); err != nil || aborted != 0 {
		t.Fatalf("a second start aborted %d (%v), want 0", aborted, err)
	}
}
