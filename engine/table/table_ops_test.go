package table

import (
	"strings"
	"testing"
)

// The Table API's operations plan the same queries as SQL: the dynamic-tables example written with
// Where, GroupBy and Select gives the SQL changelog, and a tumbling window the SQL window rows
// (Flink: the Table API's documentation, "Operations").
func TestTableOperations(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		mustExec(t, tenv, "CREATE VIEW clicks AS SELECT * FROM "+clicksValues)
		counts := tenv.From("clicks").Where("url <> './cart'").GroupBy("user_name").Select("user_name", "COUNT(url) AS cnt")
		r, err := counts.Execute()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Await(); err != nil {
			t.Fatal(err)
		}
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
		r, err = users.Execute()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Await(); err != nil {
			t.Fatal(err)
		}
		equalLines(t, "union all", sorted(r.Strings()), sorted([]string{"+I[Mary]", "+I[Bob]", "+I[Mary]", "+I[Liz]", "+I[Bob]", "+I[Mary]", "+I[LIZ]"}))
		if err := tenv.From("clicks").UnionAll(tenv.From("clicks").Select("url")).Err(); err == nil || !strings.Contains(err.Error(), "Column count mismatch in UNION ALL: 2 and 1") {
			t.Errorf("UnionAll of 2 and 1 columns: %v", err)
		}
		r, err = w.Execute()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Await(); err != nil {
			t.Fatal(err)
		}
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
