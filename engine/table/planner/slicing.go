package planner

import (
	"time"

	"github.com/de4e/weir/engine"
)

var groupSlicesDesc = engine.State("hop-slices")

// slicesHop reports whether a window aggregation runs as slicing: an event-time HOP whose size is a
// multiple of its slide, so that each window is the union of size/slide slices of one slide each.
func slicesHop(w WindowSpec) bool {
	return w.Kind == Hop && !w.Proctime && w.Slide > 0 && w.Size%w.Slide == 0
}

// hopSlice is one slice of a group in a slicing HOP window aggregation: the slice's end and its rows'
// accumulators (the group's key is kept once, in groupSlices, not in each slice's Acc).
type hopSlice struct {
	End int64
	Acc windowAcc
}

// groupSlices is one group's slices in a slicing HOP window aggregation, kept in one ValueState: its
// grouping values and its slices in the order of their ends. A group holds the slices of the windows that
// have not fired yet (size/slide of them, and more with rows ahead of the watermark), so a row finds its
// slice by a short scan from the newest, and a window reads its slices as one run of the list. The
// operator changes it in place: it is a state.Mutable, copied by a heap snapshot only when a row changes it
// after the snapshot.
type groupSlices struct {
	Key    []any
	Slices []hopSlice
}

// CopyState returns a copy of g that shares nothing the aggregation changes in place (the key's values are
// never changed).
func (g *groupSlices) CopyState() any {
	c := &groupSlices{Key: g.Key, Slices: make([]hopSlice, len(g.Slices))}
	for i, s := range g.Slices {
		c.Slices[i] = hopSlice{End: s.End, Acc: windowAcc{Rows: s.Acc.Rows, Accs: cloneAccs(s.Acc.Accs)}}
	}
	return c
}

// slice returns the slice ending at end, inserting an empty one (with n accumulators) where its end
// belongs if there is none; created says whether it did.
func (g *groupSlices) slice(end int64, n int) (s *hopSlice, created bool) {
	i := len(g.Slices)
	for i > 0 && g.Slices[i-1].End >= end {
		if g.Slices[i-1].End == end {
			return &g.Slices[i-1], false
		}
		i--
	}
	g.Slices = append(g.Slices, hopSlice{})
	copy(g.Slices[i+1:], g.Slices[i:])
	g.Slices[i] = hopSlice{End: end, Acc: windowAcc{Accs: make([]aggAcc, n)}}
	return &g.Slices[i], true
}

func init() { engine.RegisterType(&groupSlices{}) }

// slicingHopAggregate is Flink's SlicingWindowOperator for a HOP window aggregation: each row is
// accumulated once, into its group's slice (one slide long), not into each of the size/slide windows that
// hold it; when the watermark passes a window's end the window's row is the merge of its slices, and the
// oldest of them, which no later window holds, is dropped. A group's slices are one value in ValueState
// (groupSlices), read and written back once per row and once per window. A group emits one +I row per
// window that holds any of its rows, on a timer per group and window: the slice's first window's timer is
// set when the slice gets its first row, and each firing window that shares a slice with the next sets the
// next one's. rows has had its late rows dropped (dropLate).
func slicingHopAggregate(rows *engine.DataStream, keySel engine.KeySelector, n *WindowAggregateNode, aggs []*aggCall) *engine.DataStream {
	w := n.Window
	slide, size, offset := w.Slide, w.Size, w.Offset
	keys := n.Keys
	rowsOut := newWindowRows(n.Props, aggs)
	return rows.KeyBy(keySel).Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		r, ok := v.(Row)
		if !ok {
			out.Collect(v)
			return
		}
		end := engine.WindowStart(ctx.Timestamp(), offset, slide) + slide
		st := ctx.ValueState(groupSlicesDesc)
		var g *groupSlices
		if cur, ok := st.Get(); ok {
			g = cur.(*groupSlices) // changed in place (see groupSlices)
		} else {
			g = &groupSlices{}
			g.Key, _ = keyOf(keys, r)
		}
		s, created := g.slice(end, len(aggs))
		if created {
			ctx.RegisterEventTimeTimer(end - 1)
		}
		addToWindowAcc(&s.Acc, aggs, r)
		st.Update(g)
	}, OnTimer: func(ctx *engine.Context, t int64, out engine.Collector) {
		end := t + 1
		first := end - size + slide // the end of the window's oldest slice
		st := ctx.ValueState(groupSlicesDesc)
		cur, ok := st.Get()
		if !ok {
			return
		}
		g := cur.(*groupSlices)
		// The window's slices, merged oldest first, so that a floating-point sum is added in the same order
		// on every run.
		var buf [4]aggAcc // the merged accumulators, without an allocation for up to four aggregates
		win := windowAcc{Key: g.Key, Accs: buf[:0]}
		if len(aggs) > len(buf) {
			win.Accs = make([]aggAcc, 0, len(aggs))
		}
		found := false
		later := false // whether a slice of this window is also in the next one
		for i := range g.Slices {
			s := &g.Slices[i]
			if s.End < first {
				continue
			}
			if s.End > end {
				break
			}
			if !found {
				found, win.Accs = true, win.Accs[:len(aggs)]
			}
			win.Rows += s.Acc.Rows
			for j, c := range aggs {
				c.merge(&win.Accs[j], s.Acc.Accs[j])
			}
			later = later || s.End > first
		}
		if !found {
			return
		}
		out.Collect(rowsOut.row(engine.Window{Start: end - size, End: end}, &win))
		drop := 0 // the slices no later window holds
		for drop < len(g.Slices) && g.Slices[drop].End <= first {
			drop++
		}
		switch {
		case drop == len(g.Slices):
			st.Clear()
		case drop > 0:
			g.Slices = append(g.Slices[:0], g.Slices[drop:]...)
			st.Update(g)
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

// windowRows builds the +I rows a window aggregation emits, one per group and window: its window
// properties and grouping keys in the order of props, then the aggregates. Each row is one allocation (see
// rowBlock), which holds the window's timestamps and the counts as well.
type windowRows struct {
	props []int
	aggs  []*aggCall
	count []bool // per aggregate: a COUNT without DISTINCT, an int64 kept in the block
	block *rowBlock
}

func newWindowRows(props []int, aggs []*aggCall) *windowRows {
	b := &windowRows{props: props, aggs: aggs, count: make([]bool, len(aggs))}
	slots := make([]slotKind, len(props)+len(aggs))
	for i, p := range props {
		if p == propStart || p == propEnd || p == propTime {
			slots[i] = timeSlot
		}
	}
	for i, c := range aggs {
		if c.fn == "COUNT" && !c.distinct {
			b.count[i], slots[len(props)+i] = true, int64Slot
		}
	}
	b.block = newRowBlock(len(slots), slots)
	return b
}

// row returns the row of window w for the group whose accumulators are acc.
func (b *windowRows) row(w engine.Window, acc *windowAcc) any {
	p, fields := b.block.newRow()
	for i, prop := range b.props {
		switch prop {
		case propStart:
			b.block.setTime(p, fields, i, time.UnixMilli(w.Start).UTC())
		case propEnd:
			b.block.setTime(p, fields, i, time.UnixMilli(w.End).UTC())
		case propTime:
			b.block.setTime(p, fields, i, time.UnixMilli(w.End-1).UTC())
		default:
			fields[i] = acc.Key[i]
		}
	}
	for i, c := range b.aggs {
		if b.count[i] {
			b.block.setInt64(p, fields, len(b.props)+i, acc.Accs[i].Count)
			continue
		}
		fields[len(b.props)+i] = c.result(&acc.Accs[i])
	}
	return b.block.row(p, Insert, fields)
}
