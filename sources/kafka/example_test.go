package kafka_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
	"github.com/de4e/weir/sources/kafka"
)

// The clicks recording published into a topic of four partitions (here on an in-process cluster) and
// counted per page and 15 s window by a job with three source subtasks.
func Example() {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		panic(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()

	ctx := context.Background()
	cl, err := kafka.NewClient(brokers)
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	if err := kafka.CreateTopic(ctx, cl, "clicks", 4, -1); err != nil {
		panic(err)
	}
	b, _ := sources.FindRecording("clicks")
	n, err := kafka.PublishRecording(ctx, cl, "clicks", b.Opener(), sources.Fail)
	if err != nil {
		panic(err)
	}
	fmt.Println(n, "clicks published")

	env := engine.NewEnvironment(engine.Config{Parallelism: 3})
	src := kafka.Source{Brokers: brokers, Topic: "clicks", Bounded: true, PartitionOutOfOrderness: time.Second}
	counts := env.FromSource(src, nil, "clicks").
		KeyByField("Key").
		Window(engine.TumblingEventTimeWindows(15*time.Second)).
		Aggregate(engine.Count(), engine.WithKeyAndWindow).
		Collect()
	if _, err := env.Execute("clicks per page"); err != nil {
		panic(err)
	}
	lines := counts.Strings()
	fmt.Println(len(lines), "windows, the first:", lines[0])
	// Output:
	// 12000 clicks published
	// 12 windows, the first: {/about 0 15000 1000}
}
