package engine

import (
	"fmt"
	"time"

	"github.com/de4e/weir/engine/internal/state"
)

// StateDescriptor names a keyed state and configures it. The same descriptor used twice in an operator
// refers to the same state.
type StateDescriptor struct {
	// Name identifies the state within its operator.
	Name string
	// TTL, if its TTL field is positive, expires values that have not been written (or read, with
	// UpdateOnReadAndWrite) for that long in processing time.
	TTL TTLConfig
	// Reduce combines values of a ReducingState.
	Reduce ReduceFunc
	// Aggregate aggregates values of an AggregatingState.
	Aggregate AggregateFunction
}

// State returns a descriptor called name with no TTL.
func State(name string) StateDescriptor { return StateDescriptor{Name: name} }

// WithTTL returns d with time-to-live ttl and the default TTL settings (see TTLConfig).
func (d StateDescriptor) WithTTL(ttl time.Duration) StateDescriptor {
	d.TTL.TTL = ttl
	return d
}

// TTLUpdate says which accesses renew a value's time to live.
type TTLUpdate uint8

// TTL update types, as Flink's StateTtlConfig.UpdateType.
const (
	UpdateOnCreateAndWrite TTLUpdate = iota // the default
	UpdateOnReadAndWrite
)

// TTLVisibility says whether an expired value that is still stored can be read.
type TTLVisibility uint8

// TTL visibilities, as Flink's StateTtlConfig.StateVisibility.
const (
	NeverReturnExpired TTLVisibility = iota // the default
	ReturnExpiredIfNotCleanedUp
)

// TTLConfig is a state's time to live, Flink's StateTtlConfig. TTL is measured in processing time, as in Flink.
// Expired values are removed when they are read and by an incremental sweep of one key group every
// 1000 writes to the state.
type TTLConfig struct {
	TTL        time.Duration // zero: values never expire
	Update     TTLUpdate     // default UpdateOnCreateAndWrite
	Visibility TTLVisibility // default NeverReturnExpired
}

// ttlValue is how a value with a TTL is stored: the value and when it was last renewed.
type ttlValue struct {
	V    any
	Last int64
}

// stateHandle is the common part of every typed state: its table, its TTL and the operator whose current
// key and namespace it reads.
type stateHandle struct {
	op     *opBase
	table  state.Table
	desc   StateDescriptor
	ttl    int64 // milliseconds, 0 = none
	writes int
	sweep  int // next key group of the incremental TTL sweep
}

func (h *stateHandle) ns() state.Namespace { return state.Namespace(h.op.ns) }

func (h *stateHandle) expired(last, now int64) bool { return h.ttl > 0 && last+h.ttl <= now }

// wrap and unwrap add and remove the TTL envelope.
func (h *stateHandle) wrap(v any) any {
	if h.ttl == 0 {
		return v
	}
	return ttlValue{v, h.op.processingTime()}
}

func (h *stateHandle) unwrap(x any) (any, bool, bool) { // value, visible, expired
	if h.ttl == 0 {
		return x, true, false
	}
	t := x.(ttlValue)
	if h.expired(t.Last, h.op.processingTime()) {
		return t.V, h.desc.TTL.Visibility == ReturnExpiredIfNotCleanedUp, true
	}
	return t.V, true, false
}

func (h *stateHandle) get() (any, bool) {
	h.op.needKey("state " + h.desc.Name)
	x, ok := h.table.Get(h.op.kg, h.op.key, h.ns())
	if !ok {
		return nil, false
	}
	v, visible, expired := h.unwrap(x)
	if expired {
		h.table.Delete(h.op.kg, h.op.key, h.ns())
	} else if h.ttl > 0 && h.desc.TTL.Update == UpdateOnReadAndWrite {
		h.table.Put(h.op.kg, h.op.key, h.ns(), h.wrap(v))
	}
	return v, visible
}

func (h *stateHandle) put(v any) {
	h.op.needKey("state " + h.desc.Name)
	h.table.Put(h.op.kg, h.op.key, h.ns(), h.wrap(v))
	if h.ttl > 0 {
		h.writes++
		if h.writes%1000 == 0 {
			h.sweepOne()
		}
	}
}

func (h *stateHandle) clear() {
	h.op.needKey("state " + h.desc.Name)
	h.table.Delete(h.op.kg, h.op.key, h.ns())
}

// sweepOne removes the expired values of one key group, round robin: Flink's incremental cleanup.
func (h *stateHandle) sweepOne() {
	r := h.op.backend.KeyGroups()
	kg := r.Start + h.sweep%max(r.Len(), 1)
	h.sweep++
	now := h.op.processingTime()
	h.table.ForEachInGroup(kg, func(key any, ns state.Namespace, x any) bool {
		if t, ok := x.(ttlValue); ok && h.expired(t.Last, now) {
			h.table.Delete(kg, key, ns)
		}
		return true
	})
}

// ValueState holds one value per key (and window), Flink's ValueState.
type ValueState struct{ h *stateHandle }

// Value returns the current key's value, or nil if it has none.
func (s *ValueState) Value() any {
	v, ok := s.h.get()
	if !ok {
		return nil
	}
	return v
}

// Get returns the current key's value and whether it has one.
func (s *ValueState) Get() (any, bool) { return s.h.get() }

// Update sets the current key's value.
func (s *ValueState) Update(v any) { s.h.put(v) }

// Clear removes the current key's value.
func (s *ValueState) Clear() { s.h.clear() }

// ListState holds a list per key, Flink's ListState. With a TTL, each element expires on its own.
type ListState struct{ h *stateHandle }

// Get returns the current key's elements (nil if none). The slice is a copy.
func (s *ListState) Get() []any {
	x, ok := s.h.table.Get(s.h.op.kg, s.h.op.key, s.h.ns())
	s.h.op.needKey("state " + s.h.desc.Name)
	if !ok {
		return nil
	}
	items := x.([]any)
	out := make([]any, 0, len(items))
	var live []any
	for _, it := range items {
		v, visible, expired := s.h.unwrap(it)
		if visible {
			out = append(out, v)
		}
		if !expired {
			live = append(live, it)
		}
	}
	if len(live) != len(items) {
		s.setRaw(live)
	}
	return out
}

func (s *ListState) setRaw(items []any) {
	if len(items) == 0 {
		s.h.table.Delete(s.h.op.kg, s.h.op.key, s.h.ns())
		return
	}
	s.h.table.Put(s.h.op.kg, s.h.op.key, s.h.ns(), items)
}

// Add appends v to the current key's list.
func (s *ListState) Add(v any) {
	s.h.op.needKey("state " + s.h.desc.Name)
	x, _ := s.h.table.Get(s.h.op.kg, s.h.op.key, s.h.ns())
	items, _ := x.([]any)
	s.setRaw(append(items, s.h.wrap(v)))
}

// Update replaces the current key's list.
func (s *ListState) Update(vs []any) {
	s.h.op.needKey("state " + s.h.desc.Name)
	items := make([]any, len(vs))
	for i, v := range vs {
		items[i] = s.h.wrap(v)
	}
	s.setRaw(items)
}

// Clear removes the current key's list.
func (s *ListState) Clear() { s.h.clear() }

// MapState holds a map per key, Flink's MapState. With a TTL, each entry expires on its own.
type MapState struct{ h *stateHandle }

func (s *MapState) raw(create bool) map[any]any {
	s.h.op.needKey("state " + s.h.desc.Name)
	x, ok := s.h.table.Get(s.h.op.kg, s.h.op.key, s.h.ns())
	if !ok {
		if !create {
			return nil
		}
		m := map[any]any{}
		s.h.table.Put(s.h.op.kg, s.h.op.key, s.h.ns(), m)
		return m
	}
	return x.(map[any]any)
}

// Get returns the value of k in the current key's map.
func (s *MapState) Get(k any) (any, bool) {
	m := s.raw(false)
	x, ok := m[k]
	if !ok {
		return nil, false
	}
	v, visible, expired := s.h.unwrap(x)
	if expired {
		s.Remove(k)
	}
	return v, visible
}

// Put sets k to v in the current key's map.
func (s *MapState) Put(k, v any) {
	m := s.raw(true)
	m[k] = s.h.wrap(v)
	s.h.table.Put(s.h.op.kg, s.h.op.key, s.h.ns(), m) // a disk backend keeps a copy, not m itself
}

// Contains reports whether the current key's map has k.
func (s *MapState) Contains(k any) bool { _, ok := s.Get(k); return ok }

// Remove deletes k from the current key's map.
func (s *MapState) Remove(k any) {
	m := s.raw(false)
	if _, ok := m[k]; !ok {
		return
	}
	delete(m, k)
	if len(m) == 0 {
		s.h.clear()
		return
	}
	s.h.table.Put(s.h.op.kg, s.h.op.key, s.h.ns(), m)
}

// Len returns the number of live entries in the current key's map.
func (s *MapState) Len() int { return len(s.Keys()) }

// Keys returns the keys of the current key's map, in no particular order.
func (s *MapState) Keys() []any {
	var ks []any
	s.Range(func(k, _ any) bool { ks = append(ks, k); return true })
	return ks
}

// Range calls f for every live entry of the current key's map until f returns false.
func (s *MapState) Range(f func(k, v any) bool) {
	m := s.raw(false)
	var dead []any
	for k, x := range m {
		v, visible, expired := s.h.unwrap(x)
		if expired {
			dead = append(dead, k)
		}
		if visible && !f(k, v) {
			break
		}
	}
	for _, k := range dead {
		s.Remove(k)
	}
}

// Clear removes the current key's map.
func (s *MapState) Clear() { s.h.clear() }

// ReducingState keeps one value per key that every Add combines with the descriptor's Reduce.
type ReducingState struct{ h *stateHandle }

// Get returns the reduced value, or nil.
func (s *ReducingState) Get() any { v, _ := s.h.get(); return v }

// Add reduces v into the state.
func (s *ReducingState) Add(v any) {
	if cur, ok := s.h.get(); ok {
		v = s.h.desc.Reduce(cur, v)
	}
	s.h.put(v)
}

// Clear removes the state.
func (s *ReducingState) Clear() { s.h.clear() }

// AggregatingState keeps an accumulator per key that every Add updates with the descriptor's Aggregate.
type AggregatingState struct{ h *stateHandle }

// Get returns the aggregate's result, or nil if nothing was added.
func (s *AggregatingState) Get() any {
	acc, ok := s.h.get()
	if !ok {
		return nil
	}
	return s.h.desc.Aggregate.GetResult(acc)
}

// Add adds v to the accumulator.
func (s *AggregatingState) Add(v any) {
	acc, ok := s.h.get()
	if !ok {
		acc = s.h.desc.Aggregate.CreateAccumulator()
	}
	s.h.put(s.h.desc.Aggregate.Add(v, acc))
}

// Clear removes the state.
func (s *AggregatingState) Clear() { s.h.clear() }

// handle returns the operator's state handle for d, creating it on first use; kind guards against one name
// used for two kinds of state.
func (b *opBase) handle(d StateDescriptor, kind string) *stateHandle {
	if b.backend == nil {
		panic(fmt.Sprintf("%s %q: keyed state is only available on a KeyedStream (call KeyBy first)", kind, d.Name))
	}
	if d.Name == "" {
		panic(kind + ": a state needs a name")
	}
	if h, ok := b.handles[d.Name]; ok {
		if b.handleKinds[d.Name] != kind {
			panic(fmt.Sprintf("state %q is a %s, not a %s", d.Name, b.handleKinds[d.Name], kind))
		}
		return h
	}
	h := &stateHandle{op: b, table: b.backend.Table("user/" + d.Name), desc: d, ttl: d.TTL.TTL.Milliseconds()}
	b.handles[d.Name] = h
	b.handleKinds[d.Name] = kind
	return h
}
