package engine

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// The built-in aggregates are recognised by their functions' code, so that one with a function replaced is
// run through its functions like any other.
func TestBuiltinAggregatesAreRecognised(t *testing.T) {
	doubled := Count()
	doubled.Add = func(_ any, acc any) any { return acc.(int64) + 2 }
	otherResult := SumOf("V")
	otherResult.GetResult = func(acc any) any { return acc.(float64) * 10 }
	for _, c := range []struct {
		name string
		agg  AggregateFunction
		want builtinAgg
	}{
		{"Count", Count(), builtinAgg{kind: aggCount}},
		{"SumOf", SumOf("V"), builtinAgg{kind: aggSum, field: "V"}},
		{"AverageOf", AverageOf("V"), builtinAgg{kind: aggAverage, field: "V"}},
		{"Count with its Add replaced", doubled, builtinAgg{}},
		{"SumOf with its GetResult replaced", otherResult, builtinAgg{}},
		{"a user's aggregate", AggregateFunction{CreateAccumulator: Count().CreateAccumulator, Add: Count().Add,
			GetResult: Count().GetResult, Merge: Count().Merge}, builtinAgg{}},
	} {
		if got := c.agg.builtinKind(); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// windowedRecord is the record of TestWindowContentsAgreeAcrossBackends.
type windowedRecord struct {
	K int64
	V int64
}

// The heap's namespace-major window contents (with unboxed built-in accumulators) give what the Pebble
// backend's plain table gives, for every kind of window function, with late records within and beyond the
// allowed lateness; Count's results are also checked against a count by hand.
func TestWindowContentsAgreeAcrossBackends(t *testing.T) {
	doubled := Count()
	doubled.Add = func(_ any, acc any) any { return acc.(int64) + 2 }
	const n = 800
	gen := func(i int64) SourceElement {
		// Out of order by up to 40 ms against a watermark that trails the largest timestamp by 20 ms.
		ts := i/4 + (i*37)%41 - 20
		return SourceElement{Value: windowedRecord{K: (i * 7919) % 37, V: i % 11}, Timestamp: ts}
	}
	perRecord := ForGenerator("per record", func() WatermarkGenerator {
		hi := MinWatermark
		return WatermarkGeneratorFuncs{Event: func(_ any, ts int64, out WatermarkOutput) {
			if ts > hi {
				hi = ts
				out.EmitWatermark(hi - 20)
			}
		}}
	})
	type fnCase struct {
		name  string
		apply func(*WindowedStream) *DataStream
	}
	fns := []fnCase{
		{"Count", func(w *WindowedStream) *DataStream { return w.Aggregate(Count(), WithKeyAndWindow) }},
		{"SumOf", func(w *WindowedStream) *DataStream { return w.Aggregate(SumOf("V"), WithKeyAndWindow) }},
		{"AverageOf", func(w *WindowedStream) *DataStream { return w.Aggregate(AverageOf("V"), WithKeyAndWindow) }},
		{"Count doubled", func(w *WindowedStream) *DataStream { return w.Aggregate(doubled, WithKeyAndWindow) }},
		{"Reduce", func(w *WindowedStream) *DataStream {
			return w.Reduce(func(a, b any) any {
				x, y := a.(windowedRecord), b.(windowedRecord)
				return windowedRecord{K: x.K, V: x.V + y.V}
			}, WithKeyAndWindow)
		}},
		{"Process", func(w *WindowedStream) *DataStream {
			return w.Process(func(ctx *WindowContext, key any, elements []any, out Collector) {
				out.Collect(WindowResult{Key: key, Start: ctx.Window().Start, End: ctx.Window().End, Value: len(elements)})
			})
		}},
	}
	assigners := []struct {
		name     string
		assigner WindowAssigner
	}{
		{"tumbling", TumblingEventTimeWindows(100 * time.Millisecond)},
		{"sliding", SlidingEventTimeWindows(100*time.Millisecond, 25*time.Millisecond)},
	}
	run := func(t *testing.T, backend StateBackendKind, a WindowAssigner, fn fnCase) (results, late []string) {
		env := NewEnvironment(Config{Parallelism: 2, StateBackend: backend})
		lateTag := NewOutputTag("late")
		var mu sync.Mutex
		ws := env.FromSource(GeneratorSource{Count: n, Gen: gen}, &perRecord, "events").SetParallelism(1).
			KeyBy(func(v any) any { return v.(windowedRecord).K }).
			Window(a).AllowedLateness(10 * time.Millisecond).SideOutputLateData(lateTag)
		out := fn.apply(ws)
		out.SinkTo("results", func(v any, ts int64) error {
			mu.Lock()
			defer mu.Unlock()
			results = append(results, fmt.Sprintf("%v @%d", v, ts))
			return nil
		})
		out.SideOutput(lateTag).SinkTo("late", func(v any, ts int64) error {
			mu.Lock()
			defer mu.Unlock()
			late = append(late, fmt.Sprint(v, ts))
			return nil
		})
		if _, err := env.Execute("window contents"); err != nil {
			t.Fatal(err)
		}
		slices.Sort(results)
		slices.Sort(late)
		return results, late
	}
	for _, a := range assigners {
		for _, fn := range fns {
			t.Run(a.name+"/"+fn.name, func(t *testing.T) {
				heap, heapLate := run(t, HeapState, a.assigner, fn)
				pebble, pebbleLate := run(t, PebbleState, a.assigner, fn)
				// A sliding window's record is late only once all of its four windows are.
				if a.name == "tumbling" && (len(heapLate) == 0 || len(heapLate) > n/4) {
					t.Fatalf("%d late records: the input does not test lateness", len(heapLate))
				}
				if !slices.Equal(heap, pebble) || !slices.Equal(heapLate, pebbleLate) {
					t.Fatalf("heap and Pebble differ: %d and %d results, %d and %d late", len(heap), len(pebble), len(heapLate), len(pebbleLate))
				}
				if fn.name == "Count" || fn.name == "Count doubled" {
					// Each window's last (possibly late) firing, its largest count, holds everything it got.
					last := map[string]int64{}
					for _, r := range heap {
						var k, start, end, c, ts int64
						if _, err := fmt.Sscanf(r, "{%d %d %d %d} @%d", &k, &start, &end, &c, &ts); err != nil {
							t.Fatalf("%q: %v", r, err)
						}
						w := fmt.Sprint(k, start)
						last[w] = max(last[w], c)
					}
					var total int64
					for _, c := range last {
						total += c
					}
					// By hand: a record counts in each of its windows not yet cleaned up when it arrives (the
					// watermark then trails the largest earlier timestamp by 20 ms), and goes to the side output
					// when all of them are and it is later than the allowed lateness.
					slide := int64(100)
					if a.name == "sliding" {
						slide = 25
					}
					per := int64(1)
					if fn.name == "Count doubled" {
						per = 2
					}
					var want, wantLate int64
					hi := MinWatermark
					for i := range int64(n) {
						ts := gen(i).Timestamp
						wm := MinWatermark
						if hi != MinWatermark {
							wm = hi - 20
						}
						hi = max(hi, ts)
						counted := false
						for start := ts - ((ts%slide)+slide)%slide; start > ts-100; start -= slide {
							if start+100-1+10 > wm {
								want += per
								counted = true
							}
						}
						if !counted && ts+10 <= wm {
							wantLate++
						}
					}
					if total != want || int64(len(heapLate)) != wantLate {
						t.Fatalf("the last firings count %d and %d records are late, want %d and %d", total, len(heapLate), want, wantLate)
					}
				}
			})
		}
	}
}
