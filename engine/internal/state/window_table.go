package state

import (
	"github.com/de4e/weir/engine/internal/keygroup"
)

// Slot is the value of one WindowTable entry: V, or numbers its owner keeps unboxed (a count in I, a sum in
// F), so that updating an accumulator allocates nothing.
type Slot struct {
	V any
	I int64
	F float64
}

// SlotCodec converts between a Slot and the value the Table interface, snapshots and restores see. The zero
// SlotCodec stores the value in V.
type SlotCodec struct {
	// Box returns the value held by s.
	Box func(s *Slot) any
	// Unbox stores v into s.
	Unbox func(v any, s *Slot)
}

func (c SlotCodec) box(s *Slot) any {
	if c.Box == nil {
		return s.V
	}
	return c.Box(s)
}

func (c SlotCodec) unbox(v any, s *Slot) {
	if c.Unbox == nil {
		s.V = v
		return
	}
	c.Unbox(v, s)
}

// WindowTable is a heap table laid out namespace-major, for the contents of windows that many keys share
// (tumbling and sliding windows): per namespace, an open-addressing hash table from key to Slot, keyed by
// the key's keygroup.Hash (which the caller usually has already, from partitioning). Upsert finds or creates
// an entry with one probe sequence, and a namespace whose last entry is removed is dropped whole (its arrays
// are kept for the next namespace). Entries keep their order of creation, so a caller visiting a window's
// keys in that order (its timers fire in it) finds each at the probe's hint without hashing.
//
// It implements Table, so snapshots, restores and the generic state code see it as any other table: values
// pass through the SlotCodec, and entries are snapshotted by key group exactly as a plain table's.
type WindowTable struct {
	name    string
	kgs     keygroup.Range
	codec   SlotCodec
	windows map[Namespace]*WindowKeys
	last    *WindowKeys // the namespace of the last access, checked before the map
	free    []*WindowKeys
	n       int
}

// WindowKeys is one namespace's entries of a WindowTable. It is valid until its last entry is removed.
type WindowKeys struct {
	t       *WindowTable
	ns      Namespace
	entries []windowEntry
	index   []int32 // entry index + 1; 0 is an empty slot; the length is a power of two
	live    int
	hint    int // the entry found or created last
}

type windowEntry struct {
	key  any
	hash uint32
	kg   int32
	live bool
	Slot
}

// WindowTable returns the namespace-major table called name, creating it on first use with codec. A plain
// table of that name (what Restore builds from a snapshot) is converted into it, so that a restored job gets
// the layout its operator asks for.
func (h *Heap) WindowTable(name string, codec SlotCodec) *WindowTable {
	if t, ok := h.windows[name]; ok {
		return t
	}
	t := &WindowTable{name: name, kgs: h.kgs, codec: codec, windows: map[Namespace]*WindowKeys{}}
	if old, ok := h.tables[name]; ok {
		old.ForEach(func(kg int, key any, ns Namespace, v any) bool {
			t.Put(kg, key, ns, v)
			return true
		})
		delete(h.tables, name)
	}
	if h.windows == nil {
		h.windows = map[string]*WindowTable{}
	}
	h.windows[name] = t
	return t
}

// Keys returns namespace ns's entries, or nil if it has none.
func (t *WindowTable) Keys(ns Namespace) *WindowKeys {
	if w := t.last; w != nil && w.ns == ns {
		return w
	}
	w := t.windows[ns]
	if w != nil {
		t.last = w
	}
	return w
}

// KeysOrNew returns namespace ns's entries, creating the namespace if it has none.
func (t *WindowTable) KeysOrNew(ns Namespace) *WindowKeys {
	if w := t.Keys(ns); w != nil {
		return w
	}
	var w *WindowKeys
	if n := len(t.free); n > 0 {
		w, t.free = t.free[n-1], t.free[:n-1]
	} else {
		w = &WindowKeys{t: t, index: make([]int32, 16)}
	}
	w.ns = ns
	t.windows[ns] = w
	t.last = w
	return w
}

// Namespaces returns how many namespaces have entries.
func (t *WindowTable) Namespaces() int { return len(t.windows) }

// Upsert returns the slot of key (whose keygroup.Hash is hash, in key group kg), creating an empty one if
// there is none, and whether it existed. The pointer is valid until the next Upsert or Remove.
func (w *WindowKeys) Upsert(kg int, hash uint32, key any) (*Slot, bool) {
	mask := uint32(len(w.index) - 1)
	for i := hash & mask; ; i = (i + 1) & mask {
		x := w.index[i]
		if x == 0 {
			if 4*(len(w.entries)+1) > 3*len(w.index) {
				w.grow()
				return w.Upsert(kg, hash, key)
			}
			w.entries = append(w.entries, windowEntry{key: key, hash: hash, kg: int32(kg), live: true})
			w.index[i] = int32(len(w.entries))
			w.born(len(w.entries) - 1)
			return &w.entries[len(w.entries)-1].Slot, false
		}
		e := &w.entries[x-1]
		if e.hash == hash && e.key == key {
			if !e.live { // removed earlier: revived in place
				e.Slot, e.live = Slot{}, true
				w.born(int(x - 1))
				return &e.Slot, false
			}
			w.hint = int(x - 1)
			return &e.Slot, true
		}
	}
}

// born counts entry i as live again.
func (w *WindowKeys) born(i int) {
	w.live++
	w.t.n++
	w.hint = i
}

// Find returns the index of key's entry, or -1. It tries the entry found last and the one after it before
// hashing: a window's timers fire in the order its entries were created.
func (w *WindowKeys) Find(hash uint32, key any) int {
	for i := w.hint; i <= w.hint+1 && i < len(w.entries); i++ {
		if e := &w.entries[i]; e.live && e.hash == hash && e.key == key {
			w.hint = i
			return i
		}
	}
	mask := uint32(len(w.index) - 1)
	for i := hash & mask; ; i = (i + 1) & mask {
		x := w.index[i]
		if x == 0 {
			return -1
		}
		if e := &w.entries[x-1]; e.hash == hash && e.key == key {
			if !e.live {
				return -1
			}
			w.hint = int(x - 1)
			return int(x - 1)
		}
	}
}

// At returns the slot of entry i, as found by Find.
func (w *WindowKeys) At(i int) *Slot { return &w.entries[i].Slot }

// Remove deletes entry i. Removing a namespace's last entry drops the namespace; w must not be used after.
// An entry removed while others remain keeps its place in the index, to be revived if its key comes back;
// they are compacted away once they outnumber the live entries.
func (w *WindowKeys) Remove(i int) {
	e := &w.entries[i]
	if !e.live {
		return
	}
	e.live, e.Slot = false, Slot{}
	w.live--
	w.t.n--
	switch {
	case w.live == 0:
		w.t.drop(w)
	case len(w.entries)-w.live > 2*w.live+64:
		w.rebuild(len(w.index))
	}
}

// grow doubles the index.
func (w *WindowKeys) grow() { w.rebuild(2 * len(w.index)) }

// rebuild reindexes the live entries in an index of size n, dropping the removed ones.
func (w *WindowKeys) rebuild(n int) {
	live := w.entries[:0]
	for _, e := range w.entries {
		if e.live {
			live = append(live, e)
		}
	}
	clear(w.entries[len(live):])
	w.entries = live
	for 4*len(live) > 3*n {
		n *= 2
	}
	if n == len(w.index) {
		clear(w.index)
	} else {
		w.index = make([]int32, n)
	}
	mask := uint32(n - 1)
	for j, e := range live {
		i := e.hash & mask
		for w.index[i] != 0 {
			i = (i + 1) & mask
		}
		w.index[i] = int32(j + 1)
	}
	w.hint = 0
}

// drop forgets an empty namespace and keeps its arrays for the next one (at most two are kept: a tumbling
// window's successor has about as many keys).
func (t *WindowTable) drop(w *WindowKeys) {
	delete(t.windows, w.ns)
	if t.last == w {
		t.last = nil
	}
	if len(t.free) < 2 {
		clear(w.entries)
		w.entries = w.entries[:0]
		clear(w.index)
		w.live, w.hint, w.ns = 0, 0, Namespace{}
		t.free = append(t.free, w)
	}
}

func (t *WindowTable) checkGroup(kg int) {
	if !t.kgs.Contains(kg) {
		panic(errKeyGroup(kg, t.kgs.Start, t.kgs.Len()))
	}
}

// Get returns the value of (key, ns), boxed by the table's codec.
func (t *WindowTable) Get(kg int, key any, ns Namespace) (any, bool) {
	t.checkGroup(kg)
	w := t.Keys(ns)
	if w == nil {
		return nil, false
	}
	i := w.Find(keygroup.Hash(key), key)
	if i < 0 {
		return nil, false
	}
	return t.codec.box(w.At(i)), true
}

// Put sets the value of (key, ns), unboxed by the table's codec.
func (t *WindowTable) Put(kg int, key any, ns Namespace, v any) {
	t.checkGroup(kg)
	s, _ := t.KeysOrNew(ns).Upsert(kg, keygroup.Hash(key), key)
	*s = Slot{}
	t.codec.unbox(v, s)
}

// Delete removes (key, ns).
func (t *WindowTable) Delete(kg int, key any, ns Namespace) {
	t.checkGroup(kg)
	if w := t.Keys(ns); w != nil {
		if i := w.Find(keygroup.Hash(key), key); i >= 0 {
			w.Remove(i)
		}
	}
}

// ForEach calls f for every entry, its value boxed by the codec, until f returns false.
func (t *WindowTable) ForEach(f func(kg int, key any, ns Namespace, v any) bool) {
	for ns, w := range t.windows {
		for i := range w.entries {
			if e := &w.entries[i]; e.live && !f(int(e.kg), e.key, ns, t.codec.box(&e.Slot)) {
				return
			}
		}
	}
}

// ForEachInGroup calls f for every entry of key group kg until f returns false; f may delete the entry it
// is given. It visits every namespace's entries.
func (t *WindowTable) ForEachInGroup(kg int, f func(key any, ns Namespace, v any) bool) {
	type item struct {
		key any
		ns  Namespace
		v   any
	}
	var items []item // collected first: a deletion may drop a namespace or compact its entries
	for ns, w := range t.windows {
		for i := range w.entries {
			if e := &w.entries[i]; e.live && int(e.kg) == kg {
				items = append(items, item{e.key, ns, t.codec.box(&e.Slot)})
			}
		}
	}
	for _, it := range items {
		if !f(it.key, it.ns, it.v) {
			return
		}
	}
}

// Len returns the number of entries.
func (t *WindowTable) Len() int { return t.n }

// windowRow is a WindowTable entry as a snapshot captured it.
type windowRow struct {
	key any
	ns  Namespace
	Slot
}

// capture copies the table's live entries, by key group (index kg - the range's start), unboxed: the
// synchronous part of a snapshot, after which the table may change. Copying a slot is a few words; boxing it
// (an allocation for a count) is left to the asynchronous part; a Mutable value is copied here, since its
// owner changes it in place once the synchronous part is over. The entries are counted per key group first,
// so that they are copied once into one array.
func (t *WindowTable) capture() [][]windowRow {
	ends := make([]int, t.kgs.Len()+1)
	for _, w := range t.windows {
		for i := range w.entries {
			if e := &w.entries[i]; e.live {
				ends[int(e.kg)-t.kgs.Start+1]++
			}
		}
	}
	for i := 1; i < len(ends); i++ {
		ends[i] += ends[i-1]
	}
	rows := make([]windowRow, ends[len(ends)-1])
	out := make([][]windowRow, t.kgs.Len())
	for i := range out {
		out[i] = rows[ends[i]:ends[i]:ends[i+1]]
	}
	for ns, w := range t.windows {
		for i := range w.entries {
			if e := &w.entries[i]; e.live {
				g := &out[int(e.kg)-t.kgs.Start]
				slot := e.Slot
				if m, ok := slot.V.(Mutable); ok { // its owner changes it in place after the snapshot
					slot.V = m.CopyState()
				}
				*g = append(*g, windowRow{e.key, ns, slot})
			}
		}
	}
	return out
}

// estimateBytes samples up to 64 entries and scales their average size to the table.
func (t *WindowTable) estimateBytes(sizeOf func(any) int64) int64 {
	if t.n == 0 {
		return 0
	}
	var sampled, bytes int64
	for _, w := range t.windows {
		for i := range w.entries {
			e := &w.entries[i]
			if !e.live {
				continue
			}
			v := t.codec.box(&e.Slot)
			bytes += 72 + SizeOf(e.key) // entry, index slot, key header
			if sizeOf != nil {
				bytes += sizeOf(v)
			} else {
				bytes += SizeOf(v)
			}
			if sampled++; sampled == 64 {
				return bytes * int64(t.n) / sampled
			}
		}
	}
	return bytes * int64(t.n) / sampled
}
