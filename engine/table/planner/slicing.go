package planner

import (
	"time"

	"github.com/de4e/weir/engine"
)

var sliceDesc = engine.State("window-slices")

// slicesHop reports whether a window aggregation runs as slicing: an event-time HOP whose size is a
// multiple of its slide, so that each window is the union of size/slide slices of one slide each.
func slicesHop(w WindowSpec) bool {
	return w.Kind == Hop && !w.Proctime && w.Slide > 0 && w.Size%w.Slide == 0
}

// slicingHopAggregate is Flink's SlicingWindowOperator for a HOP window aggregation: each row is
// accumulated once, into its group's slice (one slide long, kept in MapState by the slice's end), not into
// each of the size/slide windows that hold it; when the watermark passes a window's end the window's row is
// the merge of its slices, and the oldest of them, which no later window holds, is dropped. A group emits
// one +I row per window that holds any of its rows. rows has had its late rows dropped (dropLate).
func slicingHopAggregate(rows *engine.DataStream, keySel engine.KeySelector, n *WindowAggregateNode, aggs []*aggCall) *engine.DataStream {
	w := n.Window
	slide, size, offset := w.Slide, w.Size, w.Offset
	keys := n.Keys
	return rows.KeyBy(keySel).Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		end := engine.WindowStart(ctx.Timestamp(), offset, slide) + slide
		slices := ctx.MapState(sliceDesc)
		var acc *windowAcc
		if cur, ok := slices.Get(end); ok {
			acc = cur.(*windowAcc)
		} else {
			acc = &windowAcc{Accs: make([]aggAcc, len(aggs))}
			acc.Key, _ = keyOf(keys, r)
			ctx.RegisterEventTimeTimer(end - 1)
		}
		addToWindowAcc(acc, aggs, r)
		slices.Put(end, acc)
	}, OnTimer: func(ctx *engine.Context, t int64, out engine.Collector) {
		end := t + 1
		first := end - size + slide // the end of the window's oldest slice
		slices := ctx.MapState(sliceDesc)
		// One pass over the group's slices (cheaper than a lookup per slice); merged oldest first, so that a
		// floating-point sum is added in the same order on every run.
		in := make([]*windowAcc, size/slide)
		slices.Range(func(k, v any) bool {
			if e := k.(int64); e >= first && e <= end {
				in[(e-first)/slide] = v.(*windowAcc)
			}
			return true
		})
		var win *windowAcc
		later := false // whether a slice of this window is also in the next one
		for i, s := range in {
			if s == nil {
				continue
			}
			if win == nil {
				win = &windowAcc{Key: s.Key, Accs: make([]aggAcc, len(aggs))}
			}
			win.Rows += s.Rows
			for j, c := range aggs {
				c.merge(&win.Accs[j], s.Accs[j])
			}
			later = later || i > 0
		}
		if win == nil {
			return
		}
		out.Collect(windowRow(engine.Window{Start: end - size, End: end}, n.Props, aggs, win))
		if in[0] != nil {
			slices.Remove(first)
		}
		if later {
			ctx.RegisterEventTimeTimer(end + slide - 1)
		}
	}}).Name(n.Describe())
}

// addToWindowAcc accumulates a row into a window's (or slice's) accumulator; an argument that fails to
// evaluate is left out, as in the window aggregation.
func addToWindowAcc(acc *windowAcc, aggs []*aggCall, r Row) {
	acc.Rows++
	for i, c := range aggs {
		var arg any
		if c.arg != nil {
			var err error
			if arg, err = c.arg.eval(r.Fields); err != nil {
				continue // not reached: Compiler.checkAggArgs made such a row an error row before the window
			}
		}
		c.accumulate(&acc.Accs[i], arg, 1)
	}
}

// windowRow is the +I row a window aggregation emits for a group's window: its window properties and
// grouping keys in the order of props, then the aggregates.
func windowRow(w engine.Window, props []int, aggs []*aggCall, acc *windowAcc) Row {
	fields := make([]any, 0, len(props)+len(aggs))
	for i, p := range props {
		switch p {
		case propStart:
			fields = append(fields, time.UnixMilli(w.Start).UTC())
		case propEnd:
			fields = append(fields, time.UnixMilli(w.End).UTC())
		case propTime:
			fields = append(fields, time.UnixMilli(w.End-1).UTC())
		default:
			fields = append(fields, acc.Key[i])
		}
	}
	for i, c := range aggs {
		fields = append(fields, c.result(&acc.Accs[i]))
	}
	return Row{Kind: Insert, Fields: fields}
}
