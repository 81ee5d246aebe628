package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// Reads see the cache's writes before the database does. A checkpoint writes nothing back: its synchronous
// phase captures the dirty entries and its asynchronous phase writes them into the snapshot's cache sstable,
// which a restore ingests into the database, so
// the snapshot holds every write made before it and none made after; a value changed in place after the
// synchronous phase (copy-on-write) keeps its captured state; an entry put and deleted between two
// checkpoints (a window's accumulator) never reaches the database.
func TestPebbleCacheCheckpointCapturesDirtyEntries(t *testing.T) {
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
	p.Table("m").Put(0, "k", Namespace{}, map[any]any{"a": int64(1)})
	if v, ok := tab.Get(1, int64(1), w); !ok || v != int64(11) {
		t.Fatalf("read after write: %v %v, want 11", v, ok)
	}
	if _, ok := tab.Get(2, "gone", w); ok {
		t.Fatal("a deleted entry is still read")
	}
	if tab.Len() != 10 {
		t.Fatalf("Len %d, want 10", tab.Len())
	}
	// The eleven entries are dirty; the two keys read or deleted while absent are cached misses.
	if s := p.CacheStats(); s.Dirty != 11 || s.Entries != 13 || s.Bytes <= 0 || s.Bytes > s.Budget {
		t.Fatalf("cache figures %+v, want 13 entries, 11 of them dirty, within the budget", s)
	}

	dir := filepath.Join(t.TempDir(), "chk-1")
	finish, err := p.SnapshotSync(1, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := dbKeys(t, p); n != 0 {
		t.Fatalf("the checkpoint's synchronous phase wrote %d keys to the database, want none", n)
	}
	if p.CacheStats().Dirty != 11 {
		t.Fatalf("the synchronous phase cleaned entries: %+v", p.CacheStats())
	}
	tab.Put(1, int64(1), w, int64(12)) // after the synchronous phase: not in the snapshot
	tab.Delete(0, int64(0), w)
	m, _ := p.Table("m").Get(0, "k", Namespace{})
	m.(map[any]any)["a"] = int64(2) // changed in place, as MapState does, then put back
	p.Table("m").Put(0, "k", Namespace{}, m)
	if _, err := finish(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, pebbleCacheFile)); err != nil {
		t.Fatalf("the snapshot has no cache file: %v", err)
	}
	if n := dbKeys(t, p); n != 0 {
		t.Fatalf("the database holds %d keys after the checkpoint, want none", n)
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
	if v, _ := q.Table("m").Get(0, "k", Namespace{}); fmt.Sprint(v) != "map[a:1]" {
		t.Errorf("restored map %v, want the captured map[a:1] (copy-on-write)", v)
	}
	if v, _ := p.Table("m").Get(0, "k", Namespace{}); fmt.Sprint(v) != "map[a:2]" {
		t.Errorf("live map %v, want map[a:2]", v)
	}
	if qt.Len() != 10 {
		t.Errorf("restored Len %d, want 10", qt.Len())
	}
	if n := dbKeys(t, q); n != 11 {
		t.Errorf("the restored database holds %d keys, want the snapshot's 11 (its cached entries ingested)", n)
	}
}

// Entries that stay dirty and unchanged from one checkpoint to the next become the backlog: the writes after
// the second checkpoint write them back a few at a time, so that a third checkpoint holds them in the
// database's files (incremental) instead of writing them again; a deletion of a written-back entry reaches
// the database the same way; a restore at any point gives the state of its moment.
func TestPebbleCacheBacklogWritesBackLongLivedEntries(t *testing.T) {
	r := keygroup.Range{Start: 0, End: 7}
	p := newCachedPebble(t, r, 64<<20)
	stable := p.Table("stable")
	const keys = 3000
	for i := range keys {
		stable.Put(i%8, int64(i), Namespace{}, int64(i))
	}
	root := t.TempDir()
	snapshotInto(t, p, 1, filepath.Join(root, "chk-1"))
	stable.Put(0, int64(0), Namespace{}, int64(-1)) // changed since checkpoint 1: stays in the cache
	snapshotInto(t, p, 2, filepath.Join(root, "chk-2"))
	if n := dbKeys(t, p); n != 0 {
		t.Fatalf("%d keys in the database before the backlog is written, want none", n)
	}
	busy := p.Table("busy")
	for i := range keys { // writes elsewhere drain the backlog
		busy.Put(i%8, int64(i%8), Namespace{}, int64(i))
	}
	if n := dbKeys(t, p); n != keys-1 {
		t.Fatalf("%d keys in the database after the backlog, want the %d unchanged ones", n, keys-1)
	}
	if v, ok := dbValue(t, p, "stable", 0, int64(0), Namespace{}); ok {
		t.Fatalf("the entry changed since checkpoint 1 was written back: %v", v)
	}
	stable.Delete(1, int64(1), Namespace{}) // in the database now: its deletion is dirty
	snapshotInto(t, p, 3, filepath.Join(root, "chk-3"))
	finish, err := p.SnapshotSync(4, filepath.Join(root, "chk-4"))
	if err != nil {
		t.Fatal(err)
	}
	s4, err := finish()
	if err != nil {
		t.Fatal(err)
	}
	cacheFile := func(id int) int64 {
		fi, err := os.Stat(filepath.Join(root, fmt.Sprint("chk-", id), pebbleCacheFile))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if c2, c3 := cacheFile(2), cacheFile(3); c3 > c2*2/3 {
		t.Errorf("checkpoint 3's cache file has %d bytes, checkpoint 2's %d: the backlog did not leave it", c3, c2)
	}
	if s4.NewBytes >= s4.Bytes/2 {
		t.Errorf("checkpoint 4, with nothing changed since checkpoint 3, is not incremental: %+v", s4)
	}
	for id, want := range map[int]string{1: "0=0 1=1 2999=2999 busy=0", 2: "0=-1 1=1 2999=2999 busy=0", 3: "0=-1 1=<nil> 2999=2999 busy=8"} {
		q := newCachedPebble(t, r, 64<<20)
		if err := q.Restore([]string{filepath.Join(root, fmt.Sprint("chk-", id))}); err != nil {
			t.Fatal(err)
		}
		qt := q.Table("stable")
		var got []string
		for _, i := range []int64{0, 1, 2999} {
			v, _ := qt.Get(int(i%8), i, Namespace{})
			got = append(got, fmt.Sprint(i, "=", v))
		}
		got = append(got, fmt.Sprint("busy=", q.Table("busy").Len()))
		if strings.Join(got, " ") != want {
			t.Errorf("checkpoint %d restored as %v, want %s", id, got, want)
		}
		if n := keys - id/3; qt.Len() != n {
			t.Errorf("checkpoint %d restored %d stable entries, want %d", id, qt.Len(), n)
		}
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
	// Deleting everything leaves nothing, in the cache and in a snapshot, and, once iterated (which writes
	// the table's dirty entries back), in the database.
	for i := range keys {
		tab.Delete(i%8, i, w)
	}
	dir := filepath.Join(t.TempDir(), "chk-1")
	snapshotInto(t, p, 1, dir)
	q := newCachedPebble(t, keygroup.Range{Start: 0, End: 7}, budget)
	if err := q.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	n := 0
	q.Table("sum").ForEach(func(int, any, Namespace, any) bool { n++; return true })
	if q.Table("sum").Len() != 0 || n != 0 {
		t.Fatalf("the snapshot after deleting every key restores Len %d, %d entries", q.Table("sum").Len(), n)
	}
	tab.ForEach(func(int, any, Namespace, any) bool { n++; return true })
	if tab.Len() != 0 || n != 0 || dbKeys(t, p) != 0 {
		t.Fatalf("after deleting every key: Len %d, %d iterated, %d keys in the database", tab.Len(), n, dbKeys(t, p))
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
	tab.ForEach(func(int, any, Namespace, any) bool { return true }) // writes the table back
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

// The captured entries are written in key order whatever order the cache listed them in: several tables,
// key groups and keys of different lengths (an sstable refuses keys out of order).
func TestPebbleCacheCaptureSortsByKey(t *testing.T) {
	p := newCachedPebble(t, keygroup.Range{Start: 0, End: 300}, 64<<20)
	var want []string
	for _, name := range []string{"b", "a", "c"} {
		tab := p.Table(name).(*pebbleTable)
		for i := 2000; i > 0; i-- {
			kg := (i * 7) % 301
			key := fmt.Sprint("k", i*13%997)
			tab.Put(kg, key, Namespace{End: int64(i % 3)}, int64(i))
			want = append(want, string(tab.encodeKey(kg, key, Namespace{End: int64(i % 3)})))
		}
	}
	cc, _ := p.captureCache()
	cc.sort()
	slices.Sort(want)
	want = slices.Compact(want)
	var got []string
	for _, e := range cc.entries {
		got = append(got, e.key)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d captured keys, not in key order (want %d)", len(got), len(want))
	}
}
