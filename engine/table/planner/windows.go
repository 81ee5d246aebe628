package planner

import (
	"fmt"
	"time"

	"github.com/de4e/weir/engine"
)

func ms(d int64) time.Duration { return time.Duration(d) * time.Millisecond }

// assigner returns the engine's window assigner for a window TVF: in event time, or in processing time
// for a window on a PROCTIME() attribute.
func (w WindowSpec) assigner() engine.WindowAssigner {
	a := w.timeAssigner()
	if w.Proctime {
		return rowProcTimeWindows{WindowAssigner: a, col: w.TimeCol}
	}
	return a
}

// rowProcTimeWindows assigns a row to the processing-time windows of its PROCTIME() value (column col): the
// processing time at which the operator that computed it, in its source's chain, read the row. Flink's
// window operator reads its own clock instead; the two differ by the time the row takes to reach the
// window, and the row's own time makes the windows independent of how the channels into the window
// interleave, so that with engine.Config.DeterministicTime the result is the same on every run. Windows
// still fire when the operator's processing time passes their end.
type rowProcTimeWindows struct {
	engine.WindowAssigner
	col int
}

func (a rowProcTimeWindows) AssignWindows(v any, ts, now int64, buf []engine.Window) []engine.Window {
	if r, ok := v.(Row); ok {
		if t, ok := r.Fields[a.col].(time.Time); ok {
			now = t.UnixMilli()
		}
	}
	return a.WindowAssigner.AssignWindows(v, ts, now, buf)
}

func (w WindowSpec) timeAssigner() engine.WindowAssigner {
	switch {
	case w.Kind == Tumble && w.Proctime:
		return engine.TumblingProcessingTimeWindows(ms(w.Size), ms(w.Offset))
	case w.Kind == Tumble:
		return engine.TumblingEventTimeWindows(ms(w.Size), ms(w.Offset))
	case w.Kind == Hop && w.Proctime:
		return engine.SlidingProcessingTimeWindows(ms(w.Size), ms(w.Slide), ms(w.Offset))
	case w.Kind == Hop:
		return engine.SlidingEventTimeWindows(ms(w.Size), ms(w.Slide), ms(w.Offset))
	case w.Kind == Cumulate:
		return cumulateWindows{size: w.Size, step: w.Step, proctime: w.Proctime}
	case w.Proctime:
		return engine.ProcessingTimeSessionWindows(ms(w.Gap))
	}
	return engine.EventTimeSessionWindows(ms(w.Gap))
}

// cumulateWindows is Flink's CUMULATE window: windows of the max size aligned to epoch, each cut into
// windows [start, start+step), [start, start+2*step), ... [start, start+size); a row belongs to every one
// of them whose end is after its timestamp, or its processing time with proctime (Flink:
// CumulativeSliceAssigner).
type cumulateWindows struct {
	size, step int64
	proctime   bool
}

func (c cumulateWindows) AssignWindows(_ any, ts, now int64, buf []engine.Window) []engine.Window {
	if c.proctime {
		ts = now
	}
	start := engine.WindowStart(ts, 0, c.size)
	for end := start + c.step; end <= start+c.size; end += c.step {
		if end > ts {
			buf = append(buf, engine.Window{Start: start, End: end})
		}
	}
	return buf
}
func (c cumulateWindows) DefaultTrigger() engine.Trigger {
	if c.proctime {
		return engine.ProcessingTimeTrigger()
	}
	return engine.EventTimeTrigger()
}
func (c cumulateWindows) IsEventTime() bool { return !c.proctime }
func (c cumulateWindows) Merging() bool     { return false }
func (c cumulateWindows) String() string {
	if c.proctime {
		return fmt.Sprintf("CumulativeProcessingTimeWindows(%v, %v)", ms(c.size), ms(c.step))
	}
	return fmt.Sprintf("CumulativeEventTimeWindows(%v, %v)", ms(c.size), ms(c.step))
}

// windowTVF assigns each row to its windows and appends window_start, window_end and window_time
// (window_end - 1 ms), one output row per window (HOP and CUMULATE give several). SESSION windows are
// known only when they close, so a SESSION TVF without aggregation emits its rows when the session ends.
func windowTVF(in *engine.DataStream, n *WindowTVFNode) *engine.DataStream {
	assign := n.Window.assigner()
	if n.Window.Kind == Session {
		keyCols := n.Window.PartitionBy
		return in.KeyBy(func(v any) any {
			r, ok := v.(Row)
			if !ok {
				return ""
			}
			vals := make([]any, len(keyCols))
			for i, k := range keyCols {
				vals[i] = r.Fields[k]
			}
			return groupKey(vals)
		}).Window(assign).Process(func(ctx *engine.WindowContext, _ any, elements []any, out engine.Collector) {
			w := ctx.Window()
			for _, e := range elements {
				if r, ok := e.(Row); ok {
					out.Collect(withWindow(r, w))
				} else {
					out.Collect(e)
				}
			}
		}).Name(n.Describe())
	}
	return in.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		for _, w := range assign.AssignWindows(v, ctx.Timestamp(), ctx.CurrentProcessingTime(), nil) {
			// Flink drops a row whose window has already fired downstream only in the aggregation, so
			// the TVF emits every row.
			out.Collect(withWindow(r, w))
		}
	}}).Name(n.Describe())
}

func withWindow(r Row, w engine.Window) Row {
	f := make([]any, 0, len(r.Fields)+3)
	f = append(f, r.Fields...)
	f = append(f, time.UnixMilli(w.Start).UTC(), time.UnixMilli(w.End).UTC(), time.UnixMilli(w.End-1).UTC())
	return Row{Kind: r.Kind, Fields: f}
}

// windowAggregate is Flink's window aggregation over a window TVF: keyed by the grouping keys that are not
// window properties, windowed by the TVF's assigner with its event-time trigger, aggregated incrementally;
// each window emits one +I row per group when the watermark passes its end. Late rows (their window has
// fired) are dropped, as in Flink. in carries no error rows (Compiler.Checked).
func windowAggregate(in *engine.DataStream, n *WindowAggregateNode) *engine.DataStream {
	keys, aggs := n.Keys, appendOnlyAggs(n.Aggs) // a window's rows are never retracted
	var session []int
	if n.Window.Kind == Session {
		session = n.Window.PartitionBy
	}
	keySel := func(v any) any {
		r, ok := v.(Row)
		if !ok {
			return ""
		}
		if len(session) == 0 {
			k, err := stateKeyOf(keys, r)
			if err != nil {
				return ""
			}
			return k
		}
		vals, err := keyOf(keys, r)
		if err != nil {
			return ""
		}
		for _, k := range session {
			vals = append(vals, r.Fields[k])
		}
		return stateKey(vals)
	}
	rows := in // checked by the caller (Compiler.Checked)
	if n.Window.Kind != Session && !n.Window.Proctime {
		rows = dropLate(rows, n.Window)
	}
	if slicesHop(n.Window) {
		return slicingHopAggregate(rows, keySel, n, aggs)
	}
	agg := engine.AggregateFunction{
		CreateAccumulator: func() any { return &windowAcc{Accs: make([]aggAcc, len(aggs))} },
		Add: func(v any, a any) any {
			// Changed in place: the window state snapshots a copy of it (windowAcc is a state.Mutable).
			acc := a.(*windowAcc)
			r := v.(Row)
			if acc.Key == nil {
				acc.Key, _ = keyOf(keys, r)
			}
			addToWindowAcc(acc, aggs, r)
			return acc
		},
		GetResult: func(a any) any { return a },
		Merge: func(a, b any) any {
			x, y := a.(*windowAcc), b.(*windowAcc)
			out := &windowAcc{Key: x.Key, Rows: x.Rows + y.Rows, Accs: cloneAccs(x.Accs)}
			if out.Key == nil {
				out.Key = y.Key
			}
			for i, c := range aggs {
				c.merge(&out.Accs[i], y.Accs[i])
			}
			return out
		},
	}
	rowsOut := newWindowRows(n.Props, aggs)
	return rows.KeyBy(keySel).Window(n.Window.assigner()).Aggregate(agg, func(ctx *engine.WindowContext, _ any, elements []any, out engine.Collector) {
		w := ctx.Window()
		for _, e := range elements {
			out.Collect(rowsOut.row(w, e.(*windowAcc)))
		}
	}).Name(n.Describe())
}

// sliceSize is the unit a slicing window aggregation stores rows in: the window for TUMBLE, the slide for
// HOP, the step for CUMULATE (Flink's SliceAssigners).
func (w WindowSpec) sliceSize() int64 {
	switch w.Kind {
	case Hop:
		return w.Slide
	case Cumulate:
		return w.Step
	}
	return w.Size
}

// dropLate drops the rows whose slice the watermark has passed (slice end - 1 <= watermark), as Flink's
// SlicingWindowOperator does: a late row is dropped from all its windows, even from a HOP or CUMULATE
// window that has not fired yet. Weir judges it with the watermark of the row's own input partition.
func dropLate(in *engine.DataStream, w WindowSpec) *engine.DataStream {
	size, offset := w.sliceSize(), w.Offset
	return in.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		end := engine.WindowStart(ctx.Timestamp(), offset, size) + size
		if end-1 <= ctx.CurrentWatermark() {
			return
		}
		out.Collect(v)
	}}).Name("Drop late rows")
}
