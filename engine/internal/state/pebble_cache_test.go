package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// dbKeys returns how many keys the backend's database holds, reading past the cache.
func dbKeys(t *testing.T, p *Pebble) int {
	t.Helper()
	it, err := p.db.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n
}

// dbValue reads one entry from the database, past the cache.
func dbValue(t *testing.T, p *Pebble, table string, kg int, key any, ns Namespace) (any, bool) {
	t.Helper()
	tab := p.Table(table).(*pebbleTable)
	v, closer, err := p.db.Get(tab.encodeKey(kg, key, ns))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	x, err := decodeValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return x, true
}

// snapshotInto takes checkpoint id of b, with the extra tables, into dir.
func snapshotInto(t *testing.T, b Backend, id int64, dir string, extra ...ExtraTable) {
	t.Helper()
	finish, err := b.SnapshotSyncWith(id, dir, extra)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := finish(); err != nil {
		t.Fatal(err)
	}
}

// Reads see the cache's writes before the database does; a checkpoint's synchronous phase writes them back,
// so the snapshot holds every write made before it and none made after; an entry put and deleted between
// two checkpoints (a window's accumulator) never reaches the database.
func TestPebbleCacheReadYourWritesAndCheckpointFlush(t *testing.T) {
	r := keygroup.Range{Start: 0, End: 3}
	p := newCachedPebble(t, r, 1<<20)
	tab := p.Table("count")
	w := Namespace{Start: 0, End: 1000}
	for i := range 10 {
		tab.Put(i%4, int64(i), w, int64(i*10))
	}
	tab.Put(1, int64(1), w, int64(11)) // an overwrite
	tab.Put(2, "gone", w, "soon")
	tab.Delete(2, "gone", w)
	tab.Delete(3, "never there", w)
	if v, ok := tab.Get(1, int64(1), w); !ok || v != int64(11) {
		t.Fatalf("read after write: %v %v, want 11", v, ok)
	}
	if _, ok := tab.Get(2, "gone", w); ok {
		t.Fatal("a deleted entry is still read")
	}
	if tab.Len() != 10 {
		t.Fatalf("Len %d, want 10", tab.Len())
	}
	if n := dbKeys(t, p); n != 0 {
		t.Fatalf("the database holds %d keys before any checkpoint; the cache should hold them all", n)
	}
	// The ten entries are dirty; the two keys read or deleted while absent are cached misses.
	if s := p.CacheStats(); s.Dirty != 10 || s.Entries != 12 || s.Bytes <= 0 || s.Bytes > s.Budget {
		t.Fatalf("cache figures %+v, want 12 entries, 10 of them dirty, within the budget", s)
	}

	dir := filepath.Join(t.TempDir(), "chk-1")
	finish, err := p.SnapshotSync(1, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := dbKeys(t, p); n != 10 {
		t.Fatalf("after the checkpoint's synchronous phase the database holds %d keys, want 10", n)
	}
	if v, ok := dbValue(t, p, "count", 1, int64(1), w); !ok || v != int64(11) {
		t.Fatalf("written back: %v %v, want 11", v, ok)
	}
	if p.CacheStats().Dirty != 0 {
		t.Fatalf("dirty entries after the write-back: %+v", p.CacheStats())
	}
	tab.Put(1, int64(1), w, int64(12)) // after the synchronous phase: not in the snapshot
	tab.Delete(0, int64(0), w)
	if _, err := finish(); err != nil {
		t.Fatal(err)
	}
	if v, _ := dbValue(t, p, "count", 0, int64(0), w); v != int64(0) {
		t.Fatalf("a deletion reached the database before the next checkpoint: %v", v)
	}

	q := newCachedPebble(t, r, 1<<20)
	if err := q.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	qt := q.Table("count")
	if v, ok := qt.Get(1, int64(1), w); !ok || v != int64(11) {
		t.Errorf("restored %v %v, want the snapshot's 11", v, ok)
	}
	if _, ok := qt.Get(0, int64(0), w); !ok {
		t.Error("the entry deleted after the synchronous phase is missing from the snapshot")
	}
	if qt.Len() != 10 {
		t.Errorf("restored Len %d, want 10", qt.Len())
	}

	// The deletion of a written-back entry is written at the next checkpoint.
	snapshotInto(t, p, 2, filepath.Join(t.TempDir(), "chk-2"))
	if _, ok := dbValue(t, p, "count", 0, int64(0), w); ok {
		t.Error("the deletion was not written back at the next checkpoint")
	}
}

// A cache over its budget evicts entries in CLOCK order, writing the dirty ones to the database in batches;
// every value stays readable, the entry count stays exact, and the cache's bytes stay within the budget.
func TestPebbleCacheEvictsWithinItsBudget(t *testing.T) {
	const budget = 16 << 10
	p := newCachedPebble(t, keygroup.Range{Start: 0, End: 7}, budget)
	tab := p.Table("sum")
	w := Namespace{Start: 0, End: 10}
	const keys = 2000
	for round := range 3 {
		for i := range keys {
			prev, _ := tab.Get(i%8, i, w)
			n, _ := prev.(int64)
			tab.Put(i%8, i, w, n+int64(round+1))
			if s := p.CacheStats(); s.Bytes > budget {
				t.Fatalf("the cache holds %d bytes, over its budget of %d", s.Bytes, budget)
			}
		}
	}
	s := p.CacheStats()
	if s.Evictions == 0 || s.EvictedDirty == 0 || s.Entries >= keys {
		t.Fatalf("cache figures %+v: want evictions of dirty entries, fewer entries than the %d keys", s, keys)
	}
	if tab.Len() != keys {
		t.Fatalf("Len %d, want %d", tab.Len(), keys)
	}
	for i := range keys {
		if v, ok := tab.Get(i%8, i, w); !ok || v != int64(6) {
			t.Fatalf("key %d: %v %v, want 1+2+3", i, v, ok)
		}
	}
	if n := dbKeys(t, p); n == 0 || n > keys {
		t.Fatalf("the database holds %d keys, want the evicted ones (some of %d)", n, keys)
	}
	// Deleting everything leaves nothing, in the cache and, after a checkpoint, in the database.
	for i := range keys {
		tab.Delete(i%8, i, w)
	}
	snapshotInto(t, p, 1, filepath.Join(t.TempDir(), "chk-1"))
	if tab.Len() != 0 || dbKeys(t, p) != 0 {
		t.Fatalf("after deleting every key: Len %d, %d keys in the database", tab.Len(), dbKeys(t, p))
	}
}

// Iterating a table sees its cached writes, and the callback may delete the entry it is given.
func TestPebbleCacheIterationSeesCachedWrites(t *testing.T) {
	p := newCachedPebble(t, keygroup.Range{Start: 0, End: 1}, 1<<20)
	tab := p.Table("t")
	for i := range 6 {
		tab.Put(i%2, i, Namespace{}, fmt.Sprint("v", i))
	}
	var seen []string
	tab.ForEachInGroup(1, func(key any, ns Namespace, v any) bool {
		seen = append(seen, fmt.Sprint(key, "=", v))
		tab.Delete(1, key, ns)
		return true
	})
	if fmt.Sprint(seen) != "[1=v1 3=v3 5=v5]" {
		t.Fatalf("group 1 iterated as %v", seen)
	}
	if tab.Len() != 3 {
		t.Fatalf("Len %d after deleting group 1, want 3", tab.Len())
	}
	n := 0
	tab.ForEach(func(kg int, _ any, _ Namespace, _ any) bool {
		if kg != 0 {
			t.Errorf("key group %d still has entries", kg)
		}
		n++
		return true
	})
	if n != 3 {
		t.Fatalf("ForEach saw %d entries, want 3", n)
	}
}

// A key whose namespace ends after every namespace of its table in the database is known absent without a
// read; the bound travels with the snapshot, and a snapshot without it (written before it was recorded)
// makes every key read.
func TestPebbleNamespaceBoundSurvivesRestore(t *testing.T) {
	r := keygroup.Range{Start: 0, End: 0}
	p := newCachedPebble(t, r, 1<<20)
	tab := p.Table("w").(*pebbleTable)
	if tab.dbMaxEnd != noNamespace {
		t.Fatalf("a new table's bound is %d", tab.dbMaxEnd)
	}
	tab.Put(0, "k", Namespace{Start: 0, End: 500}, int64(1))
	if tab.dbMaxEnd != noNamespace {
		t.Fatal("a cached write moved the bound before it reached the database")
	}
	dir := filepath.Join(t.TempDir(), "chk-1")
	snapshotInto(t, p, 1, dir)
	if tab.dbMaxEnd != 500 {
		t.Fatalf("bound %d after the write-back, want 500", tab.dbMaxEnd)
	}
	q := newCachedPebble(t, r, 1<<20)
	if err := q.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	if got := q.Table("w").(*pebbleTable).dbMaxEnd; got != 500 {
		t.Fatalf("restored bound %d, want 500", got)
	}

	// An older manifest, without the bound: restored as unknown, and the value is still read.
	md, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, tm := range md.Tables {
		tm.MaxEnd = nil
		md.Tables[name] = tm
	}
	b, _ := json.Marshal(md)
	if err := os.WriteFile(filepath.Join(dir, pebbleManifestFile), appendCRC(b), 0o644); err != nil {
		t.Fatal(err)
	}
	old := newCachedPebble(t, r, 1<<20)
	if err := old.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	if v, ok := old.Table("w").Get(0, "k", Namespace{Start: 0, End: 500}); !ok || v != int64(1) {
		t.Fatalf("value restored from a manifest without the bound: %v %v", v, ok)
	}
}

// Turning the cache off writes its dirty entries back first.
func TestPebbleCacheTurnedOffWritesBack(t *testing.T) {
	p := newCachedPebble(t, keygroup.Range{Start: 0, End: 0}, 1<<20)
	p.Table("t").Put(0, "k", Namespace{}, "v")
	p.SetCacheBudget(0)
	if v, ok := dbValue(t, p, "t", 0, "k", Namespace{}); !ok || v != "v" {
		t.Fatalf("after turning the cache off the database holds %v %v", v, ok)
	}
	if v, ok := p.Table("t").Get(0, "k", Namespace{}); !ok || v != "v" {
		t.Fatalf("read without the cache: %v %v", v, ok)
	}
}
