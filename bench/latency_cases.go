package bench

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// End-to-end latency at a fixed input rate below saturation. The source is paced: event i is due at
// start + i/rate of wall time, and a reader that is early sleeps until then (in steps of at least 1 ms). A
// window result's latency is the time from the moment the paced input passed the window's end in event time
// (the due time of the first event at or after the end) to the moment the sink received the result, so it
// includes the wait for the next periodic watermark (every 20 ms here), the firing and the network between
// the subtasks. Measuring from the due time, not from when a late source got round to an event, keeps a
// stalled job from hiding its delay. Results fired only by the end of input are left out.

// latencyRate is the input rate of the latency cases: 100,000 events a second, a few percent of what the
// window count and Q5 sustain. At this rate the window count's event time runs as fast as wall time and
// Nexmark's ten times faster (its generator advances event time 1 ms per 10 events).
const latencyRate = 100_000

// pacer paces a generator and measures the latency of window results.
type pacer struct {
	rate    float64
	indexOf func(ts int64) int64 // the index of the first event whose event time is at least ts
	lastTS  int64                // the event time of the last event: windows ending after it fire at end of input

	once  sync.Once
	start time.Time
	mu    sync.Mutex
	lat   []time.Duration
}

// due returns when event i is due.
func (p *pacer) due(i int64) time.Time {
	return p.start.Add(time.Duration(float64(i) / p.rate * float64(time.Second)))
}

// pace waits until event i is due (the first call starts the clock).
func (p *pacer) pace(i int64) {
	p.once.Do(func() { p.start = time.Now() })
	if wait := time.Until(p.due(i)); wait >= time.Millisecond {
		time.Sleep(wait)
	}
}

// result records a window result stamped ts (a window's last millisecond, end-1).
func (p *pacer) result(ts int64) {
	now := time.Now()
	end := ts + 1
	if end > p.lastTS {
		return
	}
	d := now.Sub(p.due(p.indexOf(end)))
	p.mu.Lock()
	p.lat = append(p.lat, d)
	p.mu.Unlock()
}

// latency returns the distribution of the results' latencies.
func (p *pacer) latency() Latency {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := Latency{Samples: len(p.lat), Rate: p.rate}
	if len(p.lat) == 0 {
		return l
	}
	s := slices.Clone(p.lat)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(int(q*float64(len(s))), len(s)-1)] }
	l.P50, l.P99, l.Max = at(0.50), at(0.99), s[len(s)-1]
	return l
}

// latencyWatermarkInterval is the sources' periodic watermark interval in the latency cases. A window fires
// at the first watermark after its end, so with the default 200 ms every result would wait up to 200 ms, by
// an amount set by the phase between the watermark timer and the window ends, which differs from run to run
// and would hide what checkpoints cost; 20 ms keeps that wait small and stable.
const latencyWatermarkInterval = 20 * time.Millisecond

// latencyConfig is the job configuration of a latency case: parallelism 2, heap state, watermarks every
// latencyWatermarkInterval, and exactly-once checkpoints every second (in a temporary directory the job
// removes) when ckpt is set.
func latencyConfig(ckpt bool) engine.Config {
	cfg := engine.Config{Parallelism: 2, AutoWatermarkInterval: latencyWatermarkInterval}
	if ckpt {
		cfg.Checkpointing = engine.CheckpointConfig{Interval: time.Second}
	}
	return cfg
}

// latencyWindowJob is the 1,000-key tumbling window count of window-count-1k, its source paced.
func latencyWindowJob(n int64, ckpt bool, p *pacer) error {
	const keys = 1000
	*p = pacer{rate: latencyRate, lastTS: eventAt(n-1, keys).TS,
		indexOf: func(ts int64) int64 { return ts * eventsPerMilli }}
	env := engine.NewEnvironment(latencyConfig(ckpt))
	s := engine.ForBoundedOutOfOrderness(0)
	env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		p.pace(i)
		e := eventAt(i, keys)
		return engine.SourceElement{Value: e, Timestamp: e.TS}
	}}, &s, "events").
		KeyBy(keyOf).
		Window(engine.TumblingEventTimeWindows(time.Second)).
		Aggregate(engine.Count()).
		SinkTo("latency", func(_ any, ts int64) error { p.result(ts); return nil })
	job, err := env.Execute("window count, paced")
	if err != nil {
		return err
	}
	return checkpointed(job, ckpt, n)
}

// latencyQ5Job is Nexmark Q5 (nexmark-q5/engine's job), its source paced.
func latencyQ5Job(n int64, ckpt bool, p *pacer) error {
	*p = pacer{rate: latencyRate, lastTS: nexGen(n - 1).TS,
		indexOf: func(ts int64) int64 { return (ts - sources.NexmarkBase) * 10 }}
	var q5 nexQuery
	for _, q := range nexQueries() {
		if q.name == "q5" {
			q5 = q
		}
	}
	env := engine.NewEnvironment(latencyConfig(ckpt))
	s := engine.ForBoundedOutOfOrderness(0)
	src := env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		p.pace(i)
		e := nexGen(i)
		return engine.SourceElement{Value: e, Timestamp: e.TS}
	}}, &s, "nexmark")
	out := &digest{observe: p.result}
	q5.job(env, src, out)
	job, err := env.Execute("nexmark q5, paced")
	if err != nil {
		return err
	}
	return checkpointed(job, ckpt, n)
}

// checkpointed returns an error if a run with checkpoints (ckpt) whose paced input lasted more than two
// intervals completed no periodic checkpoint, so that its latencies would not include checkpointing at all.
func checkpointed(job *engine.Job, ckpt bool, n int64) error {
	paced := time.Duration(float64(n) / latencyRate * float64(time.Second))
	return periodicCheckpoint(job, latencyConfig(ckpt).Checkpointing.Interval, paced)
}

func init() {
	for _, ckpt := range []bool{false, true} {
		suffix, about := "", "checkpoints off"
		if ckpt {
			suffix, about = "-ckpt-1s", "exactly-once checkpoints every 1 s"
		}
		var w, q pacer
		Register(Case{Name: "latency/window-count-1k" + suffix, Scale: 0.5, Latency: w.latency,
			About: fmt.Sprintf("the 1,000-key 1 s tumbling window count, input paced at %d events/s (event time = wall time), %s: latency of the window results", latencyRate, about),
			Run:   func(n int64) (int64, error) { return n, latencyWindowJob(n, ckpt, &w) }})
		Register(Case{Name: "latency/nexmark-q5" + suffix, Scale: 0.5, Latency: q.latency,
			About: fmt.Sprintf("Nexmark Q5 (hot items, 10 s windows sliding by 2 s), input paced at %d events/s (event time 10x wall time), %s: latency of each slide's hottest item", latencyRate, about),
			Run:   func(n int64) (int64, error) { return n, latencyQ5Job(n, ckpt, &q) }})
	}
}
