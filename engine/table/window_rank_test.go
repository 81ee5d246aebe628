package table

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var flinkTime = regexp.MustCompile(`(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(\.\d{3})?`)

// weirRows rewrites rows as Flink's tests print them (LocalDateTime.toString: "2020-10-10T00:00:05",
// no zero seconds or milliseconds) the way flinkRows prints Weir's ("2020-10-10 00:00:05.000").
func weirRows(rows ...string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = flinkTime.ReplaceAllStringFunc(r, func(s string) string {
			m := flinkTime.FindStringSubmatch(s)
			sec, ms := m[3], m[4]
			if sec == "" {
				sec = ":00"
			}
			if ms == "" {
				ms = ".000"
			}
			return m[1] + " " + m[2] + sec + ms
		})
	}
	return sorted(out)
}

// windowAggTopN is WindowRankITCase's query over a window aggregation of T1 (without its user-defined
// concat_distinct_agg column).
func windowAggTopN(tvf, filter string) string {
	return "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY sum_b DESC) as rownum FROM (" +
		"SELECT `name`, window_start, window_end, COUNT(*) as cnt, SUM(`bigdec`) as sum_b, MAX(`double`) as max_d, MIN(`float`) as min_f, " +
		"COUNT(DISTINCT `string`) as uv FROM TABLE(" + tvf + ") GROUP BY `name`, window_start, window_end)) WHERE " + filter
}

// windowTVFTopN is WindowRankITCase's Top-N directly on a window TVF ("...WindowTVFWithCalc").
func windowTVFTopN(tvf string) string {
	return "SELECT `int`, `string`, `name`, window_start, window_end, window_time FROM (SELECT *, ROW_NUMBER() OVER (" +
		"PARTITION BY window_start, window_end, `name` ORDER BY `int` DESC) as rownum FROM TABLE(" + tvf + ")) WHERE rownum <= 2"
}

// Each case is a test of Flink's WindowRankITCase (flink-table-planner, runtime/stream/sql) over T1
// (window_test.go's windowTable), with its expected rows.
var windowRankCases = []struct {
	name, query string
	want        []string
}{
	{"testTumbleWindow", windowAggTopN("TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)", "rownum <= 2"), weirRows(
		"a,2020-10-10T00:00,2020-10-10T00:00:05,4,11.10,5.0,1.0,2,1",
		"a,2020-10-10T00:00:05,2020-10-10T00:00:10,1,3.33,null,3.0,1,2",
		"b,2020-10-10T00:00:05,2020-10-10T00:00:10,2,6.66,6.0,3.0,2,1",
		"b,2020-10-10T00:00:15,2020-10-10T00:00:20,1,4.44,4.0,4.0,1,1",
		"b,2020-10-10T00:00:30,2020-10-10T00:00:35,1,3.33,3.0,3.0,1,2",
		"null,2020-10-10T00:00:30,2020-10-10T00:00:35,1,7.77,7.0,7.0,0,1")},
	{"testTumbleWindowTVFWithCalc", windowTVFTopN("TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)"), weirRows(
		"5,null,a,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"2,Comment#1,a,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"3,Comment#2,a,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"6,Hi,b,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"3,Hello,b,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"4,Hi,b,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
		"7,null,null,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
		"1,Comment#3,b,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999")},
	// The late row (00:00:04, arriving at watermark 00:00:07) is dropped from its fired window
	// [23:59:55, 00:00:05) and kept in [00:00:00, 00:00:10), which has not fired.
	{"testHopWindowTVFWithCalc", windowTVFTopN("HOP(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND)"), weirRows(
		"5,null,a,2020-10-09T23:59:55,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"2,Comment#1,a,2020-10-09T23:59:55,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"5,null,a,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"5,Hi,a,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"6,Hi,b,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"6,Hi,b,2020-10-10T00:00:05,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
		"3,Hello,b,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"3,Comment#2,a,2020-10-10T00:00:05,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
		"3,Hello,b,2020-10-10T00:00:05,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
		"4,Hi,b,2020-10-10T00:00:10,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
		"4,Hi,b,2020-10-10T00:00:15,2020-10-10T00:00:25,2020-10-10T00:00:24.999",
		"7,null,null,2020-10-10T00:00:25,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
		"7,null,null,2020-10-10T00:00:30,2020-10-10T00:00:40,2020-10-10T00:00:39.999",
		"1,Comment#3,b,2020-10-10T00:00:25,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
		"1,Comment#3,b,2020-10-10T00:00:30,2020-10-10T00:00:40,2020-10-10T00:00:39.999")},
	{"testCumulateWindowTVFWithCalc", windowTVFTopN("CUMULATE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '15' SECOND)"), weirRows(
		"5,null,a,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"2,Comment#1,a,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"5,null,a,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"5,Hi,a,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"5,null,a,2020-10-10T00:00,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
		"5,Hi,a,2020-10-10T00:00,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
		"6,Hi,b,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"6,Hi,b,2020-10-10T00:00,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
		"3,Hello,b,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"3,Hello,b,2020-10-10T00:00,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
		"4,Hi,b,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
		"4,Hi,b,2020-10-10T00:00:15,2020-10-10T00:00:25,2020-10-10T00:00:24.999",
		"4,Hi,b,2020-10-10T00:00:15,2020-10-10T00:00:30,2020-10-10T00:00:29.999",
		"7,null,null,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
		"7,null,null,2020-10-10T00:00:30,2020-10-10T00:00:40,2020-10-10T00:00:39.999",
		"7,null,null,2020-10-10T00:00:30,2020-10-10T00:00:45,2020-10-10T00:00:44.999",
		"1,Comment#3,b,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
		"1,Comment#3,b,2020-10-10T00:00:30,2020-10-10T00:00:40,2020-10-10T00:00:39.999",
		"1,Comment#3,b,2020-10-10T00:00:30,2020-10-10T00:00:45,2020-10-10T00:00:44.999")},
	// WindowRankITCase#testHopWindow's ranks, with the aggregates of WindowAggregateITCase#testEventTimeHopWindow
	// for a's window [00:00:00, 00:00:10): Weir's window aggregation drops the late row from all its
	// windows, as Flink's SlicingWindowOperator and WindowAggregateITCase do; WindowRankITCase counts it
	// there (6 rows, 19.98), its source being a failing source that replays rows after a restore.
	{"testHopWindow", windowAggTopN("HOP(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND)", "rownum <= 2"), weirRows(
		"a,2020-10-09T23:59:55,2020-10-10T00:00:05,4,11.10,5.0,1.0,2,1",
		"a,2020-10-10T00:00,2020-10-10T00:00:10,5,14.43,5.0,1.0,3,1",
		"a,2020-10-10T00:00:05,2020-10-10T00:00:15,1,3.33,null,3.0,1,2",
		"b,2020-10-10T00:00,2020-10-10T00:00:10,2,6.66,6.0,3.0,2,2",
		"b,2020-10-10T00:00:05,2020-10-10T00:00:15,2,6.66,6.0,3.0,2,1",
		"b,2020-10-10T00:00:10,2020-10-10T00:00:20,1,4.44,4.0,4.0,1,1",
		"b,2020-10-10T00:00:15,2020-10-10T00:00:25,1,4.44,4.0,4.0,1,1",
		"b,2020-10-10T00:00:25,2020-10-10T00:00:35,1,3.33,3.0,3.0,1,2",
		"b,2020-10-10T00:00:30,2020-10-10T00:00:40,1,3.33,3.0,3.0,1,2",
		"null,2020-10-10T00:00:25,2020-10-10T00:00:35,1,7.77,7.0,7.0,0,1",
		"null,2020-10-10T00:00:30,2020-10-10T00:00:40,1,7.77,7.0,7.0,0,1")},
	// WindowRankITCase#testTop1.
	{"testTop1", "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY sum_b DESC) as rownum FROM (" +
		"SELECT `name`, window_start, window_end, COUNT(*) as cnt, SUM(`bigdec`) as sum_b FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) " +
		"GROUP BY `name`, window_start, window_end)) WHERE rownum <= 1", weirRows(
		"a,2020-10-10T00:00,2020-10-10T00:00:05,4,11.10,1",
		"b,2020-10-10T00:00:05,2020-10-10T00:00:10,2,6.66,1",
		"b,2020-10-10T00:00:15,2020-10-10T00:00:20,1,4.44,1",
		"null,2020-10-10T00:00:30,2020-10-10T00:00:35,1,7.77,1")},
}

// Window Top-N: insert-only, one +I row per rank when the watermark passes the window's end.
func TestWindowTopN(t *testing.T) {
	for _, c := range windowRankCases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				tenv := newTableEnv(p)
				windowTable(t, tenv)
				r := mustExec(t, tenv, c.query)
				for _, ch := range r.Changes() {
					if ch.Kind != Insert {
						t.Fatalf("parallelism %d: a window Top-N is insert-only, got %v", p, ch)
					}
				}
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), c.want)
			}
		})
	}
	tenv := newTableEnv(1)
	windowTable(t, tenv)
	plan := mustExec(t, tenv, "EXPLAIN "+windowRankCases[0].query).Rows()[0][0].(string)
	if !strings.Contains(plan, "WindowRank(window=[TUMBLE(size=[5s])], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=2], partitionBy=[window_start, window_end], orderBy=[sum_b DESC]") ||
		!strings.Contains(plan, "changelogMode=[I]\n") || strings.Contains(plan, "UB") {
		t.Errorf("plan:\n%s", plan)
	}
}

// windowDedup is WindowDeduplicateITCase's query: the first or last row of each window and name.
func windowDedup(tvf, order string) string {
	return "SELECT TO_TIMESTAMP(`ts`), `int`, `double`, `float`, `bigdec`, `string`, `name`, CAST(`rowtime` AS STRING), window_start, window_end, window_time " +
		"FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, `name` ORDER BY rowtime " + order + ") as rownum FROM TABLE(" + tvf + ")) WHERE rownum <= 1"
}

// Window deduplication; each case is a test of Flink's WindowDeduplicateITCase with its expected rows.
func TestWindowDeduplicate(t *testing.T) {
	const tumble = "TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)"
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"testTumbleWindowKeepLastRow", windowDedup(tumble, "DESC"), weirRows(
			"2020-10-10T00:00:04,5,5.0,5.0,5.55,null,a,2020-10-10 00:00:04.000,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
			"2020-10-10T00:00:08,3,null,3.0,3.33,Comment#2,a,2020-10-10 00:00:08.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"2020-10-10T00:00:07,3,3.0,3.0,null,Hello,b,2020-10-10 00:00:07.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"2020-10-10T00:00:16,4,4.0,4.0,4.44,Hi,b,2020-10-10 00:00:16.000,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
			"2020-10-10T00:00:32,7,7.0,7.0,7.77,null,null,2020-10-10 00:00:32.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
			"2020-10-10T00:00:34,1,3.0,3.0,3.33,Comment#3,b,2020-10-10 00:00:34.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999")},
		{"testTumbleWindowKeepFirstRow", windowDedup(tumble, ""), weirRows(
			"2020-10-10T00:00:01,1,1.0,1.0,1.11,Hi,a,2020-10-10 00:00:01.000,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
			"2020-10-10T00:00:08,3,null,3.0,3.33,Comment#2,a,2020-10-10 00:00:08.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"2020-10-10T00:00:06,6,6.0,6.0,6.66,Hi,b,2020-10-10 00:00:06.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"2020-10-10T00:00:16,4,4.0,4.0,4.44,Hi,b,2020-10-10 00:00:16.000,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
			"2020-10-10T00:00:32,7,7.0,7.0,7.77,null,null,2020-10-10 00:00:32.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
			"2020-10-10T00:00:34,1,3.0,3.0,3.33,Comment#3,b,2020-10-10 00:00:34.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999")},
		{"testTumbleWindowKeepLastRowWithCalc", "SELECT `int`, `string`, `name`, window_start, window_end, window_time FROM (SELECT *, ROW_NUMBER() OVER (" +
			"PARTITION BY window_start, window_end, `name` ORDER BY rowtime DESC) as rownum FROM TABLE(" + tumble + ")) WHERE rownum <= 1", weirRows(
			"5,null,a,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
			"3,Comment#2,a,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"3,Hello,b,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"4,Hi,b,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
			"7,null,null,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
			"1,Comment#3,b,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999")},
		{"testCumulateWindowKeepLastRow", windowDedup("CUMULATE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '15' SECOND)", "DESC"), weirRows(
			"2020-10-10T00:00:04,5,5.0,5.0,5.55,null,a,2020-10-10 00:00:04.000,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
			"2020-10-10T00:00:08,3,null,3.0,3.33,Comment#2,a,2020-10-10 00:00:08.000,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"2020-10-10T00:00:08,3,null,3.0,3.33,Comment#2,a,2020-10-10 00:00:08.000,2020-10-10T00:00,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
			"2020-10-10T00:00:07,3,3.0,3.0,null,Hello,b,2020-10-10 00:00:07.000,2020-10-10T00:00,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
			"2020-10-10T00:00:07,3,3.0,3.0,null,Hello,b,2020-10-10 00:00:07.000,2020-10-10T00:00,2020-10-10T00:00:15,2020-10-10T00:00:14.999",
			"2020-10-10T00:00:16,4,4.0,4.0,4.44,Hi,b,2020-10-10 00:00:16.000,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
			"2020-10-10T00:00:16,4,4.0,4.0,4.44,Hi,b,2020-10-10 00:00:16.000,2020-10-10T00:00:15,2020-10-10T00:00:25,2020-10-10T00:00:24.999",
			"2020-10-10T00:00:16,4,4.0,4.0,4.44,Hi,b,2020-10-10 00:00:16.000,2020-10-10T00:00:15,2020-10-10T00:00:30,2020-10-10T00:00:29.999",
			"2020-10-10T00:00:32,7,7.0,7.0,7.77,null,null,2020-10-10 00:00:32.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
			"2020-10-10T00:00:32,7,7.0,7.0,7.77,null,null,2020-10-10 00:00:32.000,2020-10-10T00:00:30,2020-10-10T00:00:40,2020-10-10T00:00:39.999",
			"2020-10-10T00:00:32,7,7.0,7.0,7.77,null,null,2020-10-10 00:00:32.000,2020-10-10T00:00:30,2020-10-10T00:00:45,2020-10-10T00:00:44.999",
			"2020-10-10T00:00:34,1,3.0,3.0,3.33,Comment#3,b,2020-10-10 00:00:34.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999",
			"2020-10-10T00:00:34,1,3.0,3.0,3.33,Comment#3,b,2020-10-10 00:00:34.000,2020-10-10T00:00:30,2020-10-10T00:00:40,2020-10-10T00:00:39.999",
			"2020-10-10T00:00:34,1,3.0,3.0,3.33,Comment#3,b,2020-10-10 00:00:34.000,2020-10-10T00:00:30,2020-10-10T00:00:45,2020-10-10T00:00:44.999")},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				tenv := newTableEnv(p)
				windowTable(t, tenv)
				r := mustExec(t, tenv, c.query)
				for _, ch := range r.Changes() {
					if ch.Kind != Insert {
						t.Fatalf("parallelism %d: a window deduplication is insert-only, got %v", p, ch)
					}
				}
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), c.want)
			}
		})
	}
	tenv := newTableEnv(1)
	windowTable(t, tenv)
	plan := mustExec(t, tenv, "EXPLAIN "+windowDedup(tumble, "DESC")).Rows()[0][0].(string)
	if !strings.Contains(plan, "WindowDeduplicate(window=[TUMBLE(size=[5s])], keep=[LastRow], partitionKeys=[window_start, window_end, name], orderKey=[rowtime], order=[ROWTIME]), changelogMode=[I]") {
		t.Errorf("plan:\n%s", plan)
	}
}
