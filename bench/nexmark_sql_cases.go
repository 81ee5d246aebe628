package bench

import (
	"fmt"
	"math"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table"
)

// Nexmark queries in Flink SQL, as the Nexmark benchmark publishes them (nexmark-flink/src/main/resources/
// queries/qN.sql: the SELECT of each INSERT INTO, unchanged), over the same generator as the DataStream
// queries through the connector 'weir-nexmark'; only the source DDL is Weir's. Each case checks its result
// against the hand-written loop and is compared with the DataStream version (its baseline) in the same run.

// nexmarkDDL declares the Nexmark tables bid, auction and person as the benchmark's ddl.sql does, with
// Weir's connector in place of Nexmark's generator.
func nexmarkDDL(events int64) []string {
	with := func(t string) string {
		return fmt.Sprintf("WITH ('connector' = 'weir-nexmark', 'table' = '%s', 'number-of-events' = '%d')", t, events)
	}
	return []string{
		`CREATE TABLE person (id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR,
  dateTime TIMESTAMP(3), extra VARCHAR, WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND) ` + with("person"),
		`CREATE TABLE auction (id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT,
  dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR,
  WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND) ` + with("auction"),
		`CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3),
  extra VARCHAR, WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND) ` + with("bid"),
	}
}

// nexSQL is a Nexmark query in SQL: its text (preceded by the statements of setup, if any) and the column
// whose values its digest sums (as the DataStream version's digest does); value, if set, turns a value of
// that column into what the DataStream version sums. dataStream, if set, is the hand-written DataStream
// version it is compared with, where Weir's benchmark query of that name computes something else (diff
// says what).
type nexSQL struct {
	name, query string
	setup       []string
	sumCol      int
	value       func(v any) (int64, bool)
	dataStream  *nexQuery
	diff        string
	// arrivals runs the query, and its DataStream version, on a virtual clock that each bid's arrival moves
	// (engine.Config.DeterministicTime), for queries in processing time.
	arrivals bool
	// plan, if set, is the DataStream version of the plan Flink runs for the query (and Weir's planner
	// too), the SQL case's baseline; its result is checked against the loop of dataStream.
	plan *nexQuery
	// groupCols, if set, are the columns whose values identify a result group: rows of one group are added
	// up and the digest counts groups (a processing-time window may fire a group in two rows).
	groupCols []int
}

var nexSQLQueries = []nexSQL{
	{name: "q0", query: "SELECT auction, bidder, price, `dateTime`, extra FROM bid", sumCol: 0,
		value:      func(any) (int64, bool) { return 1, true },
		dataStream: &nexQ0Bids,
		diff:       "Nexmark's Flink q0 passes the bids through; Weir's DataStream q0 benchmark passes every event, so q0 in SQL is compared with a DataStream pass-through of the bids"},
	{name: "q1", query: "SELECT\n    auction,\n    bidder,\n    0.908 * price as price, -- convert dollar to euro\n    `dateTime`,\n    extra\nFROM bid", sumCol: 2,
		value: func(v any) (int64, bool) { f, ok := v.(float64); return int64(math.Floor(f)), ok },
		diff:  "the SQL price is DECIMAL(23, 3) (0.908 * price); the DataStream version keeps whole euros (price * 908 / 1000), so the SQL price is compared truncated"},
	{name: "q2", query: `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`, sumCol: 1},
	{name: "q3", query: `SELECT
    P.name, P.city, P.state, A.id
FROM
    auction AS A INNER JOIN person AS P on A.seller = P.id
WHERE
    A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`, sumCol: 3},
	{name: "q8", query: `SELECT P.id, P.name, P.starttime
FROM (
  SELECT id, name,
        window_start AS starttime,
        window_end AS endtime
  FROM TABLE(
            TUMBLE(TABLE person, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
  GROUP BY id, name, window_start, window_end
) P
JOIN (
  SELECT seller,
        window_start AS starttime,
        window_end AS endtime
  FROM TABLE(
        TUMBLE(TABLE auction, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
  GROUP BY seller, window_start, window_end
) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`, sumCol: 0},
	{name: "q4", query: "SELECT\n    Q.category,\n    AVG(Q.final)\nFROM (\n    SELECT MAX(B.price) AS final, A.category\n    FROM auction A, bid B\n" +
		"    WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires\n    GROUP BY A.id, A.category\n) Q\nGROUP BY Q.category", sumCol: 1,
		dataStream: &nexQ4Avg, plan: &nexQ4Plan,
		diff: "Weir's DataStream q4 benchmark sums the winning bids per category; Flink's q4 averages them (AVG of BIGINT, truncated), so q4 in SQL is compared with a DataStream version that averages. The SQL plan is Flink's: a regular join (A.expires is not a time attribute), then two updating GROUP BYs; the final table is compared. Its baseline is that plan in DataStream (nexmark-q4-join/engine)"},
	{name: "q5", query: `SELECT AuctionBids.auction, AuctionBids.num
 FROM (
   SELECT
     auction,
     count(*) AS num,
     window_start AS starttime,
     window_end AS endtime
     FROM TABLE(
             HOP(TABLE bid, DESCRIPTOR(` + "`dateTime`" + `), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
     GROUP BY auction, window_start, window_end
 ) AS AuctionBids
 JOIN (
   SELECT
     max(CountBids.num) AS maxn,
     CountBids.starttime,
     CountBids.endtime
   FROM (
     SELECT
       count(*) AS num,
       window_start AS starttime,
       window_end AS endtime
     FROM TABLE(
                HOP(TABLE bid, DESCRIPTOR(` + "`dateTime`" + `), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
     GROUP BY auction, window_start, window_end
     ) AS CountBids
   GROUP BY CountBids.starttime, CountBids.endtime
 ) AS MaxBids
 ON AuctionBids.starttime = MaxBids.starttime AND
    AuctionBids.endtime = MaxBids.endtime AND
    AuctionBids.num >= MaxBids.maxn`, sumCol: 1, dataStream: &nexQ5Ties,
		diff: "Nexmark's Flink q5 emits every auction tied for the most bids of a window; Weir's DataStream q5 benchmark keeps one (the lowest id), so q5 in SQL is compared with a DataStream version that keeps the ties. As in Flink's plan, MaxBids (a GROUP BY starttime, endtime of a window aggregation) is a window aggregation and the join a window join"},
	{name: "q7", query: "SELECT B.auction, B.price, B.bidder, B.`dateTime`, B.extra\nfrom bid B\nJOIN (\n  SELECT MAX(price) AS maxprice, window_end as `dateTime`\n  FROM TABLE(\n          TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))\n  GROUP BY window_start, window_end\n) B1\nON B.price = B1.maxprice\nWHERE B.`dateTime` BETWEEN B1.`dateTime`  - INTERVAL '10' SECOND AND B1.`dateTime`", sumCol: 1,
		dataStream: &nexQ7Ties, plan: &nexQ7Plan,
		diff: "Nexmark's Flink q7 emits every bid priced at its window's maximum (ties too); Weir's DataStream q7 benchmark keeps one bid per window, so q7 in SQL is compared with a DataStream version that keeps the ties. The SQL's BETWEEN also matches a bid at exactly the window's end (the next window's first millisecond) priced at the maximum, which the DataStream version does not look for: none in these streams. The SQL plan is Flink's, a regular join on the price keeping every bid (window_end is not a time attribute); its baseline is that plan in DataStream (nexmark-q7-join/engine)"},
	{name: "q11", query: "SELECT\n    B.bidder,\n    count(*) as bid_count,\n    SESSION_START(B.dateTime, INTERVAL '10' SECOND) as starttime,\n" +
		"    SESSION_END(B.dateTime, INTERVAL '10' SECOND) as endtime\nFROM bid B\nGROUP BY B.bidder, SESSION(B.dateTime, INTERVAL '10' SECOND)", sumCol: 1},
	{name: "q12", setup: []string{"CREATE VIEW B AS SELECT *, PROCTIME() as p_time FROM bid"},
		query: "SELECT\n    bidder,\n    count(*) as bid_count,\n    window_start AS starttime,\n    window_end AS endtime\nFROM TABLE(\n        TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))\nGROUP BY bidder, window_start, window_end", sumCol: 1,
		arrivals: true, groupCols: []int{0, 2}, dataStream: &nexQ12Proc,
		diff: "q12 windows by processing time (PROCTIME()) as published, on a virtual clock that each bid's arrival at its dateTime moves; Weir's DataStream q12 benchmark counts in event time, so q12 in SQL is compared with a DataStream version in processing time, per (bidder, window)"},
}

// nexQ0Bids is Nexmark's Flink q0 in DataStream: every bid to the sink.
var nexQ0Bids = nexQuery{"q0-bids", "pass-through of the bids",
	func(env *engine.Environment, src *engine.DataStream, out *digest) {
		src.Filter(isBid).Map(func(v any) any { return v }).SinkTo("sink", func(v any, _ int64) error { out.add(1); return nil })
	},
	func(n int64, out *digest) {
		for i := range n {
			if nexGen(i).Kind == nexBid {
				out.n++
				out.total++
			}
		}
	}}

// nexQ4Avg is Nexmark's Flink q4 in DataStream: the winning bids of Weir's q4, averaged per category
// (integer average, as SQL's AVG of a BIGINT).
var nexQ4Avg = nexQuery{"q4-avg", "average winning bid per category",
	func(env *engine.Environment, src *engine.DataStream, out *digest) {
		final := &categoryTotals{m: map[int64][2]int64{}}
		out.after = final.digest
		nexWinningBids(src).
			Map(func(v any) any { w := v.([2]int64); return [3]int64{w[0], w[1], 1} }).
			KeyBy(func(v any) any { return v.([3]int64)[0] }).
			Reduce(func(a, b any) any {
				x, y := a.([3]int64), b.([3]int64)
				return [3]int64{x[0], x[1] + y[1], x[2] + y[2]}
			}).
			SinkTo("sink", func(v any, _ int64) error { t := v.([3]int64); final.set([2]int64{t[0], t[1] / t[2]}); return nil })
	},
	func(n int64, out *digest) {
		type auc struct{ cat, expires, best int64 }
		open := map[int64]*auc{}
		for i := range n {
			switch e := nexGen(i); e.Kind {
			case nexAuction:
				open[e.ID] = &auc{cat: e.Category, expires: e.Expires}
			case nexBid:
				if a := open[e.Auction]; a != nil && e.TS <= a.expires && e.Price > a.best {
					a.best = e.Price
				}
			}
		}
		sums, counts := map[int64]int64{}, map[int64]int64{}
		for _, a := range open {
			if a.best > 0 {
				sums[a.cat] += a.best
				counts[a.cat]++
			}
		}
		for c, s := range sums {
			out.n++
			out.total += s / counts[c]
		}
	}}

// nexQ7Ties is Nexmark's Flink q7 in DataStream: per 10 s tumbling window, every bid with the window's
// highest price.
var nexQ7Ties = nexQuery{"q7-ties", "highest bids with ties",
	func(env *engine.Environment, src *engine.DataStream, out *digest) {
		src.Filter(isBid).
			WindowAll(engine.TumblingEventTimeWindows(10*time.Second)).
			Process(func(ctx *engine.WindowContext, _ any, els []any, o engine.Collector) {
				best := int64(0)
				for _, e := range els {
					best = max(best, e.(nexEvent).Price)
				}
				for _, e := range els {
					if e.(nexEvent).Price == best {
						o.Collect(e)
					}
				}
			}).
			SinkTo("sink", func(v any, _ int64) error { out.add(v.(nexEvent).Price); return nil })
	},
	func(n int64, out *digest) {
		best := map[int64]int64{}
		for i := range n {
			if b := nexGen(i); b.Kind == nexBid {
				best[b.TS/10000] = max(best[b.TS/10000], b.Price)
			}
		}
		for i := range n {
			if b := nexGen(i); b.Kind == nexBid && b.Price == best[b.TS/10000] {
				out.n++
				out.total += b.Price
			}
		}
	}}

// nexQ5Ties is Nexmark's Flink q5 in DataStream: per 10 s window sliding by 2 s, every auction with the
// most bids (ties kept).
var nexQ5Ties = nexQuery{"q5-ties", "hot items with ties",
	func(env *engine.Environment, src *engine.DataStream, out *digest) {
		src.Filter(isBid).
			KeyBy(func(v any) any { return v.(nexEvent).Auction }).
			Window(engine.SlidingEventTimeWindows(10*time.Second, 2*time.Second)).
			Aggregate(engine.Count(), func(ctx *engine.WindowContext, key any, els []any, o engine.Collector) {
				o.Collect(auctionCount{key.(int64), els[0].(int64), ctx.Window().End})
			}).
			WindowAll(engine.TumblingEventTimeWindows(2*time.Second)).
			Process(func(ctx *engine.WindowContext, _ any, els []any, o engine.Collector) {
				best := int64(0)
				for _, e := range els {
					best = max(best, e.(auctionCount).Count)
				}
				for _, e := range els {
					if e.(auctionCount).Count == best {
						o.Collect(e)
					}
				}
			}).
			SinkTo("sink", func(v any, _ int64) error { out.add(v.(auctionCount).Count); return nil })
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
		best := map[int64]int64{}
		for k, c := range counts {
			best[k[0]] = max(best[k[0]], c)
		}
		for k, c := range counts {
			if c == best[k[0]] {
				out.n++
				out.total += c
			}
		}
	}}

// runNexmarkSQL runs a SQL query over n events at parallelism 2 and digests its result table, as a
// DataStream sink receives it: an insert-only result row by row, an updating one (q5) by applying its
// changelog and digesting the final table.
func runNexmarkSQL(q nexSQL, n int64) (*digest, error) {
	return runNexmarkSQLWith(q, n, engine.Config{Parallelism: 2})
}

// runNexmarkSQLWith is runNexmarkSQL with the job configuration cfg (DeterministicTime is set for a query in
// processing time). A run with periodic checkpoints that lasted two intervals must have completed one.
func runNexmarkSQLWith(q nexSQL, n int64, cfg engine.Config) (*digest, error) {
	cfg.DeterministicTime = cfg.DeterministicTime || q.arrivals
	env := engine.NewEnvironment(cfg)
	start := time.Now()
	tenv := table.NewEnvironment(env)
	for _, ddl := range append(nexmarkDDL(n), q.setup...) {
		if _, err := tenv.ExecuteSQL(ddl); err != nil {
			return nil, err
		}
	}
	t, err := tenv.SQLQuery(q.query)
	if err != nil {
		return nil, err
	}
	rows, err := tenv.ToChangelogStream(t)
	if err != nil {
		return nil, err
	}
	value := q.value
	if value == nil {
		value = func(v any) (int64, bool) { i, ok := v.(int64); return i, ok }
	}
	d := &digest{}
	type counted struct{ v, n int64 }
	final := map[string]counted{} // an updating result's current rows
	updating := t.IsUpdating()
	groups := &windowGroups{m: map[string]int64{}}
	sink := rows.SinkTo("digest", func(v any, _ int64) error {
		r := v.(table.Row)
		x, ok := value(r.Fields[q.sumCol])
		if !ok {
			return fmt.Errorf("nexmark %s: column %d is %T, not what the digest sums", q.name, q.sumCol, r.Fields[q.sumCol])
		}
		if q.groupCols != nil {
			var key []any
			for _, c := range q.groupCols {
				key = append(key, r.Fields[c])
			}
			groups.add(fmt.Sprint(key...), x)
			return nil
		}
		if !updating {
			d.add(x)
			return nil
		}
		k := fmt.Sprint(r.Fields)
		c := final[k]
		c.v = x
		if r.Kind == table.Insert || r.Kind == table.UpdateAfter {
			c.n++
		} else {
			c.n--
		}
		if c.n == 0 {
			delete(final, k)
		} else {
			final[k] = c
		}
		return nil
	})
	if updating || q.groupCols != nil {
		// An updating result is applied to one map, in the order its changes arrive; an insert-only one is
		// digested (under the digest's lock) by a sink at the query's parallelism, chained to the query's last
		// operator as the DataStream versions' sinks are.
		sink.SetParallelism(1)
	}
	job, err := env.Execute("nexmark " + q.name + " in SQL")
	if err == nil {
		lastCheckpoints = job.Checkpoints()
		err = periodicCheckpoint(job, cfg.Checkpointing.Interval, time.Since(start))
	}
	if err != nil {
		return nil, err
	}
	for _, c := range final {
		for range c.n {
			d.add(c.v)
		}
	}
	if q.groupCols != nil {
		groups.digest(d)
	}
	return d, nil
}

func init() {
	loops := map[string]nexQuery{}
	for _, q := range nexQueries() {
		loops[q.name] = q
	}
	for _, q := range nexSQLQueries {
		loop := loops[q.name]
		if q.dataStream != nil {
			loop = *q.dataStream
		}
		about := "Nexmark " + q.name + " in Flink SQL, parallelism 2: " + loop.about
		if q.diff != "" {
			about += " (" + q.diff + ")"
		}
		baseline := "nexmark-" + q.name + "/engine"
		if q.dataStream != nil {
			// The DataStream version of the SQL's semantics, checked against its own loop after the measurement.
			baseline = "nexmark-" + loop.name + "/engine"
			runDS := runNexmark
			if q.arrivals {
				runDS = runNexmarkArrivals
			}
			run, verify := checkedAgainstLoop("engine", loop, nil, func(n int64) (*digest, error) { return runDS(loop, n) })
			Register(Case{Name: baseline, About: "Nexmark " + q.name + " as Flink's SQL defines it, in DataStream, parallelism 2: " + loop.about,
				Run: run, Verify: verify})
		}
		if q.plan != nil {
			// The same plan in DataStream: the SQL case's baseline (the version above still runs when named).
			plan := *q.plan
			plan.loop = loop.loop
			baseline = "nexmark-" + plan.name + "/engine"
			run, verify := checkedAgainstLoop("engine", plan, nil, func(n int64) (*digest, error) { return runNexmark(plan, n) })
			Register(Case{Name: baseline, About: "Nexmark " + q.name + " in DataStream, parallelism 2: " + plan.about,
				Run: run, Verify: verify})
		}
		run, verify := checkedAgainstLoop("SQL", loop, nil, func(n int64) (*digest, error) { return runNexmarkSQL(q, n) })
		Register(Case{Name: "nexmark-" + q.name + "/sql", Baseline: baseline, About: about, Run: run, Verify: verify,
			Flink: flinkPublished[q.name]})
		if c, ok := nexCheckpointed[q.name]; ok {
			registerCheckpointed("nexmark-"+q.name+"/sql", "SQL", "Nexmark "+q.name+" in Flink SQL, parallelism 2", c.sql, loop, nil, func(n int64, cfg engine.Config) (*digest, error) {
				return runNexmarkSQLWith(q, n, cfg)
			})
		}
	}
}
