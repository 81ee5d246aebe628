package engine

import (
	"fmt"
	"time"
)

// Window joins and coGroups, Flink's JoinedStreams and CoGroupedStreams. As in Flink, both are built from
// operators that exist already: each input is tagged with the side it comes from (Flink's Input1Tagger and
// Input2Tagger), the two are unioned and keyed by the key selector of each record's side, and a window
// operator keeps every tagged record of each key and window. When a window fires, its records are split back
// into the two sides and handed to the CoGroupFunc; a join is a coGroup whose function emits every pair.
// Window contents are therefore keyed state of that window operator, checkpointed and restored with it.

// JoinFunc joins one record of the first input with one record of the second that have equal keys and
// fall into the same window, Flink's JoinFunction.
type JoinFunc func(left, right any) any

// FlatJoinFunc is JoinFunc emitting zero or more records for each pair, Flink's FlatJoinFunction.
type FlatJoinFunc func(left, right any, out Collector)

// CoGroupFunc receives, for each key and window, the records of the first input and those of the second,
// Flink's CoGroupFunction. One of the two slices may be empty (never both); each is in arrival order.
type CoGroupFunc func(left, right []any, out Collector)

// taggedUnion is a record of either input on its way through the shared window operator, Flink's
// CoGroupedStreams.TaggedUnion (the state codec writes it, state_codec.go).
type taggedUnion struct {
	V      any
	Second bool // the record comes from the second input
}

// twoInputWindow is what JoinedStreams and CoGroupedStreams have in common: the two inputs, their key
// selectors and the window settings.
type twoInputWindow struct {
	what          string // "Join" or "CoGroup", for names and messages
	first, second DataStream
	key1, key2    KeySelector
	assigner      WindowAssigner
	trigger       Trigger
	evictor       Evictor
	lateness      time.Duration
}

func (w *twoInputWindow) where(key KeySelector) {
	if key == nil {
		panic(fmt.Sprintf("engine: %s.Where needs a key selector, got nil", w.what))
	}
	w.key1 = key
}

func (w *twoInputWindow) equalTo(key KeySelector) {
	if key == nil {
		panic(fmt.Sprintf("engine: %s.EqualTo needs a key selector, got nil", w.what))
	}
	w.key2 = key
}

func (w *twoInputWindow) window(a WindowAssigner) {
	if a == nil {
		panic(fmt.Sprintf("engine: %s.Window needs a window assigner, got nil", w.what))
	}
	w.assigner = a
}

// apply builds the tagged union, keys it, windows it and runs f on each firing's two sides.
func (w *twoInputWindow) apply(f CoGroupFunc) *DataStream {
	tag1 := w.first.Map(func(v any) any { return taggedUnion{V: v} }).Name(w.what + ": tag input 1")
	tag2 := w.second.Map(func(v any) any { return taggedUnion{V: v, Second: true} }).Name(w.what + ": tag input 2")
	sameParallelism(tag1, w.first)
	sameParallelism(tag2, w.second)
	return w.windowTagged(tag1.Union(tag2).KeyBy(w.unionKey()), f)
}

// unionKey keys a tagged record by the key selector of its side.
func (w *twoInputWindow) unionKey() KeySelector {
	key1, key2 := w.key1, w.key2
	return func(v any) any {
		if t := v.(taggedUnion); t.Second {
			return key2(t.V)
		}
		return key1(v.(taggedUnion).V)
	}
}

// windowTagged windows a keyed stream of tagged records and runs f on each firing's two sides.
func (w *twoInputWindow) windowTagged(keyed *KeyedStream, f CoGroupFunc) *DataStream {
	ws := &WindowedStream{keyed: keyed, assigner: w.assigner, trigger: w.trigger, evictor: w.evictor, lateness: w.lateness}
	return ws.build(w.what, windowFunction{process: func(_ *WindowContext, _ any, elems []any, out Collector) {
		var left, right []any
		for _, e := range elems {
			if t := e.(taggedUnion); t.Second {
				right = append(right, t.V)
			} else {
				left = append(left, t.V)
			}
		}
		f(left, right, out)
	}})
}

// joinPairs is the CoGroupFunc of a join: f on every pair of the two sides (Flink's JoinCoGroupFunction).
func joinPairs(f FlatJoinFunc) CoGroupFunc {
	return func(left, right []any, out Collector) {
		for _, l := range left {
			for _, r := range right {
				f(l, r, out)
			}
		}
	}
}

// sameParallelism gives the tagger of an input the parallelism of the operator the input comes from, as
// Flink's taggers take their input's, so that the tagger chains with it and each input keeps its order.
func sameParallelism(tagger *DataStream, in DataStream) {
	if len(in.inputs) != 1 {
		return // a union: the tagger runs at the default parallelism
	}
	up, n := in.inputs[0].node, tagger.inputs[0].node
	n.parallelism, n.maxPar = up.parallelism, up.maxPar
}

// JoinedStreams is the start of a window join of two streams, Flink's JoinedStreams: name the key of each
// side with Where and EqualTo, the windows with Window, and the join function with Apply. The join is an
// inner join: for each key and window, every record of the first input is paired with every record of the
// second, and each result carries the window's max timestamp.
type JoinedStreams struct{ w twoInputWindow }

// Join starts a window join of s with other; the two may carry different kinds of record.
func (s *DataStream) Join(other *DataStream) *JoinedStreams {
	return &JoinedStreams{twoInputWindow{what: "Join", first: *s, second: *other}}
}

// Where sets the key selector of the first input.
func (j *JoinedStreams) Where(key KeySelector) *JoinWhere {
	w := j.w
	w.where(key)
	return &JoinWhere{w}
}

// JoinWhere is a window join whose first key is known, Flink's JoinedStreams.Where.
type JoinWhere struct{ w twoInputWindow }

// EqualTo sets the key selector of the second input; records join when the two keys are equal.
func (j *JoinWhere) EqualTo(key KeySelector) *JoinEqualTo {
	w := j.w
	w.equalTo(key)
	return &JoinEqualTo{w}
}

// JoinEqualTo is a window join with both keys, waiting for its windows, Flink's JoinedStreams.EqualTo.
type JoinEqualTo struct{ w twoInputWindow }

// Window sets the windows in which records are joined.
func (j *JoinEqualTo) Window(assigner WindowAssigner) *JoinWithWindow {
	w := j.w
	w.window(assigner)
	return &JoinWithWindow{w}
}

// JoinWithWindow is a window join waiting for its join function, Flink's JoinedStreams.WithWindow.
type JoinWithWindow struct{ w twoInputWindow }

// Trigger replaces the assigner's default trigger.
func (j *JoinWithWindow) Trigger(t Trigger) *JoinWithWindow { j.w.trigger = t; return j }

// Evictor sets an evictor, which sees the tagged records of both inputs.
func (j *JoinWithWindow) Evictor(e Evictor) *JoinWithWindow { j.w.evictor = e; return j }

// AllowedLateness keeps each event-time window for d after its end, so that records up to d late cause a
// late firing that joins the window again, all of it. The default is 0.
func (j *JoinWithWindow) AllowedLateness(d time.Duration) *JoinWithWindow {
	j.w.lateness = d
	return j
}

// Apply joins each pair with f and emits its result.
func (j *JoinWithWindow) Apply(f JoinFunc) *DataStream {
	if f == nil {
		panic("engine: Join.Apply needs a JoinFunc, got nil")
	}
	return j.w.apply(joinPairs(func(l, r any, out Collector) { out.Collect(f(l, r)) }))
}

// FlatApply joins each pair with f, which emits zero or more records.
func (j *JoinWithWindow) FlatApply(f FlatJoinFunc) *DataStream {
	if f == nil {
		panic("engine: Join.FlatApply needs a FlatJoinFunc, got nil")
	}
	return j.w.apply(joinPairs(f))
}

// CoGroupedStreams is the start of a window coGroup of two streams, Flink's CoGroupedStreams: like a join,
// but the function receives all records of each side for a key and window, and is called even when one side
// has none.
type CoGroupedStreams struct{ w twoInputWindow }

// CoGroup starts a window coGroup of s with other; the two may carry different kinds of record.
func (s *DataStream) CoGroup(other *DataStream) *CoGroupedStreams {
	return &CoGroupedStreams{twoInputWindow{what: "CoGroup", first: *s, second: *other}}
}

// Where sets the key selector of the first input.
func (c *CoGroupedStreams) Where(key KeySelector) *CoGroupWhere {
	w := c.w
	w.where(key)
	return &CoGroupWhere{w}
}

// CoGroupWhere is a coGroup whose first key is known, Flink's CoGroupedStreams.Where.
type CoGroupWhere struct{ w twoInputWindow }

// EqualTo sets the key selector of the second input.
func (c *CoGroupWhere) EqualTo(key KeySelector) *CoGroupEqualTo {
	w := c.w
	w.equalTo(key)
	return &CoGroupEqualTo{w}
}

// CoGroupEqualTo is a coGroup with both keys, waiting for its windows, Flink's CoGroupedStreams.EqualTo.
type CoGroupEqualTo struct{ w twoInputWindow }

// Window sets the windows in which records are grouped.
func (c *CoGroupEqualTo) Window(assigner WindowAssigner) *CoGroupWithWindow {
	w := c.w
	w.window(assigner)
	return &CoGroupWithWindow{w}
}

// CoGroupWithWindow is a coGroup waiting for its function, Flink's CoGroupedStreams.WithWindow.
type CoGroupWithWindow struct{ w twoInputWindow }

// Trigger replaces the assigner's default trigger.
func (c *CoGroupWithWindow) Trigger(t Trigger) *CoGroupWithWindow { c.w.trigger = t; return c }

// Evictor sets an evictor, which sees the tagged records of both inputs.
func (c *CoGroupWithWindow) Evictor(e Evictor) *CoGroupWithWindow { c.w.evictor = e; return c }

// AllowedLateness keeps each event-time window for d after its end, so that records up to d late cause a
// late firing. The default is 0.
func (c *CoGroupWithWindow) AllowedLateness(d time.Duration) *CoGroupWithWindow {
	c.w.lateness = d
	return c
}

// Apply calls f with the two sides of each key and window when the window fires.
func (c *CoGroupWithWindow) Apply(f CoGroupFunc) *DataStream {
	if f == nil {
		panic("engine: CoGroup.Apply needs a CoGroupFunc, got nil")
	}
	return c.w.apply(f)
}
