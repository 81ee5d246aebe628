package table

import (
	"fmt"
	"strings"
	"testing"
)

// orderedRows is flinkRows in the result's order, not sorted.
func orderedRows(r *TableResult) []string {
	var rows []string
	for _, row := range r.Rows() {
		rows = append(rows, strings.ReplaceAll(strings.ReplaceAll(FormatFields(row, r.Columns()), ", ", ","), "<NULL>", "null"))
	}
	return rows
}

// TemporalSortITCase's data: rowtime, key, str, int.
const temporalSortData = `{"rowtime":"%s3","key":2,"str":"Hello world","int":3}
{"rowtime":"%s2","key":2,"str":"Hello","int":2}
{"rowtime":"%s6","key":3,"str":"Luke Skywalker","int":6}
{"rowtime":"%s5","key":3,"str":"I am fine.","int":5}
{"rowtime":"%s7","key":4,"str":"Comment#1","int":7}
{"rowtime":"%s9","key":4,"str":"Comment#3","int":9}
{"rowtime":"%s10","key":4,"str":"Comment#4","int":10}
{"rowtime":"%s8","key":4,"str":"Comment#2","int":8}
{"rowtime":"%s1","key":1,"str":"Hi","int":2}
{"rowtime":"%s1","key":1,"str":"Hi","int":1}
{"rowtime":"%s4","key":3,"str":"Helloworld, how are you?","int":4}
`

// temporalSortTable registers TemporalSortITCase's table T with rowtimes in unit (prefix "1970-01-01
// 00:00:00." and milliseconds, or "1970-01-01 00:00:" and seconds) and the watermark rowtime - delay.
func temporalSortTable(t *testing.T, tenv *Environment, prefix, delay string) {
	t.Helper()
	data := strings.ReplaceAll(temporalSortData, "%s", prefix)
	if strings.HasSuffix(prefix, ".") { // milliseconds: 1 -> 001
		for _, ms := range []string{"10", "9", "8", "7", "6", "5", "4", "3", "2", "1"} {
			data = strings.ReplaceAll(data, prefix+ms+`"`, prefix+fmt.Sprintf("%03s", ms)+`"`)
		}
	} else {
		for _, s := range []string{"9", "8", "7", "6", "5", "4", "3", "2", "1"} {
			data = strings.ReplaceAll(data, prefix+s+`"`, prefix+"0"+s+`"`)
		}
	}
	path := writeFile(t, "sort.json", data)
	mustExec(t, tenv, fmt.Sprintf("CREATE TABLE T (rowtime TIMESTAMP(3), key BIGINT, str STRING, `int` INT, WATERMARK FOR rowtime AS rowtime - INTERVAL %s) "+
		"WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')", delay, path))
}

// ORDER BY a time attribute in streaming: Flink's TemporalSort, which emits rows in time order once the
// watermark passes them. The expected rows, in order, are TemporalSortITCase's.
func TestTemporalSort(t *testing.T) {
	for _, p := range []int{1, 4} {
		// Flink: TemporalSortITCase#testOnlyEventTimeOrderBy (equal times keep their arrival order).
		tenv := newTableEnv(p)
		temporalSortTable(t, tenv, "1970-01-01 00:00:00.", "'10' MILLISECOND")
		r := mustExec(t, tenv, "SELECT key, str, `int` FROM T ORDER BY rowtime")
		got := orderedRows(r)
		if p > 1 && len(got) > 1 {
			// Rows of equal time keep their arrival order, which with parallel input is not fixed: Flink's
			// testEventTimeOrderByWithParallelInput leaves out the second row of time 1 for that reason.
			got[0], got[1] = max(got[0], got[1]), min(got[0], got[1])
		}
		equalLines(t, fmt.Sprintf("testOnlyEventTimeOrderBy, parallelism %d", p), got, []string{
			"1,Hi,2", "1,Hi,1", "2,Hello,2", "2,Hello world,3", "3,Helloworld,how are you?,4", "3,I am fine.,5",
			"3,Luke Skywalker,6", "4,Comment#1,7", "4,Comment#2,8", "4,Comment#3,9", "4,Comment#4,10"})
		// Flink: TemporalSortITCase#testTimestampEventTimeAndOtherFieldOrderBy.
		tenv = newTableEnv(p)
		temporalSortTable(t, tenv, "1970-01-01 00:00:", "'10' SECOND")
		r = mustExec(t, tenv, "SELECT key, str, `int` FROM T ORDER BY rowtime, `int`")
		equalLines(t, fmt.Sprintf("testTimestampEventTimeAndOtherFieldOrderBy, parallelism %d", p), orderedRows(r), []string{
			"1,Hi,1", "1,Hi,2", "2,Hello,2", "2,Hello world,3", "3,Helloworld,how are you?,4", "3,I am fine.,5",
			"3,Luke Skywalker,6", "4,Comment#1,7", "4,Comment#2,8", "4,Comment#3,9", "4,Comment#4,10"})
		for _, c := range r.Changes() {
			if c.Kind != Insert {
				t.Fatalf("a temporal sort is insert-only, got %v", c)
			}
		}
		// A row behind the watermark is dropped: with no delay, every row older than one before it.
		tenv = newTableEnv(p)
		temporalSortTable(t, tenv, "1970-01-01 00:00:", "'0' SECOND")
		r = mustExec(t, tenv, "SELECT `int` FROM T ORDER BY rowtime")
		equalLines(t, fmt.Sprintf("late rows, parallelism %d", p), orderedRows(r), []string{"3", "6", "7", "9", "10"})
		// Streaming sorts only on a time attribute, ascending (Flink's rule).
		for _, q := range []string{"SELECT * FROM T ORDER BY `int`", "SELECT * FROM T ORDER BY rowtime DESC"} {
			if _, err := tenv.ExecuteSQL(q); err == nil || !strings.Contains(err.Error(), "Sort on a non-time-attribute field is not supported") {
				t.Errorf("%s: %v", q, err)
			}
		}
	}
}

// ORDER BY ... LIMIT in streaming is a Top-N over the whole table (Flink's SortLimit); LIMIT alone keeps
// the first rows; in batch mode ORDER BY sorts the whole input when it ends.
func TestSortLimit(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		// Flink: SortLimitITCase#test.
		r := mustExec(t, tenv, "SELECT * FROM "+rankT+" ORDER BY num DESC LIMIT 2")
		equalLines(t, fmt.Sprintf("SortLimitITCase#test, parallelism %d", p), flinkRows(r), []string{"fruit,3,44", "fruit,4,33"})
		// Flink: SortLimitITCase#testRetractSortLimit (over an updating GROUP BY).
		data := "(VALUES (1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (2, 4), (3, 3), (3, 4), (3, 5)) AS T(a, b)"
		r = mustExec(t, tenv, "SELECT a, max(b) FROM "+data+" GROUP BY a ORDER BY a LIMIT 2")
		equalLines(t, fmt.Sprintf("SortLimitITCase#testRetractSortLimit, parallelism %d", p), flinkRows(r), []string{"1,3", "2,4"})
		// LIMIT without ORDER BY: the first rows to arrive.
		r = mustExec(t, tenv, "SELECT * FROM "+rankT+" LIMIT 4")
		if n := len(r.Changes()); n != 4 {
			t.Errorf("LIMIT 4 gave %d rows: %v", n, r.Strings())
		}
		// Batch: the whole input sorted when it ends, as +I rows (Flink's batch SortLimit).
		mustExec(t, tenv, "SET 'execution.runtime-mode' = 'batch'")
		r = mustExec(t, tenv, "SELECT category, num FROM "+rankT+" ORDER BY category DESC, num LIMIT 4")
		equalLines(t, fmt.Sprintf("batch, parallelism %d", p), r.Strings(), []string{"+I[fruit, 22]", "+I[fruit, 33]", "+I[fruit, 44]", "+I[book, 11]"})
		r = mustExec(t, tenv, "SELECT category, num FROM "+rankT+" ORDER BY 2")
		equalLines(t, fmt.Sprintf("batch ORDER BY position, parallelism %d", p), orderedRows(r), []string{"book,11", "book,12", "book,19", "fruit,22", "fruit,33", "fruit,44"})
	}
	// The changelog of a streaming SortLimit: the row pushed out of the first 2 is deleted.
	r := mustExec(t, newTableEnv(1), "SELECT * FROM "+rankT+" ORDER BY num DESC LIMIT 2")
	equalLines(t, "changelog", r.Strings(), []string{
		"+I[book, 1, 12]", "+I[book, 2, 19]", "-D[book, 1, 12]", "+I[fruit, 4, 33]", "-D[book, 2, 19]", "+I[fruit, 3, 44]"})
}

// The Table API's OrderBy and Limit (Flink's Table.orderBy and fetch) plan ORDER BY and LIMIT: sorted
// output in batch mode, a Top-N over the table in streaming.
func TestTableOrderByLimit(t *testing.T) {
	for _, p := range []int{1, 4} {
		tenv := newTableEnv(p)
		mustExec(t, tenv, "CREATE VIEW T AS SELECT * FROM "+rankT)
		r, err := tenv.From("T").OrderBy("num DESC").Limit(2).Select("category", "num").Execute()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Await(); err != nil {
			t.Fatal(err)
		}
		equalLines(t, fmt.Sprintf("streaming, parallelism %d", p), flinkRows(r), []string{"fruit,33", "fruit,44"})
		mustExec(t, tenv, "SET 'execution.runtime-mode' = 'batch'")
		r, err = tenv.From("T").OrderBy("category", "num DESC").Execute()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Await(); err != nil {
			t.Fatal(err)
		}
		equalLines(t, fmt.Sprintf("batch, parallelism %d", p), orderedRows(r), []string{
			"book,2,19", "book,1,12", "book,4,11", "fruit,3,44", "fruit,4,33", "fruit,5,22"})
		if err := tenv.From("T").Limit(-1).Err(); err == nil {
			t.Error("Limit(-1) was accepted")
		}
		mustExec(t, tenv, "SET 'execution.runtime-mode' = 'streaming'")
		if _, err := tenv.From("T").OrderBy("num").Execute(); err == nil || !strings.Contains(err.Error(), "Sort on a non-time-attribute field") {
			t.Errorf("streaming OrderBy of a non-time column without Limit: %v", err)
		}
	}
}
