package engine_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources/kafka"
)

// The chaos test's Kafka side (engine.ChaosKafka): a kfake cluster in the parent process, one topic of two
// partitions per seed, the transactional Kafka sink in the children, and a read_committed reader.
func init() {
	engine.ChaosKafka = &engine.ChaosKafkaHooks{
		Cluster: func() (string, func(), error) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1))
			if err != nil {
				return "", nil, err
			}
			return strings.Join(c.ListenAddrs(), ","), c.Close, nil
		},
		CreateTopic: func(brokers, topic string) error {
			cl, err := kafka.NewClient(strings.Split(brokers, ","))
			if err != nil {
				return err
			}
			defer cl.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			return kafka.CreateTopic(ctx, cl, topic, 2, -1)
		},
		Sink: func(brokers, topic string) (engine.TwoPhaseCommitSink, func() error) {
			s := &kafka.Sink{Brokers: strings.Split(brokers, ","), Topic: topic, Transactional: true}
			return s, s.Close
		},
		ReadCommitted: func(brokers, topic string, timeout time.Duration) ([]string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			env := engine.NewEnvironment(engine.Config{Parallelism: 2})
			src := kafka.Source{Brokers: strings.Split(brokers, ","), Topic: topic, Bounded: true,
				Decode: func(b []byte) (any, error) { return string(b), nil }}
			c := env.FromSource(src, nil, topic).Collect()
			if _, err := env.ExecuteContext(ctx, "read "+topic); err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("a read_committed reader did not finish within %v (a transaction left open?): %w", timeout, err)
				}
				return nil, err
			}
			return c.Strings(), nil
		},
	}
}
