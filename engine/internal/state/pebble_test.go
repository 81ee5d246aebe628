package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/internal/keygroup"
)

func fillBackend(b Backend, maxP, n int) {
	r := b.KeyGroups()
	for i := range n {
		key := fmt.Sprint("k", i)
		kg := keygroup.Of(key, maxP)
		if !r.Contains(kg) {
			continue
		}
		b.Table("count").Put(kg, key, Namespace{}, int64(i))
		b.Table("window").Put(kg, key, Namespace{Start: -5, End: 10}, []any{point{int64(i), 2}})
		b.Table("map").Put(kg, i, Namespace{}, map[any]any{"a": int64(i), "f": 1.5, "ok": true})
	}
}

func dumpBackend(b Backend) string {
	var lines []string
	for _, name := range []string{"count", "window", "map"} {
		b.Table(name).ForEach(func(kg int, key any, ns Namespace, v any) bool {
			lines = append(lines, fmt.Sprintf("%s %d %#v %v %v", name, kg, key, ns, v))
			return true
		})
	}
	sortStrings(lines)
	return strings.Join(lines, "\n")
}

func newPebble(t *testing.T, r keygroup.Range) *Pebble { return newCachedPebble(t, r, 0) }

// newCachedPebble returns a Pebble backend whose write-back cache holds cacheBytes (0: no cache).
func newCachedPebble(t *testing.T, r keygroup.Range, cacheBytes int64) *Pebble {
	t.Helper()
	p, err := NewPebble(filepath.Join(t.TempDir(), "live"), r)
	if err != nil {
		t.Fatal(err)
	}
	p.SetCacheBudget(cacheBytes)
	t.Cleanup(func() { p.Close() })
	return p
}

// cacheBudgets are the write-back cache sizes the Pebble tests run with: none, one that evicts all the time
// (a few dozen entries), and one that holds everything.
var cacheBudgets = []struct {
	name  string
	bytes int64
}{{"no cache", 0}, {"evicting cache", 8 << 10}, {"large cache", 64 << 20}}

// The Pebble backend keeps the same entries as the heap one for the same operations: puts, overwrites,
// deletes (also during ForEachInGroup) and values of every kind the codec handles.
func TestPebbleBehavesAsTheHeap(t *testing.T) {
	for _, c := range cacheBudgets {
		t.Run(c.name, func(t *testing.T) { testPebbleBehavesAsTheHeap(t, c.bytes) })
	}
}

func testPebbleBehavesAsTheHeap(t *testing.T, cacheBytes int64) {
	const maxP = 8
	r := keygroup.Range{Start: 0, End: maxP - 1}
	heap, peb := NewHeap(r), newCachedPebble(t, r, cacheBytes)
	for _, b := range []Backend{heap, peb} {
		fillBackend(b, maxP, 100)
		tab := b.Table("count")
		for i := 0; i < 100; i += 3 {
			key := fmt.Sprint("k", i)
			tab.Delete(keygroup.Of(key, maxP), key, Namespace{})
		}
		tab.Put(keygroup.Of("k1", maxP), "k1", Namespace{}, "now a string")
		tab.ForEachInGroup(keygroup.Of("k2", maxP), func(key any, ns Namespace, v any) bool {
			if key == "k2" {
				tab.Delete(keygroup.Of("k2", maxP), key, ns)
			}
			return true
		})
		for i, v := range []any{nil, int(-3), int32(7), uint64(9), -2.5, false, []byte("raw"), point{1, 2}, []any{"x", int64(1)}, []int64{5, -1 << 40}} {
			b.Table("kinds").Put(0, i, Namespace{Start: int64(-i), End: int64(i)}, v)
		}
	}
	if h, p := dumpBackend(heap), dumpBackend(peb); h != p {
		t.Fatalf("pebble differs from heap:\nheap:\n%s\npebble:\n%s", h, p)
	}
	for _, name := range []string{"count", "window", "map", "kinds"} {
		if h, p := heap.Table(name).Len(), peb.Table(name).Len(); h != p {
			t.Errorf("%s: heap has %d entries, pebble %d", name, h, p)
		}
	}
	for i := range 10 {
		hv, _ := heap.Table("kinds").Get(0, i, Namespace{Start: int64(-i), End: int64(i)})
		pv, ok := peb.Table("kinds").Get(0, i, Namespace{Start: int64(-i), End: int64(i)})
		if !ok || fmt.Sprintf("%#v", hv) != fmt.Sprintf("%#v", pv) {
			t.Errorf("kind %d: heap %#v, pebble %#v", i, hv, pv)
		}
	}
}

// A Pebble snapshot restores the state of its moment, incrementally: a second snapshot after a few writes
// has few new bytes; restored at another parallelism, each backend keeps exactly its key groups.
func TestPebbleSnapshotRestoreAndRescale(t *testing.T) {
	// A background compaction between the two snapshots may rewrite every file, making the second one
	// all new (seen under load): this test checks what a snapshot shares, so no compaction may run.
	noAutomaticCompactions = true
	t.Cleanup(func() { noAutomaticCompactions = false })
	for _, c := range cacheBudgets {
		t.Run(c.name, func(t *testing.T) { testPebbleSnapshotRestoreAndRescale(t, c.bytes) })
	}
}

func testPebbleSnapshotRestoreAndRescale(t *testing.T, cacheBytes int64) {
	const maxP = 16
	full := newCachedPebble(t, keygroup.Range{Start: 0, End: maxP - 1}, cacheBytes)
	fillBackend(full, maxP, 2000)
	want := dumpBackend(full)
	root := t.TempDir()
	dir1 := filepath.Join(root, "chk-1", "op")
	finish, err := full.SnapshotSync(1, dir1)
	if err != nil {
		t.Fatal(err)
	}
	full.Table("count").Put(keygroup.Of("late", maxP), "late", Namespace{}, int64(-1)) // after the sync part
	s1, err := finish()
	if err != nil {
		t.Fatal(err)
	}
	if s1.Keys == 0 || s1.Bytes == 0 || s1.NewBytes != s1.Bytes {
		t.Errorf("first snapshot stats %+v", s1)
	}
	dir2 := filepath.Join(root, "chk-2", "op")
	finish, err = full.SnapshotSync(2, dir2)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := finish()
	if err != nil {
		t.Fatal(err)
	}
	if s2.NewBytes >= s1.Bytes/2 {
		t.Errorf("the second snapshot is not incremental: %d new bytes of %d (the first had %d)", s2.NewBytes, s2.Bytes, s1.Bytes)
	}

	same := newCachedPebble(t, keygroup.Range{Start: 0, End: maxP - 1}, cacheBytes)
	if err := same.Restore([]string{dir1}); err != nil {
		t.Fatal(err)
	}
	if got := dumpBackend(same); got != want {
		t.Fatalf("restored state differs from the snapshot's moment")
	}
	if same.Table("count").Len() != full.Table("count").Len()-1 {
		t.Errorf("restored count %d", same.Table("count").Len())
	}

	var parts []string
	for i := range 3 {
		r := keygroup.RangeFor(maxP, 3, i)
		p := newCachedPebble(t, r, cacheBytes)
		if err := p.Restore([]string{dir1}); err != nil {
			t.Fatal(err)
		}
		p.Table("count").ForEach(func(kg int, _ any, _ Namespace, _ any) bool {
			if !r.Contains(kg) {
				t.Errorf("key group %d restored into %v", kg, r)
			}
			return true
		})
		parts = append(parts, dumpBackend(p))
	}
	merged := strings.Split(strings.Join(parts, "\n"), "\n")
	sortStrings(merged)
	if strings.Join(merged, "\n") != want {
		t.Fatal("the rescaled backends together do not hold the snapshot")
	}
}

func TestPebbleSnapshotCorruptionIsDetected(t *testing.T) {
	r := keygroup.Range{Start: 0, End: 7}
	b := newPebble(t, r)
	fillBackend(b, 8, 300)
	dir := filepath.Join(t.TempDir(), "snap")
	snapshotInto(t, b, 1, dir)
	var sst string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".sst" {
			sst = filepath.Join(dir, e.Name())
		}
	}
	if sst == "" {
		t.Fatal("no sstable in the snapshot")
	}
	orig, _ := os.ReadFile(sst)
	manifest := filepath.Join(dir, pebbleManifestFile)
	origMD, _ := os.ReadFile(manifest)
	for name, damage := range map[string]func(){
		"truncated sstable": func() { os.WriteFile(sst, orig[:len(orig)/2], 0o644) },
		"flipped sstable byte": func() {
			c := append([]byte(nil), orig...)
			c[len(c)/3] ^= 0xff
			os.WriteFile(sst, c, 0o644)
		},
		"flipped manifest byte": func() {
			c := append([]byte(nil), origMD...)
			c[5] ^= 0x01
			os.WriteFile(manifest, c, 0o644)
		},
		"missing manifest": func() { os.Remove(manifest) },
	} {
		damage()
		err := newPebble(t, r).Restore([]string{dir})
		if !errors.Is(err, ErrCorruptSnapshot) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: got %v, want ErrCorruptSnapshot naming the directory", name, err)
		}
		os.WriteFile(sst, orig, 0o644)
		os.WriteFile(manifest, origMD, 0o644)
	}
	if err := newPebble(t, r).Restore([]string{dir}); err != nil {
		t.Fatalf("the repaired snapshot does not restore: %v", err)
	}
}
