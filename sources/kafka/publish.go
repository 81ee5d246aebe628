package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/de4e/weir/sources"
)

// publishBatch is how many records Publish hands to the client before it waits for their acknowledgements.
const publishBatch = 1000

// NewClient returns a franz-go client for brokers (host:port), with opts after the seed brokers. Publish,
// PublishLines, PublishRecording and CreateTopic take one; close it when done.
func NewClient(brokers []string, opts ...kgo.Opt) (*kgo.Client, error) {
	if len(brokers) == 0 {
		return nil, errors.New("kafka: no brokers")
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: client for %v: %w", brokers, err)
	}
	return cl, nil
}

// CreateTopic creates topic with partitions partitions, replicated replicationFactor times (-1 for the
// brokers' default). A topic that exists already is left as it is, and no error.
func CreateTopic(ctx context.Context, cl *kgo.Client, topic string, partitions int32, replicationFactor int16) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = topic
	t.NumPartitions = partitions
	t.ReplicationFactor = replicationFactor
	req.Topics = append(req.Topics, t)
	req.TimeoutMillis = 30_000
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("kafka: creating topic %s: %w", topic, err)
	}
	for _, rt := range resp.Topics {
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("kafka: creating topic %s: %w", topic, err)
		}
	}
	return nil
}

// Publish writes events to topic in order, each as its NDJSON recording line keyed by the event's Key, so
// that all events of a key land in one partition in their order (the client's default partitioner hashes
// the key). The Kafka timestamp of each record is the time it is published; the event time stays in the
// line, where the Source's default Decode finds it. It returns when the brokers hold every event.
func Publish(ctx context.Context, cl *kgo.Client, topic string, events []sources.Event) error {
	batch := make([]*kgo.Record, 0, publishBatch)
	for i := range events {
		b, err := json.Marshal(events[i])
		if err != nil {
			return fmt.Errorf("kafka: encoding event %d for %s: %w", i, topic, err)
		}
		batch = append(batch, &kgo.Record{Topic: topic, Key: []byte(events[i].Key), Value: b})
		if len(batch) == publishBatch {
			if err := produce(ctx, cl, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return produce(ctx, cl, batch)
}

func produce(ctx context.Context, cl *kgo.Client, recs []*kgo.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("kafka: publishing to %s: %w", recs[0].Topic, err)
	}
	return nil
}

// PublishLines publishes the events of lines (a recording, or what a generator made: see
// sources.FindGenerator) with Publish, and returns how many. Marker lines are left out: they script the
// replay of one recording and mean nothing in a partitioned topic.
func PublishLines(ctx context.Context, cl *kgo.Client, topic string, lines []sources.Line) (int, error) {
	events := make([]sources.Event, 0, len(lines))
	for _, l := range lines {
		if l.Event != nil {
			events = append(events, *l.Event)
		}
	}
	return len(events), Publish(ctx, cl, topic, events)
}

// PublishRecording reads a recording lazily (a bundled one's Opener, or sources.FileRecording) and publishes
// its events with Publish, a batch at a time, leaving markers out. A bad line stops it with an error naming
// the file and line, or is skipped with sources.Skip. It returns how many events it published.
func PublishRecording(ctx context.Context, cl *kgo.Client, topic string, rec sources.Opener, policy sources.Policy) (int, error) {
	rc, err := rec.Open()
	if err != nil {
		return 0, fmt.Errorf("kafka: opening %s: %w", rec.Name, err)
	}
	defer rc.Close()
	rd := sources.NewReader(rc, rec.Name, policy)
	n := 0
	batch := make([]sources.Event, 0, publishBatch)
	for {
		l, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
		if l.Event == nil {
			continue
		}
		batch = append(batch, *l.Event)
		if len(batch) == publishBatch {
			if err := Publish(ctx, cl, topic, batch); err != nil {
				return n, err
			}
			n += len(batch)
			batch = batch[:0]
		}
	}
	if err := Publish(ctx, cl, topic, batch); err != nil {
		return n, err
	}
	return n + len(batch), nil
}
