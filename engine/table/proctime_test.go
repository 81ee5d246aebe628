package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// arrival is a row of a processing-time script: when it arrives (processing time, ms), its key and value.
type arrival struct {
	At int64
	K  string
	V  int64
}

// arrivalSource replays arrivals in one reader, moving the job's processing time to each row's arrival
// time before the row (engine.SourceContext.SetTime) and to end after the last one, as a test harness's
// setProcessingTime does between processElement calls. Arrival times must not decrease: the clock never
// goes back.
type arrivalSource struct {
	rows []arrival
	end  int64
}

func (arrivalSource) MaxParallelism() int { return 1 }
func (s arrivalSource) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	return &arrivalReader{s: s, ctx: ctx}, nil
}

type arrivalReader struct {
	s   arrivalSource
	ctx engine.SourceContext
	pos int
}

func (r *arrivalReader) Read() (engine.SourceElement, error) {
	if r.pos == len(r.s.rows) {
		r.ctx.SetTime(r.s.end)
		return engine.SourceElement{}, engine.ErrEndOfInput
	}
	a := r.s.rows[r.pos]
	r.pos++
	r.ctx.SetTime(a.At)
	return engine.SourceElement{Value: a, Timestamp: engine.NoTimestamp}, nil
}
func (r *arrivalReader) Close() error { return nil }

// proctimeEnv registers the arrivals as T0 (k, v) on an Environment whose processing time travels with the
// rows (engine.Config.DeterministicTime), and T as T0 with pt AS PROCTIME().
func proctimeEnv(t *testing.T, p int, src arrivalSource) *Environment {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: p, DeterministicTime: true})
	tenv := NewEnvironment(env)
	tab, err := tenv.FromDataStream(env.FromSource(src, nil, "arrivals"), Schema{Columns: []SchemaColumn{
		{Name: "k", Type: "STRING", Field: "K"}, {Name: "v", Type: "BIGINT", Field: "V"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tenv.CreateTemporaryView("T0", tab); err != nil {
		t.Fatal(err)
	}
	mustExec(t, tenv, "CREATE VIEW T AS SELECT k, v, PROCTIME() AS pt FROM T0")
	return tenv
}

func repeat(n int, a arrival) []arrival {
	out := make([]arrival, n)
	for i := range out {
		out[i] = a
	}
	return out
}

func script(parts ...[]arrival) []arrival {
	var out []arrival
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Window TVFs over a PROCTIME() attribute assign each row to the windows of the processing time at which
// the window operator receives it and fire when processing time passes a window's end. The scripts and
// expected rows are those of Flink's SlicingWindowAggOperatorTest (testProcessingTimeTumblingWindows,
// testProcessingTimeHoppingWindows, testProcessingTimeCumulativeWindows: key, SUM, COUNT, window start and
// end), there driven by the harness's setProcessingTime, here by the source's arrival times.
func TestProcessingTimeWindowTVF(t *testing.T) {
	k1, k2 := arrival{K: "key1", V: 1}, arrival{K: "key2", V: 1}
	at := func(ms int64, a arrival) arrival { a.At = ms; return a }
	cases := []struct {
		name, window string
		src          arrivalSource
		want         []string
	}{
		{"SlicingWindowAggOperatorTest#testProcessingTimeTumblingWindows", "TUMBLE(TABLE T, DESCRIPTOR(pt), INTERVAL '3' SECOND)",
			arrivalSource{script(repeat(3, at(3, k2)), repeat(2, at(3, k1)), repeat(3, at(5000, k1))), 7000},
			[]string{"+I[key2, 3, 3, 1970-01-01 00:00:00.000, 1970-01-01 00:00:03.000]", "+I[key1, 2, 2, 1970-01-01 00:00:00.000, 1970-01-01 00:00:03.000]",
				"+I[key1, 3, 3, 1970-01-01 00:00:03.000, 1970-01-01 00:00:06.000]"}},
		{"SlicingWindowAggOperatorTest#testProcessingTimeHoppingWindows", "HOP(TABLE T, DESCRIPTOR(pt), INTERVAL '1' SECOND, INTERVAL '3' SECOND)",
			arrivalSource{script(repeat(1, at(3, k2)), repeat(2, at(1000, k2)), repeat(2, at(2000, k1)), repeat(3, at(3000, k1))), 7000},
			[]string{"+I[key2, 1, 1, 1969-12-31 23:59:58.000, 1970-01-01 00:00:01.000]", "+I[key2, 3, 3, 1969-12-31 23:59:59.000, 1970-01-01 00:00:02.000]",
				"+I[key2, 3, 3, 1970-01-01 00:00:00.000, 1970-01-01 00:00:03.000]", "+I[key1, 2, 2, 1970-01-01 00:00:00.000, 1970-01-01 00:00:03.000]",
				"+I[key2, 2, 2, 1970-01-01 00:00:01.000, 1970-01-01 00:00:04.000]", "+I[key1, 5, 5, 1970-01-01 00:00:01.000, 1970-01-01 00:00:04.000]",
				"+I[key1, 5, 5, 1970-01-01 00:00:02.000, 1970-01-01 00:00:05.000]", "+I[key1, 3, 3, 1970-01-01 00:00:03.000, 1970-01-01 00:00:06.000]"}},
		{"SlicingWindowAggOperatorTest#testProcessingTimeCumulativeWindows", "CUMULATE(TABLE T, DESCRIPTOR(pt), INTERVAL '1' SECOND, INTERVAL '3' SECOND)",
			arrivalSource{script(repeat(1, at(3, k2)), repeat(2, at(1000, k2)), repeat(2, at(2000, k1)), []arrival{at(3000, k1), at(3000, k2), at(3000, k1)}), 7000},
			[]string{"+I[key2, 1, 1, 1970-01-01 00:00:00.000, 1970-01-01 00:00:01.000]", "+I[key2, 3, 3, 1970-01-01 00:00:00.000, 1970-01-01 00:00:02.000]",
				"+I[key2, 3, 3, 1970-01-01 00:00:00.000, 1970-01-01 00:00:03.000]", "+I[key1, 2, 2, 1970-01-01 00:00:00.000, 1970-01-01 00:00:03.000]",
				"+I[key1, 2, 2, 1970-01-01 00:00:03.000, 1970-01-01 00:00:04.000]", "+I[key2, 1, 1, 1970-01-01 00:00:03.000, 1970-01-01 00:00:04.000]",
				"+I[key1, 2, 2, 1970-01-01 00:00:03.000, 1970-01-01 00:00:05.000]", "+I[key2, 1, 1, 1970-01-01 00:00:03.000, 1970-01-01 00:00:05.000]",
				"+I[key1, 2, 2, 1970-01-01 00:00:03.000, 1970-01-01 00:00:06.000]", "+I[key2, 1, 1, 1970-01-01 00:00:03.000, 1970-01-01 00:00:06.000]"}},
	}
	for _, tc := range cases {
		for _, p := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", strings.TrimPrefix(tc.name, "SlicingWindowAggOperatorTest#"), p), func(t *testing.T) {
				tenv := proctimeEnv(t, p, tc.src)
				r := mustExec(t, tenv, "SELECT k, SUM(v), COUNT(*), window_start, window_end FROM TABLE("+tc.window+") GROUP BY k, window_start, window_end")
				equalLines(t, tc.name, sorted(r.Strings()), sorted(tc.want))
			})
		}
	}
}

// PROCTIME() declares a processing-time attribute, TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*, whose value is
// the processing time at which its row was computed; a window over it has a processing-time window_time
// (GroupWindowITCase#testProctimeCascadeWindowAgg checks these types). A group window on it is a processing-time
// window too, and PROCTIME() is refused inside another expression or under a watermark.
func TestProctimeAttribute(t *testing.T) {
	src := arrivalSource{script(repeat(2, arrival{At: 1500, K: "a", V: 1}), repeat(1, arrival{At: 2500, K: "a", V: 2})), 9000}
	tenv := proctimeEnv(t, 1, src)
	r := mustExec(t, tenv, "SELECT k, pt FROM T")
	equalLines(t, "materialized", r.Strings(), []string{"+I[a, 1970-01-01 00:00:01.500]", "+I[a, 1970-01-01 00:00:01.500]", "+I[a, 1970-01-01 00:00:02.500]"})
	if got := r.Columns()[1].Type.String(); got != "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*" {
		t.Errorf("PROCTIME() type: %s", got)
	}
	tenv = proctimeEnv(t, 1, src) // a new job's clock starts where the last one's stopped: start again
	r = mustExec(t, tenv, "SELECT k, COUNT(*), TUMBLE_START(pt, INTERVAL '2' SECOND), TUMBLE_PROCTIME(pt, INTERVAL '2' SECOND) AS wpt FROM T GROUP BY k, TUMBLE(pt, INTERVAL '2' SECOND)")
	var got []string
	for _, c := range r.Changes() {
		got = append(got, FormatFields(c.Fields[:3], r.Columns()[:3]))
	}
	equalLines(t, "group window", got, []string{"a, 2, 1970-01-01 00:00:00.000", "a, 1, 1970-01-01 00:00:02.000"})
	if got := r.Columns()[3].Type.String(); got != "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*" {
		t.Errorf("TUMBLE_PROCTIME type: %s", got)
	}
	// A window TVF without aggregation assigns each row to the window of its PROCTIME().
	tenv = proctimeEnv(t, 1, src)
	r = mustExec(t, tenv, "SELECT k, v, window_start, window_end FROM TABLE(TUMBLE(TABLE T, DESCRIPTOR(pt), INTERVAL '2' SECOND))")
	equalLines(t, "TVF rows", r.Strings(), []string{"+I[a, 1, 1970-01-01 00:00:00.000, 1970-01-01 00:00:02.000]",
		"+I[a, 1, 1970-01-01 00:00:00.000, 1970-01-01 00:00:02.000]", "+I[a, 2, 1970-01-01 00:00:02.000, 1970-01-01 00:00:04.000]"})
	// Processing-time sessions (Flink's ProcessingTimeSessionWindows): a gap of 1 s closes a session.
	for _, p := range []int{1, 4} {
		sessions := arrivalSource{[]arrival{{1000, "a", 1}, {1200, "b", 5}, {1500, "a", 2}, {4000, "a", 3}, {4100, "b", 6}}, 9000}
		tenv = proctimeEnv(t, p, sessions)
		r = mustExec(t, tenv, "SELECT k, SUM(v), SESSION_START(pt, INTERVAL '1' SECOND), SESSION_END(pt, INTERVAL '1' SECOND) FROM T GROUP BY k, SESSION(pt, INTERVAL '1' SECOND)")
		equalLines(t, fmt.Sprintf("sessions p%d", p), sorted(r.Strings()), []string{
			"+I[a, 3, 1970-01-01 00:00:01.000, 1970-01-01 00:00:02.500]", "+I[a, 3, 1970-01-01 00:00:04.000, 1970-01-01 00:00:05.000]",
			"+I[b, 5, 1970-01-01 00:00:01.200, 1970-01-01 00:00:02.200]", "+I[b, 6, 1970-01-01 00:00:04.100, 1970-01-01 00:00:05.100]"})
	}
	for _, tc := range []struct{ sql, want string }{
		{"SELECT k, CAST(PROCTIME() AS STRING) FROM T0", "whole computed column or select item"},
		{"CREATE TABLE bad (a INT, p AS PROCTIME(), WATERMARK FOR p AS p) WITH ('connector' = 'datagen')", "processing-time attribute"},
		{"SELECT TUMBLE_ROWTIME(pt, INTERVAL '2' SECOND) FROM T GROUP BY TUMBLE(pt, INTERVAL '2' SECOND)", "event-time attribute"},
		{"SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE T, DESCRIPTOR(v), INTERVAL '2' SECOND)) GROUP BY window_start, window_end", "AS PROCTIME()"},
	} {
		_, err := tenv.ExecuteSQL(tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.sql, err, tc.want)
		}
	}
}
