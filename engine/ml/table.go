package ml

import (
	"fmt"
	"sort"

	"github.com/de4e/weir/engine"
)

// Table is a bounded table of Rows, the input and output of every stage; it stands in for Flink's Table until
// Weir has a Table API, onto which it will map (a Table's rows are that API's rows, its DataStream is
// toDataStream, FromDataStream is fromDataStream). A Table is either materialized (its rows are known, as
// after FromRows or a Transform of a materialized table) or lazy (a bounded DataStream of Rows on its
// Environment, as after FromDataStream).
//
// Stages run their work as bounded jobs with the table's Environment's Config (parallelism, runtime mode,
// clock, state backend): Fit runs the training iteration, one job a superstep; Transform of a materialized
// table runs a job that maps its rows and returns a materialized table; Transform of a lazy table adds the
// map to the table's stream and returns a lazy table, so nothing runs until its Environment executes.
type Table struct {
	env          *engine.Environment
	rows         []Row
	stream       *engine.DataStream
	materialized bool
}

// FromRows returns a materialized table of rows on env. It panics if env is nil.
func FromRows(env *engine.Environment, rows []Row) *Table {
	if env == nil {
		panic("ml: FromRows: env is nil")
	}
	return &Table{env: env, rows: append([]Row(nil), rows...), materialized: true}
}

// FromDataStream returns a lazy table over s, a bounded stream of Rows built on env (Flink's
// StreamTableEnvironment.fromDataStream). It panics if env or s is nil.
func FromDataStream(env *engine.Environment, s *engine.DataStream) *Table {
	if env == nil || s == nil {
		panic("ml: FromDataStream: env and stream must not be nil")
	}
	return &Table{env: env, stream: s}
}

// Environment returns the table's Environment.
func (t *Table) Environment() *engine.Environment { return t.env }

// IsMaterialized reports whether the table's rows are known without running a job.
func (t *Table) IsMaterialized() bool { return t.materialized }

// DataStream returns the table as a bounded DataStream of Rows on its Environment (Flink's
// toDataStream): a lazy table's stream, or a new non-parallel source of a materialized table's rows.
func (t *Table) DataStream() *engine.DataStream {
	if t.materialized {
		return t.env.FromSlice(rowsToAny(t.rows)).Name("Table")
	}
	return t.stream
}

// Rows returns the table's rows. A materialized table returns them at once (the slice is a copy); a lazy
// table adds a Collect sink to its stream and executes its Environment, which runs every sink already
// built on that Environment as well (Flink's Table.execute().collect() runs only the table's pipeline).
// A record that is not a Row fails with an error wrapping ErrColumnType.
func (t *Table) Rows() ([]Row, error) {
	if t.materialized {
		return append([]Row(nil), t.rows...), nil
	}
	c := t.stream.Collect()
	if _, err := t.env.Execute("collect table"); err != nil {
		return nil, fmt.Errorf("ml: collecting a table: %w", err)
	}
	return anyToRows(c.Values())
}

// Collect returns the rows of t, t.Rows() as a function: Flink's executeAndCollect. Notebook cells use it on
// an element of a Transform's result, rows, err := ml.Collect(outputs[0]), because the interpreter (yaegi
// v0.16.1) cannot type rows, err := outputs[0].Rows() at the top of a cell.
func Collect(t *Table) ([]Row, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: Collect: the table is nil", ErrParam)
	}
	return t.Rows()
}

func rowsToAny(rows []Row) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}

func anyToRows(vs []any) ([]Row, error) {
	out := make([]Row, len(vs))
	for i, v := range vs {
		r, ok := v.(Row)
		if !ok {
			return nil, fmt.Errorf("%w: table record %d is %T, want ml.Row", ErrColumnType, i, v)
		}
		out[i] = r
	}
	return out, nil
}

// boundedEnv returns a fresh Environment with env's Config for one bounded job of a stage (as IterateBulk
// does for supersteps): a RestoreFrom is not applied to it, and its jobs are reported to env's observer
// (JobStarted, so the workbench shows them; not Collecting, whose results are the stage's own).
func boundedEnv(env *engine.Environment) *engine.Environment {
	cfg := env.Config()
	cfg.Checkpointing.RestoreFrom = ""
	b := engine.NewEnvironment(cfg)
	b.Observe(engine.Observer{JobStarted: env.Observer().JobStarted})
	return b
}

// mapRows is the Transform of a row-at-a-time stage: f maps one row to its output row (see flatMapRows).
func mapRows(t *Table, name string, f func(Row) (Row, error)) (*Table, error) {
	return flatMapRows(t, name, func(r Row) (Row, bool, error) {
		out, err := f(r)
		return out, true, err
	})
}

// flatMapRows is the Transform of a row-at-a-time stage: f maps one row to its output row, or drops it. On a materialized
// table it runs a bounded job (named name) that maps the rows in parallel and returns a materialized table
// in the input's row order; on a lazy one it adds the map to the stream. An error of f fails the job (and,
// materialized, is returned).
func flatMapRows(t *Table, name string, f func(Row) (Row, bool, error)) (*Table, error) {
	apply := func(v any) (Row, bool) {
		r, ok := v.(Row)
		if !ok {
			panic(fmt.Errorf("%w: %s got a %T, want ml.Row", ErrColumnType, name, v))
		}
		out, keep, err := f(r)
		if err != nil {
			panic(fmt.Errorf("%s: %w", name, err))
		}
		return out, keep
	}
	if !t.materialized {
		return FromDataStream(t.env, t.stream.FlatMap(func(v any, out engine.Collector) {
			if r, keep := apply(v); keep {
				out.Collect(r)
			}
		}).Name(name)), nil
	}
	in := make([]any, len(t.rows))
	for i, r := range t.rows {
		in[i] = indexedRow{I: i, R: r}
	}
	env := boundedEnv(t.env)
	c := env.FromSlice(in).Rebalance().FlatMap(func(v any, out engine.Collector) {
		ir := v.(indexedRow)
		if r, keep := apply(ir.R); keep {
			out.Collect(indexedRow{I: ir.I, R: r})
		}
	}).Name(name).Collect()
	if _, err := env.Execute(name); err != nil {
		return nil, fmt.Errorf("ml: %s: %w", name, err)
	}
	got := c.Values()
	sort.Slice(got, func(i, j int) bool { return got[i].(indexedRow).I < got[j].(indexedRow).I })
	rows := make([]Row, len(got))
	for i, v := range got {
		rows[i] = v.(indexedRow).R
	}
	return &Table{env: t.env, rows: rows, materialized: true}, nil
}

// indexedRow carries a row's position through a parallel job.
type indexedRow struct {
	I int
	R Row
}

// collectRows returns the rows of t for training, running its job if t is lazy. A materialized table's
// rows are returned without a copy: the caller must not change the slice.
func collectRows(t *Table, stage string) ([]Row, error) {
	if t == nil {
		return nil, fmt.Errorf("ml: %s: the input table is nil", stage)
	}
	if t.materialized {
		return t.rows, nil
	}
	return t.Rows()
}

// materialized returns a materialized table of rows on env, sharing the slice (FromRows copies it).
func materialized(env *engine.Environment, rows []Row) *Table {
	return &Table{env: env, rows: rows, materialized: true}
}

// rowBlock is one subtask's share of a table's rows, and partial one block's result.
type rowBlock struct {
	Index int
	Rows  []Row
}

type blockPartial struct {
	Index int
	V     any
}

func init() {
	engine.RegisterType(indexedRow{})
	engine.RegisterType(rowBlock{})
	engine.RegisterType(blockPartial{})
}

// aggregateRows computes a statistic of a table as one bounded job (named name): the rows are split into one
// block per subtask (row i in block i mod parallelism), local computes each block's partial result in
// parallel, and merge combines the partials, in block order, on one subtask. An error of local fails the job
// and is returned.
func aggregateRows(t *Table, name string, local func(rows []Row) (any, error), merge func(parts []any) any) (any, error) {
	return aggregateRowsLive(t, name, local, merge, nil)
}

// aggregateRowsLive is aggregateRows whose merging operator publishes live, when not nil, as the gauge
// ProgressGauge (an iterative fit's ModelProgress, which one job per step of the fit publishes).
func aggregateRowsLive(t *Table, name string, local func(rows []Row) (any, error), merge func(parts []any) any,
	live *progressRecorder) (any, error) {
	rows, err := collectRows(t, name)
	if err != nil {
		return nil, err
	}
	p := parallelismOf(t.env)
	blocks := splitRows(rows, p)
	env := boundedEnv(t.env)
	merged := env.FromSlice(blocks).Name(name + " input").Rebalance().
		Map(func(v any) any {
			b := v.(rowBlock)
			part, err := local(b.Rows)
			if err != nil {
				panic(fmt.Errorf("%s: %w", name, err))
			}
			return blockPartial{Index: b.Index, V: part}
		}).Name(name + " (local)").
		KeyBy(func(any) any { return 0 }).
		ReduceGroup(func(_ any, vs []any, out engine.Collector) {
			sort.Slice(vs, func(i, j int) bool { return vs[i].(blockPartial).Index < vs[j].(blockPartial).Index })
			parts := make([]any, len(vs))
			for i, v := range vs {
				parts[i] = v.(blockPartial).V
			}
			out.Collect(blockPartial{V: merge(parts)})
		}).Name(name + " (merge)")
	if live != nil {
		merged.Gauge(ProgressGauge, live.progress)
	}
	c := merged.Collect()
	if _, err := env.Execute(name); err != nil {
		return nil, fmt.Errorf("ml: %s: %w", name, err)
	}
	return c.Values()[0].(blockPartial).V, nil
}

// splitRows puts row i in block i mod p.
func splitRows(rows []Row, p int) []any {
	blocks := make([]any, p)
	for b := range blocks {
		rs := make([]Row, 0, len(rows)/p+1)
		for i := b; i < len(rows); i += p {
			rs = append(rs, rows[i])
		}
		blocks[b] = rowBlock{Index: b, Rows: rs}
	}
	return blocks
}
