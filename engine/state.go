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

// CopyState copies the value inside when it is changed in place (state.Mutable), so that a heap snapshot
// keeps the value of its moment behind the TTL envelope too.
func (t ttlValue) CopyState() any {
	if m, ok := t.V.(state.Mutable); ok {
		t.V = m.CopyState()
	}
	return t
}

// stateHandle is the common part of every typed state: its table, its TTL and the operator whose current
// key and namespace it reads.
type stateHandle struct {
	op     *opBase
	table  state.Table
	desc   StateDescriptor
	kind   string // ValueState, ListState, ...: what the operator first asked for under the name
	ttl    int64  // milliseconds, 0 = none
	writes int
	sweep  int // next key group of the incremental TTL sweep
}

// needKey panics, as opBase.needKey, when the state is used with no current key; the message is built only
// then, since the state is read and written on every record.
func (h *stateHandle) needKey() {
	if h.op.backend == nil || !h.op.hasKey {
		h.op.needKey("state " + h.desc.Name)
	}
}

func (h *stateHandle) ns() state.Namespace { return state.Namespace(h.op.ns) }

// expired reports whether a value last renewed at last has expired at now: Flink's TtlUtils.expired, whose
// expiration time last+ttl saturates at math.MaxInt64 instead of overflowing.
func (h *stateHandle) expired(last, now int64) bool {
	if h.ttl <= 0 {
		return false
	}
	return addSat(last, h.ttl) <= now
}

// returnExpired reports whether an expired value that is still stored may be read.
func (h *stateHandle) returnExpired() bool {
	return h.desc.TTL.Visibility == ReturnExpiredIfNotCleanedUp
}

// renewOnRead reports whether reads renew a value's time to live.
func (h *stateHandle) renewOnRead() bool {
	return h.ttl > 0 && h.desc.TTL.Update == UpdateOnReadAndWrite
}

// wrap and unwrap add and remove the TTL envelope.
func (h *stateHandle) wrap(v any) any {
	if h.ttl == 0 {
		return v
	}
	return ttlValue{v, h.op.processingTime()}
}

// unwrap returns the value of a stored x, whether it may be read, and whether it has expired. A value that
// may not be read is returned as nil, so that no caller can use it by mistake.
func (h *stateHandle) unwrap(x any) (v any, visible, expired bool) {
	if h.ttl == 0 {
		return x, true, false
	}
	t := x.(ttlValue)
	if h.expired(t.Last, h.op.processingTime()) {
		if !h.returnExpired() {
			return nil, false, true
		}
		return t.V, true, true
	}
	return t.V, true, false
}

// get reads the current key's value as Flink's AbstractTtlDecorator.getWithTtlCheckAndUpdate does: an
// expired value is removed (and returned only with ReturnExpiredIfNotCleanedUp); a live one is renewed if
// reads renew.
func (h *stateHandle) get() (any, bool) {
	h.needKey()
	x, ok := h.table.Get(h.op.kg, h.op.key, h.ns())
	if !ok {
		return nil, false
	}
	v, visible, expired := h.unwrap(x)
	if expired {
		h.table.Delete(h.op.kg, h.op.key, h.ns())
	} else if h.renewOnRead() {
		h.table.Put(h.op.kg, h.op.key, h.ns(), h.wrap(v))
	}
	return v, visible
}

func (h *stateHandle) put(v any) {
	h.needKey()
	h.table.Put(h.op.kg, h.op.key, h.ns(), h.wrap(v))
	if h.ttl > 0 {
		h.writes++
		if h.writes%1000 == 0 {
			h.sweepOne()
		}
	}
}

func (h *stateHandle) clear() {
	h.needKey()
	h.table.Delete(h.op.kg, h.op.key, h.ns())
}

// sweepOne removes the expired values of one key group, round robin: Flink's incremental cleanup. In a list
// or a map each element expires on its own, so the sweep removes expired elements and drops the list or map
// once nothing is left (Flink's TtlStateSnapshotTransformer and getUnexpiredOrNull).
func (h *stateHandle) sweepOne() {
	r := h.op.backend.KeyGroups()
	kg := r.Start + h.sweep%max(r.Len(), 1)
	h.sweep++
	now := h.op.processingTime()
	type change struct {
		key any
		ns  state.Namespace
		v   any // nil: delete
	}
	var changes []change
	h.table.ForEachInGroup(kg, func(key any, ns state.Namespace, x any) bool {
		switch t := x.(type) {
		case ttlValue:
			if h.expired(t.Last, now) {
				changes = append(changes, change{key, ns, nil})
			}
		case []any:
			live := t[:0:0]
			for _, it := range t {
				if e, ok := it.(ttlValue); !ok || !h.expired(e.Last, now) {
					live = append(live, it)
				}
			}
			if len(live) < len(t) {
				changes = append(changes, change{key, ns, live})
			}
		case map[any]any:
			live := make(map[any]any, len(t))
			for k, it := range t {
				if e, ok := it.(ttlValue); !ok || !h.expired(e.Last, now) {
					live[k] = it
				}
			}
			if len(live) < len(t) {
				changes = append(changes, change{key, ns, live})
			}
		}
		return true
	})
	for _, c := range changes {
		switch v := c.v.(type) {
		case []any:
			if len(v) > 0 {
				h.table.Put(kg, c.key, c.ns, v)
				continue
			}
		case map[any]any:
			if len(v) > 0 {
				h.table.Put(kg, c.key, c.ns, v)
				continue
			}
		}
		h.table.Delete(kg, c.key, c.ns)
	}
}

// ValueState holds one value per key (and window), Flink's ValueState.
type ValueState struct{ h *stateHandle }

// Value returns the current key's value, or nil if it has none.
func (s *ValueState) Value() any {
	v, _ := s.h.get()
	return v
}

// Get returns the current key's value and whether it has one.
func (s *ValueState) Get() (any, bool) { return s.h.get() }

// Update sets the current key's value. Updating to nil clears it, as in Flink.
func (s *ValueState) Update(v any) {
	if v == nil {
		s.h.clear()
		return
	}
	s.h.put(v)
}

// Clear removes the current key's value.
func (s *ValueState) Clear() { s.h.clear() }

// ListState holds a list per key, Flink's ListState. With a TTL, each element expires on its own.
type ListState struct{ h *stateHandle }

// Get returns the current key's elements (nil if none). The slice is a copy. With a TTL it reads as Flink's
// TtlListState: expired elements are left out (unless ReturnExpiredIfNotCleanedUp), the list is removed once
// none of its elements is live, and with UpdateOnReadAndWrite every live element is renewed and the expired
// ones are dropped.
func (s *ListState) Get() []any {
	s.h.needKey()
	x, ok := s.h.table.Get(s.h.op.kg, s.h.op.key, s.h.ns())
	if !ok {
		return nil
	}
	items := x.([]any)
	out := make([]any, 0, len(items))
	if s.h.ttl == 0 {
		return append(out, items...)
	}
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
	switch {
	case len(live) == 0:
		s.h.clear()
	case s.h.renewOnRead():
		for i, it := range live {
			live[i] = s.h.wrap(it.(ttlValue).V)
		}
		s.setRaw(live)
	}
	if len(out) == 0 {
		return nil
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
	s.h.needKey()
	x, _ := s.h.table.Get(s.h.op.kg, s.h.op.key, s.h.ns())
	items, _ := x.([]any)
	s.setRaw(append(items, s.h.wrap(v)))
}

// Update replaces the current key's list.
func (s *ListState) Update(vs []any) {
	s.h.needKey()
	items := make([]any, len(vs))
	for i, v := range vs {
		items[i] = s.h.wrap(v)
	}
	s.setRaw(items)
}

// Clear removes the current key's list.
func (s *ListState) Clear() { s.h.clear() }

// MapState holds a map per key, Flink's MapState. With a TTL, each entry expires on its own: every read of an
// entry (Get, Contains, and each entry Range, Keys and Len visit) removes it if it has expired and, with
// UpdateOnReadAndWrite, renews it if it has not, as Flink's TtlMapState does.
type MapState struct{ h *stateHandle }

func (s *MapState) raw(create bool) map[any]any {
	s.h.needKey()
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

// store writes m back as the current key's map, or removes the map if m is empty.
func (s *MapState) store(m map[any]any) {
	if len(m) == 0 {
		s.h.clear()
		return
	}
	s.h.table.Put(s.h.op.kg, s.h.op.key, s.h.ns(), m) // a disk backend keeps a copy, not m itself
}

// read checks the entry x of k in m: it deletes an expired entry and renews a live one if reads renew. It
// returns the entry's value, whether it may be read, and whether m changed.
func (s *MapState) read(m map[any]any, k, x any) (any, bool, bool) {
	v, visible, expired := s.h.unwrap(x)
	switch {
	case expired:
		delete(m, k)
		return v, visible, true
	case s.h.renewOnRead():
		m[k] = s.h.wrap(v)
		return v, visible, true
	}
	return v, visible, false
}

// Get returns the value of k in the current key's map.
func (s *MapState) Get(k any) (any, bool) {
	m := s.raw(false)
	x, ok := m[k]
	if !ok {
		return nil, false
	}
	v, visible, changed := s.read(m, k, x)
	if changed {
		s.store(m)
	}
	return v, visible
}

// Put sets k to v in the current key's map.
func (s *MapState) Put(k, v any) {
	m := s.raw(true)
	m[k] = s.h.wrap(v)
	s.store(m)
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
	s.store(m)
}

// Len returns the number of live entries in the current key's map.
func (s *MapState) Len() int { return len(s.Keys()) }

// Keys returns the keys of the current key's map, in no particular order.
func (s *MapState) Keys() []any {
	var ks []any
	s.Range(func(k, _ any) bool { ks = append(ks, k); return true })
	return ks
}

// Range calls f for every live entry of the current key's map until f returns false. Only the entries it
// visits are checked and renewed, as with Flink's lazy TtlMapState iterator.
func (s *MapState) Range(f func(k, v any) bool) {
	m := s.raw(false)
	if len(m) == 0 {
		return
	}
	if s.h.ttl == 0 {
		for k, v := range m {
			if !f(k, v) {
				return
			}
		}
		return
	}
	keys := make([]any, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// f may change the map (Put, Remove): the entries visited are checked on a private copy, and what the
	// visit changed (expired entries removed, live ones renewed) is applied to the map as it is afterwards.
	visited := make(map[any]any, len(keys))
	for _, k := range keys {
		visited[k] = m[k]
	}
	var seen []any
	defer func() {
		if len(seen) == 0 {
			return
		}
		cur := s.raw(false)
		changed := false
		for _, k := range seen {
			x, ok := cur[k]
			if !ok {
				continue
			}
			_, _, ch := s.read(cur, k, x)
			changed = changed || ch
		}
		if changed {
			s.store(cur)
		}
	}()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			continue // removed by f
		}
		v, visible, expired := s.h.unwrap(visited[k])
		if expired || s.h.renewOnRead() {
			seen = append(seen, k)
		}
		if visible && !f(k, v) {
			return
		}
	}
}

// Clear removes the current key's map.
func (s *MapState) Clear() { s.h.clear() }

// ReducingState keeps one value per key that every Add combines with the descriptor's Reduce. With a TTL, an
// expired value is never folded into an Add nor returned by Get unless the visibility is
// ReturnExpiredIfNotCleanedUp (Flink's TtlReduceFunction).
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

// AggregatingState keeps an accumulator per key that every Add updates with the descriptor's Aggregate. With
// a TTL, an expired accumulator is never added to nor read unless the visibility is
// ReturnExpiredIfNotCleanedUp (Flink's TtlAggregateFunction): Add then starts a new accumulator.
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
		if h.kind != kind {
			panic(fmt.Sprintf("state %q is a %s, not a %s", d.Name, h.kind, kind))
		}
		return h
	}
	h := &stateHandle{op: b, table: b.backend.Table("user/" + d.Name), desc: d, kind: kind, ttl: d.TTL.TTL.Milliseconds()}
	b.handles[d.Name] = h
	return h
}
