package table

import (
	"fmt"
	"strings"
	"testing"
)

// values renders rows as a VALUES table with the given column names.
func values(cols string, rows ...string) string {
	return "(VALUES (" + strings.Join(rows, "), (") + ")) AS t(" + cols + ")"
}

// IN and EXISTS subqueries as semi and anti joins; each case is a test of Flink's
// SemiAntiJoinStreamITCase with its tables and its expected result table.
func TestSemiAntiJoin(t *testing.T) {
	tupleData5 := values("b1, b2, b3, b4, b5", "1, 1, 0, 'Hallo', 1", "2, 2, 1, 'Hallo Welt', 2", "2, 3, 2, 'Hallo Welt wie', 1",
		"3, 4, 3, 'Hallo Welt wie gehts?', 2", "3, 5, 4, 'ABC', 2", "3, 6, 5, 'BCD', 3", "4, 7, 6, 'CDE', 2", "4, 8, 7, 'DEF', 1",
		"4, 9, 8, 'EFG', 1", "4, 10, 9, 'FGH', 2", "5, 11, 10, 'GHI', 1", "5, 12, 11, 'HIJ', 3", "5, 13, 12, 'IJK', 3",
		"5, 14, 13, 'JKL', 2", "5, 15, 14, 'KLM', 2")
	views := map[string]string{
		"A":          values("a1, a2, a3", "1, 1, 'Hi'", "2, 2, 'Hello'", "3, 2, 'Hello world'"),
		"B":          tupleData5,
		"data":       values("a, b, c, d, e", "1, 1, 0, 'Hallo', 1", "2, 2, 1, 'Hallo Welt', 2", "2, 3, 2, 'Hallo Welt wie', 1", "3, 4, 3, 'Hallo Welt wie gehts?', 2", "3, 5, 4, 'ABC', 2", "3, 6, 5, 'BCD', 3"),
		"data2":      values("f, g, h", "1, 1, 'Hi'", "2, 2, 'Hello'", "3, 2, 'Hello world'"),
		"left":       values("a, b", "1, 'a'", "2, 'b'", "10, 'c'", "6, 'd'", "8, 'e'", "11, 'f'"),
		"right":      values("c, d", "0, 'a'", "1, 'a'", "1, 'b'", "1, 'b'", "1, 'c'", "2, 'c'", "3, 'c'", "4, 'c'", "1, 'd'", "2, 'd'", "3, 'd'", "4, 'e'", "4, 'e'"),
		"ds1":        values("pk, a", "1, 1", "1, 1", "2, 2", "2, 2", "3, 3", "3, 3", "4, 4", "4, 4", "5, 5", "5, 5"),
		"ds2":        values("pk, a", "5, 5", "6, 6", "7, 7", "8, 8", "9, 9", "10, 10"),
		"scott_dept": values("deptno, dname, loc", "10, 'ACCOUNTING', 'NEW YORK'", "20, 'RESEARCH', 'DALLAS'", "30, 'SALES', 'CHICAGO'", "40, 'OPERATIONS', 'BOSTON'"),
		"scott_emp":  values("empno, ename, deptno", "7369, 'SMITH', 20", "7499, 'ALLEN', 30", "7566, 'JONES', 20", "7654, 'MARTIN', 30"),
	}
	const sumA = "SELECT SUM(a2) AS a2, a1 FROM A group by a1"
	const sumB = "SELECT SUM(b2) AS b2, b1 FROM B group by b1"
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"testGenericSemiJoin", "SELECT f, g, h FROM data2 WHERE f in (SELECT a from data WHERE a < 3)", []string{"1,1,Hi", "2,2,Hello"}},
		{"testSemiJoinWithOneSideRetraction", "SELECT a FROM `left` WHERE a <> 11 AND a in (SELECT sum(c) from `right` GROUP BY d)", []string{"1", "2", "10", "6", "8"}},
		{"testGenericAntiJoin", "SELECT c FROM data WHERE NOT EXISTS (SELECT * from data2 WHERE b = g)", []string{"2", "3", "4", "5"}},
		{"testAntiJoinWithOneSideRetraction", "SELECT * FROM `left` WHERE NOT EXISTS (SELECT c from (SELECT SUM(c) as c FROM `right` GROUP BY d) WHERE a = c)", []string{"11,f"}},
		{"testSemiJoin", "SELECT * FROM A WHERE a1 in (SELECT b1 from B)", []string{"1,1,Hi", "2,2,Hello", "3,2,Hello world"}},
		{"testSemiJoinNonEqui", "SELECT * FROM A WHERE a1 in (SELECT b1 from B WHERE a2 < b2)", []string{"2,2,Hello", "3,2,Hello world"}},
		{"testSemiJoinWithEqualPkNonEqui", "SELECT * FROM (" + sumA + ") WHERE a1 in (SELECT b1 from (" + sumB + ") WHERE a2 < b2)", []string{"2,3", "2,2"}},
		{"testSemiJoinWithRightNotPkNonEqui", "SELECT * FROM (" + sumA + ") WHERE a1 in (SELECT b1 from B WHERE a2 < b2)", []string{"2,2", "2,3"}},
		{"testSemiJoinWithPkNonEqui", "SELECT * FROM (" + sumA + ") WHERE a2 in (SELECT b2 from (" + sumB + ") WHERE a1 > b1)", nil},
		{"testAntiJoin", "SELECT * FROM A WHERE NOT EXISTS (SELECT b1 from B WHERE a1 = b1)", nil},
		{"testAntiJoinNonEqui", "SELECT * FROM A WHERE NOT EXISTS (SELECT b1 from B WHERE a1 = b1 AND a2 < b2)", []string{"1,1,Hi"}},
		{"testAntiJoinWithEqualPkNonEqui", "SELECT * FROM (" + sumA + ") WHERE NOT EXISTS (SELECT b1 from (" + sumB + ") WHERE a1 = b1 AND a2 < b2)", []string{"1,1"}},
		{"testAntiJoinWithRightNotPkNonEqui", "SELECT * FROM (" + sumA + ") WHERE NOT EXISTS (SELECT b1 from B WHERE a1 = b1 AND a2 > b2)", []string{"2,2", "1,1", "2,3"}},
		{"testAntiJoinWithPkNonEqui", "SELECT * FROM (" + sumA + ") WHERE NOT EXISTS (SELECT b2 from (" + sumB + ") WHERE a2 = b2 AND a1 > b1)", []string{"1,1", "2,3", "2,2"}},
		{"testStreamNotInWithoutEqual", "SELECT pk FROM ds1 WHERE pk not in (SELECT pk FROM ds1 WHERE pk > 3)", []string{"1", "1", "2", "2", "3", "3"}},
		{"testStreamExistsWithoutEqual", "select * from scott_dept as d where exists (select 1 from scott_emp where empno > d.deptno) " +
			"and exists (select 0 from scott_emp where deptno = d.deptno and ename = 'SMITH')", []string{"20,RESEARCH,DALLAS"}},
		{"testStreamNotExistsWithoutEqual", "SELECT pk FROM ds1 WHERE NOT EXISTS (SELECT 1 FROM ds2 WHERE ds2.pk < ds1.pk)", []string{"1", "1", "2", "2", "3", "3", "4", "4", "5", "5"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				tenv := newTableEnv(p)
				for name, v := range views {
					mustExec(t, tenv, "CREATE TEMPORARY VIEW `"+name+"` AS SELECT * FROM "+v)
				}
				r := mustExec(t, tenv, c.query)
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), sorted(c.want))
			}
		})
	}
}

// The changelog of semi and anti joins, as Flink's StreamingSemiAntiJoinOperator emits it: a semi join of
// insert-only inputs is insert-only; an anti join inserts a row without a match and deletes it when its
// first match arrives. NOT IN is null-aware.
func TestSemiAntiJoinChangelog(t *testing.T) {
	tenv := newTableEnv(1)
	mustExec(t, tenv, "CREATE TEMPORARY VIEW l AS SELECT * FROM "+values("k, v", "1, 'a'", "2, 'b'", "CAST(NULL AS INT), 'c'"))
	mustExec(t, tenv, "CREATE TEMPORARY VIEW r AS SELECT * FROM "+values("k", "2", "3"))
	mustExec(t, tenv, "CREATE TEMPORARY VIEW rn AS SELECT * FROM "+values("k", "2", "CAST(NULL AS INT)"))
	r := mustExec(t, tenv, "SELECT v FROM l WHERE k IN (SELECT k FROM r)")
	equalLines(t, "semi", r.Strings(), []string{"+I[b]"})
	if p := mustExec(t, tenv, "EXPLAIN SELECT v FROM l WHERE k IN (SELECT k FROM r)").Rows()[0][0].(string); !strings.Contains(p, "Join(joinType=[LeftSemiJoin], where=[=(k, k)]") || strings.Contains(p, "UB") {
		t.Errorf("plan:\n%s", p)
	}
	// NOT IN: 1 and NULL have no equal k in r, but a NULL k is unknown, so only 1 is kept.
	r = mustExec(t, tenv, "SELECT v FROM l WHERE k NOT IN (SELECT k FROM r)")
	equalLines(t, "anti", flinkRows(r), []string{"a"})
	// A NULL in the subquery makes every NOT IN unknown.
	r = mustExec(t, tenv, "SELECT v FROM l WHERE k NOT IN (SELECT k FROM rn)")
	equalLines(t, "anti with NULL", flinkRows(r), nil)
}

// An anti join updates: a row without a match is inserted, and deleted when a match arrives.
func TestAntiJoinIsUpdating(t *testing.T) {
	tenv := newTableEnv(1)
	mustExec(t, tenv, "CREATE TEMPORARY VIEW l AS SELECT * FROM "+values("k", "1"))
	p := mustExec(t, tenv, "EXPLAIN SELECT k FROM l WHERE NOT EXISTS (SELECT * FROM l AS r WHERE r.k = l.k + 1)").Rows()[0][0].(string)
	if !strings.Contains(p, "Join(joinType=[LeftAntiJoin]") || !strings.Contains(p, "changelogMode=[I,UB,UA,D]") {
		t.Errorf("plan:\n%s", p)
	}
	if _, err := tenv.ExecuteSQL("SELECT k FROM l WHERE k = 1 OR EXISTS (SELECT * FROM l)"); err == nil || !strings.Contains(err.Error(), "only as a conjunct of WHERE") {
		t.Errorf("EXISTS under OR: %v", err)
	}
}

// IN and EXISTS subqueries over the same window as the outer query are window semi and anti joins;
// each case is a test of Flink's WindowJoinITCase with its expected rows.
func TestWindowSemiAntiJoin(t *testing.T) {
	agg := func(t, uv string) string {
		return "SELECT `name`, window_start, window_end, COUNT(DISTINCT `string`) as " + uv + " FROM TABLE(TUMBLE(TABLE " + t +
			", DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) GROUP BY `name`, window_start, window_end"
	}
	const wtfCols = "TO_TIMESTAMP(L.`ts`), L.`int`, L.`double`, L.`float`, L.`bigdec`, L.`string`, L.`name`, CAST(L.`rowtime` AS STRING), L.window_start, L.window_end, L.window_time"
	const tumble2 = "TABLE(TUMBLE(TABLE T2, DESCRIPTOR(rowtime), INTERVAL '5' SECOND)) R"
	const wtfFrom = "SELECT " + wtfCols + " FROM (SELECT * FROM TABLE(TUMBLE(TABLE T1, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))) L WHERE "
	semiWTF := weirRows(
		"2020-10-10T00:00:06,6,6.0,6.0,6.66,Hi,b,2020-10-10 00:00:06.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"2020-10-10T00:00:07,3,3.0,3.0,null,Hello,b,2020-10-10 00:00:07.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999",
		"2020-10-10T00:00:16,4,4.0,4.0,4.44,Hi,b,2020-10-10 00:00:16.000,2020-10-10T00:00:15,2020-10-10T00:00:20,2020-10-10T00:00:19.999",
		"2020-10-10T00:00:34,1,3.0,3.0,3.33,Comment#3,b,2020-10-10 00:00:34.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999")
	antiWTF := []string{
		"2020-10-10T00:00:01,1,1.0,1.0,1.11,Hi,a,2020-10-10 00:00:01.000,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"2020-10-10T00:00:02,2,2.0,2.0,2.22,Comment#1,a,2020-10-10 00:00:02.000,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"2020-10-10T00:00:03,2,2.0,2.0,2.22,Comment#1,a,2020-10-10 00:00:03.000,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"2020-10-10T00:00:04,5,5.0,5.0,5.55,null,a,2020-10-10 00:00:04.000,2020-10-10T00:00,2020-10-10T00:00:05,2020-10-10T00:00:04.999",
		"2020-10-10T00:00:08,3,null,3.0,3.33,Comment#2,a,2020-10-10 00:00:08.000,2020-10-10T00:00:05,2020-10-10T00:00:10,2020-10-10T00:00:09.999"}
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"testSemiJoinExists", "SELECT * FROM (" + agg("T1", "uv1") + ") L WHERE EXISTS (SELECT * FROM (" + agg("T2", "uv2") + ") R " +
			"WHERE L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`)", weirRows(
			"b,2020-10-10T00:00:05,2020-10-10T00:00:10,2", "b,2020-10-10T00:00:15,2020-10-10T00:00:20,1", "b,2020-10-10T00:00:30,2020-10-10T00:00:35,1")},
		{"testSemiJoinExistsWTF", wtfFrom + "EXISTS (SELECT * FROM " + tumble2 + " WHERE L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`)", semiWTF},
		{"testSemiJoinIN", "SELECT * FROM (" + agg("T1", "uv1") + ") L WHERE L.`name` IN (SELECT `name` FROM (" + agg("T2", "uv2") + ") R " +
			"WHERE L.window_start = R.window_start AND L.window_end = R.window_end)", weirRows(
			"b,2020-10-10T00:00:05,2020-10-10T00:00:10,2", "b,2020-10-10T00:00:15,2020-10-10T00:00:20,1", "b,2020-10-10T00:00:30,2020-10-10T00:00:35,1")},
		{"testSemiJoinIN_WTF", wtfFrom + "L.`name` IN (SELECT `name` FROM " + tumble2 + " WHERE L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`)", semiWTF},
		{"testAntiJoinNotExists", "SELECT * FROM (" + agg("T1", "uv1") + ") L WHERE NOT EXISTS (SELECT * FROM (" + agg("T2", "uv2") + ") R " +
			"WHERE L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`)", weirRows(
			"a,2020-10-10T00:00,2020-10-10T00:00:05,2", "a,2020-10-10T00:00:05,2020-10-10T00:00:10,1", "null,2020-10-10T00:00:30,2020-10-10T00:00:35,0")},
		{"testAntiJoinNotExistsWTF", wtfFrom + "NOT EXISTS (SELECT * FROM " + tumble2 + " WHERE L.window_start = R.window_start AND L.window_end = R.window_end AND L.`name` = R.`name`) AND L.`float` IS NOT NULL",
			weirRows(append(antiWTF, "2020-10-10T00:00:32,7,7.0,7.0,7.77,null,null,2020-10-10 00:00:32.000,2020-10-10T00:00:30,2020-10-10T00:00:35,2020-10-10T00:00:34.999")...)},
		{"testAntiJoinNotIN", "SELECT * FROM (" + agg("T1", "uv1") + ") L WHERE L.`name` NOT IN (SELECT `name` FROM (" + agg("T2", "uv2") + ") R " +
			"WHERE L.window_start = R.window_start AND L.window_end = R.window_end)", weirRows(
			"a,2020-10-10T00:00,2020-10-10T00:00:05,2", "a,2020-10-10T00:00:05,2020-10-10T00:00:10,1")},
		{"testAntiJoinNotIN_WTF", wtfFrom + "L.`name` NOT IN (SELECT `name` FROM " + tumble2 + " WHERE L.window_start = R.window_start AND L.window_end = R.window_end) AND L.`float` IS NOT NULL",
			weirRows(antiWTF...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				tenv := newTableEnv(p)
				windowTables(t, tenv)
				r := mustExec(t, tenv, c.query)
				for _, ch := range r.Changes() {
					if ch.Kind != Insert {
						t.Fatalf("parallelism %d: a window semi or anti join is insert-only, got %v", p, ch)
					}
				}
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), c.want)
			}
		})
	}
}
