package bench

import (
	"time"

	"github.com/de4e/weir/engine"
)

// DataStream versions of the plans Flink (and Weir's planner) run for Nexmark q4 and q7, whose SQL needs a
// regular join that keeps every bid: the SQL cases are compared with these, operator for operator, as well
// as with the cheaper hand-written DataStream queries of the same result (nexQ4Avg, nexQ7Ties). Their loop
// (the expected result) is that of the query of the same result.

// nexQ4Plan is Flink's plan for q4 in DataStream: auctions and bids joined on the auction id, each side
// kept in keyed state for good (a regular join), the bids within the auction's lifetime passed on; then
// the highest price per auction, emitting a retraction of the old maximum and the new one when it rises;
// then, per category, the sum and count of the maxima, which the retractions keep current, and the
// integer average of the final table.
var nexQ4Plan = nexQuery{name: "q4-join", about: "average winning bid per category, as Flink's plan for its SQL: a regular join keeping every auction and bid, a MAX per auction and an AVG per category that retract",
	job: func(env *engine.Environment, src *engine.DataStream, out *digest) {
		final := &categoryTotals{m: map[int64][2]int64{}}
		out.after = final.digest
		auctionsState, bidsState, best, totals := engine.State("auctions"), engine.State("bids"), engine.State("best"), engine.State("totals")
		inLifetime := func(a, b nexEvent) bool { return b.TS >= a.TS && b.TS <= a.Expires }
		auctions := src.Filter(func(v any) bool { return v.(nexEvent).Kind == nexAuction })
		joined := auctions.Connect(src.Filter(isBid)).
			KeyBy(func(v any) any { return v.(nexEvent).ID }, func(v any) any { return v.(nexEvent).Auction }).
			Process(engine.CoProcessFunction{
				ProcessElement1: func(ctx *engine.Context, v any, o engine.Collector) {
					a := v.(nexEvent)
					ctx.ListState(auctionsState).Add(a)
					for _, b := range ctx.ListState(bidsState).Get() {
						if inLifetime(a, b.(nexEvent)) {
							o.Collect([3]int64{a.ID, a.Category, b.(nexEvent).Price})
						}
					}
				},
				ProcessElement2: func(ctx *engine.Context, v any, o engine.Collector) {
					b := v.(nexEvent)
					ctx.ListState(bidsState).Add(b)
					for _, a := range ctx.ListState(auctionsState).Get() {
						if inLifetime(a.(nexEvent), b) {
							o.Collect([3]int64{a.(nexEvent).ID, a.(nexEvent).Category, b.Price})
						}
					}
				},
			})
		// (category, maximum, +1 or -1 to retract)
		maxima := joined.KeyBy(func(v any) any { return v.([3]int64)[0] }).Process(engine.ProcessFunction{
			ProcessElement: func(ctx *engine.Context, v any, o engine.Collector) {
				w := v.([3]int64)
				st := ctx.ValueState(best)
				cur, ok := st.Get()
				if ok && cur.(int64) >= w[2] {
					return
				}
				if ok {
					o.Collect([3]int64{w[1], cur.(int64), -1})
				}
				st.Update(w[2])
				o.Collect([3]int64{w[1], w[2], 1})
			}})
		maxima.KeyBy(func(v any) any { return v.([3]int64)[0] }).Process(engine.ProcessFunction{
			ProcessElement: func(ctx *engine.Context, v any, o engine.Collector) {
				m := v.([3]int64)
				st := ctx.ValueState(totals)
				var t [2]int64 // sum, count
				if cur, ok := st.Get(); ok {
					t = cur.([2]int64)
				}
				t[0] += m[2] * m[1]
				t[1] += m[2]
				st.Update(t)
				if t[1] > 0 {
					o.Collect([2]int64{m[0], t[0] / t[1]})
				}
			}}).
			SinkTo("sink", func(v any, _ int64) error { final.set(v.([2]int64)); return nil })
	}}

// nexQ7Plan is Flink's plan for q7 in DataStream: the highest price per 10 s tumbling window (an
// incremental MAX), joined with the bids on the price, each side kept in keyed state for good (a regular
// join, since window_end is not a time attribute), and a bid passed on when its time is within the 10 s up
// to the window's end.
var nexQ7Plan = nexQuery{name: "q7-join", about: "highest bids, as Flink's plan for its SQL: a window MAX joined with every bid on the price by a regular join keeping both sides",
	job: func(env *engine.Environment, src *engine.DataStream, out *digest) {
		bids := src.Filter(isBid)
		maxPrice := engine.AggregateFunction{
			CreateAccumulator: func() any { return int64(0) },
			Add:               func(v, acc any) any { return max(acc.(int64), v.(nexEvent).Price) },
			GetResult:         func(acc any) any { return acc },
			Merge:             func(a, b any) any { return max(a.(int64), b.(int64)) },
		}
		maxima := bids.WindowAll(engine.TumblingEventTimeWindows(10*time.Second)).
			Aggregate(maxPrice, func(ctx *engine.WindowContext, _ any, els []any, o engine.Collector) {
				o.Collect([2]int64{els[0].(int64), ctx.Window().End})
			})
		bidsState, maximaState := engine.State("bids"), engine.State("maxima")
		inWindow := func(b nexEvent, m [2]int64) bool { return b.TS >= m[1]-10000 && b.TS <= m[1] }
		bids.Connect(maxima).
			KeyBy(func(v any) any { return v.(nexEvent).Price }, func(v any) any { return v.([2]int64)[0] }).
			Process(engine.CoProcessFunction{
				ProcessElement1: func(ctx *engine.Context, v any, o engine.Collector) {
					b := v.(nexEvent)
					ctx.ListState(bidsState).Add(b)
					for _, m := range ctx.ListState(maximaState).Get() {
						if inWindow(b, m.([2]int64)) {
							o.Collect(b)
						}
					}
				},
				ProcessElement2: func(ctx *engine.Context, v any, o engine.Collector) {
					m := v.([2]int64)
					ctx.ListState(maximaState).Add(m)
					for _, b := range ctx.ListState(bidsState).Get() {
						if inWindow(b.(nexEvent), m) {
							o.Collect(b)
						}
					}
				},
			}).
			SinkTo("sink", func(v any, _ int64) error { out.add(v.(nexEvent).Price); return nil })
	}}
