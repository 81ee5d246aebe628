package table

import (
	"strconv"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/table/planner"
)

// tupleData3 and tupleData5 are Flink's TestData.tupleData3 (a, b, c) and tupleData5 (d, e, f, g, h), the
// tables of the Table API's JoinITCase and CalcITCase.
var (
	tupleData3 = values("a, b, c", "1, 1, 'Hi'", "2, 2, 'Hello'", "3, 2, 'Hello world'",
		"4, 3, 'Hello world, how are you?'", "5, 3, 'I am fine.'", "6, 3, 'Luke Skywalker'",
		"7, 4, 'Comment#1'", "8, 4, 'Comment#2'", "9, 4, 'Comment#3'", "10, 4, 'Comment#4'",
		"11, 5, 'Comment#5'", "12, 5, 'Comment#6'", "13, 5, 'Comment#7'", "14, 5, 'Comment#8'", "15, 5, 'Comment#9'",
		"16, 6, 'Comment#10'", "17, 6, 'Comment#11'", "18, 6, 'Comment#12'", "19, 6, 'Comment#13'",
		"20, 6, 'Comment#14'", "21, 6, 'Comment#15'")
	tupleData5 = values("d, e, f, g, h", "1, 1, 0, 'Hallo', 1", "2, 2, 1, 'Hallo Welt', 2", "2, 3, 2, 'Hallo Welt wie', 1",
		"3, 4, 3, 'Hallo Welt wie gehts?', 2", "3, 5, 4, 'ABC', 2", "3, 6, 5, 'BCD', 3", "4, 7, 6, 'CDE', 2", "4, 8, 7, 'DEF', 1",
		"4, 9, 8, 'EFG', 1", "4, 10, 9, 'FGH', 2", "5, 11, 10, 'GHI', 1", "5, 12, 11, 'HIJ', 3", "5, 13, 12, 'IJK', 3",
		"5, 14, 13, 'JKL', 2", "5, 15, 14, 'KLM', 2")
	smallTupleData3 = values("a, b, c", "1, 1, 'Hi'", "2, 2, 'Hello'", "3, 2, 'Hello world'")
)

// tableAPIEnv returns an Environment at parallelism p with the views t3 (tupleData3), t5 (tupleData5) and
// small3 (smallTupleData3).
func tableAPIEnv(t *testing.T, p int) *Environment {
	t.Helper()
	tenv := newTableEnv(p)
	for name, v := range map[string]string{"t3": tupleData3, "t5": tupleData5, "small3": smallTupleData3} {
		mustExec(t, tenv, "CREATE VIEW "+name+" AS SELECT * FROM "+v)
	}
	return tenv
}

// resultTable runs a Table API table and returns its result table (the changelog applied) as Flink's
// TestingRetractSink#getRetractResults gives it: rows "x,y", null for NULL, sorted.
func resultTable(t *testing.T, tab *Table) []string {
	t.Helper()
	r := mustRunTable(t, tab)
	var rows []string
	cols := r.Columns()
	for _, row := range r.Rows() {
		fields := make([]string, len(row))
		for i, v := range row {
			fields[i] = "null"
			if v != nil {
				fields[i] = planner.FormatValue(v, cols[i].Type)
			}
		}
		rows = append(rows, strings.Join(fields, ","))
	}
	return sorted(rows)
}

// commentsNull is "Comment#1,null" ... "Comment#15,null", the tupleData3 rows no tupleData5 row matches in
// most of JoinITCase's outer joins.
func commentsNull(extra ...string) []string {
	out := append([]string{}, extra...)
	for i := 1; i <= 15; i++ {
		out = append(out, "Comment#"+strconv.Itoa(i)+",null")
	}
	return out
}

// The Table API's joins with a condition written as Expressions, each a test of Flink's
// org.apache.flink.table.planner.runtime.stream.table.JoinITCase with its data and expected result table,
// at parallelism 1 and 4; the last ones write the condition in SQL, which the Table API also takes.
func TestTableAPIJoins(t *testing.T) {
	a, b, c := Col("a"), Col("b"), Col("c")
	d, e, g, h := Col("d"), Col("e"), Col("g"), Col("h")
	cases := []struct {
		name  string
		build func(tenv *Environment) *Table
		want  []string
	}{
		{"testInnerJoinWithFilter", func(tenv *Environment) *Table {
			return tenv.From("small3").Join(tenv.From("t5"), nil).Where(b.IsEqual(e).And(b.IsLess(2))).Select(c, g)
		}, []string{"Hi,Hallo"}},
		{"testInnerJoinWithMultipleKeys", func(tenv *Environment) *Table {
			return tenv.From("t3").Join(tenv.From("t5"), a.IsEqual(d).And(b.IsEqual(h))).Select(c, g)
		}, []string{"Hi,Hallo", "Hello,Hallo Welt", "Hello world,Hallo Welt wie gehts?", "Hello world,ABC", "I am fine.,HIJ", "I am fine.,IJK"}},
		{"testInnerJoinWithNonEquiJoinPredicate", func(tenv *Environment) *Table {
			return tenv.From("t3").Join(tenv.From("t5"), b.IsEqual(e).And(a.IsLess(6)).And(h.IsLess(b))).Select(c, g)
		}, []string{"Hello world, how are you?,Hallo Welt wie", "I am fine.,Hallo Welt wie"}},
		{"testInnerJoinWithExpressionPreds", func(tenv *Environment) *Table {
			return tenv.From("t3").Join(tenv.From("t5"), b.IsEqual(h.Plus(1)).And(a.Minus(1).IsEqual(d.Plus(2)))).Select(c, g)
		}, []string{"I am fine.,Hallo Welt", "Luke Skywalker,Hallo Welt wie gehts?", "Luke Skywalker,ABC", "Comment#2,HIJ", "Comment#2,IJK"}},
		{"testInnerJoinWithGroupedAggregation", func(tenv *Environment) *Table {
			return tenv.From("small3").Join(tenv.From("t5"), a.IsEqual(d)).GroupBy(a, d).Select(b.Sum(), g.Count())
		}, []string{"1,1", "4,2", "6,3"}},
		{"testLeftJoinWithNonEquiJoinPred", func(tenv *Environment) *Table {
			return tenv.From("t3").LeftOuterJoin(tenv.From("t5"), a.IsEqual(d).And(b.IsLessOrEqual(h))).Select(c, g)
		}, commentsNull("Hi,Hallo", "Hello,Hallo Welt", "Hello world,Hallo Welt wie gehts?", "Hello world,ABC", "Hello world,BCD",
			"I am fine.,HIJ", "I am fine.,IJK", "Hello world, how are you?,null", "Luke Skywalker,null")},
		{"testLeftJoinWithLeftLocalPred", func(tenv *Environment) *Table {
			return tenv.From("t3").LeftOuterJoin(tenv.From("t5"), a.IsEqual(d).And(b.IsEqual(2))).Select(c, g)
		}, commentsNull("Hello,Hallo Welt", "Hello,Hallo Welt wie", "Hello world,Hallo Welt wie gehts?", "Hello world,ABC", "Hello world,BCD",
			"Hi,null", "Hello world, how are you?,null", "I am fine.,null", "Luke Skywalker,null")},
		{"testLeftJoinWithRetractionInput", func(tenv *Environment) *Table {
			left := tenv.From("t5").GroupBy(e).Select(e, d.Count().As("d"))
			right := tenv.From("t3").GroupBy(b).Select(b, a.Count().As("a"))
			return left.LeftOuterJoin(right, b.IsEqual(e)).Select(e, d, a)
		}, []string{"1,1,1", "10,1,null", "11,1,null", "12,1,null", "13,1,null", "14,1,null", "15,1,null", "2,1,2", "3,1,3", "4,1,4",
			"5,1,5", "6,1,6", "7,1,null", "8,1,null", "9,1,null"}},
		{"testRightJoinWithMultipleKeys", func(tenv *Environment) *Table {
			return tenv.From("t3").RightOuterJoin(tenv.From("t5"), "a = d AND b = h").Select("c", "g")
		}, []string{"Hi,Hallo", "Hello,Hallo Welt", "null,Hallo Welt wie", "Hello world,Hallo Welt wie gehts?", "Hello world,ABC",
			"null,BCD", "null,CDE", "null,DEF", "null,EFG", "null,FGH", "null,GHI", "I am fine.,HIJ", "I am fine.,IJK", "null,JKL", "null,KLM"}},
		{"testFullJoinWithLeftLocalPred", func(tenv *Environment) *Table {
			return tenv.From("t3").FullOuterJoin(tenv.From("t5"), a.IsEqual(d).And(b.IsGreaterOrEqual(2)).And(h.IsEqual(1))).Select(c, g)
		}, commentsNull("Hello,Hallo Welt wie", "Hello world, how are you?,DEF", "Hello world, how are you?,EFG", "I am fine.,GHI",
			"Hi,null", "Hello world,null", "Luke Skywalker,null",
			"null,Hallo", "null,Hallo Welt", "null,Hallo Welt wie gehts?", "null,ABC", "null,BCD", "null,CDE", "null,FGH", "null,HIJ",
			"null,IJK", "null,JKL", "null,KLM")},
	}
	for _, p := range []int{1, 4} {
		tenv := tableAPIEnv(t, p)
		for _, tc := range cases {
			equalLines(t, tc.name, resultTable(t, tc.build(tenv)), sorted(tc.want))
		}
	}
}

// Joining tables that share a column name is refused, as in Flink's Table API, naming the column; a
// condition that is neither SQL nor an Expression, and a broken Expression, are errors of the join.
func TestTableAPIJoinErrors(t *testing.T) {
	tenv := tableAPIEnv(t, 1)
	for _, c := range []struct {
		tab  *Table
		want string
	}{
		{tenv.From("t3").Join(tenv.From("small3"), Col("a").IsEqual(Col("a"))), "Join: both tables have the column(s) a, b, c"},
		{tenv.From("t3").Join(tenv.From("t5"), 42), "Join: argument 1 is a int; pass a SQL string or an Expression"},
		{tenv.From("t3").LeftOuterJoin(tenv.From("t5"), Col("a").IsEqual(Col(""))), "Col(\"\"): a column needs a name"},
		{tenv.From("t3").Join(tenv.From("t5"), Col("a").IsEqual(Col("dd"))), "Column 'dd' not found"},
	} {
		if err := c.tab.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
