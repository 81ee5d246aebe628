package table

import (
	"fmt"
	"strings"
	"testing"
)

// RankITCase's table T (category, shopId, num).
const rankT = `(VALUES ('book', 1, 12), ('book', 2, 19), ('book', 4, 11), ('fruit', 4, 33), ('fruit', 3, 44),
  ('fruit', 5, 22)) AS T(category, shopId, num)`

func flinkRows(r *TableResult) []string {
	var rows []string
	for _, row := range r.Rows() {
		rows = append(rows, strings.ReplaceAll(strings.ReplaceAll(FormatFields(row, r.Columns()), ", ", ","), "<NULL>", "null"))
	}
	return sorted(rows)
}

func TestTopN(t *testing.T) {
	topN := func(order, filter string) string {
		return "SELECT * FROM (SELECT category, shopId, num, ROW_NUMBER() OVER (PARTITION BY category ORDER BY num " + order +
			") AS rank_num FROM " + rankT + ") WHERE " + filter
	}
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		// Flink: RankITCase#testTopN.
		{"testTopN", topN("DESC", "rank_num <= 2"), []string{"book,2,19,1", "book,1,12,2", "fruit,3,44,1", "fruit,4,33,2"}},
		// Flink: RankITCase#testTopNth.
		{"testTopNth", topN("DESC", "rank_num = 2"), nil},
		// Flink: RankITCase#testTopNWithUpsertSink (the result table).
		{"testTopNWithUpsertSink", topN("ASC", "rank_num <= 2"), []string{"book,4,11,1", "book,1,12,2", "fruit,5,22,1", "fruit,4,33,2"}},
		// Without the row number in the output.
		{"noRankNumber", "SELECT category, num FROM (SELECT category, shopId, num, ROW_NUMBER() OVER (PARTITION BY category ORDER BY num DESC) AS rn FROM " + rankT + ") WHERE rn < 3",
			[]string{"book,19", "book,12", "fruit,44", "fruit,33"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				tenv := newTableEnv(p)
				if c.want == nil {
					// rank_num = 2 is not a rank end Weir takes (only rn = 1): it is refused, not run wrongly.
					if _, err := tenv.ExecuteSQL(c.query); err == nil {
						t.Fatalf("%s was accepted", c.query)
					}
					return
				}
				r := mustExec(t, tenv, c.query)
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), sorted(c.want))
			}
		})
	}
	// The changelog at parallelism 1, as Flink's AppendOnlyTopNFunction emits it: a row entering at rank 1
	// updates every rank below it.
	r := mustExec(t, newTableEnv(1), topN("DESC", "rank_num <= 2"))
	equalLines(t, "changelog with row numbers", r.Strings(), []string{
		"+I[book, 1, 12, 1]", "-U[book, 1, 12, 1]", "+U[book, 2, 19, 1]", "+I[book, 1, 12, 2]",
		"+I[fruit, 4, 33, 1]", "-U[fruit, 4, 33, 1]", "+U[fruit, 3, 44, 1]", "+I[fruit, 4, 33, 2]"})
	// Without the row number, only the row entering and the row leaving the first N change.
	r = mustExec(t, newTableEnv(1), "SELECT category, num FROM (SELECT category, num, ROW_NUMBER() OVER (PARTITION BY category ORDER BY num ASC) AS rn FROM "+rankT+") WHERE rn <= 2")
	equalLines(t, "changelog without row numbers", r.Strings(), []string{
		"+I[book, 12]", "+I[book, 19]", "-D[book, 19]", "+I[book, 11]", "+I[fruit, 33]", "+I[fruit, 44]", "-D[fruit, 44]", "+I[fruit, 22]"})
}

// Deduplication: ROW_NUMBER() over a time attribute with rn = 1 keeps each key's first (ascending) or
// last (descending) row, as Flink's Deduplicate; an updated row is retracted with -U and replaced with +U.
func TestDeduplicate(t *testing.T) {
	q := func(order string) string {
		return "SELECT `key`, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY `key` ORDER BY rowtime " + order + ") AS rn FROM T1) WHERE rn = 1"
	}
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		intervalTables(t, tenv)
		r := mustExec(t, tenv, q("ASC"))
		equalLines(t, "first rows", flinkRows(r), []string{"A,LEFT0.999", "B,LEFT4", "null,LEFT8"})
		r = mustExec(t, tenv, q("DESC"))
		equalLines(t, "last rows", flinkRows(r), []string{"A,LEFT6", "B,LEFT4", "null,LEFT8"})
		if p == 1 {
			equalLines(t, "changes of the last rows", r.Strings(), []string{
				"+I[A, LEFT0.999]", "-U[A, LEFT0.999]", "+U[A, LEFT1]", "-U[A, LEFT1]", "+U[A, LEFT2]", "-U[A, LEFT2]", "+U[A, LEFT3]",
				"+I[B, LEFT4]", "-U[A, LEFT3]", "+U[A, LEFT5]", "-U[A, LEFT5]", "+U[A, LEFT6]", "+I[<NULL>, LEFT8]"})
		}
		r = mustExec(t, tenv, "EXPLAIN "+q("DESC"))
		if plan := r.Rows()[0][0].(string); !strings.Contains(plan, "Deduplicate(keep=[LastRow], key=[key], order=[ROWTIME])") {
			t.Errorf("plan:\n%s", plan)
		}
	}
}

// Top-N over an updating input (a GROUP BY): every row is kept, so that a retraction can bring a row from
// below the first N up (Flink's RetractableTopNFunction). The expected result tables are RankITCase's.
func TestTopNOverUpdates(t *testing.T) {
	data := `(VALUES ('book', 1, 11), ('book', 2, 19), ('book', 4, 13), ('book', 1, 11), ('fruit', 4, 33), ('fruit', 5, 12),
  ('fruit', 3, 44), ('fruit', 5, 22)) AS T(category, shopId, num)`
	unary := `(VALUES ('book', 11, 100), ('book', 11, 200), ('book', 12, 400), ('book', 12, 500), ('book', 10, 600), ('book', 10, 700),
  ('book', 9, 800), ('book', 9, 900), ('book', 10, 500), ('book', 8, 110), ('book', 8, 120), ('book', 7, 1800), ('book', 9, 300),
  ('book', 6, 1900), ('book', 7, 50), ('book', 11, 1800), ('book', 7, 50), ('book', 8, 2000), ('book', 6, 700), ('book', 5, 800),
  ('book', 4, 910), ('book', 3, 1000), ('book', 2, 1100), ('book', 1, 1200)) AS T(category, shopId, num)`
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		// Flink: RankITCase#testTopNWithGroupBy.
		{"testTopNWithGroupBy", "SELECT * FROM (SELECT category, shopId, num, ROW_NUMBER() OVER (PARTITION BY category ORDER BY num DESC) AS rank_num " +
			"FROM (SELECT category, shopId, SUM(num) AS num FROM " + data + " GROUP BY category, shopId)) WHERE rank_num <= 2",
			[]string{"book,1,22,1", "book,2,19,2", "fruit,3,44,1", "fruit,5,34,2"}},
		// Flink: RankITCase#testTopNWithGroupByAndRetract.
		{"testTopNWithGroupByAndRetract", "SELECT * FROM (SELECT category, shopId, num, cnt, ROW_NUMBER() OVER (PARTITION BY category ORDER BY num DESC, cnt ASC) AS rank_num " +
			"FROM (SELECT category, shopId, SUM(num) AS num, COUNT(num) AS cnt FROM " + data + " GROUP BY category, shopId)) WHERE rank_num <= 2",
			[]string{"book,1,22,2,1", "book,2,19,1,2", "fruit,3,44,1,1", "fruit,5,34,2,2"}},
		// Flink: RankITCase#testTopNWithUnary.
		{"testTopNWithUnary", "SELECT * FROM (SELECT category, shopId, num, ROW_NUMBER() OVER (PARTITION BY category ORDER BY num ASC) AS rank_num " +
			"FROM (SELECT category, shopId, SUM(num) AS num FROM " + unary + " GROUP BY category, shopId)) WHERE rank_num <= 3",
			[]string{"book,5,800,1", "book,12,900,2", "book,4,910,3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				r := mustExec(t, newTableEnv(p), c.query)
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), sorted(c.want))
			}
		})
	}
}
