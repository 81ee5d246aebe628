package bench

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
)

// The join cases: ad impressions joined with ad clicks by ad id, once in 1 s tumbling windows (a window join)
// and once with each click matched to the impressions of its ad up to 5 s before it (an interval join). Each
// runs against a hand-written loop computing the same pairs in the same run, and fails if the engine's
// pairs differ from the loop's. Half the events are impressions and half clicks; both streams move at
// joinEventsPerMilli events per millisecond of event time, each reader in timestamp order, so no record is
// ever late and the result does not depend on how the readers interleave.

// adEvent is an impression or a click on an ad.
type adEvent struct {
	ID, Ad, TS int64
}

const (
	joinEventsPerMilli = 10
	windowJoinAds      = 10_000 // ~1 impression and 1 click per ad per 1 s window
	intervalJoinAds    = 50_000 // ~1 impression per ad in the 5 s before a click
	intervalJoinBound  = 5000   // milliseconds: a click joins the impressions of [t-5 s, t]
	windowJoinSize     = 1000   // milliseconds
	// joinScale runs the join cases, whose every record is buffered in keyed state and paired, over a quarter
	// of the suite's events.
	joinScale = 0.25
)

// adGen returns event i of the impressions (side 0) or the clicks (side 1) over ads ads.
func adGen(side, ads, i int64) adEvent {
	return adEvent{ID: i, Ad: int64(splitmix(uint64(2*i+side)) % uint64(ads)), TS: i / joinEventsPerMilli}
}

func adSource(side, ads, n int64) engine.GeneratorSource {
	return engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		e := adGen(side, ads, i)
		return engine.SourceElement{Value: e, Timestamp: e.TS}
	}}
}

// pairValue is what a join emits for a pair, summed in the digest: impression id * 3 + click id.
func pairValue(imp, click adEvent) int64 { return imp.ID*3 + click.ID }

func adKey(v any) any { return v.(adEvent).Ad }

// runJoinJob runs join over n/2 impressions and n/2 clicks at parallelism 2 and returns the digest of its
// pairs.
func runJoinJob(n, ads int64, join func(imps, clicks *engine.DataStream) *engine.DataStream) (*digest, error) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	wm := engine.ForBoundedOutOfOrderness(0)
	imps := env.FromSource(adSource(0, ads, n/2), &wm, "impressions")
	clicks := env.FromSource(adSource(1, ads, n/2), &wm, "clicks")
	out := &digest{}
	join(imps, clicks).SinkTo("sink", func(v any, _ int64) error { out.add(v.(int64)); return nil })
	_, err := env.Execute("join")
	return out, err
}

// windowJoinLoop joins by hand what the window join does: per 1 s window, the impressions and clicks of each
// ad, every pair of them. Events arrive in time order, so a window is complete when the next begins.
func windowJoinLoop(n int64, out *digest) {
	type sides struct{ imps, clicks []adEvent }
	win := map[int64]*sides{}
	flush := func() {
		for _, s := range win {
			for _, imp := range s.imps {
				for _, c := range s.clicks {
					out.n++
					out.total += pairValue(imp, c)
				}
			}
		}
		clear(win)
	}
	cur := int64(-1)
	for i := range n / 2 {
		imp, click := adGen(0, windowJoinAds, i), adGen(1, windowJoinAds, i)
		if w := imp.TS / windowJoinSize; w != cur {
			flush()
			cur = w
		}
		s := win[imp.Ad]
		if s == nil {
			s = &sides{}
			win[imp.Ad] = s
		}
		s.imps = append(s.imps, imp)
		if s = win[click.Ad]; s == nil {
			s = &sides{}
			win[click.Ad] = s
		}
		s.clicks = append(s.clicks, click)
	}
	flush()
}

// intervalJoinLoop joins by hand what the interval join does: each click with the impressions of its ad from
// 5 s before it up to its own time. Impressions are kept per ad in time order and dropped once too old.
func intervalJoinLoop(n int64, out *digest) {
	imps := map[int64][]adEvent{}
	// Event time moves by one millisecond every joinEventsPerMilli events: a click joins the impressions of
	// its own millisecond too, so each millisecond's impressions are kept before its clicks are joined.
	for start := int64(0); start < n/2; start += joinEventsPerMilli {
		end := min(start+joinEventsPerMilli, n/2)
		for i := start; i < end; i++ {
			imp := adGen(0, intervalJoinAds, i)
			imps[imp.Ad] = append(imps[imp.Ad], imp)
		}
		for i := start; i < end; i++ {
			click := adGen(1, intervalJoinAds, i)
			l := imps[click.Ad]
			from, _ := slices.BinarySearchFunc(l, click.TS-intervalJoinBound, func(e adEvent, t int64) int { return int(e.TS - t) })
			l = l[from:]
			imps[click.Ad] = l
			for _, e := range l {
				out.n++
				out.total += pairValue(e, click)
			}
		}
	}
}

func init() {
	type joinCase struct {
		name, about string
		ads         int64
		job         func(imps, clicks *engine.DataStream) *engine.DataStream
		loop        func(n int64, out *digest)
	}
	for _, c := range []joinCase{
		{"join-window", "impressions joined with clicks by ad (10,000 ads) in 1 s tumbling windows", windowJoinAds,
			func(imps, clicks *engine.DataStream) *engine.DataStream {
				return imps.Join(clicks).Where(adKey).EqualTo(adKey).
					Window(engine.TumblingEventTimeWindows(windowJoinSize * time.Millisecond)).
					Apply(func(l, r any) any { return pairValue(l.(adEvent), r.(adEvent)) })
			}, windowJoinLoop},
		{"join-interval", "each click joined with the impressions of its ad (50,000 ads) in the 5 s before it", intervalJoinAds,
			func(imps, clicks *engine.DataStream) *engine.DataStream {
				return imps.KeyBy(adKey).IntervalJoin(clicks.KeyBy(adKey)).
					Between(0, intervalJoinBound*time.Millisecond).
					Process(engine.ProcessJoinFunction{ProcessElement: func(_ *engine.JoinContext, l, r any, out engine.Collector) {
						out.Collect(pairValue(l.(adEvent), r.(adEvent)))
					}})
			}, intervalJoinLoop},
	} {
		loopName := c.name + "/loop"
		var loopResult sync.Map // n -> digest string, so the engine case can check itself against the loop
		Register(Case{Name: loopName, About: "hand-written loop: " + c.about, Scale: joinScale,
			Run: func(n int64) (int64, error) {
				d := &digest{}
				c.loop(n, d)
				loopResult.Store(n, d.String())
				return n, nil
			}})
		Register(Case{Name: c.name + "/engine", Baseline: loopName, Typed: loopName, ChecksBaseline: true, About: c.about + ", parallelism 2", Scale: joinScale,
			Run: func(n int64) (int64, error) {
				d, err := runJoinJob(n, c.ads, c.job)
				if err != nil {
					return 0, err
				}
				want, ok := loopResult.Load(n)
				if !ok {
					l := &digest{}
					c.loop(n, l)
					want = l.String()
				}
				if d.String() != want {
					return 0, fmt.Errorf("the engine's result (%s) differs from the loop's (%s)", d, want)
				}
				return n, nil
			}})
	}
}
