package table

import (
	"fmt"
	"strings"
	"testing"
)

// sessionData is GroupWindowITCase#testEventTimeSessionWindow's data (flink-table-planner,
// runtime/stream/sql): (rowtime in ms, int, string, name), out of order, with a watermark 10 ms behind the
// largest time so far, as its TimestampAndWatermarkWithOffset(10L) emits after every row.
const sessionData = `{"ts":"1970-01-01 00:00:00.001","int":1,"string":"Hello","name":"a"}
{"ts":"1970-01-01 00:00:00.002","int":2,"string":"Hello","name":"b"}
{"ts":"1970-01-01 00:00:00.008","int":8,"string":"Hello","name":"a"}
{"ts":"1970-01-01 00:00:00.009","int":9,"string":"Hello World","name":"b"}
{"ts":"1970-01-01 00:00:00.004","int":4,"string":"Hello","name":"c"}
{"ts":"1970-01-01 00:00:00.016","int":16,"string":"Hello","name":"d"}
`

func sessionTable(t *testing.T, tenv *Environment) {
	t.Helper()
	path := writeFile(t, "session.json", sessionData)
	mustExec(t, tenv, fmt.Sprintf("CREATE TABLE T1 (ts STRING, `int` INT, `string` STRING, name STRING, rowtime AS TO_TIMESTAMP(ts), "+
		"WATERMARK FOR rowtime AS rowtime - INTERVAL '0.01' SECOND) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')", path))
}

// Flink's legacy group windows, GROUP BY ..., SESSION(rowtime, gap) with SESSION_START and SESSION_ROWTIME
// (and TUMBLE, HOP with their auxiliary functions), plan as window aggregations: one +I row per session
// and group. GroupWindowITCase#testEventTimeSessionWindow, its expected rows; the sessions are per group
// ("Hello" has 1..8+5 ms merged from four rows, and 16 alone).
func TestGroupWindowSession(t *testing.T) {
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			tenv := newTableEnv(p)
			sessionTable(t, tenv)
			r := mustExec(t, tenv, "SELECT `string`, SESSION_START(rowtime, INTERVAL '0.005' SECOND), SESSION_ROWTIME(rowtime, INTERVAL '0.005' SECOND), "+
				"COUNT(1), SUM(1), COUNT(`int`), SUM(`int`), COUNT(DISTINCT name) FROM T1 GROUP BY `string`, SESSION(rowtime, INTERVAL '0.005' SECOND)")
			equalLines(t, "sessions", sorted(r.Strings()), sorted([]string{
				"+I[Hello World, 1970-01-01 00:00:00.009, 1970-01-01 00:00:00.013, 1, 1, 1, 9, 1]",
				"+I[Hello, 1970-01-01 00:00:00.016, 1970-01-01 00:00:00.020, 1, 1, 1, 16, 1]",
				"+I[Hello, 1970-01-01 00:00:00.001, 1970-01-01 00:00:00.012, 4, 4, 4, 15, 3]",
			}))
			if got := names(r.Columns()); got != "string, EXPR$1, EXPR$2, EXPR$3, EXPR$4, EXPR$5, EXPR$6, EXPR$7" {
				t.Errorf("columns: %s", got)
			}
			if !r.Columns()[2].Type.Rowtime {
				t.Errorf("SESSION_ROWTIME is not a time attribute: %s", r.Columns()[2].Type)
			}
		})
	}
}

// TUMBLE and HOP group windows give the rows of the equivalent window TVF aggregation (WindowAggregateITCase
// cases of window_test.go, written with the legacy syntax), and the auxiliary functions must name the
// window of GROUP BY.
func TestGroupWindowTumbleHop(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		windowTable(t, tenv)
		r := mustExec(t, tenv, "SELECT `name`, TUMBLE_START(rowtime, INTERVAL '5' SECOND) AS ws, TUMBLE_END(rowtime, INTERVAL '5' SECOND), "+windowAggs+
			" FROM T1 GROUP BY `name`, TUMBLE(rowtime, INTERVAL '5' SECOND)")
		var got []string
		for _, c := range r.Changes() {
			got = append(got, FormatFields(c.Fields, r.Columns()))
		}
		equalLines(t, "tumble", sorted(got), sorted(windowCases[0].want))
		r = mustExec(t, tenv, "SELECT `name`, HOP_START(rowtime, INTERVAL '5' SECOND, INTERVAL '10' SECOND), COUNT(*) FROM T1 "+
			"WHERE `name` = 'b' GROUP BY HOP(rowtime, INTERVAL '5' SECOND, INTERVAL '10' SECOND), `name`")
		equalLines(t, "hop", sorted(r.Strings()), sorted([]string{
			"+I[b, 2020-10-10 00:00:00.000, 2]", "+I[b, 2020-10-10 00:00:05.000, 2]", "+I[b, 2020-10-10 00:00:10.000, 1]",
			"+I[b, 2020-10-10 00:00:15.000, 1]", "+I[b, 2020-10-10 00:00:25.000, 1]", "+I[b, 2020-10-10 00:00:30.000, 1]",
		}))
	}
	tenv := newTableEnv(1)
	windowTable(t, tenv)
	for _, tc := range []struct{ sql, want string }{
		{"SELECT TUMBLE_START(rowtime, INTERVAL '10' SECOND) FROM T1 GROUP BY TUMBLE(rowtime, INTERVAL '5' SECOND)", "does not match the group window"},
		{"SELECT HOP_END(rowtime, INTERVAL '5' SECOND) FROM T1 GROUP BY TUMBLE(rowtime, INTERVAL '5' SECOND)", "does not match the group window"},
		{"SELECT COUNT(*) FROM T1 GROUP BY TUMBLE(rowtime, INTERVAL '5' SECOND), SESSION(rowtime, INTERVAL '5' SECOND)", "Only a single window group function"},
		{"SELECT COUNT(*) FROM T1 GROUP BY TUMBLE(`ts`, INTERVAL '5' SECOND)", "time attribute"},
		{"SELECT COUNT(*) FROM T1 GROUP BY SESSION(rowtime, 5)", "INTERVAL literal"},
		{"SELECT TUMBLE_PROCTIME(rowtime, INTERVAL '5' SECOND) FROM T1 GROUP BY TUMBLE(rowtime, INTERVAL '5' SECOND)", "processing-time"},
	} {
		_, err := tenv.ExecuteSQL(tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.sql, err, tc.want)
		}
	}
}

func names(cols []Column) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.Name
	}
	return strings.Join(s, ", ")
}
