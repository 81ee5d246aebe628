package engine

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"github.com/de4e/weir/engine/internal/state"
)

// broadcastOp runs a BroadcastProcessFunction or a KeyedBroadcastProcessFunction, Flink's
// CoBroadcastWithNonKeyedOperator and CoBroadcastWithKeyedOperator: input 0 is the regular stream, input 1
// the broadcast stream. Its broadcast state is operator state: snapshotted at each checkpoint barrier and, on
// restore, copied to every new subtask (opStateBroadcast).
type broadcastOp struct {
	opBase
	descs   []StateDescriptor
	openFn  func(*Context) error
	elemFn  func(*ReadOnlyBroadcastContext, any, Collector)
	bcastFn func(*KeyedBroadcastContext, any, Collector)
	timerFn func(*ReadOnlyBroadcastContext, int64, Collector)

	states      map[string]*bcastMap
	views       map[string]bcastViews // per declared state, built by open
	last        bcastViews            // the views asked for last, found again without a map lookup
	lastName    string
	onBroadcast bool // in ProcessBroadcastElement: the broadcast state is writable
	roCtx       ReadOnlyBroadcastContext
	bCtx        KeyedBroadcastContext
	col         timestampedCollector
}

func (o *broadcastOp) open() error {
	o.ctx.self = o
	o.roCtx = ReadOnlyBroadcastContext{Context: &o.ctx, op: o}
	o.bCtx = KeyedBroadcastContext{BroadcastContext{Context: &o.ctx, op: o}}
	if o.states == nil { // not restored
		o.states = map[string]*bcastMap{}
	}
	o.views, o.last, o.lastName = map[string]bcastViews{}, bcastViews{}, ""
	for _, d := range o.descs {
		m := o.states[d.Name]
		if m == nil {
			m = newBcastMap(d.Name)
			o.states[d.Name] = m
		}
		ro := &ReadOnlyBroadcastState{m: m}
		o.views[d.Name] = bcastViews{ro: ro, rw: &BroadcastState{ReadOnlyBroadcastState: *ro, op: o}}
	}
	if o.openFn != nil {
		return o.openFn(&o.ctx)
	}
	return nil
}

// bcastViews are the read-only and the read-write view of one broadcast state, made once so that asking
// for the state on every element allocates nothing.
type bcastViews struct {
	ro *ReadOnlyBroadcastState
	rw *BroadcastState
}

// bstate returns the views of the declared broadcast state d.
func (o *broadcastOp) bstate(d StateDescriptor) bcastViews {
	if d.Name == o.lastName && o.last.ro != nil {
		return o.last
	}
	if v, ok := o.views[d.Name]; ok {
		o.last, o.lastName = v, d.Name
		return v
	}
	panic(fmt.Errorf("%w: %q is not among the descriptors given to BroadcastWithState (check its name, or declare it there)",
		ErrUnknownBroadcastState, d.Name))
}

func (o *broadcastOp) processElement(in int, r record) {
	o.enterElement(&o.col, &r)
	if in == 0 {
		if o.keyed() {
			o.setKey(&r)
		}
		o.elemFn(&o.roCtx, r.v, &o.col)
		return
	}
	// The broadcast side has no current key: keyed state and timers are refused there, as in Flink.
	o.hasKey, o.key = false, nil
	o.onBroadcast = true
	defer func() { o.onBroadcast = false }()
	o.bcastFn(&o.bCtx, r.v, &o.col)
}

func (o *broadcastOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

func (o *broadcastOp) onTimer(t timer, domain TimeDomain) {
	if o.timerFn == nil {
		return
	}
	o.enterTimer(&o.col, t, domain)
	o.timerFn(&o.roCtx, t.ts, &o.col)
}

// applyToKeyedState visits every key of the subtask with a value in d's table (plain keyed state, outside
// windows), making each the current key for f, then leaves the broadcast side's "no current key" again.
func (o *broadcastOp) applyToKeyedState(d StateDescriptor, f KeyedStateFunction) {
	if o.backend == nil {
		panic("engine: ApplyToKeyedState needs a keyed stream")
	}
	tab := o.backend.Table("user/" + d.Name)
	r := o.backend.KeyGroups()
	var keys []any
	defer func() { o.hasKey, o.key = false, nil }()
	for kg := r.Start; kg <= r.End; kg++ {
		keys = keys[:0]
		tab.ForEachInGroup(kg, func(key any, ns state.Namespace, _ any) bool {
			if ns == (state.Namespace{}) {
				keys = append(keys, key)
			}
			return true
		})
		for _, k := range keys {
			o.key, o.kg, o.hasKey, o.ns = k, kg, true, Window{}
			f(k, &o.ctx)
		}
	}
}

// snapshotOpState encodes every broadcast state, entries in Range order.
func (o *broadcastOp) snapshotOpState(int64) ([]byte, error) {
	var snap bcastSnapshot
	for _, d := range o.descs {
		snap.States = append(snap.States, o.states[d.Name].snapshot())
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(snap); err != nil {
		return nil, fmt.Errorf("broadcast state of %s: %w (keys and values must be encodable with encoding/gob)", o.name, err)
	}
	return b.Bytes(), nil
}

// restoreOpState loads the broadcast state of one old subtask (opStateBroadcast gives exactly one blob, or
// none for a job that had no broadcast state yet).
func (o *broadcastOp) restoreOpState(blobs [][]byte) error {
	o.states = map[string]*bcastMap{}
	for _, blob := range blobs {
		var snap bcastSnapshot
		if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(&snap); err != nil {
			return fmt.Errorf("%w: broadcast state of %s: %v (a type stored in state may need engine.RegisterType)",
				ErrCorruptCheckpoint, o.name, err)
		}
		for _, s := range snap.States {
			if len(s.Keys) != len(s.Values) {
				return fmt.Errorf("%w: broadcast state %q of %s has %d keys and %d values",
					ErrCorruptCheckpoint, s.Name, o.name, len(s.Keys), len(s.Values))
			}
			m := newBcastMap(s.Name)
			for i, k := range s.Keys {
				m.put(k, s.Values[i])
			}
			o.states[s.Name] = m
		}
	}
	return nil
}

func (o *broadcastOp) notifyComplete(int64) {}

// opStateDistribution: every new subtask gets a copy of an old subtask's broadcast state.
func (o *broadcastOp) opStateDistribution() opStateDistribution { return opStateBroadcast }

// opStateStats reports each broadcast state's size, for Job.Snapshot.
func (o *broadcastOp) opStateStats() []StateSnapshot {
	var out []StateSnapshot
	for _, d := range o.descs {
		m := o.states[d.Name]
		if m == nil {
			continue
		}
		var bytes, n int64
		for k, e := range m.entries { // estimated from a sample, as heap state sizes are
			bytes += state.SizeOf(k) + state.SizeOf(e.v)
			if n++; n == 256 {
				break
			}
		}
		if n > 0 {
			bytes = bytes * int64(len(m.entries)) / n
		}
		out = append(out, StateSnapshot{Operator: o.name, Name: "broadcast/" + d.Name, Backend: "operator",
			Keys: int64(len(m.entries)), Bytes: bytes})
	}
	return out
}
