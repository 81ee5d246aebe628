package table

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

func newTableEnv(p int) *Environment {
	return NewEnvironment(engine.NewEnvironment(engine.Config{Parallelism: p}))
}

func mustExec(t *testing.T, tenv *Environment, sql string) *TableResult {
	t.Helper()
	r, err := tenv.ExecuteSQL(sql)
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	if err := r.Await(); err != nil {
		t.Fatalf("job: %v\n%s", err, sql)
	}
	return r
}

// mustRunTable runs a Table API table and waits for its job to end.
func mustRunTable(t *testing.T, tab *Table) *TableResult {
	t.Helper()
	r, err := tab.Execute()
	if err != nil {
		t.Fatalf("%v\n%s", err, tab.Explain())
	}
	if err := r.Await(); err != nil {
		t.Fatalf("job: %v\n%s", err, tab.Explain())
	}
	return r
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// perKey splits a changelog into each key's sequence of changes (the key is the first field): a keyed
// operator keeps the order of each key's changes at any parallelism, not the order across keys.
func perKey(lines []string) map[string][]string {
	out := map[string][]string{}
	for _, l := range lines {
		k := strings.SplitN(l[3:len(l)-1], ",", 2)[0]
		out[k] = append(out[k], l)
	}
	return out
}

// Flink's documentation, "Dynamic Tables" (dev/table/concepts/dynamic_tables): the clicks table and
// SELECT user, COUNT(url) FROM clicks GROUP BY user, whose result table is updated in place; the
// changelog is +I for a user's first click and -U/+U for every later one.
const clicksValues = `(VALUES ('Mary', './home'), ('Bob', './cart'), ('Mary', './prod?id=1'),
  ('Liz', './home'), ('Bob', './prod?id=3'), ('Mary', './prod?id=7')) AS clicks(user_name, url)`

func TestGroupByChangelog(t *testing.T) {
	want := []string{
		"+I[Mary, 1]", "+I[Bob, 1]", "-U[Mary, 1]", "+U[Mary, 2]", "+I[Liz, 1]",
		"-U[Bob, 1]", "+U[Bob, 2]", "-U[Mary, 2]", "+U[Mary, 3]",
	}
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		r := mustExec(t, tenv, "SELECT user_name, COUNT(url) AS cnt FROM "+clicksValues+" GROUP BY user_name")
		got := r.Strings()
		if p == 1 {
			equalLines(t, "changelog at parallelism 1", got, want)
		}
		gk, wk := perKey(got), perKey(want)
		for k := range wk {
			equalLines(t, "changes of "+k, gk[k], wk[k])
		}
		equalLines(t, "all changes", sorted(got), sorted(want))
		var table []string
		for _, row := range r.Rows() {
			table = append(table, FormatFields(row, r.Columns()))
		}
		equalLines(t, "materialized table", sorted(table), []string{"Bob, 2", "Liz, 1", "Mary, 3"})
	}
}

// A MAX that does not change emits nothing, and retractions delete a group: Flink's GroupAggFunction
// suppresses an update whose new row equals the old one (with no state TTL), and emits -D when a group's
// record count returns to zero.
func TestGroupByOverUpdates(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		// The inner GROUP BY counts clicks per user (updating); the outer one counts users per count.
		r := mustExec(t, tenv, "SELECT cnt, COUNT(*) AS users FROM (SELECT user_name, COUNT(url) AS cnt FROM "+clicksValues+" GROUP BY user_name) GROUP BY cnt")
		got := r.Strings()
		var table []string
		for _, row := range r.Rows() {
			table = append(table, FormatFields(row, r.Columns()))
		}
		equalLines(t, "final table", sorted(table), []string{"1, 1", "2, 1", "3, 1"})
		if p == 1 {
			want := []string{
				"+I[1, 1]",             // Mary 1
				"-U[1, 1]", "+U[1, 2]", // Bob 1
				"-U[1, 2]", "+U[1, 1]", // Mary leaves count 1 (retraction)
				"+I[2, 1]",             // Mary 2
				"-U[1, 1]", "+U[1, 2]", // Liz 1
				"-U[1, 2]", "+U[1, 1]", // Bob leaves count 1
				"-U[2, 1]", "+U[2, 2]", // Bob 2
				"-U[2, 2]", "+U[2, 1]", // Mary leaves count 2
				"+I[3, 1]", // Mary 3
			}
			equalLines(t, "changelog", got, want)
		}
	}
	tenv := newTableEnv(1)
	r := mustExec(t, tenv, "SELECT MAX(n) AS m FROM (VALUES (3), (1), (2), (5)) AS t(n)")
	equalLines(t, "unchanged MAX is not re-emitted", r.Strings(), []string{"+I[3]", "-U[3]", "+U[5]"})
	r = mustExec(t, tenv, "SELECT k, SUM(n) FROM (SELECT k, n FROM (VALUES ('a', 1)) AS t(k, n)) GROUP BY k HAVING SUM(n) > 5")
	equalLines(t, "HAVING filters", r.Strings(), nil)
}

// FormatFields formats a row's fields without the kind, by the columns' types.
func FormatFields(fields []any, cols []Column) string {
	s := planner_FormatRow(fields, cols)
	return s[3 : len(s)-1]
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
