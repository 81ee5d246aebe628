package bench

import (
	"fmt"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// Nexmark queries written with the DataStream API over a typed Nexmark generator, each compared with a
// hand-written loop computing the same result in the same run; a query whose result differs from its loop's
// fails the case. The generator follows the Nexmark rules of package sources (1 person, 3 auctions and 46
// bids in 50 events, its id formulas, 10 events per millisecond from NexmarkBase) but draws its random
// choices from a hash of the event id, so that parallel readers generate the same stream.

// nexEvent is one Nexmark event. Bids carry Auction, Bidder and Price; auctions ID, Seller and Category;
// persons ID and State.
type nexEvent struct {
	Kind     uint8 // nexPerson, nexAuction or nexBid
	ID       int64
	Auction  int64
	Bidder   int64
	Price    int64
	Seller   int64
	Category int64
	State    string
	Expires  int64
	TS       int64
}

const (
	nexPerson  = sources.NexmarkPersonKind
	nexAuction = sources.NexmarkAuctionKind
	nexBid     = sources.NexmarkBidKind
)

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// nexGen returns event i of the stream (package sources generates it, for the SQL connector too).
func nexGen(i int64) nexEvent { return nexEvent(sources.NexmarkEventAt(i)) }

func nexSource(n int64) engine.GeneratorSource {
	return engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		e := nexGen(i)
		return engine.SourceElement{Value: e, Timestamp: e.TS}
	}}
}

// digest sums what a query emits, so that the engine's result can be compared with the loop's.
type digest struct {
	mu    sync.Mutex
	n     int64
	total int64
	after func(*digest) // for queries whose result is known only at the end (a final table)
	// observe, if set, is called with the timestamp of each result of a query that reports them (Q5), as it
	// arrives: the latency cases measure with it.
	observe func(ts int64)
}

// categoryTotals keeps the latest running total per category (Q4's final table).
type categoryTotals struct {
	mu sync.Mutex
	m  map[int64][2]int64 // category -> (category, sum of winning bids); counted in digest
}

func (c *categoryTotals) set(v [2]int64) {
	c.mu.Lock()
	c.m[v[0]] = v
	c.mu.Unlock()
}

func (c *categoryTotals) digest(d *digest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range c.m {
		d.n++
		d.total += v[1]
	}
}

func (d *digest) add(v int64) {
	d.mu.Lock()
	d.n++
	d.total += v
	d.mu.Unlock()
}

// addAt adds a result stamped ts and tells the digest's observer, if any, that it arrived.
func (d *digest) addAt(v, ts int64) {
	d.add(v)
	if d.observe != nil {
		d.observe(ts)
	}
}

func (d *digest) String() string { return fmt.Sprintf("%d results, sum %d", d.n, d.total) }

// nexQuery is one query: its job, its loop and how a result is digested.
type nexQuery struct {
	name, about string
	job         func(env *engine.Environment, src *engine.DataStream, out *digest)
	loop        func(n int64, out *digest)
}

func isBid(v any) bool { return v.(nexEvent).Kind == nexBid }

type euroBid struct {
	Auction, Bidder, Price int64
}

type auctionCount struct {
	Auction, Count, End int64
}

func nexQueries() []nexQuery {
	return []nexQuery{
		{"q0", "pass-through: every event to the sink",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Map(func(v any) any { return v }).SinkTo("sink", func(v any, _ int64) error { out.add(1); return nil })
			},
			func(n int64, out *digest) {
				for i := range n {
					_ = nexGen(i)
					out.n++
					out.total++
				}
			}},
		{"q1", "currency conversion: every bid's price in euros (x 0.908)",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Filter(isBid).
					Map(func(v any) any { b := v.(nexEvent); return euroBid{b.Auction, b.Bidder, b.Price * 908 / 1000} }).
					SinkTo("sink", func(v any, _ int64) error { out.add(v.(euroBid).Price); return nil })
			},
			func(n int64, out *digest) {
				for i := range n {
					if b := nexGen(i); b.Kind == nexBid {
						out.n++
						out.total += b.Price * 908 / 1000
					}
				}
			}},
		{"q2", "selection: the bids on auctions whose id is a multiple of 123",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Filter(func(v any) bool { b := v.(nexEvent); return b.Kind == nexBid && b.Auction%123 == 0 }).
					SinkTo("sink", func(v any, _ int64) error { out.add(v.(nexEvent).Price); return nil })
			},
			func(n int64, out *digest) {
				for i := range n {
					if b := nexGen(i); b.Kind == nexBid && b.Auction%123 == 0 {
						out.n++
						out.total += b.Price
					}
				}
			}},
		{"q5", "hot items: bids per auction in 10 s windows sliding by 2 s, the auction with most bids per window",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Filter(isBid).
					KeyBy(func(v any) any { return v.(nexEvent).Auction }).
					Window(engine.SlidingEventTimeWindows(10*time.Second, 2*time.Second)).
					Aggregate(engine.Count(), func(ctx *engine.WindowContext, key any, els []any, o engine.Collector) {
						o.Collect(auctionCount{key.(int64), els[0].(int64), ctx.Window().End})
					}).
					WindowAll(engine.TumblingEventTimeWindows(2*time.Second)).
					Reduce(hotter).
					SinkTo("sink", func(v any, ts int64) error { out.addAt(v.(auctionCount).Count, ts); return nil })
			},
			func(n int64, out *digest) {
				counts := map[[2]int64]int64{} // (window end, auction) -> bids
				for i := range n {
					b := nexGen(i)
					if b.Kind != nexBid {
						continue
					}
					for end := (b.TS/2000)*2000 + 2000; end <= b.TS+10000; end += 2000 {
						counts[[2]int64{end, b.Auction}]++
					}
				}
				best := map[int64]auctionCount{}
				for k, c := range counts {
					cur, ok := best[k[0]]
					if !ok || hotter(cur, auctionCount{k[1], c, k[0]}) != cur {
						best[k[0]] = auctionCount{k[1], c, k[0]}
					}
				}
				for _, c := range best {
					out.n++
					out.total += c.Count
				}
			}},
		{"q7", "highest bid: the largest price of each 10 s tumbling window",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Filter(isBid).
					WindowAll(engine.TumblingEventTimeWindows(10*time.Second)).
					Reduce(func(a, b any) any {
						if b.(nexEvent).Price > a.(nexEvent).Price {
							return b
						}
						return a
					}).
					SinkTo("sink", func(v any, _ int64) error { out.add(v.(nexEvent).Price); return nil })
			},
			func(n int64, out *digest) {
				best := map[int64]int64{}
				for i := range n {
					if b := nexGen(i); b.Kind == nexBid {
						w := b.TS / 10000
						best[w] = max(best[w], b.Price)
					}
				}
				for _, p := range best {
					out.n++
					out.total += p
				}
			}},
		{"q12", "bids per bidder in 10 s tumbling windows (event time in place of Q12's processing time, so the result is checkable)",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Filter(isBid).
					KeyBy(func(v any) any { return v.(nexEvent).Bidder }).
					Window(engine.TumblingEventTimeWindows(10*time.Second)).
					Aggregate(engine.Count()).
					SinkTo("sink", func(v any, _ int64) error { out.add(v.(int64)); return nil })
			},
			func(n int64, out *digest) {
				counts := map[[2]int64]int64{}
				for i := range n {
					if b := nexGen(i); b.Kind == nexBid {
						counts[[2]int64{b.TS / 10000, b.Bidder}]++
					}
				}
				for _, c := range counts {
					out.n++
					out.total += c
				}
			}},
		{"q11", "user sessions: bids per bidder in each session of activity (10 s gap, event time)",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Filter(isBid).
					KeyBy(func(v any) any { return v.(nexEvent).Bidder }).
					Window(engine.EventTimeSessionWindows(10*time.Second)).
					Aggregate(engine.Count()).
					SinkTo("sink", func(v any, _ int64) error { out.add(v.(int64)); return nil })
			},
			func(n int64, out *digest) {
				type session struct{ last, count int64 }
				open := map[int64]*session{} // the generator's times never decrease, so a session closes at its first gap
				for i := range n {
					b := nexGen(i)
					if b.Kind != nexBid {
						continue
					}
					s := open[b.Bidder]
					if s != nil && b.TS >= s.last+10000 {
						out.n++
						out.total += s.count
						s = nil
					}
					if s == nil {
						s = &session{}
						open[b.Bidder] = s
					}
					s.last = b.TS
					s.count++
				}
				for _, s := range open {
					out.n++
					out.total += s.count
				}
			}},
		{"q3", "local item suggestion: auctions of category 10 by sellers living in OR, ID or CA (an incremental join)",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				persons := src.Filter(func(v any) bool {
					p := v.(nexEvent)
					return p.Kind == nexPerson && (p.State == "OR" || p.State == "ID" || p.State == "CA")
				})
				auctions := src.Filter(func(v any) bool { a := v.(nexEvent); return a.Kind == nexAuction && a.Category == 10 })
				person, pending := engine.State("person"), engine.State("pending")
				persons.Connect(auctions).
					KeyBy(func(v any) any { return v.(nexEvent).ID }, func(v any) any { return v.(nexEvent).Seller }).
					Process(engine.CoProcessFunction{
						ProcessElement1: func(ctx *engine.Context, v any, o engine.Collector) {
							ctx.ValueState(person).Update(true)
							for _, a := range ctx.ListState(pending).Get() {
								o.Collect(a)
							}
							ctx.ListState(pending).Clear()
						},
						ProcessElement2: func(ctx *engine.Context, v any, o engine.Collector) {
							if _, ok := ctx.ValueState(person).Get(); ok {
								o.Collect(v)
							} else {
								ctx.ListState(pending).Add(v)
							}
						},
					}).
					SinkTo("sink", func(v any, _ int64) error { out.add(v.(nexEvent).ID); return nil })
			},
			func(n int64, out *digest) {
				local := map[int64]bool{}
				pending := map[int64][]int64{}
				for i := range n {
					switch e := nexGen(i); {
					case e.Kind == nexPerson && (e.State == "OR" || e.State == "ID" || e.State == "CA"):
						local[e.ID] = true
						for _, a := range pending[e.ID] {
							out.n++
							out.total += a
						}
						delete(pending, e.ID)
					case e.Kind == nexAuction && e.Category == 10:
						if local[e.Seller] {
							out.n++
							out.total += e.ID
						} else {
							pending[e.Seller] = append(pending[e.Seller], e.ID)
						}
					}
				}
			}},
		{"q4", "average winning bid per category: each auction's highest bid before it expires, averaged per category",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				final := &categoryTotals{m: map[int64][2]int64{}}
				out.after = final.digest
				nexWinningBids(src).
					KeyBy(func(v any) any { return v.([2]int64)[0] }).
					Reduce(func(a, b any) any {
						x, y := a.([2]int64), b.([2]int64)
						return [2]int64{x[0], x[1] + y[1]}
					}).
					SinkTo("sink", func(v any, _ int64) error { final.set(v.([2]int64)); return nil })
			},
			func(n int64, out *digest) {
				type auc struct {
					cat, expires, best int64
				}
				open := map[int64]*auc{}
				totals := &categoryTotals{m: map[int64][2]int64{}}
				for i := range n {
					e := nexGen(i)
					switch e.Kind {
					case nexAuction:
						open[e.ID] = &auc{cat: e.Category, expires: e.Expires}
					case nexBid:
						if a := open[e.Auction]; a != nil && e.TS <= a.expires && e.Price > a.best {
							a.best = e.Price
						}
					}
				}
				sums := map[int64]int64{}
				for _, a := range open {
					if a.best > 0 {
						sums[a.cat] += a.best
					}
				}
				for c, s := range sums {
					totals.set([2]int64{c, s})
				}
				totals.digest(out)
			}},
		{"q8", "monitor new users: people who opened an auction in the 10 s tumbling window in which they registered (a window join)",
			func(env *engine.Environment, src *engine.DataStream, out *digest) {
				src.Filter(func(v any) bool { return v.(nexEvent).Kind != nexBid }).
					KeyBy(func(v any) any {
						if e := v.(nexEvent); e.Kind == nexAuction {
							return e.Seller
						}
						return v.(nexEvent).ID
					}).
					Window(engine.TumblingEventTimeWindows(10*time.Second)).
					Process(func(ctx *engine.WindowContext, key any, els []any, o engine.Collector) {
						person, auctions := false, false
						for _, e := range els {
							if e.(nexEvent).Kind == nexPerson {
								person = true
							} else {
								auctions = true
							}
						}
						if person && auctions {
							o.Collect(key)
						}
					}).
					SinkTo("sink", func(v any, _ int64) error { out.add(v.(int64)); return nil })
			},
			func(n int64, out *digest) {
				type wk struct{ w, id int64 }
				person, auction := map[wk]bool{}, map[wk]bool{}
				for i := range n {
					switch e := nexGen(i); e.Kind {
					case nexPerson:
						person[wk{e.TS / 10000, e.ID}] = true
					case nexAuction:
						auction[wk{e.TS / 10000, e.Seller}] = true
					}
				}
				for k := range person {
					if auction[k] {
						out.n++
						out.total += k.id
					}
				}
			}},
	}
}

// nexWinningBids is Q4's first stage: for each auction, when it expires, its category and its highest
// bid placed during its lifetime, as [2]int64{category, price} (auctions without such a bid emit nothing).
func nexWinningBids(src *engine.DataStream) *engine.DataStream {
	auction, best, early := engine.State("auction"), engine.State("best"), engine.State("early")
	return src.Filter(func(v any) bool { return v.(nexEvent).Kind != nexPerson }).
		KeyBy(func(v any) any {
			if e := v.(nexEvent); e.Kind == nexBid {
				return e.Auction
			}
			return v.(nexEvent).ID
		}).
		Process(engine.ProcessFunction{
			ProcessElement: func(ctx *engine.Context, v any, o engine.Collector) {
				e := v.(nexEvent)
				bid := func(b nexEvent, a nexEvent) {
					if b.TS < a.TS || b.TS > a.Expires {
						return // a bid outside its auction's lifetime does not count
					}
					if cur, ok := ctx.ValueState(best).Get(); !ok || b.Price > cur.(int64) {
						ctx.ValueState(best).Update(b.Price)
					}
				}
				if e.Kind == nexAuction {
					ctx.ValueState(auction).Update(e)
					ctx.RegisterEventTimeTimer(e.Expires)
					// The two source readers interleave, so a bid may arrive before its auction.
					for _, b := range ctx.ListState(early).Get() {
						bid(b.(nexEvent), e)
					}
					ctx.ListState(early).Clear()
					return
				}
				if a, ok := ctx.ValueState(auction).Get(); ok {
					bid(e, a.(nexEvent))
				} else if _, closed := ctx.ValueState(best).Get(); !closed {
					ctx.ListState(early).Add(e)
				}
			},
			OnTimer: func(ctx *engine.Context, ts int64, o engine.Collector) {
				if b, ok := ctx.ValueState(best).Get(); ok && b.(int64) > 0 {
					a, _ := ctx.ValueState(auction).Get()
					o.Collect([2]int64{a.(nexEvent).Category, b.(int64)})
				}
				ctx.ValueState(auction).Clear()
				ctx.ValueState(best).Update(int64(-1)) // closed: later bids are dropped, not kept
			},
		})
}

// hotter returns the auction count with more bids (ties: the lower auction id), a deterministic maximum.
func hotter(a, b any) any {
	x, y := a.(auctionCount), b.(auctionCount)
	if y.Count > x.Count || (y.Count == x.Count && y.Auction < x.Auction) {
		return y
	}
	return x
}

// runNexmark runs a query's job over n events at parallelism 2 and returns its digest.
func runNexmark(q nexQuery, n int64) (*digest, error) {
	return runNexmarkWith(q, n, engine.Config{Parallelism: 2})
}

// runNexmarkWith runs a query's job over n events with cfg and returns its digest. A run with periodic
// checkpoints that lasted two intervals must have completed one (periodicCheckpoint).
func runNexmarkWith(q nexQuery, n int64, cfg engine.Config) (*digest, error) {
	env := engine.NewEnvironment(cfg)
	start := time.Now()
	s := engine.ForBoundedOutOfOrderness(0)
	out := &digest{}
	q.job(env, env.FromSource(nexSource(n), &s, "nexmark"), out)
	job, err := env.Execute("nexmark " + q.name)
	if out.after != nil {
		out.after(out)
	}
	if err == nil {
		lastCheckpoints = job.Checkpoints()
		err = periodicCheckpoint(job, cfg.Checkpointing.Interval, time.Since(start))
	}
	return out, err
}

// lastCheckpoints holds the checkpoints of the latest Nexmark run, for the note of a checkpointed case.
var lastCheckpoints []engine.CheckpointStats

// checkpointsNote sums up lastCheckpoints: the periodic checkpoints completed, the size of the last and the
// longest synchronous and asynchronous parts of any.
func checkpointsNote() string {
	var n int
	var last int64
	var syncMax, asyncMax time.Duration
	for _, c := range lastCheckpoints {
		if c.Status != engine.CheckpointCompleted || c.Final {
			continue
		}
		n++
		last = c.Bytes
		syncMax, asyncMax = max(syncMax, c.SyncMax), max(asyncMax, c.AsyncMax)
	}
	return fmt.Sprintf("%d checkpoints, the last %.1f MiB, sync max %v, async max %v", n, float64(last)/(1<<20),
		syncMax.Round(time.Millisecond), asyncMax.Round(time.Millisecond))
}

// nexCheckpointed lists the stateful queries measured with checkpoints every second too, with the Scale of
// those cases in DataStream and in SQL, so that a run at the default 2M events lasts several seconds (several
// checkpoints) on a quiet machine: Q3 keeps persons and pending auctions (user structs in value and list
// state), Q4 auctions and their best bids (in SQL every bid, in the join's state), Q5 counts per auction in
// sliding windows. The state of Q3 and Q4 grows with the input, so that each checkpoint costs more than the
// one before.
var nexCheckpointed = map[string]struct{ dataStream, sql float64 }{"q3": {8, 8}, "q4": {1, 0.25}, "q5": {3, 1.5}}

// registerCheckpointed registers the cases name-ckpt-1s (run with exactly-once checkpoints every second) and
// name-ckpt-off-1s (the same run without, its baseline), scaled by scale, each checked against q's loop
// after the measurement (the loop's result from loopResult if it holds one). what names the side ("engine",
// "SQL") and about the query.
func registerCheckpointed(name, what, about string, scale float64, q nexQuery, loopResult *sync.Map, run func(n int64, cfg engine.Config) (*digest, error)) {
	off := name + "-ckpt-off-1s"
	for _, every := range []time.Duration{0, time.Second} {
		cfg := engine.Config{Parallelism: 2, Checkpointing: engine.CheckpointConfig{Interval: every}}
		r, verify := checkedAgainstLoop(what, q, loopResult, func(n int64) (*digest, error) { return run(n, cfg) })
		c := Case{Name: off, About: about + ", as long as its checkpointed case, checkpoints off", Scale: scale, Run: r, Verify: verify}
		if every > 0 {
			c.Name, c.Baseline, c.Note = name+"-ckpt-1s", off, checkpointsNote
			c.About = about + " with exactly-once checkpoints every 1 s (in a temporary directory)"
		}
		Register(c)
	}
}

func init() {
	for _, q := range nexQueries() {
		loopName := "nexmark-" + q.name + "/loop"
		var loopResult sync.Map // n -> digest string, so the engine case can check itself against the loop
		// The loop reads typed events (nexEvent) and keeps typed maps in one goroutine, so it is both the
		// baseline and the typed baseline of the engine case.
		Register(Case{Name: loopName, About: "typed loop: " + q.about,
			Run: func(n int64) (int64, error) {
				d := &digest{}
				q.loop(n, d)
				loopResult.Store(n, d.String())
				return n, nil
			}})
		run, verify := checkedAgainstLoop("engine", q, &loopResult, func(n int64) (*digest, error) { return runNexmark(q, n) })
		c := Case{Name: "nexmark-" + q.name + "/engine", Baseline: loopName, Typed: loopName,
			About: "Nexmark " + q.name + ", parallelism 2: " + q.about, Run: run, Verify: verify}
		if flinkSameQuery[q.name] {
			c.Flink = flinkPublished[q.name]
		}
		Register(c)
		if c, ok := nexCheckpointed[q.name]; ok {
			registerCheckpointed("nexmark-"+q.name+"/engine", "engine", "Nexmark "+q.name+", parallelism 2", c.dataStream, q, &loopResult, func(n int64, cfg engine.Config) (*digest, error) {
				return runNexmarkWith(q, n, cfg)
			})
		}
	}
}

// checkedAgainstLoop returns the Run of a case that measures run and keeps its result's digest per event
// count, and the Verify that compares that digest, after the measurement, with the digest of q's loop over the
// same events: the one loopResult holds (the loop case's run in the same process) or else a run of the loop
// made then. what names the case's side in the error ("engine", "SQL").
func checkedAgainstLoop(what string, q nexQuery, loopResult *sync.Map, run func(n int64) (*digest, error)) (func(int64) (int64, error), func(int64) error) {
	var results sync.Map // n -> digest string of run's result
	return func(n int64) (int64, error) {
			d, err := run(n)
			if err != nil {
				return 0, err
			}
			results.Store(n, d.String())
			return n, nil
		}, func(n int64) error {
			got, _ := results.Load(n)
			want, ok := any(nil), false
			if loopResult != nil {
				want, ok = loopResult.Load(n)
			}
			if !ok {
				l := &digest{}
				q.loop(n, l)
				want = l.String()
			}
			if got != want {
				return fmt.Errorf("the %s result (%v) differs from the loop's (%s)", what, got, want)
			}
			return nil
		}
}
