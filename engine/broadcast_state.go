package engine

import (
	"fmt"

	"github.com/de4e/weir/engine/internal/state"
)

// ReadOnlyBroadcastState is one broadcast state as the regular side sees it, Flink's ReadOnlyBroadcastState.
type ReadOnlyBroadcastState struct {
	m *bcastMap
}

// Get returns the value of k and whether it is present.
func (s *ReadOnlyBroadcastState) Get(k any) (any, bool) {
	e, ok := s.m.entries[k]
	if !ok {
		return nil, false
	}
	return e.v, true
}

// Contains reports whether k is present.
func (s *ReadOnlyBroadcastState) Contains(k any) bool { _, ok := s.m.entries[k]; return ok }

// Len returns the number of entries.
func (s *ReadOnlyBroadcastState) Len() int { return len(s.m.entries) }

// Keys returns the keys in the order they were first put.
func (s *ReadOnlyBroadcastState) Keys() []any {
	ks := make([]any, 0, len(s.m.entries))
	s.Range(func(k, _ any) bool { ks = append(ks, k); return true })
	return ks
}

// Range calls f for every entry, in the order the keys were first put, until f returns false (Flink's
// immutableEntries). Entries put during the call are not visited; entries removed during it are skipped.
func (s *ReadOnlyBroadcastState) Range(f func(k, v any) bool) { s.m.rangeEntries(f) }

// Entries returns a copy of the state as a map.
func (s *ReadOnlyBroadcastState) Entries() map[any]any {
	out := make(map[any]any, len(s.m.entries))
	for k, e := range s.m.entries {
		out[k] = e.v
	}
	return out
}

// BroadcastState is one broadcast state as ProcessBroadcastElement sees it, readable and writable, Flink's
// BroadcastState. Values and keys must be storable in checkpoints (encoding/gob; named types in a new
// process need RegisterType), and keys must be comparable and not nil. Writing it after
// ProcessBroadcastElement has returned (through a kept reference) panics with ErrReadOnlyBroadcastState.
type BroadcastState struct {
	ReadOnlyBroadcastState
	op *broadcastOp
}

func (s *BroadcastState) writable(what string) {
	if !s.op.onBroadcast {
		panic(fmt.Errorf("%w: %s on %q", ErrReadOnlyBroadcastState, what, s.m.name))
	}
}

// Put sets k to v. A new key goes after the existing ones in Range's order.
func (s *BroadcastState) Put(k, v any) {
	s.writable("Put")
	if k == nil {
		panic(fmt.Sprintf("engine: broadcast state %q: a key cannot be nil", s.m.name))
	}
	s.m.put(k, v)
}

// PutAll puts every entry of m, in no particular order.
func (s *BroadcastState) PutAll(m map[any]any) {
	for k, v := range m {
		s.Put(k, v)
	}
}

// Remove deletes k, if present.
func (s *BroadcastState) Remove(k any) {
	s.writable("Remove")
	s.m.remove(k)
}

// Clear removes every entry.
func (s *BroadcastState) Clear() {
	s.writable("Clear")
	s.m.clear()
}

// bcastMap is one broadcast state: a map that remembers the order its keys were first put, so that Range is
// deterministic and equal in every subtask that received the same broadcast elements.
type bcastMap struct {
	name    string
	entries map[any]*bcastEntry
	order   []any // keys in first-put order; nil where a key was removed
	holes   int
	ranging int // Range calls in progress: order is not compacted meanwhile
}

type bcastEntry struct {
	v   any
	pos int
}

func newBcastMap(name string) *bcastMap { return &bcastMap{name: name, entries: map[any]*bcastEntry{}} }

func (m *bcastMap) put(k, v any) {
	if e, ok := m.entries[k]; ok {
		e.v = v
		return
	}
	m.entries[k] = &bcastEntry{v: v, pos: len(m.order)}
	m.order = append(m.order, k)
}

func (m *bcastMap) remove(k any) {
	e, ok := m.entries[k]
	if !ok {
		return
	}
	delete(m.entries, k)
	m.order[e.pos] = nil
	m.holes++
	if m.ranging == 0 && m.holes > 16 && m.holes > len(m.order)/2 {
		m.compact()
	}
}

func (m *bcastMap) compact() {
	live := m.order[:0]
	for _, k := range m.order {
		if k != nil {
			m.entries[k].pos = len(live)
			live = append(live, k)
		}
	}
	clear(m.order[len(live):])
	m.order, m.holes = live, 0
}

func (m *bcastMap) clear() {
	m.entries = map[any]*bcastEntry{}
	m.order, m.holes = nil, 0
}

func (m *bcastMap) rangeEntries(f func(k, v any) bool) {
	m.ranging++
	defer func() { m.ranging-- }()
	order := m.order
	for i := range len(order) {
		k := order[i]
		if k == nil {
			continue
		}
		e, ok := m.entries[k]
		if !ok || e.pos != i { // removed meanwhile (and maybe put again, at the end)
			continue
		}
		if !f(k, e.v) {
			return
		}
	}
}

// bcastSnapshot is the checkpointed form of an operator subtask's broadcast state: per state, its entries in
// Range order.
type bcastSnapshot struct {
	States []bcastStateSnapshot
}

type bcastStateSnapshot struct {
	Name   string
	Keys   []any
	Values []any
}

func (m *bcastMap) snapshot() bcastStateSnapshot {
	s := bcastStateSnapshot{Name: m.name, Keys: make([]any, 0, len(m.entries)), Values: make([]any, 0, len(m.entries))}
	m.rangeEntries(func(k, v any) bool {
		state.RegisterDeep(k)
		state.RegisterDeep(v)
		s.Keys = append(s.Keys, k)
		s.Values = append(s.Values, v)
		return true
	})
	return s
}
