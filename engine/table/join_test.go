package table

import (
	"strings"
	"testing"
)

// Flink's TestData.smallTupleData3 and TestData.tupleData5, the tables A and B of JoinITCase.
const (
	joinA = `(VALUES (1, 1, 'Hi'), (2, 2, 'Hello'), (3, 2, 'Hello world')) AS A(a1, a2, a3)`
	joinB = `(VALUES (1, 1, 0, 'Hallo', 1), (2, 2, 1, 'Hallo Welt', 2), (2, 3, 2, 'Hallo Welt wie', 1),
  (3, 4, 3, 'Hallo Welt wie gehts?', 2), (3, 5, 4, 'ABC', 2), (3, 6, 5, 'BCD', 3), (4, 7, 6, 'CDE', 2),
  (4, 8, 7, 'DEF', 1), (4, 9, 8, 'EFG', 1), (4, 10, 9, 'FGH', 2), (5, 11, 10, 'GHI', 1), (5, 12, 11, 'HIJ', 3),
  (5, 13, 12, 'IJK', 3), (5, 14, 13, 'JKL', 2), (5, 15, 14, 'KLM', 2)) AS B(b1, b2, b3, b4, b5)`
)

// joinTable runs a query at parallelism 1 and 4 and returns, for each, its result table (the changelog
// applied) as Flink's TestingRetractSink#getRetractResults gives it: rows "x,y" with null for NULL, sorted.
func joinTable(t *testing.T, query string) [2][]string {
	t.Helper()
	query = strings.NewReplacer("$A", joinA, "$B", joinB).Replace(query)
	var out [2][]string
	for i, p := range []int{1, 4} {
		r := mustExec(t, newTableEnv(p), query)
		var rows []string
		for _, row := range r.Rows() {
			s := strings.ReplaceAll(FormatFields(row, r.Columns()), ", ", ",")
			rows = append(rows, strings.ReplaceAll(s, "<NULL>", "null"))
		}
		out[i] = sorted(rows)
	}
	return out
}

func TestRegularJoins(t *testing.T) {
	fullOuter := []string{"Hi,Hallo", "Hello,Hallo Welt", "Hello world,Hallo Welt", "null,Hallo Welt wie",
		"null,Hallo Welt wie gehts?", "null,ABC", "null,BCD", "null,CDE", "null,DEF", "null,EFG", "null,FGH",
		"null,GHI", "null,HIJ", "null,IJK", "null,JKL", "null,KLM"}
	sumA := "(SELECT SUM(a2) AS a2, a1 FROM $A GROUP BY a1)"
	sumB := "(SELECT SUM(b2) AS b2, b1 FROM $B GROUP BY b1)"
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		// Flink: JoinITCase#testJoin (a comma join whose WHERE equality becomes the join key).
		{"testJoin", "SELECT a3, b4 FROM $A, $B WHERE a2 = b2", []string{"Hi,Hallo", "Hello,Hallo Welt", "Hello world,Hallo Welt"}},
		// Flink: JoinITCase#testInnerJoin2.
		{"testInnerJoin2", "SELECT a1, b1 FROM $A JOIN $B ON a1 = b1", []string{"3,3", "1,1", "3,3", "2,2", "3,3", "2,2"}},
		// Flink: JoinITCase#testJoinWithFilter.
		{"testJoinWithFilter", "SELECT a3, b4 FROM $A, $B WHERE a2 = b2 AND a2 < 2", []string{"Hi,Hallo"}},
		// Flink: JoinITCase#testInnerJoinWithDuplicateKey.
		{"testInnerJoinWithDuplicateKey", "SELECT a1, b1, b3 FROM $A JOIN $B ON a1 = b1 AND a1 = b3", []string{"2,2,2", "3,3,3"}},
		// Flink: JoinITCase#testDataStreamJoinWithAggregation.
		{"testDataStreamJoinWithAggregation", "SELECT COUNT(b4), COUNT(a2) FROM $A, $B WHERE a1 = b1", []string{"6,6"}},
		// Flink: JoinITCase#testFullOuterJoin.
		{"testFullOuterJoin", "SELECT a3, b4 FROM $A FULL OUTER JOIN $B ON a2 = b2", fullOuter},
		// Flink: JoinITCase#testRightOuterJoin.
		{"testRightOuterJoin", "SELECT a3, b4 FROM $A RIGHT OUTER JOIN $B ON a2 = b2", fullOuter},
		// Flink: JoinITCase#testLeftJoin.
		{"testLeftJoin", "SELECT a1, b1 FROM $A LEFT JOIN $B ON a1 = b1", []string{"1,1", "2,2", "3,3", "2,2", "3,3", "3,3"}},
		// Flink: JoinITCase#testLeftJoinNonEqui.
		{"testLeftJoinNonEqui", "SELECT a1, b1 FROM $A LEFT JOIN $B ON a1 = b1 AND a2 > b2", []string{"3,null", "1,null", "2,null"}},
		// Flink: JoinITCase#testLeftJoinWithRightNotPk (an updating left input).
		{"testLeftJoinWithRightNotPk", "SELECT a1, b1 FROM " + sumA + " LEFT JOIN $B ON a1 = b1", []string{"3,3", "3,3", "3,3", "2,2", "2,2", "1,1"}},
		// Flink: JoinITCase#testLeftJoinWithPk (both inputs updating).
		{"testLeftJoinWithPk", "SELECT a1, a2, b1, b2 FROM " + sumA + " LEFT JOIN " + sumB + " ON a2 = b2", []string{"1,1,1,1", "3,2,null,null", "2,2,null,null"}},
		// Flink: JoinITCase#testInnerJoinWithEqualPk.
		{"testInnerJoinWithEqualPk", "SELECT a1, b1 FROM " + sumA + " JOIN " + sumB + " ON a1 = b1", []string{"1,1", "2,2", "3,3"}},
		// Flink: JoinITCase#testLeftJoinWithPkNonEqui.
		{"testLeftJoinWithPkNonEqui", "SELECT a1, a2, b1, b2 FROM " + sumA + " LEFT JOIN " + sumB + " ON a2 = b2 AND a1 > b1", []string{"1,1,null,null", "3,2,null,null", "2,2,null,null"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := joinTable(t, c.query)
			equalLines(t, "parallelism 1", got[0], sorted(c.want))
			equalLines(t, "parallelism 4", got[1], sorted(c.want))
		})
	}
}

// A regular join is planned as Flink's Join node; an outer join is updating (Flink: the changelog mode of
// StreamPhysicalJoin), an inner join of insert-only inputs is not.
func TestJoinExplainAndStateTTL(t *testing.T) {
	tenv := newTableEnv(1)
	q := strings.NewReplacer("$A", joinA, "$B", joinB).Replace("EXPLAIN SELECT a1, b1 FROM $A LEFT JOIN $B ON a1 = b1 AND a2 > b2")
	r := mustExec(t, tenv, q)
	plan := r.Rows()[0][0].(string)
	if !strings.Contains(plan, "Join(joinType=[LeftOuterJoin], where=[AND(=(a1, b1), (`a2` > `b2`))]") || !strings.Contains(plan, "changelogMode=[I,UB,UA,D]") {
		t.Errorf("plan:\n%s", plan)
	}
	r = mustExec(t, tenv, strings.NewReplacer("$A", joinA, "$B", joinB).Replace("EXPLAIN SELECT a1, b1 FROM $A JOIN $B ON a1 = b1"))
	if plan := r.Rows()[0][0].(string); !strings.Contains(plan, "Join(joinType=[InnerJoin], where=[=(a1, b1)]") || strings.Contains(plan, "UB") {
		t.Errorf("plan:\n%s", plan)
	}
	mustExec(t, tenv, "SET 'table.exec.state.ttl' = '1 h'")
	if d, _ := parseDuration("1 h"); d.Hours() != 1 {
		t.Errorf("1 h is %v", d)
	}
	if d, _ := parseDuration("90000"); d.Seconds() != 90 {
		t.Errorf("90000 is %v", d)
	}
	if _, err := tenv.ExecuteSQL("SET 'table.exec.state.ttl' = 'soon'"); err == nil {
		t.Error("SET 'table.exec.state.ttl' = 'soon' was accepted")
	}
}
