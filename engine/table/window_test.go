package table

import (
	"fmt"
	"strings"
	"testing"
)

// windowData is Flink's TestData.windowDataWithTimestamp (flink-table-planner, runtime/utils/TestData.scala)
// as JSON lines: ts, int, double, float, bigdec, string, name; the row at 00:00:06 is out of order and
// the second one at 00:00:04 is late (the watermark is then 00:00:07).
const windowData = `{"ts":"2020-10-10 00:00:01","int":1,"double":1,"float":1,"bigdec":1.11,"string":"Hi","name":"a"}
{"ts":"2020-10-10 00:00:02","int":2,"double":2,"float":2,"bigdec":2.22,"string":"Comment#1","name":"a"}
{"ts":"2020-10-10 00:00:03","int":2,"double":2,"float":2,"bigdec":2.22,"string":"Comment#1","name":"a"}
{"ts":"2020-10-10 00:00:04","int":5,"double":5,"float":5,"bigdec":5.55,"string":null,"name":"a"}
{"ts":"2020-10-10 00:00:07","int":3,"double":3,"float":3,"bigdec":null,"string":"Hello","name":"b"}
{"ts":"2020-10-10 00:00:06","int":6,"double":6,"float":6,"bigdec":6.66,"string":"Hi","name":"b"}
{"ts":"2020-10-10 00:00:08","int":3,"double":null,"float":3,"bigdec":3.33,"string":"Comment#2","name":"a"}
{"ts":"2020-10-10 00:00:04","int":5,"double":5,"float":null,"bigdec":5.55,"string":"Hi","name":"a"}
{"ts":"2020-10-10 00:00:16","int":4,"double":4,"float":4,"bigdec":4.44,"string":"Hi","name":"b"}
{"ts":"2020-10-10 00:00:32","int":7,"double":7,"float":7,"bigdec":7.77,"string":null,"name":null}
{"ts":"2020-10-10 00:00:34","int":1,"double":3,"float":3,"bigdec":3.33,"string":"Comment#3","name":"b"}
`

// windowTable is WindowAggregateITCase's T1, read from the JSON lines by the filesystem connector.
func windowTable(t *testing.T, tenv *Environment) {
	t.Helper()
	path := writeFile(t, "window.json", windowData)
	mustExec(t, tenv, fmt.Sprintf(`CREATE TABLE T1 (
 `+"`ts`"+` STRING,
 `+"`int`"+` INT,
 `+"`double`"+` DOUBLE,
 `+"`float`"+` FLOAT,
 `+"`bigdec`"+` DECIMAL(10, 2),
 `+"`string`"+` STRING,
 `+"`name`"+` STRING,
 `+"`rowtime`"+` AS TO_TIMESTAMP(`+"`ts`"+`),
 WATERMARK for `+"`rowtime`"+` AS `+"`rowtime`"+` - INTERVAL '1' SECOND
) WITH (
 'connector' = 'filesystem',
 'path' = '%s',
 'format' = 'json'
)`, path))
}

// The aggregates of WindowAggregateITCase's queries (without its user-defined concat_distinct_agg).
const windowAggs = "COUNT(*), SUM(`bigdec`), MAX(`double`), MIN(`float`), COUNT(DISTINCT `string`)"

// Each case is a test of Flink's WindowAggregateITCase (flink-table-planner, runtime/stream/sql), its
// expected rows printed as Weir prints them (Flink's test prints Row.toString: "null" for <NULL>, "T"
// between date and time, no zero milliseconds).
var windowCases = []struct {
	name, sql string
	want      []string
}{
	{"WindowAggregateITCase#testEventTimeTumbleWindow",
		"SELECT `name`, window_start, window_end, " + windowAggs + " FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY `name`, window_start, window_end",
		[]string{
			"a, 2020-10-10 00:00:00.000, 2020-10-10 00:00:05.000, 4, 11.10, 5.0, 1.0, 2",
			"a, 2020-10-10 00:00:05.000, 2020-10-10 00:00:10.000, 1, 3.33, <NULL>, 3.0, 1",
			"b, 2020-10-10 00:00:05.000, 2020-10-10 00:00:10.000, 2, 6.66, 6.0, 3.0, 2",
			"b, 2020-10-10 00:00:15.000, 2020-10-10 00:00:20.000, 1, 4.44, 4.0, 4.0, 1",
			"b, 2020-10-10 00:00:30.000, 2020-10-10 00:00:35.000, 1, 3.33, 3.0, 3.0, 1",
			"<NULL>, 2020-10-10 00:00:30.000, 2020-10-10 00:00:35.000, 1, 7.77, 7.0, 7.0, 0",
		}},
	{"WindowAggregateITCase#testTumbleWindowOutputWindowTime",
		"SELECT `name`, window_start, window_end, window_time, COUNT(*) FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY `name`, window_start, window_end, window_time",
		[]string{
			"a, 2020-10-10 00:00:00.000, 2020-10-10 00:00:05.000, 2020-10-10 00:00:04.999, 4",
			"a, 2020-10-10 00:00:05.000, 2020-10-10 00:00:10.000, 2020-10-10 00:00:09.999, 1",
			"b, 2020-10-10 00:00:05.000, 2020-10-10 00:00:10.000, 2020-10-10 00:00:09.999, 2",
			"b, 2020-10-10 00:00:15.000, 2020-10-10 00:00:20.000, 2020-10-10 00:00:19.999, 1",
			"b, 2020-10-10 00:00:30.000, 2020-10-10 00:00:35.000, 2020-10-10 00:00:34.999, 1",
			"<NULL>, 2020-10-10 00:00:30.000, 2020-10-10 00:00:35.000, 2020-10-10 00:00:34.999, 1",
		}},
	{"WindowAggregateITCase#testTumbleWindowGroupOnWindowOnly",
		"SELECT window_start, window_end, " + windowAggs + " FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY window_start, window_end",
		[]string{
			"2020-10-10 00:00:00.000, 2020-10-10 00:00:05.000, 4, 11.10, 5.0, 1.0, 2",
			"2020-10-10 00:00:05.000, 2020-10-10 00:00:10.000, 3, 9.99, 6.0, 3.0, 3",
			"2020-10-10 00:00:15.000, 2020-10-10 00:00:20.000, 1, 4.44, 4.0, 4.0, 1",
			"2020-10-10 00:00:30.000, 2020-10-10 00:00:35.000, 2, 11.10, 7.0, 3.0, 1",
		}},
	{"WindowAggregateITCase#testTumbleWindowWithoutOutputWindowColumns",
		"SELECT " + windowAggs + " FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY window_start, window_end",
		[]string{"1, 4.44, 4.0, 4.0, 1", "2, 11.10, 7.0, 3.0, 1", "3, 9.99, 6.0, 3.0, 3", "4, 11.10, 5.0, 1.0, 2"}},
	{"WindowAggregateITCase#testEventTimeHopWindow",
		"SELECT `name`, window_start, window_end, " + windowAggs + " FROM TABLE(HOP(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY `name`, window_start, window_end",
		[]string{
			"a, 2020-10-09 23:59:55.000, 2020-10-10 00:00:05.000, 4, 11.10, 5.0, 1.0, 2",
			"a, 2020-10-10 00:00:00.000, 2020-10-10 00:00:10.000, 5, 14.43, 5.0, 1.0, 3",
			"a, 2020-10-10 00:00:05.000, 2020-10-10 00:00:15.000, 1, 3.33, <NULL>, 3.0, 1",
			"b, 2020-10-10 00:00:00.000, 2020-10-10 00:00:10.000, 2, 6.66, 6.0, 3.0, 2",
			"b, 2020-10-10 00:00:05.000, 2020-10-10 00:00:15.000, 2, 6.66, 6.0, 3.0, 2",
			"b, 2020-10-10 00:00:10.000, 2020-10-10 00:00:20.000, 1, 4.44, 4.0, 4.0, 1",
			"b, 2020-10-10 00:00:15.000, 2020-10-10 00:00:25.000, 1, 4.44, 4.0, 4.0, 1",
			"b, 2020-10-10 00:00:25.000, 2020-10-10 00:00:35.000, 1, 3.33, 3.0, 3.0, 1",
			"b, 2020-10-10 00:00:30.000, 2020-10-10 00:00:40.000, 1, 3.33, 3.0, 3.0, 1",
			"<NULL>, 2020-10-10 00:00:25.000, 2020-10-10 00:00:35.000, 1, 7.77, 7.0, 7.0, 0",
			"<NULL>, 2020-10-10 00:00:30.000, 2020-10-10 00:00:40.000, 1, 7.77, 7.0, 7.0, 0",
		}},
	{"WindowAggregateITCase#testEventTimeCumulateWindow",
		"SELECT `name`, window_start, window_end, " + windowAggs + " FROM TABLE(CUMULATE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY `name`, window_start, window_end",
		[]string{
			"a, 2020-10-10 00:00:00.000, 2020-10-10 00:00:05.000, 4, 11.10, 5.0, 1.0, 2",
			"a, 2020-10-10 00:00:00.000, 2020-10-10 00:00:10.000, 5, 14.43, 5.0, 1.0, 3",
			"a, 2020-10-10 00:00:00.000, 2020-10-10 00:00:15.000, 5, 14.43, 5.0, 1.0, 3",
			"b, 2020-10-10 00:00:00.000, 2020-10-10 00:00:10.000, 2, 6.66, 6.0, 3.0, 2",
			"b, 2020-10-10 00:00:00.000, 2020-10-10 00:00:15.000, 2, 6.66, 6.0, 3.0, 2",
			"b, 2020-10-10 00:00:15.000, 2020-10-10 00:00:20.000, 1, 4.44, 4.0, 4.0, 1",
			"b, 2020-10-10 00:00:15.000, 2020-10-10 00:00:25.000, 1, 4.44, 4.0, 4.0, 1",
			"b, 2020-10-10 00:00:15.000, 2020-10-10 00:00:30.000, 1, 4.44, 4.0, 4.0, 1",
			"b, 2020-10-10 00:00:30.000, 2020-10-10 00:00:35.000, 1, 3.33, 3.0, 3.0, 1",
			"b, 2020-10-10 00:00:30.000, 2020-10-10 00:00:40.000, 1, 3.33, 3.0, 3.0, 1",
			"b, 2020-10-10 00:00:30.000, 2020-10-10 00:00:45.000, 1, 3.33, 3.0, 3.0, 1",
			"<NULL>, 2020-10-10 00:00:30.000, 2020-10-10 00:00:35.000, 1, 7.77, 7.0, 7.0, 0",
			"<NULL>, 2020-10-10 00:00:30.000, 2020-10-10 00:00:40.000, 1, 7.77, 7.0, 7.0, 0",
			"<NULL>, 2020-10-10 00:00:30.000, 2020-10-10 00:00:45.000, 1, 7.77, 7.0, 7.0, 0",
		}},
}

func TestWindowAggregate(t *testing.T) {
	for _, tc := range windowCases {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", strings.TrimPrefix(tc.name, "WindowAggregateITCase#"), p), func(t *testing.T) {
				tenv := newTableEnv(p)
				windowTable(t, tenv)
				r := mustExec(t, tenv, tc.sql)
				var got []string
				for _, c := range r.Changes() {
					if c.Kind != Insert {
						t.Fatalf("a window aggregation is insert-only, got %v", c)
					}
					got = append(got, FormatFields(c.Fields, r.Columns()))
				}
				equalLines(t, tc.name, sorted(got), sorted(tc.want))
			})
		}
	}
}

// A window TVF without aggregation adds window_start, window_end and window_time to every row, one row per
// window (Flink's documentation of the window TVFs: HOP assigns each row to size/slide windows).
func TestWindowTVFWithoutAggregation(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		windowTable(t, tenv)
		r := mustExec(t, tenv, "SELECT `int`, window_start, window_end, window_time FROM TABLE(HOP(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) WHERE `name` = 'b' AND window_start >= TIMESTAMP '2020-10-10 00:00:05'")
		var got []string
		for _, c := range r.Changes() {
			got = append(got, FormatFields(c.Fields, r.Columns()))
		}
		equalLines(t, "hop rows", sorted(got), sorted([]string{
			"3, 2020-10-10 00:00:05.000, 2020-10-10 00:00:15.000, 2020-10-10 00:00:14.999",
			"6, 2020-10-10 00:00:05.000, 2020-10-10 00:00:15.000, 2020-10-10 00:00:14.999",
			"4, 2020-10-10 00:00:10.000, 2020-10-10 00:00:20.000, 2020-10-10 00:00:19.999",
			"4, 2020-10-10 00:00:15.000, 2020-10-10 00:00:25.000, 2020-10-10 00:00:24.999",
			"1, 2020-10-10 00:00:25.000, 2020-10-10 00:00:35.000, 2020-10-10 00:00:34.999",
			"1, 2020-10-10 00:00:30.000, 2020-10-10 00:00:40.000, 2020-10-10 00:00:39.999",
		}))
		if _, err := tenv.ExecuteSQL("SELECT COUNT(window_time) FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY window_start, window_end"); err == nil {
			t.Error("an aggregate of window_time was accepted")
		}
	}
}
