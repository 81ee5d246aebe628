package engine

import (
	"errors"
	"fmt"
)

// The broadcast state pattern, Flink's BroadcastStream, BroadcastConnectedStream, BroadcastProcessFunction and
// KeyedBroadcastProcessFunction: a low-volume stream (rules, configuration, patterns) is broadcast to every
// subtask of an operator, where it writes broadcast state, a map per declared StateDescriptor that every
// element of the other, regular stream can read.
//
// Go has no overloading, so the two meanings of Flink's broadcast() get two names: Broadcast() is the
// BROADCAST partitioning and still returns a DataStream (to Connect, Union or map), and
// BroadcastWithState(descriptors...) declares broadcast state and returns a BroadcastStream, which only
// ConnectBroadcast accepts. Likewise ConnectBroadcast sits beside Connect (connected streams for a
// CoProcessFunction).
//
// Ordering caveat, as in Flink: broadcast elements reach the subtasks of the operator through separate
// channels, so when the broadcast stream has several upstream subtasks, or is interleaved differently with the
// regular stream, different subtasks may see broadcast elements in different orders and at different points
// of the regular stream. Broadcast state stays identical across subtasks only if ProcessBroadcastElement
// updates it the same way whatever the order (e.g. a put per rule id), and must not depend on the regular
// elements seen so far. For results that do not depend on the interleaving, give broadcast elements event
// times and judge regular elements in event-time timers: the operator's watermark is the lower of its two
// inputs' (so a broadcast stream without watermarks holds event time back until it ends, as in Flink), and at
// watermark t every broadcast element up to t has arrived in every subtask.
//
// Broadcast state is operator state, not keyed state: each subtask keeps its own copy, snapshotted at every
// checkpoint. On restore with another parallelism each new subtask gets a copy of one old subtask's state
// (new subtask i takes old subtask i mod the old parallelism, as Flink does).

// ErrReadOnlyBroadcastState is the panic value (wrapped) of a write to broadcast state outside
// ProcessBroadcastElement: on the regular side the state is read-only, as Flink's ReadOnlyBroadcastState,
// because a write there would make the copies of the subtasks diverge.
var ErrReadOnlyBroadcastState = errors.New("engine: broadcast state is read-only outside ProcessBroadcastElement")

// ErrUnknownBroadcastState is the panic value (wrapped) of a request for broadcast state that the
// BroadcastStream did not declare.
var ErrUnknownBroadcastState = errors.New("engine: broadcast state not declared")

// BroadcastStream is a stream broadcast to every subtask of the operator it is connected to, together with
// the broadcast state its elements may write: Flink's BroadcastStream. Make one with
// DataStream.BroadcastWithState and pass it to ConnectBroadcast.
//
// As in Flink, different subtasks may receive broadcast elements in different orders and at different
// points of the regular stream: update broadcast state the same way whatever the order (a put per rule id),
// and for exact results judge regular elements in event-time timers, when the watermark (the lower of the two
// inputs') says every broadcast element up to that time has arrived.
type BroadcastStream struct {
	stream DataStream
	descs  []StateDescriptor
}

// BroadcastWithState broadcasts s to every subtask of the operator it is connected to with ConnectBroadcast
// and declares the broadcast state that operator keeps, one map per descriptor: Flink's
// DataStream.broadcast(MapStateDescriptor...). Only the descriptors' names are used; broadcast state has no
// TTL, Reduce or Aggregate, and a descriptor with one is refused. For the plain BROADCAST partitioning use
// Broadcast.
func (s *DataStream) BroadcastWithState(descriptors ...StateDescriptor) *BroadcastStream {
	if len(descriptors) == 0 {
		panic("engine: BroadcastWithState needs at least one StateDescriptor (Broadcast() is the plain BROADCAST partitioning)")
	}
	seen := map[string]bool{}
	for i, d := range descriptors {
		switch {
		case d.Name == "":
			panic(fmt.Sprintf("engine: BroadcastWithState: descriptor %d has no name", i))
		case seen[d.Name]:
			panic(fmt.Sprintf("engine: BroadcastWithState: broadcast state %q is declared twice", d.Name))
		case d.TTL.TTL != 0:
			panic(fmt.Sprintf("engine: BroadcastWithState: broadcast state %q has a TTL; broadcast state does not expire", d.Name))
		case d.Reduce != nil || d.Aggregate.Add != nil:
			panic(fmt.Sprintf("engine: BroadcastWithState: broadcast state %q is a map; it takes no Reduce or Aggregate", d.Name))
		}
		seen[d.Name] = true
	}
	return &BroadcastStream{stream: s.withPart(partBroadcast, nil), descs: append([]StateDescriptor(nil), descriptors...)}
}

// BroadcastConnectedStream is a non-keyed stream connected with a BroadcastStream, waiting for a
// BroadcastProcessFunction: Flink's BroadcastConnectedStream.
type BroadcastConnectedStream struct {
	regular   DataStream
	broadcast *BroadcastStream
}

// KeyedBroadcastConnectedStream is a keyed stream connected with a BroadcastStream, waiting for a
// KeyedBroadcastProcessFunction: Flink's BroadcastConnectedStream over a KeyedStream.
type KeyedBroadcastConnectedStream struct {
	regular   DataStream
	broadcast *BroadcastStream
}

// ConnectBroadcast connects s, the regular stream, with the broadcast stream b.
func (s *DataStream) ConnectBroadcast(b *BroadcastStream) *BroadcastConnectedStream {
	if b == nil {
		panic("engine: ConnectBroadcast needs a BroadcastStream (from BroadcastWithState)")
	}
	return &BroadcastConnectedStream{regular: *s, broadcast: b}
}

// ConnectBroadcast connects the keyed stream k, the regular stream, with the broadcast stream b; the
// function then has keyed state and timers on the regular side.
func (k *KeyedStream) ConnectBroadcast(b *BroadcastStream) *KeyedBroadcastConnectedStream {
	if b == nil {
		panic("engine: ConnectBroadcast needs a BroadcastStream (from BroadcastWithState)")
	}
	return &KeyedBroadcastConnectedStream{regular: k.DataStream, broadcast: b}
}

// BroadcastProcessFunction processes a non-keyed stream connected with a broadcast stream, Flink's
// BroadcastProcessFunction. ProcessElement reads the broadcast state; ProcessBroadcastElement reads and
// writes it. Both are required.
type BroadcastProcessFunction struct {
	// Open, if set, runs once per parallel instance before the first element.
	Open func(ctx *Context) error
	// ProcessElement is called for every element of the regular stream.
	ProcessElement func(ctx *ReadOnlyBroadcastContext, v any, out Collector)
	// ProcessBroadcastElement is called, in every subtask, for every element of the broadcast stream.
	ProcessBroadcastElement func(ctx *BroadcastContext, v any, out Collector)
}

// KeyedBroadcastProcessFunction processes a keyed stream connected with a broadcast stream, Flink's
// KeyedBroadcastProcessFunction: on the regular side it has the current key, keyed state and timers as a
// KeyedProcessFunction does, and reads the broadcast state; on the broadcast side it has no current key,
// writes the broadcast state and may visit every key's state with ApplyToKeyedState. OnTimer may be nil when
// no timer is registered.
type KeyedBroadcastProcessFunction struct {
	// Open, if set, runs once per parallel instance before the first element.
	Open func(ctx *Context) error
	// ProcessElement is called for every element of the keyed stream, with its key current.
	ProcessElement func(ctx *ReadOnlyBroadcastContext, v any, out Collector)
	// ProcessBroadcastElement is called, in every subtask, for every element of the broadcast stream.
	ProcessBroadcastElement func(ctx *KeyedBroadcastContext, v any, out Collector)
	// OnTimer is called when a timer registered on the regular side fires; ctx.TimeDomain() says which
	// clock it was set on and ctx.CurrentKey() is its key.
	OnTimer func(ctx *ReadOnlyBroadcastContext, timestamp int64, out Collector)
}

// Process runs f on both streams, with the broadcast state declared by the BroadcastStream.
func (c *BroadcastConnectedStream) Process(f BroadcastProcessFunction) *DataStream {
	if f.ProcessElement == nil || f.ProcessBroadcastElement == nil {
		panic("engine: BroadcastProcessFunction needs ProcessElement and ProcessBroadcastElement")
	}
	return connectBroadcast(c.regular, c.broadcast, "CoBroadcast", false, func() operator {
		return &broadcastOp{descs: c.broadcast.descs, openFn: f.Open, elemFn: f.ProcessElement,
			bcastFn: func(ctx *KeyedBroadcastContext, v any, out Collector) {
				f.ProcessBroadcastElement(&ctx.BroadcastContext, v, out)
			}}
	})
}

// Process runs f on both streams, with keyed state and timers on the keyed side and the broadcast state
// declared by the BroadcastStream.
func (c *KeyedBroadcastConnectedStream) Process(f KeyedBroadcastProcessFunction) *DataStream {
	if f.ProcessElement == nil || f.ProcessBroadcastElement == nil {
		panic("engine: KeyedBroadcastProcessFunction needs ProcessElement and ProcessBroadcastElement")
	}
	return connectBroadcast(c.regular, c.broadcast, "KeyedCoBroadcast", true, func() operator {
		return &broadcastOp{descs: c.broadcast.descs, openFn: f.Open, elemFn: f.ProcessElement,
			bcastFn: f.ProcessBroadcastElement, timerFn: f.OnTimer}
	})
}

// connectBroadcast records the two-input operator: the regular stream on input 0, the broadcast stream on
// input 1.
func connectBroadcast(regular DataStream, b *BroadcastStream, name string, keyed bool, newOp func() operator) *DataStream {
	if regular.env != b.stream.env {
		panic("engine: ConnectBroadcast: the two streams belong to different environments")
	}
	out := regular.add(name, newOp, keyed)
	n := out.inputs[0].node
	for _, in := range b.stream.inputs {
		n.inputs = append(n.inputs, edgeSpec{from: in.node, side: in.side, part: in.part, key: in.key, input: 1})
	}
	return out
}

// ReadOnlyBroadcastContext is what ProcessElement and OnTimer see: the Context of the element or timer (its
// timestamp, time, side outputs, and on a keyed stream the current key, keyed state and timers) and
// read-only broadcast state, Flink's ReadOnlyContext.
type ReadOnlyBroadcastContext struct {
	*Context
	op *broadcastOp
}

// BroadcastState returns the broadcast state described by d, for reading. It panics with
// ErrUnknownBroadcastState if the BroadcastStream did not declare d.
func (c *ReadOnlyBroadcastContext) BroadcastState(d StateDescriptor) *ReadOnlyBroadcastState {
	return c.op.bstate(d).ro
}

// BroadcastContext is what ProcessBroadcastElement sees: the Context of the broadcast element (its timestamp,
// time and side outputs; there is no current key, so no keyed state and no timers) and read-write broadcast
// state, Flink's BroadcastProcessFunction.Context.
type BroadcastContext struct {
	*Context
	op *broadcastOp
}

// BroadcastState returns the broadcast state described by d, for reading and writing. It panics with
// ErrUnknownBroadcastState if the BroadcastStream did not declare d.
func (c *BroadcastContext) BroadcastState(d StateDescriptor) *BroadcastState {
	return c.op.bstate(d).rw
}

// KeyedBroadcastContext is the BroadcastContext of a KeyedBroadcastProcessFunction, which can also visit
// the keyed state of every key, Flink's KeyedBroadcastProcessFunction.Context.
type KeyedBroadcastContext struct {
	BroadcastContext
}

// KeyedStateFunction is called by ApplyToKeyedState for each key that has a value in the state, Flink's
// KeyedStateFunction. ctx has key as its current key: read, update or clear the state through it
// (ctx.ValueState(d), ctx.ListState(d), ...), as the regular side would. Timers set through ctx are set for
// key, which Flink's KeyedStateFunction cannot do.
type KeyedStateFunction func(key any, ctx *Context)

// ApplyToKeyedState calls f for every key of this subtask that has a value in the keyed state described by
// d, in no particular order, Flink's applyToKeyedState. f may change or clear that key's state.
func (c *KeyedBroadcastContext) ApplyToKeyedState(d StateDescriptor, f KeyedStateFunction) {
	if d.Name == "" {
		panic("engine: ApplyToKeyedState: the state descriptor has no name")
	}
	if f == nil {
		panic(fmt.Sprintf("engine: ApplyToKeyedState(%q): the function is nil", d.Name))
	}
	c.op.applyToKeyedState(d, f)
}
