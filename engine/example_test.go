package engine_test

import (
	"fmt"
	"time"

	"github.com/de4e/weir/engine"
)

// Click is a page view at a time in milliseconds.
type Click struct {
	Page string
	At   int64
}

// A keyed event-time tumbling-window count: clicks per page per 10 seconds.
func Example() {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	clicks := env.FromElements(
		Click{"home", 1_000}, Click{"cart", 2_000}, Click{"home", 9_000},
		Click{"home", 12_000}, Click{"cart", 4_000}, Click{"home", 21_000})
	strategy := engine.ForBoundedOutOfOrderness(5 * time.Second).WithTimestampField("At")
	counts := clicks.AssignTimestampsAndWatermarks(strategy).
		KeyByField("Page").
		Window(engine.TumblingEventTimeWindows(10*time.Second)).
		Aggregate(engine.Count(), engine.WithKeyAndWindow).
		Collect()
	if _, err := env.Execute("clicks per page"); err != nil {
		panic(err)
	}
	for _, line := range counts.Strings() {
		fmt.Println(line)
	}
	// Output:
	// {cart 0 10000 2}
	// {home 0 10000 2}
	// {home 10000 20000 1}
	// {home 20000 30000 1}
}

// Two sources in one watermark alignment group: a reader whose watermark gets more than 30 seconds ahead of
// the group's slowest pauses until the other catches up. The windows are the same as without alignment.
func ExampleWatermarkStrategy_WithWatermarkAlignment() {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	strategy := engine.ForMonotonousTimestamps().WithTimestampField("At").
		WithWatermarkAlignment("clicks", 30*time.Second, 100*time.Millisecond)
	var web, app engine.SliceSource
	for s := int64(0); s < 120; s += 10 {
		web = append(web, engine.SourceElement{Value: Click{"web", s * 1000}, Timestamp: engine.NoTimestamp})
		app = append(app, engine.SourceElement{Value: Click{"app", s * 500}, Timestamp: engine.NoTimestamp})
	}
	counts := env.FromSource(web, &strategy, "web").Union(env.FromSource(app, &strategy, "app")).
		KeyByField("Page").
		Window(engine.TumblingEventTimeWindows(time.Minute)).
		Aggregate(engine.Count(), engine.WithKeyAndWindow).
		Collect()
	if _, err := env.Execute("aligned clicks"); err != nil {
		panic(err)
	}
	for _, line := range counts.Strings() {
		fmt.Println(line)
	}
	// Unordered output:
	// {app 0 60000 12}
	// {web 0 60000 6}
	// {web 60000 120000 6}
}
