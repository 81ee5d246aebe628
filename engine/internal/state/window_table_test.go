package state

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// countCodec keeps an int64 count unboxed in Slot.I, as the window operator does for Count.
var countCodec = SlotCodec{
	Box:   func(s *Slot) any { return s.I },
	Unbox: func(v any, s *Slot) { s.I = v.(int64) },
}

type wkey struct {
	key any
	ns  Namespace
}

// A WindowTable behaves as a map from (key, namespace) to a value under a random mix of upserts, finds and
// removes (with revived keys, whole namespaces emptied and compactions), and reports its size exactly.
func TestWindowTableAgainstAMap(t *testing.T) {
	const maxP = 8
	h := NewHeap(keygroup.Range{Start: 0, End: maxP - 1})
	wt := h.WindowTable("contents", countCodec)
	want := map[wkey]int64{}
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 200_000 {
		key := any(int64(rng.IntN(3000)))
		if step%7 == 0 {
			key = fmt.Sprint("s", rng.IntN(500)) // two key types in one table
		}
		ns := Namespace{Start: int64(rng.IntN(4)), End: 10}
		hash, kg := keygroup.Hash(key), keygroup.Of(key, maxP)
		switch op := rng.IntN(10); {
		case op < 6:
			s, existed := wt.KeysOrNew(ns).Upsert(kg, hash, key)
			_, had := want[wkey{key, ns}]
			if existed != had {
				t.Fatalf("step %d: Upsert(%v, %v) existed = %v, want %v", step, key, ns, existed, had)
			}
			if !existed && s.I != 0 {
				t.Fatalf("step %d: a new slot holds %d", step, s.I)
			}
			s.I++
			want[wkey{key, ns}]++
		case op < 8:
			w := wt.Keys(ns)
			i := -1
			if w != nil {
				i = w.Find(hash, key)
			}
			if c, had := want[wkey{key, ns}]; had != (i >= 0) || had && w.At(i).I != c {
				t.Fatalf("step %d: Find(%v, %v) = %d, want %v (%d)", step, key, ns, i, had, c)
			}
		default:
			if w := wt.Keys(ns); w != nil {
				if i := w.Find(hash, key); i >= 0 {
					w.Remove(i)
				}
			}
			delete(want, wkey{key, ns})
		}
		if wt.Len() != len(want) {
			t.Fatalf("step %d: Len = %d, want %d", step, wt.Len(), len(want))
		}
	}
	got := map[wkey]int64{}
	wt.ForEach(func(kg int, key any, ns Namespace, v any) bool {
		if kg != keygroup.Of(key, maxP) {
			t.Fatalf("%v is in key group %d", key, kg)
		}
		got[wkey{key, ns}] = v.(int64)
		return true
	})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("ForEach differs from the map")
	}
}

// A namespace whose last entry is removed is dropped whole, and its arrays serve the next namespace.
func TestWindowTableDropsAnEmptiedNamespace(t *testing.T) {
	h := NewHeap(keygroup.Range{Start: 0, End: 127})
	wt := h.WindowTable("contents", countCodec)
	for win := range int64(3) {
		ns := Namespace{Start: win * 10, End: win*10 + 10}
		w := wt.KeysOrNew(ns)
		for k := range int64(1000) {
			s, _ := w.Upsert(keygroup.Of(k, 128), keygroup.Hash(k), k)
			s.I = k
		}
		if wt.Namespaces() != 1 || wt.Len() != 1000 {
			t.Fatalf("window %d: %d namespaces, %d entries", win, wt.Namespaces(), wt.Len())
		}
		for k := range int64(1000) { // in creation order, as the window's timers fire
			i := w.Find(keygroup.Hash(k), k)
			if i < 0 || w.At(i).I != k {
				t.Fatalf("window %d: key %d not found", win, k)
			}
			w.Remove(i)
		}
		if wt.Namespaces() != 0 || wt.Len() != 0 || wt.Keys(ns) != nil {
			t.Fatalf("window %d left %d namespaces, %d entries", win, wt.Namespaces(), wt.Len())
		}
	}
}

func dumpTable(tab Table) string {
	var lines []string
	tab.ForEach(func(kg int, key any, ns Namespace, v any) bool {
		lines = append(lines, fmt.Sprintf("%d %v %v %v", kg, key, ns, v))
		return true
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// A WindowTable snapshots as a plain table of the same name would: restored (whole or rescaled) into a
// backend that asks for a plain table, or into one that asks for the window layout, it gives the same
// entries; writes after the synchronous part do not reach the snapshot.
func TestWindowTableSnapshotRestoreAndRescale(t *testing.T) {
	const maxP = 16
	full := NewHeap(keygroup.Range{Start: 0, End: maxP - 1})
	wt := full.WindowTable("contents", countCodec)
	for k := range int64(300) {
		for win := range k%3 + 1 {
			s, _ := wt.KeysOrNew(Namespace{Start: win, End: win + 5}).Upsert(keygroup.Of(k, maxP), keygroup.Hash(k), k)
			s.I = k * 10
		}
	}
	want := dumpTable(wt)
	if full.Table("contents") != Table(wt) {
		t.Fatal("Table does not return the window table of that name")
	}
	dir := t.TempDir()
	finish, err := full.SnapshotSync(1, dir)
	if err != nil {
		t.Fatal(err)
	}
	w := wt.Keys(Namespace{Start: 0, End: 5})
	w.At(w.Find(keygroup.Hash(int64(7)), int64(7))).I = -1
	if stats, err := finish(); err != nil || stats.Keys != 600 {
		t.Fatalf("finish: %+v %v", stats, err)
	}
	plain := NewHeap(keygroup.Range{Start: 0, End: maxP - 1})
	if err := plain.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	if got := dumpTable(plain.Table("contents")); got != want {
		t.Fatalf("restored as a plain table:\n%s\nwant\n%s", got, want)
	}
	if got := dumpTable(plain.WindowTable("contents", countCodec)); got != want {
		t.Fatal("converted into a window table, the state differs")
	}
	checkHalves(t, dir, maxP, want, func(h *Heap) string { return dumpTable(h.WindowTable("contents", countCodec)) })
}
