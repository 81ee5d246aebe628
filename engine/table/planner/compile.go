package planner

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/sources"
)

// errorRow travels in place of a row whose expression failed (ErrRuntime): operators pass it on, and the
// sink fails the job with it, as a Flink job fails on an exception in generated code.
type errorRow struct {
	Msg string
}

func (e errorRow) Error() string { return e.Msg }

var errorTag = engine.NewOutputTag("sql-errors")

// failOnError routes error rows of s to a sink that fails the job, and returns the other rows. The sink is
// one of ErrorSinks, so that a job of one statement runs it.
func (c *Compiler) failOnError(s *engine.DataStream) *engine.DataStream {
	rows := s.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		if _, ok := v.(errorRow); ok {
			ctx.Output(errorTag, v)
			return
		}
		out.Collect(v)
	}}).Name("Check rows")
	c.errorSinks = append(c.errorSinks, failOnErrorOutput(rows))
	c.markClean(rows)
	return rows
}

// failOnErrorOutput sinks the error rows s routes to its side output errorTag, and returns the sink: the
// first error row fails the job.
func failOnErrorOutput(s *engine.DataStream) *engine.DataStream {
	return s.SideOutput(errorTag).SinkTo("SQL errors", func(v any, _ int64) error { return v.(errorRow) })
}

// ErrorSinks returns the sinks of the error rows of the streams Build returned, which fail the job (see
// Checked): a job that runs only the streams it names (engine.Environment.ExecuteAsyncOf) must name them too.
func (c *Compiler) ErrorSinks() []*engine.DataStream { return c.errorSinks }

// Checked returns the rows of s, a stream Build returned, without error rows: s itself when its operators
// cannot emit one (a Calc routes its own and its input's errors to a sink that fails the job), else s
// through an operator that does the same. Either way the sink of the error rows is one of ErrorSinks.
func (c *Compiler) Checked(s *engine.DataStream) *engine.DataStream {
	if c.clean[s] {
		return s
	}
	return c.failOnError(s)
}

// markClean records that s carries no error rows, for Checked.
func (c *Compiler) markClean(s *engine.DataStream) *engine.DataStream {
	if c.clean == nil {
		c.clean = map[*engine.DataStream]bool{}
	}
	c.clean[s] = true
	return s
}

// Compiler translates a logical plan into DataStream operators on an Environment.
type Compiler struct {
	Env *engine.Environment
	// Batch compiles for execution.runtime-mode batch: a GROUP BY emits each group's final row once, as +I,
	// when its input ends, as Flink's batch aggregation does. Default false: streaming, with updates.
	Batch bool
	// StateTTL is Flink's 'table.exec.state.ttl': how long a regular join keeps a row in its state after
	// the row was last written. Default zero: forever.
	StateTTL time.Duration
	// NewReplayControl, if set, makes the controller of each replay a 'weir-recording' or 'weir-generator'
	// table starts, as sources.Bundled.NewControl does for a DataStream replay: the workbench sets it so
	// that its pause, step and speed keys steer SQL tables too. Default nil: each replay has its own
	// controller at the table's 'speed'.
	NewReplayControl func() *sources.Controller
	// built holds the streams compiled for reusable subtrees, by reuseKey.
	built map[string]*engine.DataStream

	clean      map[*engine.DataStream]bool // the streams built that carry no error rows (see Checked)
	errorSinks []*engine.DataStream        // the sinks of the error rows of the operators that route them
}

// Build returns the stream of Row values (and error rows) that n produces. A subtree equal to one the
// compiler has built already (the same scans, projections, filters, window TVFs and aggregations, with the
// same parameters) is not built again: its stream is read twice, as Flink's sub-plan reuse
// ('table.optimizer.reuse-sub-plan-enabled', default true) shares it. Nexmark q5 aggregates the same HOP
// window of the bids in both of its join's inputs; it runs once.
func (c *Compiler) Build(n Node) (*engine.DataStream, error) {
	key, reusable := reuseKey(n)
	if s, ok := c.built[key]; ok && reusable {
		return s, nil
	}
	s, err := c.build(n)
	if err == nil && reusable {
		if c.built == nil {
			c.built = map[string]*engine.DataStream{}
		}
		c.built[key] = s
	}
	return s, err
}

// reuseKey identifies what n computes, for the node kinds whose subtrees Build reuses: every parameter
// the compiled operators read, the output columns' names and types (which decide what the expressions
// above refer to), and the inputs' keys; a scan is its catalog table. It reports false for any other kind
// of node or input.
func reuseKey(n Node) (string, bool) {
	var b strings.Builder
	exprs := func(es []*cexpr) {
		for _, e := range es {
			if e == nil {
				b.WriteString("nil;")
				continue
			}
			fmt.Fprintf(&b, "%s#%d:%s;", e.text, e.ref, e.typ)
		}
	}
	aggs := func(as []*aggCall) {
		for _, a := range as {
			fmt.Fprintf(&b, "%s/%t;", a.text, a.distinct)
		}
	}
	var inputs []Node
	switch x := n.(type) {
	case *ScanNode:
		fmt.Fprintf(&b, "scan(%p)", x.Table)
	case *CalcNode:
		b.WriteString("calc(")
		exprs(x.Exprs)
		exprs([]*cexpr{x.Filter})
		inputs = []Node{x.Input}
	case *WindowTVFNode:
		fmt.Fprintf(&b, "tvf(%+v", x.Window)
		inputs = []Node{x.Input}
	case *WindowAggregateNode:
		fmt.Fprintf(&b, "windowagg(%+v|%v|", x.Window, x.Props)
		exprs(x.Keys)
		aggs(x.Aggs)
		inputs = []Node{x.Input}
	case *AggregateNode:
		fmt.Fprintf(&b, "agg(%d,%d|", x.WindowStart, x.WindowEnd)
		exprs(x.Keys)
		aggs(x.Aggs)
		inputs = []Node{x.Input}
	default:
		return "", false
	}
	b.WriteString(")[")
	for _, c := range n.Columns() {
		fmt.Fprintf(&b, "%s:%s;", c.Name, c.Type)
	}
	b.WriteString("]")
	for _, in := range inputs {
		k, ok := reuseKey(in)
		if !ok {
			return "", false
		}
		b.WriteString("<" + k + ">")
	}
	return b.String(), true
}

// build compiles n (see Build).
func (c *Compiler) build(n Node) (*engine.DataStream, error) {
	switch x := n.(type) {
	case *ScanNode:
		return c.scan(x)
	case *ValuesNode:
		elems := make([]any, len(x.Rows))
		for i, r := range x.Rows {
			elems[i] = Row{Kind: Insert, Fields: r}
		}
		if len(elems) == 0 {
			return c.Env.FromSource(engine.SliceSource(nil), nil, "Values"), nil
		}
		return c.Env.FromSlice(elems).Name("Values"), nil
	case *CalcNode:
		if s, ok := c.projectedScan(x); ok {
			return s, nil
		}
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		if x.Filter == nil && isIdentity(x.Exprs, len(x.Input.Columns())) {
			return in, nil // a projection that only renames columns needs no operator
		}
		return c.markClean(c.rowOperator(in, calcFunc(x.Filter, x.Exprs), hasProctime(x.Exprs)).Name(x.Describe())), nil
	case *AggregateNode:
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		if x.WindowEnd >= 0 {
			return windowedGroupAggregate(in, x), nil
		}
		return groupAggregate(in, x, c.Batch), nil
	case *WindowTVFNode:
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		return windowTVF(in, x), nil
	case *WindowAggregateNode:
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		return windowAggregate(c.checkAggArgs(c.Checked(in), x.Keys, x.Aggs), x), nil
	case *JoinNode:
		l, err := c.Build(x.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.Build(x.Right)
		if err != nil {
			return nil, err
		}
		if x.Type == SemiJoin || x.Type == AntiJoin {
			return semiAntiJoin(l, r, x, c.StateTTL), nil
		}
		return regularJoin(l, r, x, c.StateTTL), nil
	case *TemporalJoinNode:
		l, err := c.Build(x.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.Build(x.Right)
		if err != nil {
			return nil, err
		}
		return compileTemporalJoin(c.Checked(l), c.Checked(r), x), nil
	case *IntervalJoinNode:
		l, err := c.Build(x.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.Build(x.Right)
		if err != nil {
			return nil, err
		}
		return intervalJoin(c.Checked(l), c.Checked(r), x), nil
	case *OverAggregateNode:
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		return overAggregate(in, x), nil
	case *SortNode:
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		return compileSort(in, x, c.Batch)
	case *WindowJoinNode:
		l, err := c.Build(x.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.Build(x.Right)
		if err != nil {
			return nil, err
		}
		return windowJoin(l, r, x), nil
	case *RankNode:
		if x.N == 0 {
			return nil, fmt.Errorf("%w: %s() OVER (...) runs only as a Top-N: filter it in an outer query (WHERE rn <= N), as Flink requires in streaming", ErrUnsupported, x.rankFunc())
		}
		if x.Func != "" && !c.Batch {
			// Flink's StreamExecRank runs only ROW_NUMBER.
			return nil, fmt.Errorf("%w: %s() on streaming table is not supported currently", ErrUnsupported, x.Func)
		}
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		if x.Func != "" {
			return batchRank(in, x), nil
		}
		if x.Window != nil {
			return windowTopN(in, x), nil
		}
		return topN(in, x), nil
	case *MatchRecognizeNode:
		in, err := c.Build(x.Input)
		if err != nil {
			return nil, err
		}
		return compileMatchRecognize(in, c.Checked(in), x)
	case *UnionNode:
		var ins []*engine.DataStream
		for _, i := range x.Ins {
			s, err := c.Build(i)
			if err != nil {
				return nil, err
			}
			ins = append(ins, s)
		}
		return ins[0].Union(ins[1:]...), nil
	}
	return nil, fmt.Errorf("%w: plan node %T", ErrUnsupported, n)
}

// projectedScan reads a projection of a 'weir-nexmark' table straight from its connector, as Flink pushes a
// projection into a source that supports it (SupportsProjectionPushDown): the readers build rows of the
// projected columns, and no Calc operator runs. It applies to a Calc without a filter whose expressions are
// distinct column references or PROCTIME(), keeping the watermark's column, over such a table without
// computed or metadata columns; it reports false for any other Calc, which then runs as an operator. The
// readers stamp a PROCTIME() column with their subtask's processing time as they read the row, which is
// what the Calc chained to them would read (a column of a processing-time attribute's type, which no DDL
// declares as physical, tells the connector).
func (c *Compiler) projectedScan(x *CalcNode) (*engine.DataStream, bool) {
	sc, ok := x.Input.(*ScanNode)
	if !ok || x.Filter != nil {
		return nil, false
	}
	t := sc.Table
	if t.Stream != nil || t.Options["connector"] != "weir-nexmark" || len(t.physical()) != len(t.Columns) {
		return nil, false
	}
	seen := map[int]bool{}
	cols := make([]Column, len(x.Exprs))
	for i, e := range x.Exprs {
		if e.proctime {
			cols[i] = Column{Name: e.text, Type: e.typ}
			continue
		}
		if e.ref == 0 || seen[e.ref] {
			return nil, false
		}
		seen[e.ref] = true
		cols[i] = t.Columns[e.ref-1]
	}
	if wm := t.Watermark; wm != nil {
		if !seen[t.columnIndex(wm.Column)+1] || IsSourceWatermark(wm.Expr) {
			return nil, false
		}
		if _, err := (&binder{scope: newScope(cols, "")}).bind(wm.Expr); err != nil {
			return nil, false // the watermark reads a column left out
		}
	}
	p := *t
	p.Columns = cols
	s, err := c.scan(&ScanNode{Table: &p})
	return s, err == nil
}

// scan reads a table: its connector or DataStream, then its computed columns and its watermark.
func (c *Compiler) scan(x *ScanNode) (*engine.DataStream, error) {
	t := x.Table
	var s *engine.DataStream
	var conn *connector
	par := 0 // the source's parallelism, which the operators below take; 0: the job's
	strategy, err := sqlWatermarkStrategy(t, false)
	if err != nil {
		return nil, err
	}
	inSource := false // whether the source's readers assign the strategy (Flink's watermark push-down)
	if t.Stream != nil {
		s = t.Stream
	} else {
		conn, err = connectorFor(t, sqlparse.Pos{})
		if err != nil {
			return nil, err
		}
		conn.newReplay = c.NewReplayControl
		// A connector that builds rows of all the table's columns itself may take the strategy, so that no
		// operator between its readers and the query assigns it.
		var pushed *engine.WatermarkStrategy
		if strategy != nil && len(t.physical()) == len(t.Columns) && conn.takesWatermarks() {
			if pushed, err = sqlWatermarkStrategy(t, conn.orderedBy(t.Watermark.Column)); err != nil {
				return nil, err
			}
			inSource = true
		}
		if s, par, err = conn.source(c.Env, t, pushed); err != nil {
			return nil, err
		}
	}
	// The operators of the scan take its source's parallelism, as Flink's StreamExecWatermarkAssigner and
	// StreamExecCalc take their input's: a DataStream's rows keep their order into the query's first
	// exchange, so that a keyed operator sees each key's rows in the stream's order.
	withPar := func(d *engine.DataStream) *engine.DataStream {
		switch {
		case par > 0:
			return d.SetParallelism(par)
		case t.Stream != nil:
			return d.InheritParallelism(t.Stream)
		}
		return d
	}
	// Computed columns, evaluated in order against the columns before them.
	var computed []*cexpr
	var phys []Column
	var slots []int // for each column: index into the row the source reads, or -1 for a computed one
	nphys, nmeta := len(t.physical()), 0
	for _, col := range t.Columns {
		switch {
		case col.Expr != nil:
			b := &binder{scope: newScope(t.Columns[:len(slots)], "")}
			ce, err := b.bind(col.Expr)
			if err != nil {
				return nil, err
			}
			computed = append(computed, ce)
			slots = append(slots, -1)
		case col.Metadata: // the connector appends the metadata columns to the physical ones
			slots = append(slots, nphys+nmeta)
			nmeta++
		default:
			phys = append(phys, col)
			slots = append(slots, len(phys)-1)
		}
	}
	if len(computed) > 0 || nmeta > 0 {
		f := func(v any, now int64) (any, bool) {
			r, ok := v.(Row)
			if !ok {
				return v, true
			}
			full := make([]any, len(slots))
			k := 0
			for i, sl := range slots {
				if sl >= 0 {
					full[i] = r.Fields[sl]
					continue
				}
				if computed[k].proctime {
					full[i] = time.UnixMilli(now).UTC()
					k++
					continue
				}
				val, err := computed[k].eval(full[:i])
				k++
				if err != nil {
					return errorRow{err.Error()}, true
				}
				full[i] = val
			}
			return Row{Kind: r.Kind, Fields: full}, true
		}
		s = withPar(c.rowOperator(s, f, hasProctime(computed)).Name("Computed columns"))
		if t.Stream == nil {
			c.markClean(s)
		}
	} else if t.Stream == nil {
		c.markClean(s) // a connector's source emits rows only
	}
	if wm := t.Watermark; wm != nil && IsSourceWatermark(wm.Expr) {
		if t.Stream == nil {
			return nil, fmt.Errorf("%w: table %s: SOURCE_WATERMARK() needs a source that emits watermarks; Weir's connectors do not: declare WATERMARK FOR %s AS %s - INTERVAL 'n' SECOND", ErrUnsupported, t.Name, wm.Column, wm.Column)
		}
	} else if wm != nil && conn != nil && conn.watermarksInSource(t) {
		// The source emits the table's watermarks itself, per partition (Flink's watermark push-down).
	} else if wm != nil && inSource {
		// The connector's readers assign the table's timestamps and watermarks (conn.source took strategy).
	} else if wm != nil {
		wmd := withPar(s.AssignTimestampsAndWatermarks(*strategy))
		if c.clean[s] {
			c.markClean(wmd)
		}
		s = wmd
	}
	return s, nil
}

// sqlWatermarkStrategy returns the watermark strategy of table t's WATERMARK FOR clause, or nil if it has
// none or declares SOURCE_WATERMARK(). Flink SQL's watermark is the largest value of the watermark
// expression so far; Weir emits it after every row (Flink: every pipeline.auto-watermark-interval), so
// that which rows are late does not depend on timing. A record's timestamp is its row's time attribute.
//
// ordered says that each of the source's readers returns its rows in the order of the time attribute
// (weir-nexmark's do). Then, for the form ts - INTERVAL 'n' unit, the watermark is emitted after every
// watermarkEvery-th row and periodically instead: a row's watermark is at most its own ts less n, so no
// row of an ordered reader can be late, wherever it goes, however often the watermark is emitted, and
// the result is the same.
func sqlWatermarkStrategy(t *Table, ordered bool) (*engine.WatermarkStrategy, error) {
	wm := t.Watermark
	if wm == nil || IsSourceWatermark(wm.Expr) {
		return nil, nil
	}
	ti := t.columnIndex(wm.Column)
	ce, err := (&binder{scope: newScope(t.Columns, "")}).bind(wm.Expr)
	if err != nil {
		return nil, err
	}
	// The common form "ts - INTERVAL 'n' unit" needs no evaluation: the record's timestamp is ts.
	delay := int64(-1)
	if b, ok := wm.Expr.(*sqlparse.Binary); ok && b.Op == "-" {
		id, isID := b.L.(*sqlparse.Ident)
		iv, isIv := b.R.(*sqlparse.Interval)
		if isID && isIv && len(id.Parts) == 1 && id.Parts[0] == wm.Column {
			if ms, err := intervalMillis(iv); err == nil && ms >= 0 {
				delay = ms
			}
		}
	}
	batched := ordered && delay >= 0
	strategy := engine.ForGenerator("WATERMARK FOR "+wm.Column+" AS "+ExprString(wm.Expr), func() engine.WatermarkGenerator {
		return &sqlWatermarks{expr: ce, max: engine.NoTimestamp, delay: delay, batched: batched}
	}).WithTimestampAssigner(func(v any, prev int64) int64 {
		r, ok := v.(Row)
		if !ok {
			return prev
		}
		if ts, ok := r.Fields[ti].(time.Time); ok {
			return ts.UnixMilli()
		}
		return engine.NoTimestamp
	})
	if !batched {
		strategy = strategy.WithPerRecordEmission()
	}
	return &strategy, nil
}

// watermarkEvery is how many rows of an ordered source pass between two of its watermarks (see
// sqlWatermarkStrategy).
const watermarkEvery = 64

// sqlWatermarks is the watermark generator of a table's WATERMARK FOR clause.
type sqlWatermarks struct {
	expr  *cexpr
	max   int64
	delay int64 // for "ts - INTERVAL": the interval in milliseconds; -1 for any other expression
	// batched emits the watermark after every watermarkEvery-th row (rows counts them), not after each.
	batched bool
	rows    int
}

func (g *sqlWatermarks) OnEvent(v any, ts int64, out engine.WatermarkOutput) {
	if g.delay >= 0 {
		if ts != engine.NoTimestamp && ts-g.delay > g.max {
			g.max = ts - g.delay
		}
		if g.batched {
			if g.rows++; g.rows == watermarkEvery {
				g.rows = 0
				g.OnPeriodicEmit(out)
			}
		}
		return
	}
	r, ok := v.(Row)
	if !ok {
		return
	}
	w, err := g.expr.eval(r.Fields)
	if t, ok := w.(time.Time); ok && err == nil && t.UnixMilli() > g.max {
		g.max = t.UnixMilli()
	}
}

func (g *sqlWatermarks) OnPeriodicEmit(out engine.WatermarkOutput) {
	if g.max != engine.NoTimestamp {
		out.EmitWatermark(g.max)
	}
}

// isIdentity reports whether exprs read input columns 0..n-1 in order, unchanged.
func isIdentity(exprs []*cexpr, n int) bool {
	if len(exprs) != n {
		return false
	}
	for i, e := range exprs {
		if e.ref != i+1 {
			return false
		}
	}
	return true
}

// calcFunc filters and projects rows, keeping their kind. Each output row is one allocation (see rowBlock),
// which holds the values of the expressions computed unboxed and of PROCTIME() as well.
func calcFunc(filter *cexpr, exprs []*cexpr) rowFunc {
	slots := make([]slotKind, len(exprs))
	for i, e := range exprs {
		switch {
		case e.proctime:
			slots[i] = timeSlot
		case e.evalFloat != nil && e.ref == 0:
			slots[i] = float64Slot
		}
	}
	block := newRowBlock(len(exprs), slots)
	// A column of a type coerce leaves alone is copied as it is, without calling its eval and coerce.
	copied := make([]bool, len(exprs))
	for i, e := range exprs {
		copied[i] = e.ref > 0 && coerce(int64(0), e.typ) == any(int64(0))
	}
	return func(v any, now int64) (any, bool) {
		r, ok := v.(Row)
		if !ok {
			return v, true
		}
		if filter != nil {
			keep, err := filter.eval(r.Fields)
			if err != nil {
				return errorRow{err.Error()}, true
			}
			if keep != true {
				return nil, false
			}
		}
		p, fields := block.newRow()
		for i, e := range exprs {
			if copied[i] {
				fields[i] = r.Fields[e.ref-1]
				continue
			}
			if e.proctime {
				block.setTime(p, fields, i, time.UnixMilli(now).UTC())
				continue
			}
			if slots[i] == float64Slot {
				f, null, err := e.evalFloat(r.Fields)
				if err != nil {
					return errorRow{err.Error()}, true
				}
				if !null {
					block.setFloat64(p, fields, i, f)
				}
				continue
			}
			val, err := e.eval(r.Fields)
			if err != nil {
				return errorRow{err.Error()}, true
			}
			fields[i] = coerce(val, e.typ)
		}
		return block.row(p, r.Kind, fields), true
	}
}

// rowFunc maps a record to at most one record (ok false: none) at processing time now (milliseconds), as an
// operator that computes PROCTIME() does; its result is an error row when an expression fails.
type rowFunc func(v any, now int64) (out any, ok bool)

// checkAggArgs returns in with the rows on which a grouping key or an argument of aggs fails (a division by
// zero, a bad CAST) turned into error rows that fail the job, for an aggregation that cannot emit one itself
// (a window's key selector and accumulator's Add, slicing.go): such a row was left out of its window, or
// grouped under no key, silently. in itself when every key and argument only reads a column. Flink fails
// the job with the generated code's exception.
func (c *Compiler) checkAggArgs(in *engine.DataStream, keys []*cexpr, aggs []*aggCall) *engine.DataStream {
	var args []*cexpr
	for _, k := range keys {
		if k != nil && k.ref == 0 {
			args = append(args, k)
		}
	}
	for _, a := range aggs {
		if a.arg != nil && a.arg.ref == 0 {
			args = append(args, a.arg)
		}
	}
	if len(args) == 0 {
		return in
	}
	return c.rowOperator(in, func(v any, _ int64) (any, bool) {
		r, ok := v.(Row)
		if !ok {
			return v, true
		}
		for _, a := range args {
			if _, err := a.eval(r.Fields); err != nil {
				return errorRow{err.Error()}, true
			}
		}
		return v, true
	}, false).Name("Check aggregate arguments")
}

// rowOperator runs f on each record of in as one operator, Flink's Calc: the rows f returns go on, and error
// rows, f's and in's, go to a side output whose sink fails the job, so the stream it returns carries none.
// With proctime, now is the processing time of the operator's subtask, which runs in the chain of in (same
// parallelism), so that PROCTIME() is the time at which the row was read; without, now is 0.
func (c *Compiler) rowOperator(in *engine.DataStream, f rowFunc, proctime bool) *engine.DataStream {
	out := in.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		var now int64
		if proctime {
			now = ctx.CurrentProcessingTime()
		}
		if _, ok := v.(errorRow); !ok {
			if v, ok = f(v, now); !ok {
				return
			}
		}
		if _, ok := v.(errorRow); ok {
			ctx.Output(errorTag, v)
			return
		}
		out.Collect(v)
	}})
	if proctime {
		out = out.InheritParallelism(in)
	}
	c.errorSinks = append(c.errorSinks, failOnErrorOutput(out))
	return out
}

func hasProctime(exprs []*cexpr) bool {
	for _, e := range exprs {
		if e.proctime {
			return true
		}
	}
	return false
}

// rowKeySelector returns the key selector of rows by the given key expressions: the group key of their
// values. A record that is not a Row (an error row) or a row whose key cannot be computed goes to the group of
// the empty key, so it passes through the keyed operator that follows.
func rowKeySelector(keys []*cexpr) engine.KeySelector {
	return func(v any) any {
		r, ok := v.(Row)
		if !ok {
			return ""
		}
		k, err := stateKeyOf(keys, r)
		if err != nil {
			return ""
		}
		return k
	}
}

// keyOf evaluates grouping expressions on a row.
func keyOf(keys []*cexpr, r Row) ([]any, error) {
	vals := make([]any, len(keys))
	for i, k := range keys {
		if k == nil {
			continue
		}
		v, err := k.eval(r.Fields)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

var stateDesc = engine.State("group")

// groupAggregate is Flink's GroupAggFunction on a KeyedStream: per group, a record count and retractable
// accumulators in ValueState. For each input row it accumulates (+I, +U) or retracts (-U, -D), then emits:
// +I with the first row of a group; -U of the previous result and +U of the new one when the result
// changed (nothing when it did not); -D of the previous result when the group's last row is retracted.
//
// In batch mode (final) it emits nothing per row: an event-time timer at the end of time, which fires
// when the key's input has ended, emits the group's final row as +I.
func groupAggregate(in *engine.DataStream, n *AggregateNode, final bool) *engine.DataStream {
	keys, aggs := n.Keys, n.Aggs
	if !n.Input.Updating() {
		aggs = appendOnlyAggs(aggs)
	}
	keyed := in.KeyBy(rowKeySelector(keys))
	updates := newUpdateBlock(len(keys) + len(aggs))
	return keyed.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		var argBuf [8]any
		args, err := aggArgs(argBuf[:], aggs, r)
		if err != nil {
			out.Collect(errorRow{err.Error()})
			return
		}
		st := ctx.ValueState(stateDesc)
		var gs *groupState
		// The results before the row (on the stack for up to 8 aggregates): the rows of the update are
		// built only when the results change.
		var before [8]any
		prev, first := before[:0], true
		if cur, ok := st.Get(); ok {
			gs = cur.(*groupState) // changed in place (see groupState)
			first = false
			prev = aggResults(prev, aggs, gs.Accs)
		} else {
			if !r.Kind.IsAccumulate() {
				return // retracting a group that does not exist: Flink ignores it
			}
			key, err := keyOf(keys, r)
			if err != nil {
				out.Collect(errorRow{err.Error()})
				return
			}
			for i, v := range key {
				key[i] = detached(v) // the key outlives the row
			}
			gs = &groupState{Key: key, Accs: make([]aggAcc, len(aggs))}
		}
		kv := gs.Key
		sign := int64(1)
		if !r.Kind.IsAccumulate() {
			sign = -1
		}
		gs.Rows += sign
		for i, a := range aggs {
			a.accumulate(&gs.Accs[i], args[i], sign)
		}
		if gs.Rows <= 0 {
			if !first {
				out.Collect(Row{Kind: Delete, Fields: append(append(make([]any, 0, len(kv)+len(prev)), kv...), prev...)})
			}
			st.Clear()
			return
		}
		st.Update(gs)
		if final {
			ctx.RegisterEventTimeTimer(math.MaxInt64)
			return
		}
		var after [8]any
		next := aggResults(after[:0], aggs, gs.Accs)
		switch {
		case first:
			out.Collect(Row{Kind: Insert, Fields: append(append(make([]any, 0, len(kv)+len(next)), kv...), next...)})
		case !equalRows(prev, next):
			ub, ua := updates.rows(kv, prev, next)
			out.Collect(ub)
			out.Collect(ua)
		}
	}, OnTimer: func(ctx *engine.Context, _ int64, out engine.Collector) {
		cur, ok := ctx.ValueState(stateDesc).Get()
		if !ok {
			return
		}
		gs := cur.(*groupState)
		out.Collect(Row{Kind: Insert, Fields: aggRow(gs.Key, aggs, gs.Accs)})
	}}).Name(n.Describe())
}

// aggArgs evaluates each aggregate call's argument on r (nil for COUNT(*)), into buf when it is long
// enough (a caller's array on its stack).
func aggArgs(buf []any, aggs []*aggCall, r Row) ([]any, error) {
	args := buf[:0]
	if cap(args) < len(aggs) {
		args = make([]any, 0, len(aggs))
	}
	for _, a := range aggs {
		var v any
		if a.arg != nil {
			var err error
			if v, err = a.arg.eval(r.Fields); err != nil {
				return nil, err
			}
		}
		args = append(args, v)
	}
	return args, nil
}

func cloneAccs(accs []aggAcc) []aggAcc {
	out := make([]aggAcc, len(accs))
	for i, a := range accs {
		out[i] = a
		if a.Vals != nil {
			out[i].Vals = make(map[string]int64, len(a.Vals))
			out[i].Orig = make(map[string]any, len(a.Orig))
			for k, v := range a.Vals {
				out[i].Vals[k] = v
				out[i].Orig[k] = a.Orig[k]
			}
		}
	}
	return out
}

// aggRow is a group's row: its keys, then its aggregates' results.
func aggRow(keys []any, aggs []*aggCall, accs []aggAcc) []any {
	return aggResults(append(make([]any, 0, len(keys)+len(aggs)), keys...), aggs, accs)
}

// aggResults appends the aggregates' results to dst.
func aggResults(dst []any, aggs []*aggCall, accs []aggAcc) []any {
	for i, a := range aggs {
		dst = append(dst, a.result(&accs[i]))
	}
	return dst
}
