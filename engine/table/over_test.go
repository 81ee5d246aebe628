package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// overIn is a row of OverAggregateITCase's event-time data: Left((ts, (a, b, c))).
type overIn struct {
	TS   int64
	A, B int64
	C    string
}

// overWM is a watermark of that data: Right(ts).
type overWM int64

// punctuated emits the watermarks written in the data, as the test's EventTimeProcessOperator does.
type punctuated struct{}

func (punctuated) OnEvent(v any, _ int64, out engine.WatermarkOutput) {
	if w, ok := v.(overWM); ok {
		out.EmitWatermark(int64(w))
	}
}
func (punctuated) OnPeriodicEmit(engine.WatermarkOutput) {}

// overTable registers the data as the view T1 (a, b, c, rowtime) whose watermarks are the data's own
// (SOURCE_WATERMARK()); aType and bType are the SQL types of a and b.
func overTable(t *testing.T, env *engine.Environment, tenv *Environment, aType, bType string, data []any) {
	t.Helper()
	elems := make([]engine.SourceElement, len(data))
	for i, d := range data {
		switch x := d.(type) {
		case overIn:
			elems[i] = engine.SourceElement{Value: x, Timestamp: x.TS}
		case overWM:
			elems[i] = engine.SourceElement{Value: x, Timestamp: int64(x)}
		}
	}
	strategy := engine.ForGenerator("the data's watermarks", func() engine.WatermarkGenerator { return punctuated{} })
	src := env.FromSource(engine.SliceSource(elems), &strategy, "T1")
	rows := src.Filter(func(v any) bool { _, ok := v.(overIn); return ok }).InheritParallelism(src)
	tab, err := tenv.FromDataStream(rows, Schema{Columns: []SchemaColumn{
		{Name: "a", Type: aType, Field: "A"}, {Name: "b", Type: bType, Field: "B"}, {Name: "c", Type: "STRING", Field: "C"},
		{Name: "rowtime", Type: "TIMESTAMP(3)", Field: "TS"}}, Rowtime: "rowtime", Watermark: "SOURCE_WATERMARK()"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tenv.CreateTemporaryView("T1", tab); err != nil {
		t.Fatal(err)
	}
}

// The data of OverAggregateITCase#testRowTimeBoundedPartitionedRangeOver and ...NonPartitionedRangeOver.
var overRangeData = []any{
	overIn{1500, 1, 15, "Hello"}, overIn{1600, 1, 16, "Hello"}, overIn{1000, 1, 1, "Hello"}, overIn{2000, 2, 2, "Hello"}, overWM(1000),
	overIn{2000, 2, 2, "Hello"}, overIn{2000, 2, 3, "Hello"}, overIn{3000, 3, 3, "Hello"}, overWM(2000),
	overIn{4000, 4, 4, "Hello"}, overWM(3000), overIn{5000, 5, 5, "Hello"}, overWM(5000),
	overIn{6000, 6, 6, "Hello"}, overIn{6500, 6, 65, "Hello"}, overWM(7000),
	overIn{9000, 6, 9, "Hello"}, overIn{9500, 6, 18, "Hello"}, overIn{9000, 6, 9, "Hello"}, overWM(10000),
	overIn{10000, 7, 7, "Hello World"}, overIn{11000, 7, 17, "Hello World"}, overIn{11000, 7, 77, "Hello World"}, overWM(12000),
	overIn{14000, 7, 18, "Hello World"}, overWM(14000), overIn{15000, 8, 8, "Hello World"}, overWM(17000),
	overIn{20000, 20, 20, "Hello World"}, overWM(19000),
}

// The data of OverAggregateITCase#testRowTimeUnBoundedPartitionedRangeOver and ...NonPartitionedRangeOver.
var overUnboundedRangeData = []any{
	overIn{14000005, 1, 1, "Hi"}, overIn{14000000, 2, 1, "Hello"}, overIn{14000002, 1, 1, "Hello"}, overIn{14000002, 1, 2, "Hello"},
	overIn{14000002, 1, 3, "Hello world"}, overIn{14000003, 2, 2, "Hello world"}, overIn{14000003, 2, 3, "Hello world"}, overWM(14000020),
	overIn{14000021, 1, 4, "Hello world"}, overIn{14000022, 1, 5, "Hello world"}, overIn{14000022, 1, 6, "Hello world"},
	overIn{14000022, 1, 7, "Hello world"}, overIn{14000023, 2, 4, "Hello world"}, overIn{14000023, 2, 5, "Hello world"}, overWM(14000030),
}

// Each case is a test of Flink's OverAggregateITCase (flink-table-planner, runtime/stream/sql) with its
// data and expected rows, without the columns of its user-defined aggregate LTCNT.
var overCases = []struct {
	name         string
	aType, bType string
	data         []any
	query        string
	want         []string
}{
	{"testRowTimeBoundedPartitionedRangeOver", "BIGINT", "INT", overRangeData,
		"SELECT c, b, COUNT(a) OVER (PARTITION BY c ORDER BY rowtime RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW), " +
			"SUM(a) OVER (PARTITION BY c ORDER BY rowtime RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) FROM T1",
		[]string{"Hello,1,1,1", "Hello,15,2,2", "Hello,16,3,3", "Hello,2,6,9", "Hello,3,6,9", "Hello,2,6,9", "Hello,3,4,9", "Hello,4,2,7",
			"Hello,5,2,9", "Hello,6,2,11", "Hello,65,2,12", "Hello,9,2,12", "Hello,9,2,12", "Hello,18,3,18", "Hello World,17,3,21",
			"Hello World,7,1,7", "Hello World,77,3,21", "Hello World,18,1,7", "Hello World,8,2,15", "Hello World,20,1,20"}},
	{"testRowTimeBoundedNonPartitionedRangeOver", "BIGINT", "INT", overRangeData,
		"SELECT c, b, COUNT(a) OVER (ORDER BY rowtime RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW), " +
			"SUM(a) OVER (ORDER BY rowtime RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) FROM T1",
		[]string{"Hello,1,1,1", "Hello,15,2,2", "Hello,16,3,3", "Hello,2,6,9", "Hello,3,6,9", "Hello,2,6,9", "Hello,3,4,9", "Hello,4,2,7",
			"Hello,5,2,9", "Hello,6,2,11", "Hello,65,2,12", "Hello,9,2,12", "Hello,9,2,12", "Hello,18,3,18", "Hello World,7,4,25",
			"Hello World,17,3,21", "Hello World,77,3,21", "Hello World,18,1,7", "Hello World,8,2,15", "Hello World,20,1,20"}},
	{"testRowTimeBoundedPartitionedRowsOver", "BIGINT", "INT", []any{
		overIn{1, 1, 1, "Hello"}, overIn{2, 2, 2, "Hello"}, overIn{1, 1, 1, "Hello"}, overIn{2, 2, 2, "Hello"}, overIn{2, 2, 2, "Hello"},
		overIn{1, 1, 1, "Hello"}, overIn{3, 7, 7, "Hello World"}, overIn{1, 7, 7, "Hello World"}, overIn{1, 7, 7, "Hello World"}, overWM(2),
		overIn{3, 3, 3, "Hello"}, overIn{4, 4, 4, "Hello"}, overIn{5, 5, 5, "Hello"}, overIn{6, 6, 6, "Hello"},
		overIn{20, 20, 20, "Hello World"}, overWM(6), overIn{8, 8, 8, "Hello World"}, overIn{7, 7, 7, "Hello World"}, overWM(20)},
		"SELECT c, a, COUNT(1) OVER (PARTITION BY c ORDER BY rowtime ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), " +
			"SUM(a) OVER (PARTITION BY c ORDER BY rowtime ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM T1",
		[]string{"Hello,1,1,1", "Hello,1,2,2", "Hello,1,3,3", "Hello,2,3,4", "Hello,2,3,5", "Hello,2,3,6", "Hello,3,3,7", "Hello,4,3,9",
			"Hello,5,3,12", "Hello,6,3,15", "Hello World,7,1,7", "Hello World,7,2,14", "Hello World,7,3,21", "Hello World,7,3,21",
			"Hello World,8,3,22", "Hello World,20,3,35"}},
	{"testRowTimeBoundedNonPartitionedRowsOver", "BIGINT", "INT", []any{
		overIn{2, 2, 2, "Hello"}, overIn{2, 2, 2, "Hello"}, overIn{1, 1, 1, "Hello"}, overIn{1, 1, 1, "Hello"}, overIn{2, 2, 2, "Hello"},
		overIn{1, 1, 1, "Hello"}, overIn{20, 20, 20, "Hello World"}, overWM(3), overIn{2, 2, 2, "Hello"}, // a late row
		overIn{3, 3, 3, "Hello"}, overIn{4, 4, 4, "Hello"}, overIn{5, 5, 5, "Hello"}, overIn{6, 6, 6, "Hello"},
		overIn{7, 7, 7, "Hello World"}, overWM(7), overIn{9, 9, 9, "Hello World"}, overIn{8, 8, 8, "Hello World"},
		overIn{8, 8, 8, "Hello World"}, overWM(20)},
		"SELECT c, a, COUNT(a) OVER (ORDER BY rowtime ROWS BETWEEN 2 preceding AND CURRENT ROW), " +
			"SUM(a) OVER (ORDER BY rowtime ROWS BETWEEN 2 preceding AND CURRENT ROW) FROM T1",
		[]string{"Hello,1,1,1", "Hello,1,2,2", "Hello,1,3,3", "Hello,2,3,4", "Hello,2,3,5", "Hello,2,3,6", "Hello,3,3,7", "Hello,4,3,9",
			"Hello,5,3,12", "Hello,6,3,15", "Hello World,7,3,18", "Hello World,8,3,21", "Hello World,8,3,23", "Hello World,9,3,25",
			"Hello World,20,3,37"}},
	{"testRowTimeUnBoundedPartitionedRangeOver", "INT", "BIGINT", overUnboundedRangeData,
		"SELECT a, b, c, SUM(b) OVER (PARTITION BY a ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"COUNT(b) OVER (PARTITION BY a ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"AVG(b) OVER (PARTITION BY a ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"MAX(b) OVER (PARTITION BY a ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"MIN(b) OVER (PARTITION BY a ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM T1",
		[]string{"1,1,Hello,6,3,2,3,1", "1,2,Hello,6,3,2,3,1", "1,3,Hello world,6,3,2,3,1", "1,1,Hi,7,4,1,3,1", "2,1,Hello,1,1,1,1,1",
			"2,2,Hello world,6,3,2,3,1", "2,3,Hello world,6,3,2,3,1", "1,4,Hello world,11,5,2,4,1", "1,5,Hello world,29,8,3,7,1",
			"1,6,Hello world,29,8,3,7,1", "1,7,Hello world,29,8,3,7,1", "2,4,Hello world,15,5,3,5,1", "2,5,Hello world,15,5,3,5,1"}},
	{"testRowTimeUnBoundedNonPartitionedRangeOver", "INT", "BIGINT", overUnboundedRangeData,
		"SELECT a, b, c, SUM(b) OVER (ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"COUNT(b) OVER (ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"AVG(b) OVER (ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"MAX(b) OVER (ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"MIN(b) OVER (ORDER BY rowtime RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM T1",
		[]string{"2,1,Hello,1,1,1,1,1", "1,1,Hello,7,4,1,3,1", "1,2,Hello,7,4,1,3,1", "1,3,Hello world,7,4,1,3,1", "2,2,Hello world,12,6,2,3,1",
			"2,3,Hello world,12,6,2,3,1", "1,1,Hi,13,7,1,3,1", "1,4,Hello world,17,8,2,4,1", "1,5,Hello world,35,11,3,7,1",
			"1,6,Hello world,35,11,3,7,1", "1,7,Hello world,35,11,3,7,1", "2,4,Hello world,44,13,3,7,1", "2,5,Hello world,44,13,3,7,1"}},
	{"testRowTimeUnBoundedNonPartitionedRowsOver", "INT", "BIGINT", []any{
		overIn{14000005, 1, 1, "Hi"}, overIn{14000000, 2, 2, "Hello"}, overIn{14000002, 3, 5, "Hello"}, overIn{14000003, 1, 3, "Hello"},
		overIn{14000004, 3, 7, "Hello world"}, overIn{14000007, 4, 9, "Hello world"}, overIn{14000008, 5, 8, "Hello world"},
		overWM(14000010), overIn{14000008, 6, 8, "Hello world"}, // late
		overWM(14000020), overIn{14000021, 6, 8, "Hello world"}, overWM(14000030)},
		"SELECT a, b, c, SUM(b) OVER (ORDER BY rowtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"COUNT(b) OVER (ORDER BY rowtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"AVG(b) OVER (ORDER BY rowtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"MAX(b) OVER (ORDER BY rowtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), " +
			"MIN(b) OVER (ORDER BY rowtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM T1",
		[]string{"2,2,Hello,2,1,2,2,2", "3,5,Hello,7,2,3,5,2", "1,3,Hello,10,3,3,5,2", "3,7,Hello world,17,4,4,7,2", "1,1,Hi,18,5,3,7,1",
			"4,9,Hello world,27,6,4,9,1", "5,8,Hello world,35,7,5,9,1", "6,8,Hello world,43,8,5,9,1"}},
	{"testRowTimeUnBoundedPartitionedRowsOver2", "INT", "BIGINT", []any{
		overIn{14000005, 1, 1, "Hi"}, overIn{14000000, 2, 1, "Hello"}, overIn{14000002, 3, 1, "Hello"}, overIn{14000003, 1, 2, "Hello"},
		overIn{14000004, 1, 3, "Hello world"}, overIn{14000007, 3, 2, "Hello world"}, overIn{14000008, 2, 2, "Hello world"}, overWM(14000010),
		overIn{14000008, 1, 4, "Hello world"}, overIn{14000008, 2, 3, "Hello world"}, overIn{14000008, 3, 3, "Hello world"}, // late
		overIn{14000012, 1, 5, "Hello world"}, overWM(14000020), overIn{14000021, 1, 6, "Hello world"},
		overIn{14000019, 1, 6, "Hello world"}, overIn{14000018, 2, 4, "Hello world"}, overIn{14000018, 3, 4, "Hello world"}, // late
		overIn{14000022, 2, 5, "Hello world"}, overIn{14000022, 3, 5, "Hello world"}, overIn{14000024, 1, 7, "Hello world"},
		overIn{14000023, 1, 8, "Hello world"}, overIn{14000021, 1, 9, "Hello world"}, overWM(14000030)},
		"SELECT a, b, c, SUM(b) over (partition by a order by rowtime rows between unbounded preceding and current row), " +
			"count(b) over (partition by a order by rowtime rows between unbounded preceding and current row), " +
			"avg(b) over (partition by a order by rowtime rows between unbounded preceding and current row), " +
			"max(b) over (partition by a order by rowtime rows between unbounded preceding and current row), " +
			"min(b) over (partition by a order by rowtime rows between unbounded preceding and current row) from T1",
		[]string{"1,2,Hello,2,1,2,2,2", "1,3,Hello world,5,2,2,3,2", "1,1,Hi,6,3,2,3,1", "2,1,Hello,1,1,1,1,1", "2,2,Hello world,3,2,1,2,1",
			"3,1,Hello,1,1,1,1,1", "3,2,Hello world,3,2,1,2,1", "1,5,Hello world,11,4,2,5,1", "1,6,Hello world,17,5,3,6,1",
			"1,9,Hello world,26,6,4,9,1", "1,8,Hello world,34,7,4,9,1", "1,7,Hello world,41,8,5,9,1", "2,5,Hello world,8,3,2,5,1",
			"3,5,Hello world,8,3,2,5,1"}},
}

func TestOverAggregate(t *testing.T) {
	for _, c := range overCases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []int{1, 4} {
				env := engine.NewEnvironment(engine.Config{Parallelism: p})
				tenv := NewEnvironment(env)
				overTable(t, env, tenv, c.aType, c.bType, c.data)
				r := mustExec(t, tenv, c.query)
				for _, ch := range r.Changes() {
					if ch.Kind != Insert {
						t.Fatalf("parallelism %d: an over aggregation is insert-only, got %v", p, ch)
					}
				}
				equalLines(t, fmt.Sprintf("parallelism %d", p), flinkRows(r), sorted(c.want))
			}
		})
	}
}

// A named window (Flink's documentation, "Over Aggregation": WINDOW w AS (...)), EXPLAIN, and the
// queries Flink refuses.
func TestOverAggregateWindowClauseAndErrors(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	tenv := NewEnvironment(env)
	overTable(t, env, tenv, "BIGINT", "INT", overRangeData)
	q := "SELECT c, b, COUNT(a) OVER w AS cnt, SUM(a) OVER w AS total FROM T1 WINDOW w AS (PARTITION BY c ORDER BY rowtime RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW)"
	r := mustExec(t, tenv, q)
	equalLines(t, "named window", flinkRows(r), sorted(overCases[0].want))
	plan := mustExec(t, tenv, "EXPLAIN "+q).Rows()[0][0].(string)
	if !strings.Contains(plan, "OverAggregate(partitionBy=[c], orderBy=[rowtime ASC], window=[RANG BETWEEN 1000 PRECEDING AND CURRENT ROW], select=[a, b, c, rowtime, COUNT(`a`) AS w0$o0, SUM(`a`) AS w0$o1]), changelogMode=[I]") {
		t.Errorf("plan:\n%s", plan)
	}
	for _, c := range []struct{ query, err string }{
		{"SELECT SUM(a) OVER (PARTITION BY c ORDER BY b) FROM T1", "must be defined on a time attribute"},
		{"SELECT SUM(a) OVER (PARTITION BY c) FROM T1", "must be defined on a time attribute"},
		{"SELECT SUM(a) OVER (ORDER BY rowtime DESC) FROM T1", "ascending"},
		{"SELECT SUM(a) OVER (ORDER BY rowtime ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM T1", "OVER RANGE FOLLOWING windows are not supported yet."},
		{"SELECT SUM(a) OVER (ORDER BY rowtime ROWS 2 PRECEDING), COUNT(a) OVER (ORDER BY rowtime ROWS 3 PRECEDING) FROM T1", "same window"},
		{"SELECT SUM(a) OVER w FROM T1", "Window 'w' not found"},
		{"SELECT SUM(a) OVER (ORDER BY rowtime RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) FROM T1", "INTERVAL literal"},
	} {
		if _, err := tenv.ExecuteSQL(c.query); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error with %q", c.query, err, c.err)
		}
	}
	// A Flink rule checked before the time attribute: an over aggregation cannot read updates.
	if _, err := tenv.ExecuteSQL("SELECT SUM(n) OVER (ORDER BY rowtime) FROM (SELECT c, rowtime, COUNT(*) AS n FROM T1 GROUP BY c, rowtime)"); err == nil ||
		!strings.Contains(err.Error(), "doesn't support consuming update and delete changes") {
		t.Errorf("over an updating input: %v", err)
	}
}

// An over aggregation through a crash: its pending rows, accumulators and frames are restored from the
// checkpoint, and the committed output holds every row exactly once, with the aggregates of a run
// without a crash.
func TestOverAggregateExactlyOnceThroughCrash(t *testing.T) {
	var words []string
	for i := 0; i < 40; i++ {
		words = append(words, fmt.Sprintf("w%d", i%5))
	}
	// Each word's rows in time order: the count and the sum of n over the row and the 2 before it.
	var want []string
	seen := map[string][]int{}
	for n, w := range words {
		seen[w] = append(seen[w], n)
		last := seen[w][max(0, len(seen[w])-3):]
		sum := 0
		for _, x := range last {
			sum += x
		}
		want = append(want, fmt.Sprintf("+I[%s, %d, %d, %d]", w, n, len(last), sum))
	}
	want = sorted(want)
	schema := Schema{Columns: []SchemaColumn{{Name: "word", Type: "STRING"}, {Name: "n", Type: "BIGINT"}, {Name: "ts", Type: "TIMESTAMP(3)", Field: "n"}}, Rowtime: "ts"}
	for _, backend := range []engine.StateBackendKind{engine.HeapState, engine.PebbleState} {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%v/p%d", backend, p), func(t *testing.T) {
				got := throughCrash(t, backend, p, words, schema,
					"SELECT word, n, COUNT(*) OVER w, SUM(n) OVER w FROM words WINDOW w AS (PARTITION BY word ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)", "OverAggregate")
				equalLines(t, "committed rows", got, want)
			})
		}
	}
}
