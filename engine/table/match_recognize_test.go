package table

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
)

// mrRow is a row of MatchRecognizeITCase's data: the columns each test reads, at event time TS (ms).
type mrRow struct {
	ID         int64
	Name       string
	Null       any // always NULL (nullField)
	Symbol     string
	TS         int64
	Price, Tax any // int64, or nil for NULL
}

// mrTable registers rows as the view name with columns id, name, nullField, symbol, tstamp, price, tax and
// rowtime (TS, with a watermark that follows it: the data is in time order, so no row is late). Flink's
// tests order most of these by proctime; in time order, event time gives the same matches.
func mrTable(t *testing.T, p int, name string, rows []mrRow) *Environment {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: p})
	tenv := NewEnvironment(env)
	elems := make([]engine.SourceElement, len(rows))
	for i, r := range rows {
		elems[i] = engine.SourceElement{Value: r, Timestamp: r.TS}
	}
	strategy := engine.ForBoundedOutOfOrderness(0)
	tab, err := tenv.FromDataStream(env.FromSource(engine.SliceSource(elems), &strategy, name), Schema{Columns: []SchemaColumn{
		{Name: "id", Type: "BIGINT", Field: "ID"}, {Name: "name", Type: "STRING", Field: "Name"}, {Name: "nullField", Type: "STRING", Field: "Null"},
		{Name: "symbol", Type: "STRING", Field: "Symbol"}, {Name: "tstamp", Type: "BIGINT", Field: "TS"},
		{Name: "price", Type: "BIGINT", Field: "Price"}, {Name: "tax", Type: "BIGINT", Field: "Tax"},
		{Name: "rowtime", Type: "TIMESTAMP(3)", Field: "TS"}}, Rowtime: "rowtime", Watermark: "SOURCE_WATERMARK()"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tenv.CreateTemporaryView(name, tab); err != nil {
		t.Fatal(err)
	}
	return tenv
}

func named(names string) []mrRow {
	var out []mrRow
	for i, n := range strings.Split(names, ",") {
		out = append(out, mrRow{ID: int64(i + 1), Name: n, TS: int64(i + 1)})
	}
	return out
}

func ticker(prices ...int64) []mrRow {
	var out []mrRow
	for i, p := range prices {
		out = append(out, mrRow{ID: int64(i + 1), Symbol: "ACME", TS: int64(i + 1), Price: p, Tax: int64(i + 1)})
	}
	return out
}

// Cases of Flink's MatchRecognizeITCase (flink-table-planner, runtime/stream/sql), their queries and expected
// rows; the ones ordered by proctime there are ordered by rowtime here, over the same rows in time order.
var mrCases = []struct {
	name  string
	rows  []mrRow
	query string
	want  []string
}{
	{"testSimplePattern", named("a,z,b,c,d,a,b,c,h"), "SELECT T.aid, T.bid, T.cid FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime " +
		"MEASURES `A\"`.id AS aid, l.id AS bid, C.id AS cid PATTERN (`A\"` l C) DEFINE `A\"` AS name = 'a', l AS name = 'b', C AS name = 'c') AS T",
		[]string{"6,7,8"}},
	{"testSimplePatternWithNulls", named("a,b,c,d,,a,b,c,"), "SELECT T.aid, T.bNull, T.cid, T.aNull FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime " +
		"MEASURES A.id AS aid, A.nullField AS aNull, LAST(B.nullField) AS bNull, C.id AS cid PATTERN (A B C) " +
		"DEFINE A AS name = 'a' AND nullField IS NULL, B AS name = 'b' AND LAST(A.nullField) IS NULL, C AS name = 'c') AS T",
		[]string{"1,null,3,null", "6,null,8,null"}},
	{"testPartitionByWithParallelSource", ticker(19, 17, 13, 20), "SELECT * FROM (SELECT symbol, rowtime, price, tax FROM MyTable) MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime " +
		"MEASURES DOWN.tax AS bottom_tax, UP.tax AS end_tax ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (DOWN UP) " +
		"DEFINE DOWN AS DOWN.price = 13, UP AS UP.price = 20) AS T",
		[]string{"ACME,3,4"}},
	{"testLogicalOffsets", ticker(19, 17, 13, 20, 20, 26, 20, 25), "SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime " +
		"MEASURES FIRST(DOWN.tstamp) AS start_tstamp, LAST(DOWN.tstamp) AS bottom_tstamp, UP.tstamp AS end_tstamp, " +
		"FIRST(DOWN.price + DOWN.tax + 1) AS bottom_total, UP.price + UP.tax AS end_total ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW " +
		"PATTERN (DOWN{2,} UP) DEFINE DOWN AS price < LAST(DOWN.price, 1) OR LAST(DOWN.price, 1) IS NULL, UP AS price < FIRST(DOWN.price)) AS T",
		[]string{"6,7,8,33,33"}},
	{"testLogicalOffsetOutsideOfRangeInMeasures", ticker(19, 17, 13, 20), "SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime " +
		"MEASURES FIRST(DOWN.price) as first, LAST(DOWN.price) as last, FIRST(DOWN.price, 5) as nullPrice ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW " +
		"PATTERN (DOWN{2,} UP) DEFINE DOWN AS price < LAST(DOWN.price, 1) OR LAST(DOWN.price, 1) IS NULL, UP AS price > LAST(DOWN.price)) AS T",
		[]string{"19,13,null"}},
	{"testLogicalOffsetsWithStarVariable", ticker(20, 19, 18, 17, 16, 15, 14, 20), "SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime " +
		"MEASURES FIRST(id, 0) as id0, FIRST(id, 1) as id1, FIRST(id, 2) as id2, FIRST(id, 3) as id3, FIRST(id, 4) as id4, FIRST(id, 5) as id5, " +
		"FIRST(id, 6) as id6, FIRST(id, 7) as id7, LAST(id, 0) as id8, LAST(id, 1) as id9, LAST(id, 2) as id10, LAST(id, 3) as id11, " +
		"LAST(id, 4) as id12, LAST(id, 5) as id13, LAST(id, 6) as id14, LAST(id, 7) as id15 ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW " +
		"PATTERN (`DOWN\"`{2,} UP) DEFINE `DOWN\"` AS price < LAST(price, 1) OR LAST(price, 1) IS NULL, " +
		"UP AS price = FIRST(price) AND price > FIRST(price, 3) AND price = LAST(price, 7)) AS T",
		[]string{"1,2,3,4,5,6,7,8,8,7,6,5,4,3,2,1"}},
	{"testAggregatesWithNullInputs", []mrRow{{ID: 1, Name: "a", Price: int64(10), TS: 1}, {ID: 2, Name: "z", Price: int64(10), TS: 2},
		{ID: 3, Name: "b", TS: 3}, {ID: 4, Name: "c", TS: 4}, {ID: 5, Name: "d", Price: int64(3), TS: 5}, {ID: 6, Name: "c", Price: int64(3), TS: 6},
		{ID: 7, Name: "c", Price: int64(3), TS: 7}, {ID: 8, Name: "c", Price: int64(3), TS: 8}, {ID: 9, Name: "c", Price: int64(2), TS: 9}},
		"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES SUM(A.price) as sumA, COUNT(A.id) as countAId, " +
			"COUNT(A.price) as countAPrice, COUNT(*) as countAll, COUNT(price) as countAllPrice, LAST(id) as endId AFTER MATCH SKIP PAST LAST ROW " +
			"PATTERN (A+ C) DEFINE A AS SUM(A.price) < 30, C AS C.name = 'c') AS T",
		[]string{"29,7,5,8,6,8"}},
}

func TestMatchRecognize(t *testing.T) {
	for _, tc := range mrCases {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", tc.name, p), func(t *testing.T) {
				tenv := mrTable(t, p, "MyTable", tc.rows)
				r := mustExec(t, tenv, tc.query)
				equalLines(t, "MatchRecognizeITCase#"+tc.name, flinkRows(r), sorted(tc.want))
				for _, c := range r.Changes() {
					if c.Kind != Insert {
						t.Fatalf("MATCH_RECOGNIZE is insert-only: %v", c)
					}
				}
			})
		}
	}
}

// AFTER MATCH SKIP and WITHIN, as Flink's documentation (Pattern Recognition, "After Match Strategy" and
// "Time constraint") defines them: PAST LAST ROW (the default) resumes after the match, TO NEXT ROW after its
// first row, TO FIRST / TO LAST var at that variable's first or last row; WITHIN drops a match longer than
// the interval. The rows are partitioned by symbol, two symbols with the same rows.
func TestMatchRecognizeSkipAndWithin(t *testing.T) {
	var rows []mrRow
	for i, n := range []string{"a", "a", "a", "b"} {
		for _, s := range []string{"ACME", "XYZ"} {
			rows = append(rows, mrRow{ID: int64(i + 1), Name: n, Symbol: s, TS: int64(2 * (i + 1))})
		}
	}
	query := func(skip, within string) string {
		return "SELECT * FROM MyTable MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime MEASURES A.id AS aid, B.id AS bid " + skip +
			" PATTERN (A B) " + within + " DEFINE A AS name = 'a', B AS name = 'a' OR name = 'b')"
	}
	both := func(lines ...string) []string {
		var out []string
		for _, s := range []string{"ACME", "XYZ"} {
			for _, l := range lines {
				out = append(out, s+","+l)
			}
		}
		return sorted(out)
	}
	for _, p := range []int{1, 4} {
		for _, tc := range []struct {
			skip, within string
			want         []string
		}{
			// Without AFTER MATCH, SKIP TO NEXT ROW: Calcite's SqlToRelConverter sets it, and Flink's
			// PatternTranslatorTest#simplePattern expects skipToNext() for a pattern without the clause.
			{"", "", both("1,2", "2,3", "3,4")},
			{"AFTER MATCH SKIP PAST LAST ROW", "", both("1,2", "3,4")},
			{"AFTER MATCH SKIP TO NEXT ROW", "", both("1,2", "2,3", "3,4")},
			{"AFTER MATCH SKIP TO LAST B", "", both("1,2", "2,3", "3,4")},
			{"AFTER MATCH SKIP TO FIRST B", "", both("1,2", "2,3", "3,4")},
			// Rows 2 ms apart: a match spans 2 ms, and Flink keeps a match only if its span is below WITHIN.
			{"AFTER MATCH SKIP TO NEXT ROW", "WITHIN INTERVAL '0.003' SECOND", both("1,2", "2,3", "3,4")},
			{"AFTER MATCH SKIP TO NEXT ROW", "WITHIN INTERVAL '0.002' SECOND", nil},
		} {
			t.Run(fmt.Sprintf("%s %s/p%d", tc.skip, tc.within, p), func(t *testing.T) {
				r := mustExec(t, mrTable(t, p, "MyTable", rows), query(tc.skip, tc.within))
				equalLines(t, "matches", flinkRows(r), tc.want)
			})
		}
	}
}

// AFTER MATCH SKIP TO FIRST var fails the job when it would resume at the match's own first row, as Flink's
// translation makes it (skipToFirst(var).throwExceptionOnMiss()): matching again from there would find the
// same match forever.
func TestMatchRecognizeSkipToFirstOfMatchFails(t *testing.T) {
	for _, p := range []int{1, 4} {
		r, err := mrTable(t, p, "MyTable", named("a,b,a,b")).ExecuteSQL("SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime " +
			"MEASURES A.id AS aid AFTER MATCH SKIP TO FIRST A PATTERN (A B) DEFINE A AS name = 'a', B AS name = 'b')")
		if err == nil {
			err = r.Await()
		}
		if err == nil || !strings.Contains(err.Error(), "skip") {
			t.Errorf("p%d: %v, want the job to fail as it cannot skip to the match's first row", p, err)
		}
	}
}

// What Flink's planner refuses in MATCH_RECOGNIZE, with its reasons, and EXPLAIN's Match node.
func TestMatchRecognizeRefusals(t *testing.T) {
	tenv := mrTable(t, 1, "MyTable", named("a,b"))
	plan := mustExec(t, tenv, "EXPLAIN SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A B*?) DEFINE A AS name = 'a')").Rows()[0][0].(string)
	if want := "Match(partitionBy=[], orderBy=[rowtime ASC], measures=[`A`.`id` AS aid], rowsPerMatch=[ONE ROW PER MATCH], after=[SKIP TO NEXT ROW], pattern=[A B*?], define=[A AS (`name` = 'a')]), changelogMode=[I]"; !strings.Contains(plan, want) {
		t.Errorf("plan:\n%s\nwant %s", plan, want)
	}
	for _, c := range []struct{ query, err string }{
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A B+) DEFINE A AS name = 'a')", "Greedy quantifiers are not allowed as the last element of a Pattern yet."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid ALL ROWS PER MATCH PATTERN (A) DEFINE A AS name = 'a')", "All rows per match mode is not supported yet."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY id MEASURES A.id AS aid PATTERN (A) DEFINE A AS name = 'a')", "You must specify either rowtime or proctime for order by as the first one."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime DESC MEASURES A.id AS aid PATTERN (A) DEFINE A AS name = 'a')", "ascending on time"},
		{"SELECT * FROM (SELECT name, COUNT(*) AS n FROM MyTable GROUP BY name) MATCH_RECOGNIZE (ORDER BY n MEASURES A.n AS an PATTERN (A) DEFINE A AS n > 1)", "doesn't support consuming update and delete changes"},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A) DEFINE X AS name = 'a')", "no such pattern variable"},
		// Flink: PatternTranslatorTest#testAlternationsAreNotSupported, #testGroupPatternsAreNotSupported,
		// #testPermutationsAreNotSupported, #testExclusionsAreNotSupported, #testReluctantOptionalNotSupported,
		// #testPhysicalOffsetsAreNotSupported and #testPatternVariablesMustBeUnique; StreamExecMatch's refusal of
		// patterns that can match no row.
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A | B) DEFINE A AS name = 'a')", "Expression not supported: A | B. Currently, CEP doesn't support branching patterns."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN ((A | B) C) DEFINE A AS name = 'a')", "Currently, CEP doesn't support branching patterns."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN ((A B)+ C) DEFINE A AS name = 'a')", "Expression not supported: (A B)+ Group patterns are not supported yet."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (PERMUTE(A, C)) DEFINE A AS name = 'a')", "Currently, CEP doesn't support PERMUTE patterns."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A {- B -} C) DEFINE A AS name = 'a')", "Currently, CEP doesn't support '{-' '-}' patterns."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A?? B) DEFINE A AS name = 'a')", "Reluctant optional variables are not supported yet."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A? B*?) DEFINE A AS name = 'a')", "Patterns that can produce empty matches are not supported."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A) DEFINE A AS PREV(A.id) = 1)", "Flink does not support physical offsets within partition."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES NEXT(A.id, 2) AS aid PATTERN (A) DEFINE A AS name = 'a')", "Flink does not support physical offsets within partition."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A B A) DEFINE A AS name = 'a')", "Pattern variables must be unique. That might change in the future."},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.id AS aid PATTERN (A) DEFINE A AS MATCH_ROWTIME() > rowtime)", "allowed in MEASURES only"},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES MATCH_ROWTIME(id) AS t PATTERN (A) DEFINE A AS name = 'a')", "MATCH_ROWTIME takes the time attribute of the ORDER BY, rowtime, not id"},
		{"SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime MEASURES FIRST(A.id + B.id) AS x PATTERN (A B) DEFINE A AS name = 'a')", "reads one pattern variable"},
	} {
		if _, err := tenv.ExecuteSQL(c.query); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error with %q", c.query, err, c.err)
		}
	}
}

// ORDER BY a PROCTIME() attribute matches rows as they arrive (MatchRecognizeITCase orders its tests by
// proctime; here on a replayed arrival script, so the result is fixed).
func TestMatchRecognizeProcessingTime(t *testing.T) {
	src := arrivalSource{[]arrival{{1, "a", 1}, {2, "b", 2}, {3, "a", 3}, {4, "a", 4}, {5, "b", 5}}, 10}
	for _, p := range []int{1, 4} {
		tenv := proctimeEnv(t, p, src)
		r := mustExec(t, tenv, "SELECT * FROM T MATCH_RECOGNIZE (ORDER BY pt MEASURES A.v AS av, B.v AS bv PATTERN (A B) DEFINE A AS k = 'a', B AS k = 'b')")
		equalLines(t, fmt.Sprintf("p%d", p), flinkRows(r), []string{"1,2", "4,5"})
	}
}

// MATCH_RECOGNIZE through a crash: the CEP operator's partial matches and buffered rows are restored from
// the checkpoint (on the heap and in Pebble), and the committed output holds every match exactly once, the
// matches of a run without a crash.
func TestMatchRecognizeExactlyOnceThroughCrash(t *testing.T) {
	var words []string
	for i := 0; i < 40; i++ {
		words = append(words, fmt.Sprintf("w%d", i%5))
	}
	// Per word, in time order: A is an even n, then any two rows; matching resumes after a match.
	var want []string
	rows := map[string][]int{}
	for n, w := range words {
		rows[w] = append(rows[w], n)
	}
	for w, ns := range rows {
		for i := 0; i+2 < len(ns); {
			if ns[i]%2 == 0 {
				want = append(want, fmt.Sprintf("+I[%s, %d, %d]", w, ns[i], ns[i+2]))
				i += 3
			} else {
				i++
			}
		}
	}
	want = sorted(want)
	schema := Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "n", Type: "BIGINT"}, {Name: "ts", Type: "TIMESTAMP(3)", Field: "n"}}, Rowtime: "ts"}
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%v/p%d", backend, p), func(t *testing.T) {
				got := throughCrash(t, backend, p, words, schema, "SELECT * FROM words MATCH_RECOGNIZE (PARTITION BY word ORDER BY ts "+
					"MEASURES A.n AS an, LAST(B.n) AS bn AFTER MATCH SKIP PAST LAST ROW PATTERN (A B{2}) DEFINE A AS MOD(n, 2) = 0)", "Match(")
				equalLines(t, "committed matches", got, want)
			})
		}
	}
}

// rowsTable registers rows (structs) as the view name with the schema's columns, stamped with the event
// time each row's field TS holds and a watermark bound milliseconds behind the largest so far.
func rowsTable[R any](t *testing.T, p int, name string, bound int64, rows []R, ts func(R) int64, cols []SchemaColumn) *Environment {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: p})
	tenv := NewEnvironment(env)
	elems := make([]engine.SourceElement, len(rows))
	for i, r := range rows {
		elems[i] = engine.SourceElement{Value: r, Timestamp: ts(r)}
	}
	strategy := engine.ForBoundedOutOfOrderness(time.Duration(bound) * time.Millisecond)
	tab, err := tenv.FromDataStream(env.FromSource(engine.SliceSource(elems), &strategy, name), Schema{Columns: cols, Rowtime: "rowtime", Watermark: "SOURCE_WATERMARK()"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tenv.CreateTemporaryView(name, tab); err != nil {
		t.Fatal(err)
	}
	return tenv
}

// Flink: MatchRecognizeITCase#testEventsAreProperlyOrdered. Rows of the same time are ordered by the
// ORDER BY keys after the time attribute (secondaryOrder DESC, then ternaryOrder ASC), not by arrival: in
// arrival order rows 4, 5, 6 and 7, 8, 9 would match A B C too. Flink's source there emits watermarks by
// hand behind each group of rows; a bound of 5 ms keeps every row on time the same way.
func TestMatchRecognizeSecondaryOrder(t *testing.T) {
	type ordered struct {
		TS                 int64
		Secondary, Ternary int64
		Name               string
		ID                 int64
	}
	rows := []ordered{{2, 12, 1, "a", 1}, {1, 11, 2, "b", 2}, {3, 10, 3, "c", 3}, {4, 8, 4, "a", 4}, {4, 9, 5, "b", 5},
		{5, 7, 6, "c", 6}, {6, 6, 8, "a", 7}, {6, 6, 7, "b", 8}, {8, 4, 9, "c", 9}, {9, 3, 10, "a", 10}, {10, 2, 11, "b", 11}, {11, 1, 12, "c", 12}}
	cols := []SchemaColumn{{Name: "secondaryOrder", Type: "BIGINT", Field: "Secondary"}, {Name: "ternaryOrder", Type: "BIGINT", Field: "Ternary"},
		{Name: "name", Type: "STRING", Field: "Name"}, {Name: "id", Type: "BIGINT", Field: "ID"}, {Name: "rowtime", Type: "TIMESTAMP(3)", Field: "TS"}}
	query := "SELECT T.aid, T.bid, T.cid FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime, secondaryOrder DESC, ternaryOrder ASC " +
		"MEASURES A.id AS aid, B.id AS bid, C.id AS cid PATTERN (A B C) DEFINE A AS name = 'a', B AS name = 'b', C AS name = 'c') AS T"
	for _, p := range []int{1, 4} {
		tenv := rowsTable(t, p, "MyTable", 5, rows, func(r ordered) int64 { return r.TS }, cols)
		equalLines(t, fmt.Sprintf("p%d", p), flinkRows(mustExec(t, tenv, query)), []string{"10,11,12"})
		plan := mustExec(t, tenv, "EXPLAIN "+query).Rows()[0][0].(string)
		if want := "orderBy=[rowtime ASC, secondaryOrder DESC, ternaryOrder ASC]"; !strings.Contains(plan, want) {
			t.Errorf("plan:\n%s\nwant %s", plan, want)
		}
	}
}

// tickerRow is a row of MatchRecognizeITCase's Ticker table with a rowtime in seconds.
type tickerRow struct {
	Symbol     string
	Sec        int64
	Price, Tax int64
}

var tickerCols = []SchemaColumn{{Name: "symbol", Type: "STRING", Field: "Symbol"}, {Name: "rowtime", Type: "TIMESTAMP(3)", Field: "Sec"},
	{Name: "price", Type: "BIGINT", Field: "Price"}, {Name: "tax", Type: "BIGINT", Field: "Tax"}}

func tickerTable(t *testing.T, p int, rows []tickerRow) *Environment {
	t.Helper()
	for i := range rows {
		rows[i].Sec *= 1000
	}
	return rowsTable(t, p, "Ticker", 0, rows, func(r tickerRow) int64 { return r.Sec }, tickerCols)
}

// MATCH_ROWTIME() is the match's event time and an event-time attribute that a window aggregation over
// the matches groups by; a MATCH_RECOGNIZE orders by the time attribute of a window aggregation below it.
func TestMatchRecognizeTimeAttributes(t *testing.T) {
	for _, p := range []int{1, 4} {
		// Flink: MatchRecognizeITCase#testWindowedGroupingAppliedToMatchRecognize.
		tenv := tickerTable(t, p, []tickerRow{{"ACME", 1, 1, 1}, {"ACME", 2, 2, 2}, {"ACME", 4, 1, 4}, {"ACME", 5, 1, 3}})
		r := mustExec(t, tenv, "SELECT symbol, SUM(price) as price, TUMBLE_ROWTIME(matchRowtime, interval '3' second) as rowTime, "+
			"TUMBLE_START(matchRowtime, interval '3' second) as startTime FROM Ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime "+
			"MEASURES A.price as price, A.tax as tax, MATCH_ROWTIME() as matchRowtime ONE ROW PER MATCH PATTERN (A) DEFINE A AS A.price > 0) AS T "+
			"GROUP BY symbol, TUMBLE(matchRowtime, interval '3' second)")
		equalLines(t, fmt.Sprintf("testWindowedGroupingAppliedToMatchRecognize/p%d", p), flinkRows(r),
			[]string{"ACME,2,1970-01-01 00:00:05.999,1970-01-01 00:00:03.000", "ACME,3,1970-01-01 00:00:02.999,1970-01-01 00:00:00.000"})

		// MATCH_ROWTIME() is the time of the row that completed the match, MATCH_ROWTIME(rowtime) the same.
		tenv = tickerTable(t, p, []tickerRow{{"ACME", 1, 19, 1}, {"ACME", 2, 17, 2}, {"ACME", 3, 13, 3}, {"ACME", 4, 20, 4}})
		r = mustExec(t, tenv, "SELECT * FROM Ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime "+
			"MEASURES DOWN.tax AS bottom_tax, MATCH_ROWTIME() AS mt, MATCH_ROWTIME(rowtime) AS mt2 PATTERN (DOWN UP) "+
			"DEFINE DOWN AS DOWN.price = 13, UP AS UP.price = 20)")
		equalLines(t, fmt.Sprintf("MATCH_ROWTIME/p%d", p), flinkRows(r), []string{"ACME,3,1970-01-01 00:00:04.000,1970-01-01 00:00:04.000"})
		if got := r.Columns()[2].Type.String(); got != "TIMESTAMP(3) NOT NULL *ROWTIME*" {
			t.Errorf("MATCH_ROWTIME() is %s, want TIMESTAMP(3) NOT NULL *ROWTIME*", got)
		}

		// Flink: MatchRecognizeITCase#testMatchRecognizeAppliedToWindowedGrouping.
		tenv = tickerTable(t, p, []tickerRow{{"ACME", 1, 1, 1}, {"ACME", 2, 2, 2}, {"ACME", 4, 1, 4}, {"ACME", 5, 1, 3}, {"ACME", 7, 2, 3}, {"ACME", 8, 2, 3},
			{"ACME1", 1, 20, 4}, {"ACME1", 1, 24, 4}, {"ACME1", 1, 25, 3}, {"ACME1", 1, 19, 8}})
		r = mustExec(t, tenv, "SELECT * FROM (SELECT symbol, SUM(price) as price, TUMBLE_ROWTIME(rowtime, interval '3' second) as rowTime, "+
			"TUMBLE_START(rowtime, interval '3' second) as startTime FROM Ticker GROUP BY symbol, TUMBLE(rowtime, interval '3' second)) "+
			"MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowTime MEASURES B.price as dPrice, B.startTime as dTime ONE ROW PER MATCH "+
			"PATTERN (A B) DEFINE B AS B.price < A.price)")
		equalLines(t, fmt.Sprintf("testMatchRecognizeAppliedToWindowedGrouping/p%d", p), flinkRows(r), []string{"ACME,2,1970-01-01 00:00:03.000"})
	}
}

// MATCH_PROCTIME() is the processing time the match was found at: on the replayed arrival script's clock,
// the arrival of the row that completed it.
func TestMatchRecognizeProctime(t *testing.T) {
	src := arrivalSource{[]arrival{{1, "a", 1}, {2, "b", 2}, {3, "a", 3}, {4, "a", 4}, {5, "b", 5}}, 10}
	for _, p := range []int{1, 4} {
		r := mustExec(t, proctimeEnv(t, p, src), "SELECT * FROM T MATCH_RECOGNIZE (ORDER BY pt MEASURES A.v AS av, MATCH_PROCTIME() AS mp "+
			"PATTERN (A B) DEFINE A AS k = 'a', B AS k = 'b')")
		equalLines(t, fmt.Sprintf("p%d", p), flinkRows(r), []string{"1,1970-01-01 00:00:00.002", "4,1970-01-01 00:00:00.005"})
		if got := r.Columns()[1].Type.String(); !strings.Contains(got, "PROCTIME") {
			t.Errorf("MATCH_PROCTIME() is %s, want a processing-time attribute", got)
		}
	}
}

// PREV and NEXT with offset 0 read the current row (Flink's MatchCodeGenerator treats them as LAST(e, 0));
// other offsets are refused (see TestMatchRecognizeRefusals).
func TestMatchRecognizePrevNext(t *testing.T) {
	for _, p := range []int{1, 4} {
		r := mustExec(t, mrTable(t, p, "MyTable", ticker(19, 17, 13, 20, 20, 26, 20, 25)), "SELECT * FROM MyTable MATCH_RECOGNIZE (ORDER BY rowtime "+
			"MEASURES PREV(DOWN.price, 0) AS down, NEXT(UP.tax, 0) AS up PATTERN (DOWN UP) "+
			"DEFINE DOWN AS PREV(DOWN.price, 0) < 15, UP AS NEXT(price, 0) > LAST(DOWN.price))")
		equalLines(t, fmt.Sprintf("p%d", p), flinkRows(r), []string{"13,4"})
	}
}
