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
type Heap struct {
	kgs    keygroup.Range
	tables map[string]*heapTable
	// windows are the tables laid out namespace-major (WindowTable), by name.
	windows map[string]*WindowTable
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
		t = &heapTable{name: name, base: h.kgs.Start, groups: make([]map[entryKey]any, h.kgs.Len()), deletes: make([]int, h.kgs.Len())}
		h.tables[name] = t
	}
	return t
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
	groups  []map[entryKey]any
	deletes []int // deletions per group since its map was last rebuilt
}

func (t *heapTable) group(kg int, create bool) map[entryKey]any {
	i := kg - t.base
	if i < 0 || i >= len(t.groups) {
		panic(errKeyGroup(kg, t.base, len(t.groups)))
	}
	g := t.groups[i]
	if g == nil && create {
		g = make(map[entryKey]any)
		t.groups[i] = g
	}
	return g
}

func (t *heapTable) Get(kg int, key any, ns Namespace) (any, bool) {
	v, ok := t.group(kg, false)[entryKey{key, ns}]
	return v, ok
}

func (t *heapTable) Put(kg int, key any, ns Namespace, v any) {
	g := t.group(kg, true)
	n := len(g)
	g[entryKey{key, ns}] = v // one hash: the map's size says whether the entry is new
	t.n += len(g) - n
}

// Delete removes an entry. A Go map keeps deleted slots until it grows, which slows every lookup of a
// table whose entries come and go (window contents), so a group's map is rebuilt once its deletions
// outnumber its entries: amortised O(1) per deletion.
func (t *heapTable) Delete(kg int, key any, ns Namespace) {
	g := t.group(kg, false)
	n := len(g)
	delete(g, entryKey{key, ns}) // one hash: the map's size says whether the entry was there
	if len(g) == n {
		return
	}
	t.n--
	i := kg - t.base
	t.deletes[i]++
	if t.deletes[i] > 2*len(g)+256 {
		fresh := make(map[entryKey]any, len(g))
		for k, v := range g {
			fresh[k] = v
		}
		t.groups[i], t.deletes[i] = fresh, 0
	}
}

func (t *heapTable) ForEach(f func(kg int, key any, ns Namespace, v any) bool) {
	for i, g := range t.groups {
		for k, v := range g {
			if !f(t.base+i, k.key, k.ns, v) {
				return
			}
		}
	}
}

func (t *heapTable) ForEachInGroup(kg int, f func(key any, ns Namespace, v any) bool) {
	g := t.group(kg, false)
	for k, v := range g {
		if !f(k.key, k.ns, v) {
			return
		}
	}
	t.n = 0
	for _, g := range t.groups {
		t.n += len(g)
	}
}

func (t *heapTable) Len() int { return t.n }

// estimateBytes samples up to 64 entries and scales their average size to the table.
func (t *heapTable) estimateBytes(sizeOf func(any) int64) int64 {
	if t.n == 0 {
		return 0
	}
	var sampled, bytes int64
	for _, g := range t.groups {
		for k, v := range g {
			bytes += 48 + SizeOf(k.key) // map entry, key header and namespace
			if sizeOf != nil {
				bytes += sizeOf(v)
			} else {
				bytes += SizeOf(v)
			}
			sampled++
			if sampled == 64 {
				break
			}
		}
		if sampled == 64 {
			break
		}
	}
	return bytes * int64(t.n) / sampled
}
