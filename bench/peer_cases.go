//go:build benchpeers

package bench

import (
	"fmt"
	"sync"

	streams "github.com/reugn/go-streams"
	ext "github.com/reugn/go-streams/extension"
	"github.com/reugn/go-streams/flow"
)

// The peer: github.com/reugn/go-streams v0.13.0 (pinned in go.mod), the most used Go stream library, on the
// same generated events, in the same invocation as the engine's cases. These cases are built only with the
// benchpeers build tag (go run -tags benchpeers . bench), so that the weir binary does not link the library.
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
	for _, keys := range []int64{1_000, 100_000} {
		name := fmt.Sprintf("window-count-%dk", keys/1000)
		scale := 1.0
		if keys > 1000 {
			scale = 0.5 // three goroutines per key: about 900 MiB and 20 µs an event at 100,000 keys
		}
		Register(Case{Name: name + "/go-streams", Baseline: name + "/loop", Typed: name + "/typed",
			About: fmt.Sprintf("go-streams v0.13.0: Keyed (a flow per key) -> FlatMap counting by event time in 1 s tumbling windows, %d keys", keys),
			Scale: scale, Run: func(n int64) (int64, error) { return n, goStreamsWindowCount(n, keys) }})
	}
}

// goStreamsWindowCount counts events per key in 1 s event-time tumbling windows with go-streams. Keyed splits
// the stream into a flow per key (the library's way of keying: a chain of goroutines per key), and each
// key's FlatMap keeps the count of its key's current window and emits it when an event of a later window
// arrives: the input is in event-time order, so that is when the watermark has passed the window's end. The
// windows each key still holds when the input ends are counted after the pipeline finishes. go-streams' own
// windows cannot do this: they close on a wall-clock ticker (SlidingWindow's event-time extractor only
// assigns elements to windows), so over input generated faster than real time they do not count the same
// windows as the engine.
func goStreamsWindowCount(n, keys int64) error {
	type window struct{ start, count int64 }
	var mu sync.Mutex
	var open []*window // each key's current window, read when the pipeline has finished
	src := make(chan any, 1024)
	go func() {
		for i := int64(0); i < n; i++ {
			src <- eventAt(i, keys)
		}
		close(src)
	}()
	var fired int64
	runPeer(src, func(x any) { fired += x.(int64) },
		flow.NewKeyed(func(e event) int64 { return e.Key },
			func() streams.Flow {
				w := &window{start: -1}
				mu.Lock()
				open = append(open, w)
				mu.Unlock()
				return flow.NewFlatMap(func(e event) []int64 {
					start := e.TS - e.TS%1000
					if start == w.start {
						w.count++
						return nil
					}
					var out []int64
					if w.count > 0 {
						out = []int64{w.count}
					}
					w.start, w.count = start, 1
					return out
				}, 1)
			}))
	mu.Lock()
	defer mu.Unlock()
	for _, w := range open {
		fired += w.count
	}
	if fired != n {
		return fmt.Errorf("go-streams counted %d of %d events", fired, n)
	}
	return nil
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
