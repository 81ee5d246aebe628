package table

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
)

type click struct {
	User string
	URL  string
	At   time.Time
}

func clicks() []any {
	base := time.Date(2020, 10, 10, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }
	return []any{
		click{"Mary", "./home", at(0)}, click{"Bob", "./cart", at(0)}, click{"Mary", "./prod?id=1", at(5)},
		click{"Liz", "./home", at(60)}, click{"Bob", "./prod?id=3", at(90)}, click{"Mary", "./prod?id=7", at(105)},
	}
}

// A table made from a DataStream, queried in SQL and turned back into a changelog DataStream (Flink's
// StreamTableEnvironment fromDataStream / createTemporaryView / toChangelogStream), at parallelism 1 and 4.
func TestDataStreamRoundTrip(t *testing.T) {
	for _, p := range []int{1, 4} {
		env := engine.NewEnvironment(engine.Config{Parallelism: p})
		tenv := NewEnvironment(env)
		tab, err := tenv.FromDataStream(env.FromSlice(clicks()), Schema{
			Columns: []SchemaColumn{{Name: "user_name", Type: "STRING", Field: "User"}, {Name: "url", Type: "STRING", Field: "URL"}, {Name: "ts", Type: "TIMESTAMP(3)", Field: "At"}},
			Rowtime: "ts", Watermark: "ts - INTERVAL '1' SECOND",
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := tenv.CreateTemporaryView("clicks", tab); err != nil {
			t.Fatal(err)
		}
		counts, err := tenv.SQLQuery("SELECT user_name, COUNT(url) AS cnt FROM clicks GROUP BY user_name")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tenv.ToDataStream(counts); err == nil || !strings.Contains(err.Error(), "doesn't support consuming update changes") {
			t.Errorf("ToDataStream of an updating table: %v", err)
		}
		changes, err := tenv.ToChangelogStream(counts)
		if err != nil {
			t.Fatal(err)
		}
		got := changes.Collect()
		windows, err := tenv.SQLQuery("SELECT user_name, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY user_name, window_start, window_end")
		if err != nil {
			t.Fatal(err)
		}
		ws, err := tenv.ToDataStream(windows)
		if err != nil {
			t.Fatal(err)
		}
		wgot := ws.Collect()
		if _, err := env.Execute("round trip"); err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, v := range got.Values() {
			lines = append(lines, fmt.Sprint(v))
		}
		sort.Strings(lines)
		equalLines(t, "changelog stream", lines, sorted([]string{
			"+I[Mary, 1]", "+I[Bob, 1]", "-U[Mary, 1]", "+U[Mary, 2]", "+I[Liz, 1]",
			"-U[Bob, 1]", "+U[Bob, 2]", "-U[Mary, 2]", "+U[Mary, 3]",
		}))
		lines = nil
		for _, r := range wgot.Records() {
			lines = append(lines, fmt.Sprint(r.Value, " @", r.Timestamp))
		}
		sort.Strings(lines)
		// Each window row carries the window's max timestamp (window_time), as Flink's window aggregation does.
		equalLines(t, "window stream", lines, []string{
			"+I[Bob, 2020-10-10 12:01:00.000, 1] @1602331259999",
			"+I[Bob, 2020-10-10 12:02:00.000, 1] @1602331319999",
			"+I[Liz, 2020-10-10 12:02:00.000, 1] @1602331319999",
			"+I[Mary, 2020-10-10 12:01:00.000, 2] @1602331259999",
			"+I[Mary, 2020-10-10 12:02:00.000, 1] @1602331319999",
		})
	}
}

// SESSION windows with PARTITION BY: a session per name closes after a gap of 5 seconds without rows.
// Flink: WindowAggregateITCase#testEventTimeSessionWindow (its expected rows, without concat_distinct_agg).
func TestSessionWindow(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		windowTable(t, tenv)
		r := mustExec(t, tenv, "SELECT `name`, window_start, window_end, "+windowAggs+" FROM TABLE(SESSION(TABLE T1 PARTITION BY `name`, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY `name`, window_start, window_end")
		var got []string
		for _, c := range r.Changes() {
			got = append(got, FormatFields(c.Fields, r.Columns()))
		}
		equalLines(t, "sessions", sorted(got), sorted(sessionWindowRows))
	}
}

// sessionWindowRows are the rows of WindowAggregateITCase#testEventTimeSessionWindow: name, window_start,
// window_end and windowAggs per session of 5 seconds. a: 1, 2, 3, 4, 8 and the late 4 (a session window is
// late only once the watermark passes the end of the merged session, 00:00:13, so it is counted); b: 7, 6 |
// 16 | 34; null: 32.
var sessionWindowRows = []string{
	"a, 2020-10-10 00:00:01.000, 2020-10-10 00:00:13.000, 6, 19.98, 5.0, 1.0, 3",
	"b, 2020-10-10 00:00:06.000, 2020-10-10 00:00:12.000, 2, 6.66, 6.0, 3.0, 2",
	"b, 2020-10-10 00:00:16.000, 2020-10-10 00:00:21.000, 1, 4.44, 4.0, 4.0, 1",
	"b, 2020-10-10 00:00:34.000, 2020-10-10 00:00:39.000, 1, 3.33, 3.0, 3.0, 1",
	"<NULL>, 2020-10-10 00:00:32.000, 2020-10-10 00:00:37.000, 1, 7.77, 7.0, 7.0, 0",
}

// In batch execution mode a GROUP BY emits only each group's final row, as +I (Flink's batch
// aggregation), where streaming mode emits the updates.
func TestBatchModeGroupBy(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		mustExec(t, tenv, "SET 'execution.runtime-mode' = 'batch'")
		r := mustExec(t, tenv, "SELECT user_name, COUNT(url) AS cnt FROM "+clicksValues+" GROUP BY user_name")
		equalLines(t, "batch GROUP BY", sorted(r.Strings()), []string{"+I[Bob, 2]", "+I[Liz, 1]", "+I[Mary, 3]"})
		if m := r.Job().RuntimeMode(); m != engine.Batch {
			t.Errorf("runtime mode %v", m)
		}
	}
}

// A window aggregation's window_time is a time attribute: a second, coarser TUMBLE reads it (Flink's
// cascading window aggregation, documented under "Window Aggregation", which renames the first
// window's columns in the same way).
func TestCascadingWindows(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		windowTable(t, tenv)
		mustExec(t, tenv, "CREATE VIEW five AS SELECT `name`, window_start AS w5_start, window_end AS w5_end, window_time AS rowtime, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY `name`, window_start, window_end, window_time")
		r := mustExec(t, tenv, "SELECT window_start, window_end, SUM(cnt) FROM TABLE(TUMBLE(TABLE five, DESCRIPTOR(rowtime), INTERVAL '10' SECOND)) GROUP BY window_start, window_end")
		var got []string
		for _, c := range r.Changes() {
			got = append(got, FormatFields(c.Fields, r.Columns()))
		}
		// The 5-second counts of testEventTimeTumbleWindow summed per 10 seconds.
		equalLines(t, "cascaded", sorted(got), []string{
			"2020-10-10 00:00:00.000, 2020-10-10 00:00:10.000, 7",
			"2020-10-10 00:00:10.000, 2020-10-10 00:00:20.000, 1",
			"2020-10-10 00:00:30.000, 2020-10-10 00:00:40.000, 2",
		})
		mustExec(t, tenv, "SET 'sql-client.execution.result-mode' = 'changelog'")
		r = mustExec(t, tenv, "SELECT cnt FROM five WHERE `name` = 'b' AND cnt > 1")
		var sb strings.Builder
		if err := r.Print(&sb, ""); err != nil || sb.String() != "op cnt\n+I   2\n" {
			t.Errorf("changelog mode from SET:\n%q %v", sb.String(), err)
		}
	}
}
