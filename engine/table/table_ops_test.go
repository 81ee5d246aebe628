package table

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/table/planner"
)

// The Table API's operations plan the same queries as SQL: the dynamic-tables example written with
// Where, GroupBy and Select gives the SQL changelog, and a tumbling window the SQL window rows
// (Flink: the Table API's documentation, "Operations").
func TestTableOperations(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		mustExec(t, tenv, "CREATE VIEW clicks AS SELECT * FROM "+clicksValues)
		counts := tenv.From("clicks").Where("url <> './cart'").GroupBy("user_name").Select("user_name", "COUNT(url) AS cnt")
		r := mustRunTable(t, counts)
		var table []string
		for _, row := range r.Rows() {
			table = append(table, FormatFields(row, r.Columns()))
		}
		equalLines(t, "grouped", sorted(table), []string{"Bob, 1", "Liz, 1", "Mary, 3"})
		if !counts.IsUpdating() {
			t.Error("a grouped table is updating")
		}

		windowTable(t, tenv)
		w := tenv.From("T1").WindowTumble("rowtime", "INTERVAL '5' SECOND").
			GroupBy("`name`", "window_start", "window_end").Select("`name`", "window_end", "COUNT(*) AS n")
		users := tenv.From("clicks").Select("user_name").UnionAll(tenv.From("clicks").Where("user_name = 'Liz'").Select("UPPER(user_name)"))
		r = mustRunTable(t, users)
		equalLines(t, "union all", sorted(r.Strings()), sorted([]string{"+I[Mary]", "+I[Bob]", "+I[Mary]", "+I[Liz]", "+I[Bob]", "+I[Mary]", "+I[LIZ]"}))
		if err := tenv.From("clicks").UnionAll(tenv.From("clicks").Select("url")).Err(); err == nil || !strings.Contains(err.Error(), "Column count mismatch in UNION ALL: 2 and 1") {
			t.Errorf("UnionAll of 2 and 1 columns: %v", err)
		}
		r = mustRunTable(t, w)
		var got []string
		for _, c := range r.Changes() {
			got = append(got, FormatFields(c.Fields, r.Columns()))
		}
		equalLines(t, "windowed", sorted(got), []string{
			"<NULL>, 2020-10-10 00:00:35.000, 1",
			"a, 2020-10-10 00:00:05.000, 4", "a, 2020-10-10 00:00:10.000, 1",
			"b, 2020-10-10 00:00:10.000, 2", "b, 2020-10-10 00:00:20.000, 1", "b, 2020-10-10 00:00:35.000, 1",
		})
		bad := tenv.From("clicks").Select("user_nam")
		if err := bad.Err(); err == nil || !strings.Contains(err.Error(), "did you mean 'user_name'?") {
			t.Errorf("error of Select: %v", err)
		}
		if _, err := bad.Where("TRUE").Execute(); err == nil {
			t.Error("an operation on a table with an error ran")
		}
	}
}

// windowCaseRows returns the expected rows of the windowCases test of Flink's WindowAggregateITCase name.
func windowCaseRows(t *testing.T, name string) []string {
	t.Helper()
	for _, c := range windowCases {
		if c.name == "WindowAggregateITCase#"+name {
			return sorted(c.want)
		}
	}
	t.Fatalf("no window case %s", name)
	return nil
}

// windowRows runs a table and returns its rows, formatted and sorted, failing on an update.
func windowRows(t *testing.T, tab *Table) []string {
	t.Helper()
	r := mustRunTable(t, tab)
	var got []string
	for _, c := range r.Changes() {
		if c.Kind != Insert {
			t.Fatalf("a window TVF's rows are insert-only, got %v", c)
		}
		got = append(got, FormatFields(c.Fields, r.Columns()))
	}
	return sorted(got)
}

// Each window method of the Table API plans its window TVF: its rows are those of Flink's
// WindowAggregateITCase for the same windows (testEventTimeTumbleWindow, testEventTimeHopWindow,
// testEventTimeCumulateWindow, testEventTimeSessionWindow) and those of the same query in SQL, at
// parallelism 1 and 4. A session window grouped by name keeps each name's sessions apart, as SESSION with
// PARTITION BY `name` does; without an aggregation a session spans all rows.
func TestTableWindows(t *testing.T) {
	tvf := func(call string) string {
		return "SELECT `name`, window_start, window_end, " + windowAggs + " FROM TABLE(" + call + ") GROUP BY `name`, window_start, window_end"
	}
	perName := func(w *Table) *Table {
		return w.GroupBy("`name`", "window_start", "window_end").Select("`name`", "window_start", "window_end", windowAggs)
	}
	cases := []struct {
		name  string
		table func(t1 *Table) *Table
		sql   []string
		want  func(t *testing.T) []string
	}{
		{"tumble", func(t1 *Table) *Table { return perName(t1.WindowTumble("rowtime", "INTERVAL '5' SECOND")) },
			[]string{tvf("TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)")},
			func(t *testing.T) []string { return windowCaseRows(t, "testEventTimeTumbleWindow") }},
		{"hop", func(t1 *Table) *Table {
			return perName(t1.WindowHop("rowtime", "INTERVAL '5' SECOND", "INTERVAL '10' SECOND"))
		},
			[]string{tvf("HOP(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND)")},
			func(t *testing.T) []string { return windowCaseRows(t, "testEventTimeHopWindow") }},
		{"cumulate", func(t1 *Table) *Table {
			return perName(t1.WindowCumulate("rowtime", "INTERVAL '5' SECOND", "INTERVAL '15' SECOND"))
		},
			[]string{tvf("CUMULATE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '15' SECOND)")},
			func(t *testing.T) []string { return windowCaseRows(t, "testEventTimeCumulateWindow") }},
		{"session", func(t1 *Table) *Table { return perName(t1.WindowSession("rowtime", "INTERVAL '5' SECOND")) },
			[]string{
				tvf("SESSION(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)"),
				tvf("SESSION(TABLE T1 PARTITION BY `name`, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)"),
			},
			func(*testing.T) []string { return sorted(sessionWindowRows) }},
		// All rows at 1, 2, 3, 4, 7, 6, 8 and the late 4 are one session (it has not fired when the late row
		// comes), 16 another, 32 and 34 a third: b's rows are in all three.
		{"session rows", func(t1 *Table) *Table {
			return t1.WindowSession("rowtime", "INTERVAL '5' SECOND").Where("`name` = 'b'").Select("`int`", "window_start", "window_end")
		},
			[]string{"SELECT `int`, window_start, window_end FROM TABLE(SESSION(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) WHERE `name` = 'b'"},
			func(*testing.T) []string {
				return sorted([]string{
					"3, 2020-10-10 00:00:01.000, 2020-10-10 00:00:13.000",
					"6, 2020-10-10 00:00:01.000, 2020-10-10 00:00:13.000",
					"4, 2020-10-10 00:00:16.000, 2020-10-10 00:00:21.000",
					"1, 2020-10-10 00:00:32.000, 2020-10-10 00:00:39.000",
				})
			}},
	}
	for _, tc := range cases {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", tc.name, p), func(t *testing.T) {
				tenv := newTableEnv(p)
				windowTable(t, tenv)
				want := tc.want(t)
				equalLines(t, "Table API", windowRows(t, tc.table(tenv.From("T1"))), want)
				for _, sql := range tc.sql {
					tab, err := tenv.SQLQuery(sql)
					if err != nil {
						t.Fatalf("%v\n%s", err, sql)
					}
					equalLines(t, sql, windowRows(t, tab), want)
				}
			})
		}
	}
}

// The window methods' bad arguments give an error naming the method, the argument and, for a column that
// does not exist, the nearest one; the tables made from them do not run.
func TestTableWindowErrors(t *testing.T) {
	tenv := newTableEnv(1)
	windowTable(t, tenv)
	t1 := tenv.From("T1")
	const five = "INTERVAL '5' SECOND"
	cases := []struct {
		table    *Table
		sentinel error
		want     string
	}{
		{t1.WindowSession("rowtim", five), planner.ErrValidation, `WindowSession("rowtim", "INTERVAL '5' SECOND"): SQL validation failed at line 1, column 51: Column 'rowtim' not found in any table, did you mean 'rowtime'?`},
		{t1.WindowCumulate("rowtme", five, five), planner.ErrValidation, "Column 'rowtme' not found in any table, did you mean 'rowtime'?"},
		{t1.WindowSession("int", five), planner.ErrValidation, "The window function requires the timecol is a time attribute type, but is INT"},
		{t1.WindowCumulate("ts", five, five), planner.ErrValidation, "The window function requires the timecol is a time attribute type, but is STRING"},
		{t1.WindowSession("rowtime", "5 seconds"), ErrStatement, `WindowSession("rowtime", "5 seconds"): gap "5 seconds" is not an interval such as INTERVAL '5' SECOND`},
		{t1.WindowSession("rowtime", "'5'"), ErrStatement, `gap "'5'" is not an interval such as INTERVAL '5' SECOND`},
		{t1.WindowSession("rowtime", ""), ErrStatement, `gap "" is not an interval`},
		{t1.WindowSession("rowtime", "INTERVAL '0' SECOND"), planner.ErrValidation, "argument GAP of SESSION must be positive"},
		{t1.WindowCumulate("rowtime", "5", five), ErrStatement, `WindowCumulate("rowtime", "5", "INTERVAL '5' SECOND"): step "5" is not an interval`},
		{t1.WindowCumulate("rowtime", five, five+", "+five), ErrStatement, `size "INTERVAL '5' SECOND, INTERVAL '5' SECOND" is not an interval`},
		{t1.WindowCumulate("rowtime", "INTERVAL '4' SECOND", "INTERVAL '10' SECOND"), planner.ErrValidation, "CUMULATE table function based aggregate requires maxSize must be an integral multiple of step, but got maxSize 10000ms and step 4000ms"},
		{t1.WindowCumulate("rowtime", "INTERVAL '-5' SECOND", five), planner.ErrValidation, "argument STEP of CUMULATE must be positive"},
		{t1.WindowTumble("rowtime", "INTERVAL '5' SECOND, INTERVAL '1' SECOND"), ErrStatement, "size \"INTERVAL '5' SECOND, INTERVAL '1' SECOND\" is not an interval"},
		{t1.Select("nam").WindowSession("rowtime", five), planner.ErrValidation, "Select([nam]): SQL validation failed"},
	}
	for _, tc := range cases {
		err := tc.table.Err()
		if !errors.Is(err, tc.sentinel) || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("error %v, want %v containing %q", err, tc.sentinel, tc.want)
		}
		if _, err := tc.table.Execute(); err == nil {
			t.Errorf("a table with the error %q ran", tc.want)
		}
	}
}
