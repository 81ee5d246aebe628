package bench

import (
	"fmt"
	"sync"

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

// nexSQL is a Nexmark query in SQL: its text and the column whose values its digest sums (as the
// DataStream version's digest does).
type nexSQL struct {
	name, query string
	sumCol      int
}

var nexSQLQueries = []nexSQL{
	{"q2", `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`, 1},
	{"q3", `SELECT
    P.name, P.city, P.state, A.id
FROM
    auction AS A INNER JOIN person AS P on A.seller = P.id
WHERE
    A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`, 3},
	{"q8", `SELECT P.id, P.name, P.starttime
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
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`, 0},
}

// runNexmarkSQL runs a SQL query over n events at parallelism 2 and digests its result table.
func runNexmarkSQL(q nexSQL, n int64) (*digest, error) {
	tenv := table.NewEnvironment(engine.NewEnvironment(engine.Config{Parallelism: 2}))
	for _, ddl := range nexmarkDDL(n) {
		if _, err := tenv.ExecuteSQL(ddl); err != nil {
			return nil, err
		}
	}
	r, err := tenv.ExecuteSQL(q.query)
	if err != nil {
		return nil, err
	}
	if err := r.Await(); err != nil {
		return nil, err
	}
	d := &digest{}
	for _, row := range r.Rows() {
		v, ok := row[q.sumCol].(int64)
		if !ok {
			return nil, fmt.Errorf("nexmark %s: column %d is %T, not BIGINT", q.name, q.sumCol, row[q.sumCol])
		}
		d.add(v)
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
		var got sync.Map // n -> digest string of the SQL run, checked after the measurement
		Register(Case{Name: "nexmark-" + q.name + "/sql", Baseline: "nexmark-" + q.name + "/engine",
			About: "Nexmark " + q.name + " in Flink SQL, parallelism 2: " + loop.about,
			Run: func(n int64) (int64, error) {
				d, err := runNexmarkSQL(q, n)
				if err != nil {
					return 0, err
				}
				got.Store(n, d.String())
				return n, nil
			},
			Verify: func(n int64) error {
				d, _ := got.Load(n)
				l := &digest{}
				loop.loop(n, l)
				if d != l.String() {
					return fmt.Errorf("the SQL result (%v) differs from the loop's (%s)", d, l)
				}
				return nil
			}})
	}
}
