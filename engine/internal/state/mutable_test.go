package state

import (
	"fmt"
	"testing"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// counter is a state value its owner changes in place (state.Mutable).
type counter struct{ N int64 }

func (c *counter) CopyState() any { d := *c; return &d }

func init() { Register(&counter{}) }

// A Mutable value changed in place after a snapshot's synchronous part does not reach the snapshot: in a
// plain table the first Get after the freeze hands out a copy (and so does a MapState map holding one), and
// a WindowTable copies its entries' Mutable values when it boxes them for the snapshot.
func TestHeapSnapshotCopiesMutableValues(t *testing.T) {
	const maxP = 4
	r := keygroup.Range{Start: 0, End: maxP - 1}
	h := NewHeap(r)
	wt := h.WindowTable("win", SlotCodec{})
	ns := Namespace{Start: 0, End: 10}
	keys := []string{"a", "b", "c"}
	for i, k := range keys {
		kg := keygroup.Of(k, maxP)
		h.Table("plain").Put(kg, k, Namespace{}, &counter{int64(i)})
		h.Table("map").Put(kg, k, Namespace{}, map[any]any{"x": &counter{int64(i)}})
		s, _ := wt.KeysOrNew(ns).Upsert(kg, keygroup.Hash(k), k)
		s.V = &counter{int64(i)}
	}
	want := dumpCounters(h)
	dir := t.TempDir()
	finish, err := h.SnapshotSync(1, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		kg := keygroup.Of(k, maxP)
		v, _ := h.Table("plain").Get(kg, k, Namespace{})
		v.(*counter).N += 100
		m, _ := h.Table("map").Get(kg, k, Namespace{})
		m.(map[any]any)["x"].(*counter).N += 100
		w := wt.Keys(ns)
		w.At(w.Find(keygroup.Hash(k), k)).V.(*counter).N += 100
	}
	live := dumpCounters(h)
	if live == want {
		t.Fatal("the in-place changes did not reach the live state")
	}
	if got := dumpCounters(restoreFrom(t, finish, dir, r)); got != want {
		t.Errorf("snapshot holds\n%s\nwant the state of its moment\n%s", got, want)
	}
	if got := dumpCounters(h); got != live {
		t.Errorf("live state after the snapshot\n%s\nwant\n%s", got, live)
	}
}

// dumpCounters lists every counter of the tables plain, map and win.
func dumpCounters(h *Heap) string {
	var lines []string
	for _, name := range []string{"plain", "map", "win"} {
		h.Table(name).ForEach(func(kg int, key any, ns Namespace, v any) bool {
			if m, ok := v.(map[any]any); ok {
				v = m["x"]
			}
			lines = append(lines, fmt.Sprintf("%s %v %d", name, key, v.(*counter).N))
			return true
		})
	}
	sortStrings(lines)
	return fmt.Sprint(lines)
}

// Putting back the value Get returned costs nothing, but the put still counts when the entry went away in
// between (a Delete) or a snapshot froze the map: the value is stored again, and the entry count is right.
func TestHeapPutBackAfterGet(t *testing.T) {
	r := keygroup.Range{Start: 0, End: 0}
	tests := []struct {
		name    string
		between func(h *Heap, tab Table)
		want    int64 // the live value after the put back
	}{
		{"nothing", func(*Heap, Table) {}, 1},
		{"delete", func(_ *Heap, tab Table) { tab.Delete(0, "k", Namespace{}) }, 1},
		{"snapshot", func(h *Heap, _ Table) {
			if _, err := h.SnapshotSync(1, t.TempDir()); err != nil {
				t.Fatal(err)
			}
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHeap(r)
			tab := h.Table("t")
			tab.Put(0, "k", Namespace{}, &counter{0})
			v, _ := tab.Get(0, "k", Namespace{})
			tt.between(h, tab)
			v.(*counter).N++
			tab.Put(0, "k", Namespace{}, v)
			got, ok := tab.Get(0, "k", Namespace{})
			if !ok || got.(*counter).N != tt.want || tab.Len() != 1 {
				t.Errorf("after the put back: %v %v, Len %d; want N=%d, Len 1", got, ok, tab.Len(), tt.want)
			}
		})
	}
}
