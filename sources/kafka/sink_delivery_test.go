package kafka

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The plain sink's checkpoint (PreCommit) waits for the brokers' acknowledgements at least once and not
// with NoFlush (Flink's DeliveryGuarantee.NONE, whose KafkaWriter flushes at a checkpoint only for the other
// guarantees). The broker holds the first produce request until it is released: with NoFlush the
// checkpoint ends while the record is held; at least once it ends only after the broker answered. Close
// flushes either way, so the record is in the topic at the end.
func TestSinkNoFlushDoesNotWaitAtCheckpoints(t *testing.T) {
	for _, noFlush := range []bool{true, false} {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "out"))
		if err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		var answered atomic.Bool
		held, release := make(chan struct{}), make(chan struct{})
		c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
			once.Do(func() {
				close(held)
				c.SleepControl(func() { <-release })
				answered.Store(true) // the cluster answers the request after this returns
			})
			return nil, nil, false
		})
		s := &Sink{Brokers: c.ListenAddrs(), Topic: "out", NoFlush: noFlush}
		txn, err := s.Begin(0, "part-0-0-0-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := txn.Write("x", 0); err != nil {
			t.Fatal(err)
		}
		<-held
		done := make(chan error, 1)
		go func() { done <- txn.PreCommit() }()
		if noFlush {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				t.Fatal("NoFlush: the checkpoint waited for the held record")
			}
			close(release)
		} else {
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !answered.Load() {
				t.Error("at least once: the checkpoint ended before the broker answered")
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if n := len(readTopic(t, c.ListenAddrs(), "out")); n != 1 {
			t.Errorf("NoFlush %v: %d records in the topic after Close, want 1", noFlush, n)
		}
		c.Close()
	}
}
