package engine

import (
	"fmt"
	"reflect"

	"github.com/de4e/weir/engine/internal/state"
)

// The window operator's state tables: the contents per key and window, and each key's mergingSet (under the
// zero namespace) for merging windows.
const (
	windowContentsTable = "window-contents"
	mergingWindowsTable = "merging-windows"
)

// windowContents is where the window operator keeps each (key, window)'s contents: the reduced value, the
// accumulator or the element list. On the heap backend, for windows that do not merge, it is a
// namespace-major state.WindowTable (per window, key -> slot, dropped whole when its last key fires), keyed
// by the key's hash, with the built-in aggregates' accumulators kept unboxed; elsewhere it is the backend's
// plain table. Both snapshot the same entries under the same table name, so a checkpoint taken with one
// restores into the other.
type windowContents struct {
	t   stateTable         // the table on every backend (on the heap, wt itself when wt is set)
	wt  *state.WindowTable // heap backend, non-merging windows
	agg builtinAgg         // the built-in aggregate kept unboxed in wt's slots, if any
}

// open opens operator o's table name: on the heap backend, namespace-major if layout is set (the contents of
// windows that do not merge; the merging sets, all under the zero namespace, make one hash table of keys),
// with agg's accumulators unboxed.
func (c *windowContents) open(o *windowOp, name string, layout bool, agg builtinAgg) {
	*c = windowContents{}
	if h, ok := o.backend.(*state.Heap); ok && layout {
		c.agg = agg
		c.wt = h.WindowTable(name, agg.codec())
	}
	c.t = stateTable{o.backend.Table(name)}
}

// get returns the contents of the current key in window w.
func (c *windowContents) get(o *windowOp, w Window) (any, bool) {
	if c.wt == nil {
		o.ns = w
		return c.t.get(&o.opBase)
	}
	k := c.wt.Keys(state.Namespace(w))
	if k == nil {
		return nil, false
	}
	i := k.Find(o.hash, o.key)
	if i < 0 {
		return nil, false
	}
	return c.agg.codec().Box(k.At(i)), true
}

// put sets the contents of the current key in window w.
func (c *windowContents) put(o *windowOp, w Window, v any) {
	if c.wt == nil {
		o.ns = w
		c.t.put(&o.opBase, v)
		return
	}
	s, _ := c.wt.KeysOrNew(state.Namespace(w)).Upsert(o.kg, o.hash, o.key)
	*s = state.Slot{}
	c.agg.codec().Unbox(v, s)
}

// del removes the contents of the current key in window w and reports whether there were any.
func (c *windowContents) del(o *windowOp, w Window) bool {
	if c.wt == nil {
		o.ns = w
		n := c.t.t.Len()
		c.t.del(&o.opBase)
		return c.t.t.Len() < n // Len is exact on every backend
	}
	k := c.wt.Keys(state.Namespace(w))
	if k == nil {
		return false
	}
	i := k.Find(o.hash, o.key)
	if i < 0 {
		return false
	}
	k.Remove(i)
	return true
}

// add folds record r into the current key's contents in window w and reports whether the key had contents
// there before. Anything that can fail (the user's function, reading a field) runs before the state changes.
func (c *windowContents) add(o *windowOp, w Window, r record) bool {
	if c.wt == nil {
		o.ns = w
		cur, ok := c.t.get(&o.opBase)
		c.t.put(&o.opBase, o.fn.add(o, cur, ok, r))
		return ok
	}
	k := c.wt.KeysOrNew(state.Namespace(w))
	switch c.agg.kind {
	case aggCount:
		s, existed := k.Upsert(o.kg, o.hash, o.key)
		s.I++
		return existed
	case aggSum:
		x := Float(r.v, c.agg.field)
		s, existed := k.Upsert(o.kg, o.hash, o.key)
		s.F += x
		return existed
	case aggAverage:
		x := Float(r.v, c.agg.field)
		s, existed := k.Upsert(o.kg, o.hash, o.key)
		s.F += x
		s.I++
		return existed
	}
	if i := k.Find(o.hash, o.key); i >= 0 {
		k.At(i).V = o.fn.add(o, k.At(i).V, true, r)
		return true
	}
	v := o.fn.add(o, nil, false, r)
	s, _ := k.Upsert(o.kg, o.hash, o.key)
	s.V = v
	return false
}

// aggKind names a built-in AggregateFunction whose accumulator the window operator keeps unboxed.
type aggKind uint8

const (
	aggNone aggKind = iota
	aggCount
	aggSum     // SumOf: the sum in Slot.F
	aggAverage // AverageOf: the sum in Slot.F, the count in Slot.I
)

// builtinAgg marks the AggregateFunctions made by Count, SumOf and AverageOf.
type builtinAgg struct {
	kind  aggKind
	field string
}

// builtinKind returns what a is, if it is a built-in aggregate whose functions were not replaced: each of
// its four functions must still be the built-in's code.
func (a *AggregateFunction) builtinKind() builtinAgg {
	var ref AggregateFunction
	switch a.builtin.kind {
	case aggCount:
		ref = Count()
	case aggSum:
		ref = SumOf("")
	case aggAverage:
		ref = AverageOf("")
	default:
		return builtinAgg{}
	}
	same := func(x, y any) bool {
		vx, vy := reflect.ValueOf(x), reflect.ValueOf(y)
		return !vx.IsNil() && vx.Pointer() == vy.Pointer()
	}
	if !same(a.CreateAccumulator, ref.CreateAccumulator) || !same(a.Add, ref.Add) ||
		!same(a.GetResult, ref.GetResult) || !same(a.Merge, ref.Merge) {
		return builtinAgg{}
	}
	return a.builtin
}

// codec converts the unboxed slot of the aggregate to and from its accumulator (the zero codec keeps the
// value boxed in Slot.V).
func (b builtinAgg) codec() state.SlotCodec {
	switch b.kind {
	case aggCount:
		return countCodec
	case aggSum:
		return sumCodec
	case aggAverage:
		return averageCodec
	}
	return plainCodec
}

var (
	plainCodec = state.SlotCodec{
		Box:   func(s *state.Slot) any { return s.V },
		Unbox: func(v any, s *state.Slot) { s.V = v },
	}
	countCodec = state.SlotCodec{
		Box:   func(s *state.Slot) any { return s.I },
		Unbox: func(v any, s *state.Slot) { s.I = v.(int64) },
	}
	sumCodec = state.SlotCodec{
		Box:   func(s *state.Slot) any { return s.F },
		Unbox: func(v any, s *state.Slot) { s.F = v.(float64) },
	}
	averageCodec = state.SlotCodec{
		Box: func(s *state.Slot) any { return avgAcc{Sum: s.F, Count: s.I} },
		Unbox: func(v any, s *state.Slot) {
			a := v.(avgAcc)
			s.F, s.I = a.Sum, a.Count
		},
	}
)

// The window operator reads and changes a window's contents through getContents, putContents, delContents
// and addContents, which use the current key's session entry (o.sessions) when sessions keep their contents
// inline (merging windows on the heap), and the contents table otherwise. sw is the state window.

// sessionEntry returns the current key's session entry whose contents live under state window sw, or nil.
func (o *windowOp) sessionEntry(sw Window) *mergedWindow {
	i := o.sessions.stateEntry(sw, o.sessionHint)
	if i < 0 {
		return nil
	}
	o.sessionHint = i
	return &o.sessions[i]
}

// getContents returns the current key's contents of state window sw.
func (o *windowOp) getContents(sw Window) (any, bool) {
	if !o.sessionsInline {
		return o.contents.get(o, sw)
	}
	if e := o.sessionEntry(sw); e != nil && e.Has {
		if o.sessionCount {
			return e.n, true
		}
		return e.Contents, true
	}
	return nil, false
}

// putContents sets the current key's contents of state window sw.
func (o *windowOp) putContents(sw Window, v any) {
	if !o.sessionsInline {
		o.contents.put(o, sw, v)
		return
	}
	e := o.sessionEntry(sw)
	if e == nil {
		panic(fmt.Sprintf("engine: window %v has no session of key %v to hold its contents", sw, o.key))
	}
	if o.sessionCount {
		e.n, e.Has = v.(int64), true
		return
	}
	e.Contents, e.Has = v, true
}

// delContents removes the current key's contents of state window sw and reports whether there were any.
func (o *windowOp) delContents(sw Window) bool {
	if !o.sessionsInline {
		return o.contents.del(o, sw)
	}
	e := o.sessionEntry(sw)
	if e == nil || !e.Has {
		return false
	}
	e.Contents, e.Has, e.n = nil, false, 0
	return true
}

// addContents folds record r into the current key's contents of state window sw and reports whether the key
// had contents there before.
func (o *windowOp) addContents(sw Window, r record) bool {
	if !o.sessionsInline {
		return o.contents.add(o, sw, r)
	}
	e := o.sessionEntry(sw)
	if e == nil {
		panic(fmt.Sprintf("engine: window %v has no session of key %v to hold its contents", sw, o.key))
	}
	had := e.Has
	if o.sessionCount {
		e.n++
		e.Has = true
		return had
	}
	e.Contents = o.fn.add(o, e.Contents, had, r)
	e.Has = true
	return had
}

// takeRestoredContents moves the contents of merging windows that a restored snapshot holds in the contents
// table (checkpoints of earlier versions) into their keys' session entries.
// Contents of a window no longer in its key's set (a late window retired before it held anything) are
// dropped: nothing could read them.
func (o *windowOp) takeRestoredContents() {
	t := o.merging.wt
	o.backend.TakeRestored(windowContentsTable, func(kg int, key any, ns state.Namespace, v any) {
		sv, ok := t.Get(kg, key, state.Namespace{})
		if !ok {
			return
		}
		set := asMergingSet(sv)
		if i := set.stateEntry(Window(ns), -1); i >= 0 {
			set[i].Contents, set[i].Has = v, true
			t.Put(kg, key, state.Namespace{}, set)
		}
	})
}
