package table

import (
	"fmt"
	"strings"
	"testing"
)

// windowTables registers WindowJoinITCase's T1 (TestData.windowDataWithTimestamp) and T2
// (windowData2WithTimestamp: the same rows with name "a1" for "a").
func windowTables(t *testing.T, tenv *Environment) {
	t.Helper()
	windowTable(t, tenv)
	path := writeFile(t, "window2.json", strings.ReplaceAll(windowData, `"name":"a"`, `"name":"a1"`))
	mustExec(t, tenv, fmt.Sprintf("CREATE TABLE T2 (`ts` STRING, `int` INT, `double` DOUBLE, `float` FLOAT, `bigdec` DECIMAL(10, 2), `string` STRING, `name` STRING, "+
		"`rowtime` AS TO_TIMESTAMP(`ts`), WATERMARK for `rowtime` AS `rowtime` - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')", path))
}

// uvJoin is WindowJoinITCase's join of two window aggregations.
func uvJoin(kind, selected string) string {
	side := func(t, uv string) string {
		return "(SELECT `name`, window_start, window_end, COUNT(DISTINCT `string`) as " + uv + " FROM TABLE(TUMBLE(TABLE " + t +
			", DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY `name`, window_start, window_end)"
	}
	return "SELECT " + selected + " FROM " + side("T1", "uv1") + " L " + kind + " " + side("T2", "uv2") +
		" R ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`"
}

// Window joins; each case is a test of Flink's WindowJoinITCase (with TIMESTAMP, not TIMESTAMP_LTZ,
// rowtimes) and its expected rows.
func TestWindowJoin(t *testing.T) {
	const uvCols = "L.`name`, L.window_start, L.window_end, uv1, uv2"
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"testInnerJoin", uvJoin("JOIN", uvCols), weirRows(
			"b,2020-10-10T00:00:05,2020-10-10T00:00:10,2,2",
			"b,2020-10-10T00:00:15,2020-10-10T00:00:20,1,1",
			"b,2020-10-10T00:00:30,2020-10-10T00:00:35,1,1")},
		{"testInnerJoinOnWTF", "SELECT TO_TIMESTAMP(L.`ts`), L.`int`, L.`double`, L.`float`, L.`bigdec`, L.`string`, L.`name`, CAST(L.`rowtime` AS STRING), " +
			"L.window_start, L.window_end, L.window_time, R.`int`, R.`string`, R.`name` " +
			"FROM (SELECT * FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))) L JOIN " +
			"(SELECT * FROM TABLE(TUMBLE(TABLE T2, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))) R " +
			"ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`", weirRows(
			"2020-10-10T00:00:06,6,6.0,6.0,6.66,Hi,b,2020-10-10 00:00:06.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999,3,Hello,b",
			"2020-10-10T00:00:06,6,6.0,6.0,6.66,Hi,b,2020-10-10 00:00:06.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999,6,Hi,b",
			"2020-10-10T00:00:07,3,3.0,3.0,null,Hello,b,2020-10-10 00:00:07.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999,3,Hello,b",
			"2020-10-10T00:00:07,3,3.0,3.0,null,Hello,b,2020-10-10 00:00:07.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999,6,Hi,b",
			"2020-10-10T00:00:16,4,4.0,4.0,4.44,Hi,b,2020-10-10 00:00:16.000,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999,4,Hi,b",
			"2020-10-10T00:00:34,1,3.0,3.0,3.33,Comment#3,b,2020-10-10 00:00:34.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999,1,Comment#3,b")},
		{"testLeftJoin", uvJoin("LEFT JOIN", uvCols), weirRows(
			"a,2020-10-10T00:00,2020-10-10T00:00:05,2,null",
			"a,2020-10-10T00:00:05,2020-10-10T00:00:10,1,null",
			"b,2020-10-10T00:00:05,2020-10-10T00:00:10,2,2",
			"b,2020-10-10T00:00:15,2020-10-10T00:00:20,1,1",
			"b,2020-10-10T00:00:30,2020-10-10T00:00:35,1,1",
			"null,2020-10-10T00:00:30,2020-10-10T00:00:35,0,null")},
		{"testRightJoin", uvJoin("RIGHT JOIN", "L.`name`, R.window_start, R.window_end, uv1, uv2"), weirRows(
			"null,2020-10-10T00:00,2020-10-10T00:00:05,null,2",
			"null,2020-10-10T00:00:05,2020-10-10T00:00:10,null,1",
			"b,2020-10-10T00:00:05,2020-10-10T00:00:10,2,2",
			"b,2020-10-10T00:00:15,2020-10-10T00:00:20,1,1",
			"b,2020-10-10T00:00:30,2020-10-10T00:00:35,1,1",
			"null,2020-10-10T00:00:30,2020-10-10T00:00:35,null,0")},
		{"testOuterJoin", uvJoin("FULL OUTER JOIN", "L.`name`, L.window_start, L.window_end, R.`name`, R.window_start, R.window_end, uv1, uv2"), weirRows(
			"a,2020-10-10T00:00,2020-10-10T00:00:05,null,null,null,2,null",
			"a,2020-10-10T00:00:05,2020-10-10T00:00:10,null,null,null,1,null",
			"b,2020-10-10T00:00:05,2020-10-10T00:00:10,b,2020-10-10T00:00:05,2020-10-10T00:00:10,2,2",
			"b,2020-10-10T00:00:15,2020-10-10T00:00:20,b,2020-10-10T00:00:15,2020-10-10T00:00:20,1,1",
			"b,2020-10-10T00:00:30,2020-10-10T00:00:35,b,2020-10-10T00:00:30,2020-10-10T00:00:35,1,1",
			"null,2020-10-10T00:00:30,2020-10-10T00:00:35,null,null,null,0,null",
			"null,null,null,a1,2020-10-10T00:00,2020-10-10T00:00:05,null,2",
			"null,null,null,a1,2020-10-10T00:00:05,2020-10-10T00:00:10,null,1",
			"null,null,null,null,2020-10-10T00:00:30,2020-10-10T00:00:35,null,0")},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				tenv := newTableEnv(p)
				windowTables(t, tenv)
				r := mustExec(t, tenv, c.query)
				for _, ch := range r.Changes() {
					if ch.Kind != Insert {
						t.Fatalf("parallelism %d: a window join is insert-only, got %v", p, ch)
					}
				}
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), c.want)
			}
		})
	}
	tenv := newTableEnv(1)
	windowTables(t, tenv)
	plan := mustExec(t, tenv, "EXPLAIN "+uvJoin("LEFT JOIN", uvCols)).Rows()[0][0].(string)
	if !strings.Contains(plan, "WindowJoin(leftWindow=[TUMBLE(size=[5s])], rightWindow=[TUMBLE(size=[5s])], joinType=[LeftOuterJoin]") || strings.Contains(plan, "UB") {
		t.Errorf("plan:\n%s", plan)
	}
	// Different windows on the two sides make a regular join, as in Flink.
	plan = mustExec(t, tenv, "EXPLAIN SELECT L.`int`, R.`int` FROM (SELECT * FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))) L JOIN "+
		"(SELECT * FROM TABLE(TUMBLE(TABLE T2, DESCRIPTOR(rowtime), INTERVAL '10' SECOND))) R ON L.window_start = R.window_start AND L.window_end = R.window_end").Rows()[0][0].(string)
	if strings.Contains(plan, "WindowJoin") {
		t.Errorf("different windows joined as a window join:\n%s", plan)
	}
}

// A window join drops the late rows of a window TVF's input before its shuffle, but not those of a window
// aggregation, which emits each window's rows before the watermark that fired it goes on, so that none is
// ever late there (the operator that would look for them is left out of the job).
func TestWindowJoinDropsLateRowsOnlyFromWindowTVFs(t *testing.T) {
	tvfs := "SELECT L.`int`, R.`int` FROM (SELECT * FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))) L JOIN " +
		"(SELECT * FROM TABLE(TUMBLE(TABLE T2, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))) R " +
		"ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`"
	tvfAndAggregation := "SELECT L.`int`, R.uv2 FROM (SELECT * FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))) L JOIN " +
		"(SELECT `name`, window_start, window_end, COUNT(DISTINCT `string`) AS uv2 FROM TABLE(TUMBLE(TABLE T2, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) " +
		"GROUP BY `name`, window_start, window_end) R ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`"
	tests := []struct {
		name  string
		query string
		drops int
	}{
		{"two window aggregations", uvJoin("JOIN", "L.`name`, uv1, uv2"), 0},
		{"two window TVFs", tvfs, 2},
		{"a window TVF and a window aggregation", tvfAndAggregation, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenv := newTableEnv(2)
			windowTables(t, tenv)
			plan := mustExec(t, tenv, "EXPLAIN "+tt.query).Rows()[0][0].(string)
			_, graph, _ := strings.Cut(plan, "== Physical Execution Plan (Weir job graph) ==")
			if !strings.Contains(graph, "WindowJoin(") {
				t.Fatalf("no window join in:\n%s", plan)
			}
			if got := strings.Count(graph, "Drop rows of fired windows"); got != tt.drops {
				t.Errorf("%d operators dropping late rows before the window join, want %d:\n%s", got, tt.drops, graph)
			}
		})
	}
}
