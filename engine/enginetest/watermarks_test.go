package enginetest_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
)

// autoWatermarkInterval is the interval of Flink's TimestampsAndWatermarksOperatorTest.
const autoWatermarkInterval = 50

// lastMinusOne is the PeriodicWatermarkGenerator of Flink's TimestampsAndWatermarksOperatorTest: its
// watermark is the latest timestamp minus 1, emitted periodically.
func lastMinusOne() engine.WatermarkStrategy {
	return engine.ForGenerator("last-1", func() engine.WatermarkGenerator {
		current := engine.MinWatermark
		return engine.WatermarkGeneratorFuncs{
			Event: func(_ any, ts int64, _ engine.WatermarkOutput) { current = ts },
			Periodic: func(out engine.WatermarkOutput) {
				if current != engine.MinWatermark {
					out.EmitWatermark(current - 1)
				}
			},
		}
	}).WithTimestampAssigner(func(v any, _ int64) int64 { return v.(int64) }).
		WithEmitInterval(autoWatermarkInterval * time.Millisecond)
}

func newWatermarks(t *testing.T) *enginetest.Harness {
	t.Helper()
	h, err := enginetest.ForOperator(func(s *engine.DataStream) *engine.DataStream {
		return s.AssignTimestampsAndWatermarks(lastMinusOne())
	})
	must(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

// Flink: TimestampsAndWatermarksOperatorTest#periodicWatermarksEmitOnPeriodicEmitStreamMode: the operator
// assigns timestamps and emits its generator's watermark each time processing time passes the interval.
func TestPeriodicWatermarksEmitOnPeriodicEmit(t *testing.T) {
	h := newWatermarks(t)
	must(t, h.ProcessElement(int64(2), 1))
	must(t, h.SetProcessingTime(autoWatermarkInterval))
	expect(t, h, "record 2 @2", "watermark 1")
	h.ClearOutput()
	must(t, h.ProcessElement(int64(4), 1))
	must(t, h.SetProcessingTime(2*autoWatermarkInterval))
	expect(t, h, "record 4 @4", "watermark 3")
}

// Flink: TimestampsAndWatermarksOperatorTest#periodicWatermarksOnlyEmitOnPeriodicEmitStreamMode and
// #inputWatermarksAreNotForwarded: no watermark before the interval has passed, and none from the input
// (except the final one, #longMaxInputWatermarkIsForwarded).
func TestWatermarksOnlyFromTheGenerator(t *testing.T) {
	h := newWatermarks(t)
	must(t, h.ProcessElement(int64(2), 1))
	must(t, h.ProcessWatermark(42))
	must(t, h.SetProcessingTime(autoWatermarkInterval-1))
	expect(t, h, "record 2 @2")
	h.ClearOutput()
	must(t, h.ProcessWatermark(engine.MaxWatermark))
	if got := h.Watermarks(); !reflect.DeepEqual(got, []int64{engine.MaxWatermark}) {
		t.Fatalf("watermarks %v, want the final one only", got)
	}
}

// A function on a stream that is not keyed has no timers: registering one is the function's error.
func TestTimersNeedAKeyedStream(t *testing.T) {
	h, err := enginetest.ForProcessFunction(engine.ProcessFunction{
		ProcessElement: func(c *engine.Context, _ any, _ engine.Collector) { c.RegisterEventTimeTimer(5) },
	})
	must(t, err)
	defer h.Close()
	if err := h.ProcessElement(1, 1); err == nil || !containsAll(err.Error(), "Process", "on record 1", "only available on a KeyedStream") {
		t.Fatalf("a timer on a non-keyed stream: %v", err)
	}
}
