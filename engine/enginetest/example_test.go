package enginetest_test

import (
	"fmt"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
)

// A keyed function with a timer, driven step by step: the output, and what the function leaves behind.
func ExampleForKeyedProcessFunction() {
	lastSeen := engine.State("last-seen")
	// Alert when a key has been silent for 10 ms of event time.
	silence := engine.ProcessFunction{
		ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
			if prev, ok := ctx.ValueState(lastSeen).Get(); ok {
				ctx.DeleteEventTimeTimer(prev.(int64) + 10)
			}
			ctx.ValueState(lastSeen).Update(ctx.Timestamp())
			ctx.RegisterEventTimeTimer(ctx.Timestamp() + 10)
		},
		OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {
			out.Collect(fmt.Sprintf("%v silent since %d", ctx.CurrentKey(), ts-10))
			ctx.ValueState(lastSeen).Clear()
		},
	}
	h, err := enginetest.ForKeyedProcessFunction(silence, func(v any) any { return v })
	if err != nil {
		panic(err)
	}
	defer h.Close()

	h.ProcessElement("a", 1)
	h.ProcessElement("b", 2)
	h.ProcessElement("a", 8)
	fmt.Println("state:", h.NumKeyedStateEntries(), "timers:", h.NumEventTimeTimers())
	h.ProcessWatermark(15)
	h.ProcessWatermark(30)
	for _, e := range h.Output() {
		fmt.Println(e)
	}
	fmt.Println("state:", h.NumKeyedStateEntries(), "timers:", h.NumEventTimeTimers())
	// Output:
	// state: 2 timers: 2
	// record b silent since 2 @12
	// watermark 15
	// record a silent since 8 @18
	// watermark 30
	// state: 0 timers: 0
}

// A window operator in a harness: any pipeline of one chain on a keyed stream works.
func ExampleForKeyedOperator() {
	h, err := enginetest.ForKeyedOperator(func(v any) any { return v.(string)[:1] }, func(k *engine.KeyedStream) *engine.DataStream {
		return k.Window(engine.TumblingEventTimeWindows(10*time.Millisecond)).
			Aggregate(engine.Count(), engine.WithKeyAndWindow)
	})
	if err != nil {
		panic(err)
	}
	defer h.Close()

	h.ProcessElement("apple", 1)
	h.ProcessElement("avocado", 4)
	h.ProcessElement("banana", 12)
	h.ProcessWatermark(9)
	fmt.Println(h.Records())
	fmt.Println("windows open:", h.NumKeyedStateEntries())
	// Output:
	// [{{a 0 10 2} 9}]
	// windows open: 1
}

// Snapshot and restore: a new harness starts from the state, timers included, of an earlier one (Flink's
// initializeState).
func ExampleHarness_Snapshot() {
	count := engine.State("count")
	counter := engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		n, _ := ctx.ValueState(count).Get()
		c, _ := n.(int)
		ctx.ValueState(count).Update(c + 1)
		out.Collect(fmt.Sprintf("%v #%d", v, c+1))
	}}
	key := func(v any) any { return v }

	h, _ := enginetest.ForKeyedProcessFunction(counter, key)
	h.ProcessElement("x", 1)
	h.ProcessElement("x", 2)
	snap, err := h.Snapshot()
	if err != nil {
		panic(err)
	}
	h.Close()

	restored, _ := enginetest.ForKeyedProcessFunction(counter, key, enginetest.Options{Restore: []*enginetest.Snapshot{snap}})
	defer restored.Close()
	restored.ProcessElement("x", 3)
	fmt.Println(restored.ExtractOutputValues())
	// Output:
	// [x #3]
}

// A panic in the function under test is an error naming the operator and the element.
func ExampleHarness_ProcessElement() {
	h, _ := enginetest.ForProcessFunction(engine.ProcessFunction{
		ProcessElement: func(_ *engine.Context, v any, out engine.Collector) { out.Collect(10 / v.(int)) },
	})
	defer h.Close()
	fmt.Println(h.ProcessElement(2, engine.NoTimestamp))
	fmt.Println(h.ProcessElement(0, engine.NoTimestamp))
	fmt.Println(h.ExtractOutputValues())
	// Output:
	// <nil>
	// operator "Process" (subtask 1/1) failed on record 0: runtime error: integer divide by zero
	// [5]
}

// Two inputs: a keyed CoProcessFunction that enriches orders with the latest price of their product.
func ExampleForKeyedCoProcessFunction() {
	price := engine.State("price")
	type order struct {
		Product string
		Qty     int
	}
	type quote struct {
		Product string
		Price   int
	}
	h, _ := enginetest.ForKeyedCoProcessFunction(engine.CoProcessFunction{
		ProcessElement1: func(ctx *engine.Context, v any, out engine.Collector) {
			p, ok := ctx.ValueState(price).Get()
			if !ok {
				out.Collect(fmt.Sprintf("%s: no price yet", v.(order).Product))
				return
			}
			out.Collect(fmt.Sprintf("%s: %d", v.(order).Product, v.(order).Qty*p.(int)))
		},
		ProcessElement2: func(ctx *engine.Context, v any, out engine.Collector) {
			ctx.ValueState(price).Update(v.(quote).Price)
		},
	}, func(v any) any { return v.(order).Product }, func(v any) any { return v.(quote).Product })
	defer h.Close()

	h.ProcessElement1(order{"tea", 2}, 1)
	h.ProcessElement2(quote{"tea", 3}, 2)
	h.ProcessElement1(order{"tea", 5}, 3)
	fmt.Println(h.ExtractOutputValues())
	// Output:
	// [tea: no price yet tea: 15]
}
