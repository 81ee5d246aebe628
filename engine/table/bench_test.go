package table

import (
	"fmt"
	"testing"

	"github.com/de4e/weir/engine"
)

const benchRows = 200_000

// BenchmarkSQLGroupBy counts 200,000 generated rows in 100 groups with SQL (GROUP BY with its -U/+U
// changelog into a blackhole sink), at parallelism 1.
func BenchmarkSQLGroupBy(b *testing.B) {
	for i := 0; i < b.N; i++ {
		tenv := newTableEnv(1)
		mustExecB(b, tenv, fmt.Sprintf("CREATE TABLE seq (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '%d')", benchRows))
		mustExecB(b, tenv, "CREATE TABLE sink (k BIGINT, n BIGINT) WITH ('connector' = 'blackhole')")
		mustExecB(b, tenv, "INSERT INTO sink SELECT MOD(id, 100), COUNT(*) FROM seq GROUP BY MOD(id, 100)")
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDataStreamGroupBy is the same count written by hand in the DataStream API (KeyBy, a
// ProcessFunction with a ValueState count, emitting the old and new count per row), for comparison.
func BenchmarkDataStreamGroupBy(b *testing.B) {
	for i := 0; i < b.N; i++ {
		env := engine.NewEnvironment(engine.Config{Parallelism: 1})
		env.FromSource(engine.GeneratorSource{Count: benchRows, Gen: func(i int64) engine.SourceElement {
			return engine.SourceElement{Value: i + 1, Timestamp: engine.NoTimestamp}
		}}, nil, "seq").
			KeyBy(func(v any) any { return v.(int64) % 100 }).
			Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
				st := ctx.ValueState(engine.State("n"))
				n, _ := st.Get()
				c, _ := n.(int64)
				if c > 0 {
					out.Collect([2]int64{v.(int64) % 100, -c})
				}
				st.Update(c + 1)
				out.Collect([2]int64{v.(int64) % 100, c + 1})
			}}).
			SinkTo("sink", func(any, int64) error { return nil })
		if _, err := env.Execute("count"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func mustExecB(b *testing.B, tenv *Environment, sql string) {
	b.Helper()
	r, err := tenv.ExecuteSQL(sql)
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Await(); err != nil {
		b.Fatal(err)
	}
}
