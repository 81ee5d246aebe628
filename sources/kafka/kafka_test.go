package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
	"github.com/de4e/weir/sources"
)

const testPartitions = 4

// cluster starts an in-process Kafka cluster of three brokers with topics of four partitions.
func cluster(t testing.TB, topics ...string) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(testPartitions, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func client(t testing.TB, brokers []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := NewClient(brokers, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// publish publishes a bundled recording into topic and returns its events.
func publish(t testing.TB, brokers []string, topic, recording string) []sources.Event {
	t.Helper()
	b, err := sources.FindRecording(recording)
	if err != nil {
		t.Fatal(err)
	}
	n, err := PublishRecording(context.Background(), client(t, brokers), topic, b.Opener(), sources.Fail)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := b.Make()
	if err != nil {
		t.Fatal(err)
	}
	var evs []sources.Event
	for _, l := range lines {
		if l.Event != nil {
			evs = append(evs, *l.Event)
		}
	}
	if n != len(evs) {
		t.Fatalf("published %d events of %s, it has %d", n, recording, len(evs))
	}
	return evs
}

// windowCounts is the keyed event-time job of these tests: events per key per tumbling window.
func windowCounts(s *engine.DataStream, size time.Duration) *engine.DataStream {
	return s.KeyByField("Key").
		Window(engine.TumblingEventTimeWindows(size)).
		Aggregate(engine.Count(), engine.WithKeyAndWindow)
}

// The same keyed windowed job gives the same result reading a recording from Kafka, at parallelism 1, 3 and
// 5 (more subtasks than partitions), as reading the recording directly.
func TestKafkaJobMatchesRecordingJob(t *testing.T) {
	brokers := cluster(t, "nexmark", "spend")
	for _, c := range []struct {
		recording string
		window    time.Duration
	}{{"nexmark", 50 * time.Millisecond}, {"spend", time.Hour}} {
		publish(t, brokers, c.recording, c.recording)
		b, _ := sources.FindRecording(c.recording)
		env := engine.NewEnvironment(engine.Config{Parallelism: 2})
		strategy := engine.ForBoundedOutOfOrderness(time.Millisecond).WithPerRecordEmission()
		direct := windowCounts(env.FromSource(b.Replay(nil), &strategy, c.recording), c.window).Collect()
		if _, err := env.Execute("direct " + c.recording); err != nil {
			t.Fatal(err)
		}
		want := direct.Strings()
		if len(want) < 10 {
			t.Fatalf("%s: only %d windows: %v", c.recording, len(want), want)
		}
		for _, par := range []int{1, 3, 5} { // 5: one subtask without a partition
			env := engine.NewEnvironment(engine.Config{Parallelism: par})
			src := Source{Brokers: brokers, Topic: c.recording, Bounded: true, PartitionOutOfOrderness: time.Millisecond}
			got := windowCounts(env.FromSource(src, nil, "kafka "+c.recording), c.window).Collect()
			if _, err := env.Execute(fmt.Sprintf("kafka %s p%d", c.recording, par)); err != nil {
				t.Fatal(err)
			}
			if g := got.Strings(); !slices.Equal(g, want) {
				t.Fatalf("%s at parallelism %d: %d windows, want %d; first: %v vs %v", c.recording, par, len(g), len(want), first(g), first(want))
			}
		}
	}
}

func first(s []string) []string { return s[:min(len(s), 5)] }

// Partition p goes to subtask p % parallelism, and a reader's offset is the next offset of each partition.
func TestPartitionsSplitAcrossSubtasks(t *testing.T) {
	brokers := cluster(t, "clicks")
	publish(t, brokers, "clicks", "clicks")
	var total int
	for sub := range 3 {
		rd, err := Source{Brokers: brokers, Topic: "clicks", Bounded: true}.Reader(engine.SourceContext{Subtask: sub, Parallelism: 3})
		if err != nil {
			t.Fatal(err)
		}
		n := drain(t, rd, -1)
		total += n
		off, _ := rd.(engine.ReplayableReader).Offset()
		var pos position
		if err := json.Unmarshal(off, &pos); err != nil {
			t.Fatal(err)
		}
		var ps []int32
		sum := int64(0)
		for p, o := range pos.Next {
			ps = append(ps, p)
			sum += o
		}
		slices.Sort(ps)
		want := map[int][]int32{0: {0, 3}, 1: {1}, 2: {2}}[sub]
		if !slices.Equal(ps, want) || sum != int64(n) {
			t.Fatalf("subtask %d: partitions %v (want %v), offsets %s for %d records", sub, ps, want, off, n)
		}
		rd.Close()
	}
	if total != 12000 {
		t.Fatalf("read %d records, want 12000", total)
	}
}

// drain reads rd until its end (or limit records), failing on errors and on a stall of 5 s.
func drain(t testing.TB, rd engine.SourceReader, limit int) int {
	t.Helper()
	n := 0
	deadline := time.Now().Add(5 * time.Second)
	for limit < 0 || n < limit {
		e, err := rd.Read()
		switch {
		case errors.Is(err, engine.ErrEndOfInput):
			return n
		case errors.Is(err, engine.ErrNoData):
			if time.Now().After(deadline) {
				t.Fatalf("no data for 5 s after %d records", n)
			}
			time.Sleep(time.Millisecond)
			continue
		case err != nil:
			t.Fatal(err)
		}
		if _, ok := e.Value.(engine.Watermark); !ok {
			n++
			deadline = time.Now().Add(5 * time.Second)
		}
	}
	return n
}

// readEvents reads n events from rd.
func readEvents(t *testing.T, rd engine.SourceReader, n int) []string {
	t.Helper()
	var out []string
	for len(out) < n {
		e, err := rd.Read()
		if errors.Is(err, engine.ErrNoData) {
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ev := e.Value.(sources.Event)
		out = append(out, fmt.Sprintf("%s@%d/%d", ev.Key, ev.Time, ev.Int("user")))
	}
	return out
}

// A new reader sought to an offset reads exactly what the first reader read after taking it.
func TestSeekResumesAtOffset(t *testing.T) {
	brokers := cluster(t, "clicks")
	publish(t, brokers, "clicks", "clicks")
	src := Source{Brokers: brokers, Topic: "clicks"}
	a, err := src.Reader(engine.SourceContext{Subtask: 1, Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	readEvents(t, a, 1234)
	off, err := a.(engine.ReplayableReader).Offset()
	if err != nil {
		t.Fatal(err)
	}
	want := readEvents(t, a, 500)
	b, err := src.Reader(engine.SourceContext{Subtask: 1, Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	readEvents(t, b, 10) // the seek must also drop what the reader had fetched already
	if err := b.(engine.ReplayableReader).Seek(off); err != nil {
		t.Fatal(err)
	}
	if got := readEvents(t, b, 500); !slices.Equal(got, want) {
		t.Fatalf("after seek to %s: %v..., want %v...", off, first(got), first(want))
	}
	other, _ := src.Reader(engine.SourceContext{Subtask: 0, Parallelism: 2})
	defer other.Close()
	if err := other.(engine.ReplayableReader).Seek(off); err == nil || !strings.Contains(err.Error(), "does not read") {
		t.Fatalf("seeking subtask 0 to subtask 1's offset: %v", err)
	}
}

// slowDecode decodes events like the default, counting them and sleeping now and then so that checkpoints
// fall in the middle of the stream.
func slowDecode(count *atomic.Int64) func([]byte) (any, error) {
	return func(b []byte) (any, error) {
		if count.Add(1)%50 == 0 {
			time.Sleep(300 * time.Microsecond)
		}
		return DecodeEvent(b)
	}
}

// expectedCounts is the crash-free answer of windowCounts over events, as the file sink writes it.
func expectedCounts(t *testing.T, evs []sources.Event, size time.Duration) []string {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	elems := make([]engine.SourceElement, len(evs))
	for i, e := range evs {
		elems[i] = engine.SourceElement{Value: e, Timestamp: e.Time}
	}
	s := engine.NoWatermarks()
	c := windowCounts(env.FromSource(engine.SliceSource(elems), &s, "events"), size).Collect()
	if _, err := env.Execute("expected"); err != nil {
		t.Fatal(err)
	}
	return c.Strings()
}

// A crash in the middle of reading restores the source from the checkpointed offsets, not from the start,
// and with the file sink the committed output is exactly the crash-free one.
func TestCrashResumesFromCheckpointedOffsets(t *testing.T) {
	brokers := cluster(t, "clicks")
	evs := publish(t, brokers, "clicks", "clicks")
	want := expectedCounts(t, evs, 15*time.Second)
	for _, par := range []int{1, 3} {
		t.Run(fmt.Sprint("parallelism ", par), func(t *testing.T) {
			var decoded atomic.Int64
			faults := &enginetest.Faults{}
			faults.Arm(enginetest.FailSourceEmit, 9000)
			out := t.TempDir()
			env := engine.NewEnvironment(engine.Config{Parallelism: par,
				Checkpointing: engine.CheckpointConfig{Interval: 5 * time.Millisecond, Dir: t.TempDir()},
				Restart:       engine.RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
			enginetest.InjectFaults(env, faults)
			src := Source{Brokers: brokers, Topic: "clicks", Bounded: true, PartitionOutOfOrderness: 200 * time.Millisecond,
				Decode: slowDecode(&decoded)}
			windowCounts(env.FromSource(src, nil, "clicks"), 15*time.Second).SinkToFiles(out)
			job, err := env.Execute("clicks from kafka")
			if err != nil {
				t.Fatal(err)
			}
			got, err := engine.ReadCommitted(out)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if job.Restarts() != 1 || !slices.Equal(got, want) {
				t.Fatalf("%d restarts; committed %d windows, want %d: %v", job.Restarts(), len(got), len(want), first(got))
			}
			// 9000 records were read before the crash; restarting from the beginning would read them again.
			if n := decoded.Load(); n <= 12000 || n >= 12000+9000 {
				t.Fatalf("decoded %d records in all: the restart did not resume from a checkpoint", n)
			}
			t.Logf("parallelism %d: %d records decoded for 12000 (%d read again after the restore)", par, decoded.Load(), decoded.Load()-12000)
		})
	}
}

// readTopic reads a whole topic (read committed) as strings, with a bounded Source.
func readTopic(t *testing.T, brokers []string, topic string) []string {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	src := Source{Brokers: brokers, Topic: topic, Bounded: true, Decode: func(b []byte) (any, error) { return string(b), nil }}
	c := env.FromSource(src, nil, topic).Collect()
	if _, err := env.Execute("read " + topic); err != nil {
		t.Fatal(err)
	}
	return c.Strings()
}

// Kafka to Kafka, one output per input: with the transactional sink a crash at each step of the two-phase
// commit leaves exactly the input committed in the output topic, nothing lost, nothing repeated; the plain
// sink loses nothing but repeats what it wrote after the last completed checkpoint.
func TestSinkExactlyOnceWithKafkaTransactions(t *testing.T) {
	brokers := cluster(t, "clicks", "out-txn-emit", "out-txn-commit", "out-plain")
	evs := publish(t, brokers, "clicks", "clicks")
	var want []string
	for _, e := range evs {
		b, _ := json.Marshal(e)
		want = append(want, string(b))
	}
	slices.Sort(want)
	run := func(topic string, sink *Sink, p enginetest.Failpoint, hits int) {
		faults := &enginetest.Faults{}
		faults.Arm(p, hits)
		var decoded atomic.Int64
		env := engine.NewEnvironment(engine.Config{Parallelism: 2,
			Checkpointing: engine.CheckpointConfig{Interval: 20 * time.Millisecond, Dir: t.TempDir()},
			Restart:       engine.RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
		enginetest.InjectFaults(env, faults)
		src := Source{Brokers: brokers, Topic: "clicks", Bounded: true, Decode: slowDecode(&decoded)}
		env.FromSource(src, nil, "clicks").SinkToTransactional("KafkaSink", sink)
		job, err := env.Execute(topic)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
		if job.Restarts() != 1 {
			t.Fatalf("%s: %d restarts, want 1", topic, job.Restarts())
		}
	}
	for topic, p := range map[string]enginetest.Failpoint{"out-txn-emit": enginetest.FailSourceEmit, "out-txn-commit": enginetest.FailBeforeSinkCommit} {
		hits := 9000
		if p == enginetest.FailBeforeSinkCommit {
			hits = 5
		}
		run(topic, &Sink{Brokers: brokers, Topic: topic, Transactional: true}, p, hits)
		if got := readTopic(t, brokers, topic); !slices.Equal(got, want) {
			t.Fatalf("%s: %d records committed, want %d", topic, len(got), len(want))
		}
	}
	run("out-plain", &Sink{Brokers: brokers, Topic: "out-plain"}, enginetest.FailSourceEmit, 9000)
	got := readTopic(t, brokers, "out-plain")
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	for _, w := range want {
		if count[w]--; count[w] < 0 {
			t.Fatalf("plain sink lost %s", w)
		}
	}
	if len(got) <= len(want) {
		t.Fatalf("plain sink: %d records for %d inputs, want some repeated after the crash", len(got), len(want))
	}
	t.Logf("plain sink: %d records for %d inputs", len(got), len(want))
}

// A transaction pre-committed by one process is committed by another that only knows its name (a job
// restored from a checkpoint after the process died), and an open one is aborted.
func TestRecoverTransactionInAnotherProcess(t *testing.T) {
	brokers := cluster(t, "out")
	first := &Sink{Brokers: brokers, Topic: "out", Transactional: true}
	pre, err := first.Begin(0, "part-000-run-0000-000001")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := pre.Write(fmt.Sprint("kept ", i), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := pre.PreCommit(); err != nil {
		t.Fatal(err)
	}
	open, err := first.Begin(0, "part-000-run-0000-000002") // after the pre-commit, as the engine does
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := open.Write(fmt.Sprint("dropped ", i), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := open.(*kafkaTxn).cl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The first process dies: its clients are gone, its transactions still open on the brokers.
	pre.(*kafkaTxn).cl.Close()
	open.(*kafkaTxn).cl.Close()

	second := &Sink{Brokers: brokers, Topic: "out", Transactional: true}
	rp, _ := second.Recover("part-000-run-0000-000001")
	if err := rp.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := rp.Commit(); err != nil {
		t.Fatalf("committing again: %v", err)
	}
	ro, _ := second.Recover("part-000-run-0000-000002")
	if err := ro.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := readTopic(t, brokers, "out"); strings.Join(got, ",") != "kept 0,kept 1,kept 2" {
		t.Fatalf("committed %v", got)
	}
}

// A malformed record fails the job with an error naming topic, partition and offset; with the Skip policy
// it is counted and the job goes on.
func TestMalformedRecordNamesTopicPartitionOffset(t *testing.T) {
	brokers := cluster(t, "bad")
	cl := client(t, brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	var recs []*kgo.Record
	for i := range 5 {
		v := fmt.Sprintf(`{"arrival":%d,"time":%d,"key":"k"}`, i, i)
		if i == 3 {
			v = `{"arrival":3,"time":"three","key":"k"}`
		}
		recs = append(recs, &kgo.Record{Topic: "bad", Partition: 2, Value: []byte(v)})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 3})
	env.FromSource(Source{Brokers: brokers, Topic: "bad", Bounded: true}, nil, "bad").Collect()
	_, err := env.Execute("bad")
	if err == nil || !strings.Contains(err.Error(), "topic bad partition 2 offset 3") || !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
	skips := &Skips{}
	env = engine.NewEnvironment(engine.Config{Parallelism: 3})
	got := env.FromSource(Source{Brokers: brokers, Topic: "bad", Bounded: true, Policy: sources.Skip, Skips: skips}, nil, "bad").Collect()
	if _, err := env.Execute("bad, skipped"); err != nil {
		t.Fatal(err)
	}
	n, last := skips.Count()
	if got.Len() != 4 || n != 1 || !strings.Contains(last.Error(), "partition 2 offset 3") {
		t.Fatalf("%d records, %d skipped (%v)", got.Len(), n, last)
	}
}

// With a Group, readers commit their positions at checkpoints, and StartOffsets Committed starts there.
func TestGroupCommitsAndCommittedStart(t *testing.T) {
	brokers := cluster(t, "clicks")
	publish(t, brokers, "clicks", "clicks")
	src := Source{Brokers: brokers, Topic: "clicks", Group: "lessons"}
	a, err := src.Reader(engine.SourceContext{Subtask: 0, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	readEvents(t, a, 3000)
	want, err := a.(engine.ReplayableReader).Offset() // a checkpoint: commits in the background
	if err != nil {
		t.Fatal(err)
	}
	readEvents(t, a, 10)
	a.Close() // waits for the commit
	src.StartOffsets = Committed
	b, err := src.Reader(engine.SourceContext{Subtask: 0, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got, _ := b.(engine.ReplayableReader).Offset(); string(got) != string(want) {
		t.Fatalf("committed start at %s, want %s", got, want)
	}
}

// An unbounded Kafka job stops as soon as the context it runs under is cancelled: Wait returns
// engine.ErrCanceled wrapping the cause, and the readers' clients are closed.
func TestExecuteContextStopsUnboundedKafkaJob(t *testing.T) {
	brokers := cluster(t, "clicks")
	evs := publish(t, brokers, "clicks", "clicks")
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	got := env.FromSource(Source{Brokers: brokers, Topic: "clicks"}, nil, "kafka").Collect()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	job, err := env.ExecuteAsyncContext(ctx, "unbounded")
	if err != nil {
		t.Fatal(err)
	}
	for got.Len() < len(evs) { // every record read: the readers now poll an idle topic
		select {
		case <-job.Done():
			t.Fatalf("the job ended: %v", job.Err())
		case <-time.After(time.Millisecond):
		}
	}
	stop := errors.New("shutdown")
	cancel(stop)
	select {
	case <-job.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not stop within 5 s of its context's cancellation")
	}
	if err := job.Wait(); !errors.Is(err, engine.ErrCanceled) || !errors.Is(err, stop) {
		t.Fatalf("Wait = %v, want engine.ErrCanceled wrapping the cause", err)
	}
}
