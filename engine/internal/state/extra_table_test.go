package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// timersOf is an extra table as an operator's timer queue gives it: per key group, keys with the times of
// their timers in two namespaces. The table is built from keys k0..k(n-1).
func timersOf(name string, maxP, n int) (ExtraTable, []string) {
	byKG := map[int][]int{}
	var want []string
	for i := range n {
		key := fmt.Sprint("k", i)
		kg := keygroup.Of(key, maxP)
		byKG[kg] = append(byKG[kg], i)
		want = append(want,
			fmt.Sprintf("%d %s %v %v", kg, key, Namespace{Start: 0, End: 10}, []int64{9}),
			fmt.Sprintf("%d %s %v %v", kg, key, Namespace{Start: 10, End: 20}, []int64{19, int64(100 + i)}))
	}
	x := ExtraTable{Name: name, Each: func(kg int, emit func(key any, ns Namespace, v any)) {
		for _, i := range byKG[kg] {
			key := fmt.Sprint("k", i)
			emit(key, Namespace{Start: 0, End: 10}, []int64{9})
			emit(key, Namespace{Start: 10, End: 20}, []int64{19, int64(100 + i)})
		}
	}}
	for kg := range byKG {
		x.Groups = append(x.Groups, kg)
	}
	slices.Sort(want)
	return x, want
}

// takeRestored returns the entries TakeRestored gives for name, sorted, and checks the table is gone after.
func takeRestored(t *testing.T, b Backend, name string) []string {
	t.Helper()
	var got []string
	b.TakeRestored(name, func(kg int, key any, ns Namespace, v any) {
		if !b.KeyGroups().Contains(kg) {
			t.Errorf("key group %d taken from a backend of %v", kg, b.KeyGroups())
		}
		got = append(got, fmt.Sprintf("%d %v %v %v", kg, key, ns, v))
	})
	slices.Sort(got)
	b.TakeRestored(name, func(kg int, key any, ns Namespace, v any) {
		t.Errorf("%s: %v %v still there after TakeRestored", name, key, ns)
	})
	return got
}

// A snapshot's extra tables (the timers, captured from their queues) come back through TakeRestored on
// both backends, whole and rescaled from one subtask to three, without ever being a table of the
// snapshotted backend; the backend's own tables are restored as before.
func TestExtraTablesSnapshotAndRestore(t *testing.T) {
	const maxP = 16
	all := keygroup.Range{Start: 0, End: maxP - 1}
	for _, c := range []struct {
		name string
		new  func(t *testing.T, r keygroup.Range) Backend
	}{
		{"heap", func(t *testing.T, r keygroup.Range) Backend { return NewHeap(r) }},
		{"pebble", func(t *testing.T, r keygroup.Range) Backend { return newPebble(t, r) }},
		{"pebble with cache", func(t *testing.T, r keygroup.Range) Backend { return newCachedPebble(t, r, 8<<10) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := c.new(t, all)
			fillBackend(b, maxP, 500)
			state := dumpBackend(b)
			x, want := timersOf("__timers/event", maxP, 300)
			dir := filepath.Join(t.TempDir(), "chk-1", "op")
			finish, err := b.SnapshotSyncWith(1, dir, []ExtraTable{x})
			if err != nil {
				t.Fatal(err)
			}
			stats, err := finish()
			if err != nil {
				t.Fatal(err)
			}
			if base := int64(b.Table("count").Len() + b.Table("window").Len() + b.Table("map").Len()); stats.Keys != base+int64(len(want)) {
				t.Errorf("snapshot keys %d, want %d entries of tables and %d timers", stats.Keys, base, len(want))
			}
			for _, s := range b.Stats() {
				if s.Name == x.Name {
					t.Errorf("the extra table became a table of the snapshotted backend: %+v", s)
				}
			}

			whole := c.new(t, all)
			if err := whole.Restore([]string{dir}); err != nil {
				t.Fatal(err)
			}
			if got := takeRestored(t, whole, x.Name); !slices.Equal(got, want) {
				t.Fatalf("restored extra table:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if dumpBackend(whole) != state {
				t.Error("the tables restored with an extra table differ")
			}

			var merged []string
			for i := range 3 {
				part := c.new(t, keygroup.RangeFor(maxP, 3, i))
				if err := part.Restore([]string{dir}); err != nil {
					t.Fatal(err)
				}
				merged = append(merged, takeRestored(t, part, x.Name)...)
			}
			slices.Sort(merged)
			if !slices.Equal(merged, want) {
				t.Fatalf("the rescaled backends took %d entries of %d", len(merged), len(want))
			}
		})
	}
}

// A damaged extra file or cache sstable of a Pebble snapshot fails Restore with ErrCorruptSnapshot naming
// the file, before the backend loses its state: caught by the manifest's checksum, or, when the manifest was
// rewritten to match the damaged file, by the file's own checksums (the extra file's blocks and trailer, the
// sstable's blocks).
func TestPebbleExtraFileCorruptionIsDetected(t *testing.T) {
	r := keygroup.Range{Start: 0, End: 7}
	b := newCachedPebble(t, r, 1<<20)
	fillBackend(b, 8, 100)
	x, _ := timersOf("__timers/proc", 8, 50)
	dir := filepath.Join(t.TempDir(), "snap")
	snapshotInto(t, b, 1, dir, x)
	origMD, err := os.ReadFile(filepath.Join(dir, pebbleManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{pebbleExtraFile, pebbleCacheFile} {
		path := filepath.Join(dir, file)
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for name, damage := range map[string]func() []byte{
			"flipped byte": func() []byte { c := slices.Clone(orig); c[len(c)/2] ^= 0xff; return c },
			"truncated":    func() []byte { return orig[:len(orig)/2] },
		} {
			for _, matching := range []bool{false, true} {
				c := damage()
				os.WriteFile(path, c, 0o644)
				if matching { // the manifest agrees with the damaged file: the file's own checks catch it
					if _, err := readManifest(dir); !errors.Is(err, ErrCorruptSnapshot) {
						t.Fatalf("%s %s: the manifest check missed it: %v", file, name, err)
					}
					rewriteManifestFor(t, dir, file, c)
				}
				live := newPebble(t, r)
				fillBackend(live, 8, 10)
				before := dumpBackend(live)
				if err := live.Restore([]string{dir}); !errors.Is(err, ErrCorruptSnapshot) || !strings.Contains(err.Error(), file) {
					t.Errorf("%s %s (manifest matching %v): got %v, want ErrCorruptSnapshot naming the file", file, name, matching, err)
				}
				if dumpBackend(live) != before {
					t.Errorf("%s %s: a failed restore changed the backend", file, name)
				}
				os.WriteFile(path, orig, 0o644)
				os.WriteFile(filepath.Join(dir, pebbleManifestFile), origMD, 0o644)
			}
		}
	}
	if err := newPebble(t, r).Restore([]string{dir}); err != nil {
		t.Fatalf("the repaired snapshot does not restore: %v", err)
	}
}

// rewriteManifestFor makes the manifest in dir list file with the size and checksum of b.
func rewriteManifestFor(t *testing.T, dir, file string, b []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, pebbleManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var md pebbleManifest
	if err := json.Unmarshal(raw[:len(raw)-4], &md); err != nil {
		t.Fatal(err)
	}
	md.Files[file] = pebbleFile{Size: int64(len(b)), CRC: crc32.Checksum(b, castagnoli)}
	out, _ := json.Marshal(md)
	if err := os.WriteFile(filepath.Join(dir, pebbleManifestFile), appendCRC(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A Pebble snapshot of an older version held the timers as a table of the database: TakeRestored still
// gives them, and deletes them.
func TestPebbleTakeRestoredReadsTimersSavedAsATable(t *testing.T) {
	r := keygroup.Range{Start: 0, End: 7}
	b := newPebble(t, r)
	x, want := timersOf("__timers/event", 8, 40)
	for _, kg := range x.Groups {
		x.Each(kg, func(key any, ns Namespace, v any) { b.Table(x.Name).Put(kg, key, ns, v) })
	}
	dir := filepath.Join(t.TempDir(), "snap")
	snapshotInto(t, b, 1, dir)
	restored := newPebble(t, r)
	if err := restored.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	if got := takeRestored(t, restored, x.Name); !slices.Equal(got, want) {
		t.Fatalf("took %d entries, want %d", len(got), len(want))
	}
	if n := restored.Table(x.Name).Len(); n != 0 {
		t.Errorf("%d entries left in the table", n)
	}
}
