package bench

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/de4e/weir/engine"
)

// Watermark alignment: two sources into one 1 s window count, the "fast" one's event time running twice as
// fast as the "slow" one's, so that without alignment the window operator holds the fast source's windows
// open until the slow one catches up. The aligned case pauses the fast readers (max drift 1 s of event time,
// announcements every 10 ms); its baseline is the same job unaligned. Both check that every event was
// counted in exactly one window.

// alignPauses is what the last aligned run's fast readers reported, for its note.
var alignPauses atomic.Int64

func init() {
	Register(Case{Name: "aligned-union/unaligned", About: "two sources (one 2x ahead in event time) -> union -> 1 s window count, 1,000 keys, parallelism 2",
		Run: func(n int64) (int64, error) { return n, alignedUnion(n, false) }})
	Register(Case{Name: "aligned-union/aligned", Baseline: "aligned-union/unaligned",
		About: "the same job with watermark alignment (max drift 1 s, update every 10 ms)",
		Run:   func(n int64) (int64, error) { return n, alignedUnion(n, true) },
		Note:  func() string { return fmt.Sprintf("fast readers paused %d times", alignPauses.Load()) }})
}

func alignedUnion(n int64, align bool) error {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	s := engine.ForBoundedOutOfOrderness(0)
	if align {
		s = s.WithWatermarkAlignment("union", time.Second, 10*time.Millisecond)
	}
	half := n / 2
	gen := func(perMilli int64) func(i int64) engine.SourceElement {
		return func(i int64) engine.SourceElement {
			ts := i / perMilli
			return engine.SourceElement{Value: event{Key: (i * 7919) % 1000, TS: ts}, Timestamp: ts}
		}
	}
	fast := env.FromSource(engine.GeneratorSource{Count: half, Gen: gen(eventsPerMilli / 2)}, &s, "fast")
	slow := env.FromSource(engine.GeneratorSource{Count: half, Gen: gen(eventsPerMilli)}, &s, "slow")
	var counted atomic.Int64
	fast.Union(slow).KeyBy(keyOf).
		Window(engine.TumblingEventTimeWindows(time.Second)).
		Aggregate(engine.Count()).
		SinkTo("sum", func(v any, _ int64) error { counted.Add(v.(int64)); return nil })
	job, err := env.Execute("aligned union")
	if err != nil {
		return err
	}
	if got := counted.Load(); got != 2*half {
		return fmt.Errorf("the windows counted %d events, want %d", got, 2*half)
	}
	if align {
		var pauses int64
		for _, v := range job.Snapshot().Vertices {
			for _, st := range v.Subtasks {
				if a := st.Alignment; a != nil && v.Name == "Source: fast" {
					pauses += a.Pauses
				}
			}
		}
		alignPauses.Store(pauses)
	}
	return nil
}
