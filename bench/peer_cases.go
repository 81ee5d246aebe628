package bench

import (
	"time"

	streams "github.com/reugn/go-streams"
	ext "github.com/reugn/go-streams/extension"
	"github.com/reugn/go-streams/flow"
)

// The peer: github.com/reugn/go-streams v0.13.0 (pinned in go.mod), the most used Go stream library, on the
// same generated events. It has no event-time tumbling window (its windows close on a wall-clock ticker),
// so its keyed case is a processing-time tumbling count per key: the totals compare, the window contents do
// not. Both run in the same invocation as the engine's cases.
func init() {
	Register(Case{Name: "map-chain/go-streams", Baseline: "map-chain/loop",
		About: "go-streams v0.13.0: map -> filter -> map over the same numbers",
		Run: func(n int64) (int64, error) {
			var got int64
			runPeer(numbersChan(n), func(any) { got++ },
				flow.NewMap(func(v any) any { return mapA(v) }, 1),
				flow.NewFilter(func(v any) bool { return filterB(v) }, 1),
				flow.NewMap(func(v any) any { return mapC(v) }, 1))
			return n, nil
		}})
	Register(Case{Name: "window-count-1k/go-streams", Baseline: "window-count-1k/loop",
		About: "go-streams v0.13.0: Keyed -> processing-time TumblingWindow(100ms) count, 1,000 keys",
		Run: func(n int64) (int64, error) {
			var total int64
			gen := genEvent(1000)
			src := make(chan any, 1024)
			go func() {
				for i := int64(0); i < n; i++ {
					src <- gen(i).Value
				}
				close(src)
			}()
			runPeer(src, func(x any) { total += int64(x.(int)) },
				flow.NewKeyed(func(e any) int64 { return keyOf(e).(int64) },
					func() streams.Flow { return flow.NewTumblingWindow[any](100 * time.Millisecond) },
					func() streams.Flow { return flow.NewMap(func(b []any) int { return len(b) }, 1) }))
			return total, nil
		}})
}

func numbersChan(n int64) chan any {
	c := make(chan any, 1024)
	go func() {
		for i := int64(0); i < n; i++ {
			c <- any(i)
		}
		close(c)
	}()
	return c
}

// runPeer wires src through flows into a sink drained by sink.
func runPeer(src chan any, sink func(any), flows ...streams.Flow) {
	out := make(chan any)
	go func() {
		f := ext.NewChanSource(src).Via(flows[0])
		for _, g := range flows[1:] {
			f = f.Via(g)
		}
		f.To(ext.NewChanSink(out))
	}()
	for x := range out {
		sink(x)
	}
}
