package bench

import (
	"fmt"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
)

// Nexmark q12 counts bids per bidder in processing-time windows (PROCTIME()). Its result depends on when
// events arrive, so Weir runs it on a virtual clock that travels with the records
// (engine.Config.DeterministicTime): the generator emits each event at its dateTime, so a bid's arrival time
// is its dateTime and the source moves processing time there before the bid, as the SQL connector
// 'weir-nexmark' does. When the bounded input ends the clock moves to the end of the last bid's millisecond;
// as in Flink, the processing-time windows still open then never fire; a window's bids can come in two firings when some arrive at its last millisecond after another
// channel's time has already fired it, so results are compared per (bidder, window), with such rows added up.

// nexArrivalSource is nexSource whose readers move the job's processing time to each bid's dateTime before
// the bid (engine.SourceContext.SetTime).
type nexArrivalSource struct{ n int64 }

func (s nexArrivalSource) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	r, err := nexSource(s.n).Reader(ctx)
	return &nexArrivalReader{SourceReader: r, setTime: ctx.SetTime}, err
}

type nexArrivalReader struct {
	engine.SourceReader
	setTime func(int64)
	last    int64
}

func (r *nexArrivalReader) Read() (engine.SourceElement, error) {
	e, err := r.SourceReader.Read()
	switch {
	case err == nil && e.Value.(nexEvent).Kind == nexBid:
		r.setTime(e.Timestamp)
		r.last = e.Timestamp
	case err == engine.ErrEndOfInput && r.last > 0:
		r.setTime(r.last + 1) // the end of the last bid's millisecond, as the SQL connector does
	}
	return e, err
}

// stampedBid is a bid with the processing time at which it was read.
type stampedBid struct {
	Bidder, ReadAt int64
}

// readTimeWindows assigns a stampedBid to the processing-time windows of its read time, as Weir's planner
// assigns a row to the windows of its PROCTIME() value; the windows fire in processing time.
type readTimeWindows struct{ engine.WindowAssigner }

func (a readTimeWindows) AssignWindows(v any, ts, _ int64, buf []engine.Window) []engine.Window {
	return a.WindowAssigner.AssignWindows(v, ts, v.(stampedBid).ReadAt, buf)
}

// windowGroups adds up results per group, for results that may come in several rows per group.
type windowGroups struct {
	mu sync.Mutex
	m  map[string]int64
}

func (g *windowGroups) add(key string, v int64) {
	g.mu.Lock()
	g.m[key] += v
	g.mu.Unlock()
}

func (g *windowGroups) digest(d *digest) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, v := range g.m {
		d.n++
		d.total += v
	}
}

// nexQ12Proc is Nexmark q12 as Flink's SQL defines it, in DataStream: bids per bidder in 10 s tumbling
// processing-time windows, each bid windowed by the processing time it was read at.
var nexQ12Proc = nexQuery{"q12-proctime", "bids per bidder in 10 s tumbling processing-time windows (a virtual clock at each bid's arrival)",
	func(env *engine.Environment, src *engine.DataStream, out *digest) {
		groups := &windowGroups{m: map[string]int64{}}
		out.after = groups.digest
		src.Filter(isBid).
			Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, o engine.Collector) {
				o.Collect(stampedBid{v.(nexEvent).Bidder, ctx.CurrentProcessingTime()})
			}}).
			KeyBy(func(v any) any { return v.(stampedBid).Bidder }).
			Window(readTimeWindows{engine.TumblingProcessingTimeWindows(10 * time.Second)}).
			Aggregate(engine.Count(), engine.WithKeyAndWindow).
			SinkTo("sink", func(v any, _ int64) error {
				r := v.(engine.WindowResult)
				groups.add(fmt.Sprint(r.Key, r.Start), r.Value.(int64))
				return nil
			})
	},
	func(n int64, out *digest) {
		counts := map[[2]int64]int64{}
		last := int64(0) // the clock when the input ends: the end of the last bid's millisecond
		for i := range n {
			if b := nexGen(i); b.Kind == nexBid {
				counts[[2]int64{b.TS / 10000, b.Bidder}]++
				last = max(last, b.TS+1)
			}
		}
		for k, c := range counts {
			if (k[0]+1)*10000-1 <= last { // the windows still open at the end never fire
				out.n++
				out.total += c
			}
		}
	}}

// runNexmarkArrivals runs a processing-time query's job over n events at parallelism 2 on a virtual clock
// that each bid's arrival moves.
func runNexmarkArrivals(q nexQuery, n int64) (*digest, error) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, DeterministicTime: true})
	s := engine.ForBoundedOutOfOrderness(0)
	out := &digest{}
	q.job(env, env.FromSource(nexArrivalSource{n}, &s, "nexmark"), out)
	_, err := env.Execute("nexmark " + q.name)
	if out.after != nil {
		out.after(out)
	}
	return out, err
}
