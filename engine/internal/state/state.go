// Package state holds the keyed state of one stateful operator subtask: named tables of values addressed by
// key group, key and namespace (a window, or the zero namespace for plain keyed state).
//
// Backend is the interface every state backend implements; Heap keeps values as Go objects in maps, one map
// per key group so that a key group can be snapshotted, dropped or handed to another subtask on its own.
// The typed state of the public API (ValueState, ListState, ...) is built on Table in package engine.
package state

import (
	"errors"
	"sort"
	"sync/atomic"
	"unsafe"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// Namespace scopes a value within its key: the window it belongs to, or the zero Namespace.
// It has the same layout as engine.Window, so the two convert directly.
type Namespace struct {
	Start, End int64
}

// Backend holds the state tables of one operator subtask, for the key groups it owns.
type Backend interface {
	// Table returns the table of the state called name, creating it on first use.
	Table(name string) Table
	// KeyGroups returns the key groups this backend holds.
	KeyGroups() keygroup.Range
	// Stats returns the number of entries and their approximate size, per table.
	Stats() []TableStats
	// Kind names the backend ("heap", "pebble").
	Kind() string
	// Close releases the backend's resources.
	Close() error
	// SnapshotSync takes the synchronous part of checkpoint id: once it returns, later writes no longer
	// affect the snapshot. The returned finish function is the asynchronous part: it writes the snapshot
	// into dir (which it creates), fsyncs it, and reports its size. finish may run on another goroutine
	// while the backend keeps serving reads and writes.
	SnapshotSync(id int64, dir string) (finish func() (SnapshotStats, error), err error)
	// SnapshotSyncWith is SnapshotSync whose snapshot also holds the extra tables (state kept outside the
	// backend, such as an operator's timers), written by finish from what they captured.
	SnapshotSyncWith(id int64, dir string, extra []ExtraTable) (finish func() (SnapshotStats, error), err error)
	// TakeRestored calls f for every entry of the table called name that Restore brought back, whether
	// the snapshot held it as an extra table or (a snapshot of an older version) as a table, and then
	// drops that table, so that the entries live on only where f put them.
	TakeRestored(name string, f func(kg int, key any, ns Namespace, v any))
	// Restore replaces the backend's contents with the key groups of its range found in the snapshots in
	// dirs (several when the job is rescaled, each written by SnapshotSync's finish of some backend of the
	// same operator). A missing, truncated or corrupt snapshot is an error wrapping ErrCorruptSnapshot.
	Restore(dirs []string) error
}

// ErrCorruptSnapshot is wrapped by Restore's error when a snapshot is missing, truncated or fails its checksum.
var ErrCorruptSnapshot = errors.New("state: corrupt or incomplete snapshot")

// SnapshotStats describes a finished snapshot.
type SnapshotStats struct {
	Bytes    int64 // total size of the snapshot
	NewBytes int64 // bytes written for this snapshot that no earlier snapshot already holds (incremental)
	Keys     int64 // entries in the snapshot
}

// Table is one named state: a map from (key group, key, namespace) to a value.
// Key groups must be within the backend's range.
type Table interface {
	Get(kg int, key any, ns Namespace) (any, bool)
	Put(kg int, key any, ns Namespace, v any)
	Delete(kg int, key any, ns Namespace)
	// ForEach calls f for every entry until f returns false, in no particular order. f must not modify the table.
	ForEach(f func(kg int, key any, ns Namespace, v any) bool)
	// ForEachInGroup is ForEach restricted to key group kg; f may delete the entry it is given.
	ForEachInGroup(kg int, f func(key any, ns Namespace, v any) bool)
	// Len returns the number of entries.
	Len() int
}

// TableStats describes one table's size.
type TableStats struct {
	Name  string
	Keys  int64 // entries; exact on the heap
	Bytes int64 // approximate bytes
	// Approximate is true when Keys is an estimate (a disk backend's statistics).
	Approximate bool
}

type entryKey struct {
	key any
	ns  Namespace
}

// Heap is a Backend that keeps state as Go values in memory.
//
// Its tables are copy-on-write (Flink's CopyOnWriteStateMap idea, on Go maps): a snapshot freezes each key
// group's map, in O(key groups) and without copying an entry, and later writes go to a fresh map layered
// above the frozen ones until the snapshots reading them finish; the first access to a key group after that
// folds its layers back into one map. A value read from a frozen layer that may be changed in place (the maps
// of MapState, a Mutable value) is copied up first, so the snapshot keeps the value of its moment.
type Heap struct {
	kgs    keygroup.Range
	tables map[string]*heapTable
	// windows are the tables laid out namespace-major (WindowTable), by name.
	windows map[string]*WindowTable
	running atomic.Int32      // snapshots whose asynchronous part has not finished: frozen maps stay frozen
	SizeOf  func(v any) int64 // approximate size of a value; nil counts 16 bytes a value
}

// NewHeap returns an empty heap backend for the key groups in r.
func NewHeap(r keygroup.Range) *Heap {
	return &Heap{kgs: r, tables: map[string]*heapTable{}}
}

func (h *Heap) Kind() string              { return "heap" }
func (h *Heap) KeyGroups() keygroup.Range { return h.kgs }
func (h *Heap) Close() error              { h.tables, h.windows = nil, nil; return nil }

// Table returns the table called name.
func (h *Heap) Table(name string) Table {
	if w, ok := h.windows[name]; ok {
		return w
	}
	t, ok := h.tables[name]
	if !ok {
		t = &heapTable{name: name, base: h.kgs.Start, groups: make([]heapGroup, h.kgs.Len()), running: &h.running}
		h.tables[name] = t
	}
	return t
}

// DropTable forgets the table called name and its entries (a restored table that its owner has taken out,
// such as the timers). A snapshot still writing the table's frozen layers keeps them.
func (h *Heap) DropTable(name string) {
	delete(h.tables, name)
	delete(h.windows, name)
}

// Stats returns every table's size; bytes are estimated from a sample of entries.
func (h *Heap) Stats() []TableStats {
	out := make([]TableStats, 0, len(h.tables))
	for name, t := range h.tables {
		out = append(out, TableStats{Name: name, Keys: int64(t.n), Bytes: t.estimateBytes(h.SizeOf)})
	}
	for name, t := range h.windows {
		out = append(out, TableStats{Name: name, Keys: int64(t.n), Bytes: t.estimateBytes(h.SizeOf)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type heapTable struct {
	name    string
	base    int
	n       int
	groups  []heapGroup
	running *atomic.Int32 // the backend's count of running snapshots
	// last is the entry the last Get found in a key group's writable map (no snapshot reads that map), so
	// that putting the same value back after changing it in place (a state.Mutable) costs no probe.
	last lastEntry
}

// lastEntry is a heapTable's last entry read from a writable map: its key group, key and value.
type lastEntry struct {
	kg int
	k  entryKey
	v  any
	ok bool
}

// identical reports whether a and b are the same interface value: the same type and the same data word (the
// same pointer, or the same boxed copy), so that storing b where a is changes nothing. Unlike ==, it never
// panics on values that are not comparable.
func identical(a, b any) bool {
	type iface struct{ typ, data unsafe.Pointer }
	x, y := (*iface)(unsafe.Pointer(&a)), (*iface)(unsafe.Pointer(&b))
	return x.typ == y.typ && x.data == y.data
}

// heapGroup is one key group of a table: the writable map m, above the maps frozen by snapshots (oldest
// first) that are still being written out, or were and have not been folded back yet.
type heapGroup struct {
	m       map[entryKey]any
	frozen  []map[entryKey]any
	deletes int // deletions from m since it was last rebuilt
	walking int // iterations under way: the layers are not folded beneath them
}

// tombstone marks, in a map above frozen ones, an entry deleted since the freeze.
type tombstone struct{}

func isTombstone(v any) bool { _, ok := v.(tombstone); return ok }

// group returns key group kg, folding its frozen layers back first once no snapshot reads them.
func (t *heapTable) group(kg int) *heapGroup {
	i := kg - t.base
	if i < 0 || i >= len(t.groups) {
		panic(errKeyGroup(kg, t.base, len(t.groups)))
	}
	g := &t.groups[i]
	if g.frozen != nil && g.walking == 0 && t.running.Load() == 0 {
		g.fold()
		t.last.ok = false
	}
	return g
}

// fold merges the frozen layers and m into one map, the cheaper way round: the newer layers into the
// oldest when it is the biggest, else the older entries into the newest that do not hide them.
func (g *heapGroup) fold() {
	layers := append(g.frozen, g.m)
	rest := 0
	for _, l := range layers[1:] {
		rest += len(l)
	}
	var out map[entryKey]any
	if len(layers[0]) >= rest {
		out = layers[0]
		for _, l := range layers[1:] {
			for k, v := range l {
				if isTombstone(v) {
					delete(out, k)
				} else {
					out[k] = v
				}
			}
		}
	} else {
		out = g.m
		if out == nil {
			out = make(map[entryKey]any, rest)
		}
		for i := len(layers) - 2; i >= 0; i-- {
			for k, v := range layers[i] {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
		for k, v := range out {
			if isTombstone(v) {
				delete(out, k)
			}
		}
	}
	g.m, g.frozen, g.deletes = out, nil, 0
}

// frozenGet looks key k up in the frozen layers, newest first.
func (g *heapGroup) frozenGet(k entryKey) (any, bool) {
	for i := len(g.frozen) - 1; i >= 0; i-- {
		if v, ok := g.frozen[i][k]; ok {
			return v, !isTombstone(v)
		}
	}
	return nil, false
}

// write stores v (a value or a tombstone) in m, creating m on first use.
func (g *heapGroup) write(k entryKey, v any) {
	if g.m == nil {
		g.m = make(map[entryKey]any)
	}
	g.m[k] = v
}

func (t *heapTable) Get(kg int, key any, ns Namespace) (any, bool) {
	g := t.group(kg)
	k := entryKey{key, ns}
	v, ok := g.m[k]
	if g.frozen == nil {
		t.last = lastEntry{kg, k, v, ok}
		return v, ok
	}
	if ok {
		if isTombstone(v) {
			return nil, false
		}
		t.last = lastEntry{kg, k, v, true}
		return v, true
	}
	if v, ok = g.frozenGet(k); ok {
		if c, copied := copyForWrite(v); copied {
			g.write(k, c) // the caller may change it in place: the frozen value stays the snapshot's
			t.last = lastEntry{kg, k, c, true}
			return c, true
		}
	}
	return v, ok
}

func (t *heapTable) Put(kg int, key any, ns Namespace, v any) {
	g := t.group(kg)
	k := entryKey{key, ns}
	if l := &t.last; l.ok && l.kg == kg && identical(l.v, v) && l.k == k {
		return // the value Get found in the writable map, put back: already there
	}
	t.last.ok = false
	if g.frozen == nil {
		if g.m == nil {
			g.m = make(map[entryKey]any)
		}
		n := len(g.m)
		g.m[k] = v // one hash: the map's size says whether the entry is new
		t.n += len(g.m) - n
		return
	}
	old, ok := g.m[k]
	g.write(k, v)
	if ok {
		if isTombstone(old) {
			t.n++
		}
		return
	}
	if _, ok := g.frozenGet(k); !ok {
		t.n++
	}
}

// Delete removes an entry. A Go map keeps deleted slots until it grows, which slows every lookup of a
// table whose entries come and go (window contents), so a group's map is rebuilt once its deletions
// outnumber its entries: amortised O(1) per deletion. Above frozen layers, an entry they hold is hidden by
// a tombstone instead.
func (t *heapTable) Delete(kg int, key any, ns Namespace) {
	t.last.ok = false
	g := t.group(kg)
	k := entryKey{key, ns}
	if g.frozen != nil {
		old, inM := g.m[k]
		if inM && isTombstone(old) {
			return
		}
		if _, inFrozen := g.frozenGet(k); inFrozen {
			g.write(k, tombstone{})
			t.n--
			return
		}
		if !inM {
			return
		}
	}
	n := len(g.m)
	delete(g.m, k) // one hash: the map's size says whether the entry was there
	if len(g.m) == n {
		return
	}
	t.n--
	g.deletes++
	if g.deletes > 2*len(g.m)+256 {
		fresh := make(map[entryKey]any, len(g.m))
		for k, v := range g.m {
			fresh[k] = v
		}
		g.m, g.deletes = fresh, 0
	}
}

// forEachLayered calls f for every live entry of layers (oldest first), each key once with its newest
// value, until f returns false; it reports whether f always returned true.
func forEachLayered(layers []map[entryKey]any, f func(k entryKey, v any) bool) bool {
	for i := len(layers) - 1; i >= 0; i-- {
	entries:
		for k, v := range layers[i] {
			if isTombstone(v) {
				continue
			}
			for _, newer := range layers[i+1:] {
				if _, ok := newer[k]; ok {
					continue entries
				}
			}
			if !f(k, v) {
				return false
			}
		}
	}
	return true
}

// each calls f for every entry of group g.
func (g *heapGroup) each(f func(k entryKey, v any) bool) bool {
	if g.frozen == nil {
		for k, v := range g.m {
			if !f(k, v) {
				return false
			}
		}
		return true
	}
	g.walking++
	defer func() { g.walking-- }()
	return forEachLayered(append(g.frozen[:len(g.frozen):len(g.frozen)], g.m), f)
}

func (t *heapTable) ForEach(f func(kg int, key any, ns Namespace, v any) bool) {
	for i := range t.groups {
		kg := t.base + i
		if !t.group(kg).each(func(k entryKey, v any) bool { return f(kg, k.key, k.ns, v) }) {
			return
		}
	}
}

func (t *heapTable) ForEachInGroup(kg int, f func(key any, ns Namespace, v any) bool) {
	t.group(kg).each(func(k entryKey, v any) bool { return f(k.key, k.ns, v) })
}

func (t *heapTable) Len() int { return t.n }

// install adds the entries of m, decoded from a snapshot, to key group kg: m itself becomes the group's map
// when the group is empty (the usual restore), else its entries are put one by one.
func (t *heapTable) install(kg int, m map[entryKey]any) {
	t.last.ok = false
	if g := t.group(kg); len(g.m) == 0 && g.frozen == nil {
		g.m, g.deletes = m, 0
		t.n += len(m)
		return
	}
	for k, v := range m {
		t.Put(kg, k.key, k.ns, v)
	}
}

// estimateBytes samples up to 64 entries and scales their average size to the table.
func (t *heapTable) estimateBytes(sizeOf func(any) int64) int64 {
	if t.n == 0 {
		return 0
	}
	var sampled, bytes int64
	for i := range t.groups {
		t.groups[i].each(func(k entryKey, v any) bool {
			bytes += 48 + SizeOf(k.key) // map entry, key header and namespace
			if sizeOf != nil {
				bytes += sizeOf(v)
			} else {
				bytes += SizeOf(v)
			}
			sampled++
			return sampled < 64
		})
		if sampled == 64 {
			break
		}
	}
	if sampled == 0 {
		return 0
	}
	return bytes * int64(t.n) / sampled
}
