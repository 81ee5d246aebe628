package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/keygroup"
)

type point struct {
	X, Y int64
}

func fill(h *Heap, maxP, n int) {
	for i := range n {
		key := fmt.Sprint("k", i)
		kg := keygroup.Of(key, maxP)
		if !h.kgs.Contains(kg) {
			continue
		}
		h.Table("count").Put(kg, key, Namespace{}, int64(i))
		h.Table("window").Put(kg, key, Namespace{Start: 0, End: 10}, []any{point{int64(i), 2}})
		h.Table("map").Put(kg, key, Namespace{}, map[any]any{"a": int64(i)})
	}
}

func dump(h *Heap) string {
	var lines []string
	for name, t := range h.tables {
		t.ForEach(func(kg int, key any, ns Namespace, v any) bool {
			lines = append(lines, fmt.Sprintf("%s %d %v %v %v", name, kg, key, ns, v))
			return true
		})
	}
	sortStrings(lines)
	return strings.Join(lines, "\n")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for k := i; k > 0 && s[k] < s[k-1]; k-- {
			s[k], s[k-1] = s[k-1], s[k]
		}
	}
}

// A snapshot restores the state of its moment: later writes (including in-place MapState changes) do not
// leak into it, and a restore into a different key-group range (rescaling) keeps only its own key groups.
func TestHeapSnapshotRestoreAndRescale(t *testing.T) {
	const maxP = 16
	full := NewHeap(keygroup.Range{Start: 0, End: maxP - 1})
	fill(full, maxP, 200)
	want := dump(full)
	dir := t.TempDir()
	finish, err := full.SnapshotSync(1, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Writes after the synchronous part must not reach the snapshot.
	kg := keygroup.Of("k1", maxP)
	full.Table("count").Put(kg, "k1", Namespace{}, int64(-1))
	m, _ := full.Table("map").Get(kg, "k1", Namespace{})
	m.(map[any]any)["a"] = int64(-1)
	stats, err := finish()
	if err != nil || stats.Keys != 600 || stats.Bytes == 0 {
		t.Fatalf("finish: %+v %v", stats, err)
	}
	restored := NewHeap(keygroup.Range{Start: 0, End: maxP - 1})
	if err := restored.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	if got := dump(restored); got != want {
		t.Fatalf("restored state differs")
	}
	// Rescale 1 -> 2: each half gets exactly its key groups.
	checkHalves(t, dir, maxP, want, dump)
}

func TestHeapSnapshotCorruptionIsDetected(t *testing.T) {
	h := NewHeap(keygroup.Range{Start: 0, End: 7})
	fill(h, 8, 50)
	dir := t.TempDir()
	finish, _ := h.SnapshotSync(1, dir)
	if _, err := finish(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, heapSnapshotFile)
	b, _ := os.ReadFile(path)
	hdr := len(heapMagicV3)
	first := hdr + 12 + int(binary.BigEndian.Uint32(b[hdr+4:hdr+8])) // the first key group's block ends here
	for name, bad := range map[string][]byte{
		"truncated": b[:len(b)-7],
		"flipped":   append(append([]byte{}, b[:40]...), append([]byte{b[40] ^ 0xff}, b[41:]...)...),
		// These two passed every check before the trailer, and restored with state missing.
		"empty":                    {},
		"cut at a block boundary":  b[:first],
		"cut before the trailer":   b[:len(b)-12],
		"a block dropped":          append(append(append([]byte{}, b[:hdr]...), b[first:len(b)-12]...), b[len(b)-12:]...),
		"header cut":               b[:hdr-2],
		"header only":              b[:hdr],
		"bytes after the trailer":  append(append([]byte{}, b...), 0),
		"trailer with wrong count": append(append([]byte{}, b[:len(b)-8]...), append([]byte{0, 0, 0, 1}, b[len(b)-4:]...)...),
	} {
		os.WriteFile(path, bad, 0o644)
		err := NewHeap(keygroup.Range{Start: 0, End: 7}).Restore([]string{dir})
		if !errors.Is(err, ErrCorruptSnapshot) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v", name, err)
		}
		if err := Verify(dir); !errors.Is(err, ErrCorruptSnapshot) {
			t.Errorf("%s: Verify = %v", name, err)
		}
	}
	os.WriteFile(path, b, 0o644)
	if err := Verify(dir); err != nil {
		t.Errorf("Verify of the intact snapshot: %v", err)
	}
	if err := NewHeap(keygroup.Range{Start: 0, End: 7}).Restore([]string{t.TempDir()}); !errors.Is(err, ErrCorruptSnapshot) {
		t.Errorf("missing file: err = %v", err)
	}
}

// checkHalves restores the snapshot in dir into the two halves of maxP key groups (rescaling 1 -> 2) and
// checks that each holds some but not all of the state, dumped by dump, and that together they hold want.
func checkHalves(t *testing.T, dir string, maxP int, want string, dump func(*Heap) string) {
	t.Helper()
	var halves []string
	for i := range 2 {
		h := NewHeap(keygroup.RangeFor(maxP, 2, i))
		if err := h.Restore([]string{dir}); err != nil {
			t.Fatal(err)
		}
		half := dump(h)
		if half == "" || half == want {
			t.Fatalf("half %d holds %q", i, half)
		}
		halves = append(halves, half)
	}
	merged := strings.Split(halves[0]+"\n"+halves[1], "\n")
	sortStrings(merged)
	if strings.Join(merged, "\n") != want {
		t.Fatal("the two halves do not add up to the whole")
	}
}

// snapshotTo runs the asynchronous part of a snapshot taken earlier and restores it into a fresh backend.
func restoreFrom(t *testing.T, finish func() (SnapshotStats, error), dir string, r keygroup.Range) *Heap {
	t.Helper()
	if _, err := finish(); err != nil {
		t.Fatal(err)
	}
	h := NewHeap(r)
	if err := h.Restore([]string{dir}); err != nil {
		t.Fatal(err)
	}
	return h
}

// Copy-on-write: two overlapping snapshots each keep the state of their moment while puts, deletes,
// re-puts of deleted keys and in-place map changes go on; the live view (Get, Len, ForEach) stays right
// throughout, and once both snapshots finish the layers fold back into one map per key group.
func TestHeapCopyOnWriteSnapshots(t *testing.T) {
	const maxP = 8
	r := keygroup.Range{Start: 0, End: maxP - 1}
	h := NewHeap(r)
	fill(h, maxP, 300)
	want1 := dump(h)
	dir1 := t.TempDir()
	finish1, err := h.SnapshotSync(1, dir1)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(from, to int) {
		for i := from; i < to; i++ {
			key := fmt.Sprint("k", i)
			kg := keygroup.Of(key, maxP)
			switch i % 4 {
			case 0:
				h.Table("count").Put(kg, key, Namespace{}, int64(-i))
			case 1:
				h.Table("count").Delete(kg, key, Namespace{})
			case 2:
				m, ok := h.Table("map").Get(kg, key, Namespace{})
				if !ok {
					t.Fatalf("%s: map entry missing", key)
				}
				m.(map[any]any)["a"] = int64(-i)
			case 3:
				h.Table("count").Delete(kg, key, Namespace{})
				h.Table("count").Put(kg, key, Namespace{}, int64(i*10))
			}
		}
	}
	mutate(0, 150)
	want2 := dump(h)
	dir2 := t.TempDir()
	finish2, err := h.SnapshotSync(2, dir2)
	if err != nil {
		t.Fatal(err)
	}
	mutate(150, 300)
	h.Table("window").ForEachInGroup(0, func(key any, ns Namespace, v any) bool {
		h.Table("window").Delete(0, key, ns)
		return true
	})
	live := dump(h)
	if n, want := h.Table("count").Len(), 300-75; n != want {
		t.Errorf("count table: Len %d, want %d", n, want)
	}
	if got := dump(restoreFrom(t, finish1, dir1, r)); got != want1 {
		t.Error("the first snapshot does not hold the state of its moment")
	}
	if got := dump(h); got != live {
		t.Error("the live state changed when the first snapshot finished")
	}
	if got := dump(restoreFrom(t, finish2, dir2, r)); got != want2 {
		t.Error("the second snapshot does not hold the state of its moment")
	}
	for _, name := range []string{"count", "map", "window"} {
		tab := h.tables[name]
		n := 0
		for i := range tab.groups {
			h.Table(name).Get(i, "nothing", Namespace{}) // the first access after the snapshots folds
			if tab.groups[i].frozen != nil {
				t.Fatalf("%s: key group %d still has frozen layers", name, i)
			}
			for _, v := range tab.groups[i].m {
				if isTombstone(v) {
					t.Fatalf("%s: key group %d kept a tombstone", name, i)
				}
			}
			n += len(tab.groups[i].m)
		}
		if n != tab.Len() {
			t.Errorf("%s: %d entries after folding, Len says %d", name, n, tab.Len())
		}
	}
	if got := dump(h); got != live {
		t.Error("folding changed the live state")
	}
}

// fillTypes adds to fill's entries keys and values of every scalar type the binary codec stores itself.
// (testdata/heap-v1 was written from these entries by the format 1 code.)
func fillTypes(h *Heap, maxP, n int) {
	fill(h, maxP, n)
	for i := range n {
		key := fmt.Sprint("t", i)
		h.Table("timers").Put(keygroup.Of(key, maxP), key, Namespace{Start: -1, End: int64(i)}, []int64{int64(i), -int64(i) << 40, 0})
	}
	for i := range n {
		kg := keygroup.Of(int64(i), maxP)
		h.Table("int").Put(kg, int64(i), Namespace{Start: int64(i), End: int64(i) + 5}, float64(i)/3)
		kg = keygroup.Of(i%2 == 0, maxP)
		h.Table("mixed").Put(kg, i%2 == 0, Namespace{}, []byte{byte(i), 1})
		kg = keygroup.Of(float64(i), maxP)
		h.Table("mixed").Put(kg, float64(i), Namespace{End: -1}, "v")
	}
}

// fillContainers adds to fillTypes' entries keys and values of the other types the engine and its SQL planner
// keep in state: slices, maps and arrays of values, times, and a user struct inside them. (testdata/heap-v2
// was written from these entries by the format 2 code, which gob-encoded every one of them.)
func fillContainers(h *Heap, maxP, n int) {
	fillTypes(h, maxP, n)
	for i := range n {
		k2 := [2]int64{int64(i), int64(i) * 1000}
		h.Table("pair").Put(keygroup.Of(k2, maxP), k2, Namespace{}, []any{int64(i), "x", nil, float64(i) / 4, true,
			time.UnixMilli(int64(i) * 1000).UTC(), []any{int32(i), uint64(i)}})
		k3 := [3]int64{int64(i), -1, 1}
		h.Table("triple").Put(keygroup.Of(k3, maxP), k3, Namespace{Start: 1, End: 2}, map[string]any{"n": i, "p": point{int64(i), 1}})
		key := fmt.Sprint("s", i)
		h.Table("strings").Put(keygroup.Of(key, maxP), key, Namespace{}, []string{key, ""})
		h.Table("floats").Put(keygroup.Of(key, maxP), key, Namespace{}, []float64{float64(i), -0.5})
		h.Table("nested").Put(keygroup.Of(key, maxP), key, Namespace{}, map[any]any{int64(i): []any{[2]int64{1, 2}, []int64{int64(i)}}})
	}
}

// A snapshot in format 3 restores every key and value as it was; snapshots written in format 1 (gob
// blocks, no header: testdata/heap-v1, committed from the code before format 2) and in format 2 (scalars in
// binary, the rest gob: testdata/heap-v2, committed from the code before format 3) still restore, whole
// and rescaled.
func TestHeapSnapshotFormats(t *testing.T) {
	Register(point{})
	r := keygroup.Range{Start: 0, End: 7}
	for _, tt := range []struct {
		fixture string
		fill    func(h *Heap, maxP, n int)
	}{
		{"heap-v1", fillTypes},
		{"heap-v2", fillContainers},
	} {
		t.Run(tt.fixture, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", tt.fixture, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			h := NewHeap(r)
			tt.fill(h, 8, 40)
			if got := dump(h); got != string(want) {
				t.Fatalf("the fill no longer makes the fixture's entries:\n%s", got)
			}
			dir := t.TempDir()
			finish, err := h.SnapshotSync(1, dir)
			if err != nil {
				t.Fatal(err)
			}
			keys := 0
			for _, tab := range h.tables {
				keys += tab.Len()
			}
			if st, err := finish(); err != nil || st.Keys != int64(keys) {
				t.Fatalf("finish: %+v, %v, want %d keys", st, err, keys)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, heapSnapshotFile)); !bytes.HasPrefix(b, heapMagicV3[:]) {
				t.Fatalf("the snapshot does not start with the format 3 header: % x", b[:min(len(b), 8)])
			}
			for name, d := range map[string]string{"format 3": dir, "the fixture": filepath.Join("testdata", tt.fixture)} {
				back := NewHeap(r)
				if err := back.Restore([]string{d}); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got := dump(back); got != string(want) {
					t.Errorf("%s: restored\n%s\nwant\n%s", name, got, want)
				}
				checkHalves(t, d, 8, string(want), dump)
			}
		})
	}
}

// A format 3 block body cut anywhere, or with bytes after its end, is an error, never a panic.
func TestHeapBlockDecodeRejectsDamage(t *testing.T) {
	Register(point{})
	h := NewHeap(keygroup.Range{Start: 0, End: 0})
	fillContainers(h, 1, 10)
	var parts []snapPart
	for name, tab := range h.tables {
		parts = append(parts, layeredPart(name, []map[entryKey]any{tab.groups[0].m}))
	}
	body, _, n, err := encodeBlock(nil, nil, parts)
	if err != nil || n != 112 { // 10 entries in each of 11 tables, and 2 booleans and 10 floats in mixed
		t.Fatalf("encodeBlock: %d entries, %v", n, err)
	}
	if _, err := decodeBlock(body, 3); err != nil {
		t.Fatalf("the intact block: %v", err)
	}
	for i := range body {
		if _, err := decodeBlock(body[:i], 3); err == nil {
			t.Fatalf("the block cut at %d of %d bytes decoded", i, len(body))
		}
	}
	if _, err := decodeBlock(append(body, 0), 3); err == nil {
		t.Fatal("a byte after the block decoded")
	}
}

// Format 2 framed each value with its length, widened for values of 128 bytes or more; every length reads
// back as format 2 blocks are read.
func TestFormat2FramedValues(t *testing.T) {
	long := make([]int64, 100)
	for i := range long {
		long[i] = int64(i) << 30
	}
	tests := []struct {
		name string
		v    any
	}{
		{"empty string", ""},
		{"126 bytes, 127 with its tag", strings.Repeat("a", 126)},
		{"127 bytes, 128 with its tag", strings.Repeat("b", 127)},
		{"300 bytes", strings.Repeat("c", 300)},
		{"20,000 bytes", strings.Repeat("d", 20000)},
		{"int64", int64(-5)},
		{"short []int64", []int64{7}},
		{"long []int64", long},
	}
	frame := func(b []byte, v any) []byte {
		enc := appendValue(nil, v)
		return append(binary.AppendUvarint(b, uint64(len(enc))), enc...)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := frame(nil, tt.v)
			b = frame(b, int64(42)) // what follows must stay intact
			r := &Decoder{b: b}
			got, next := framedValue(r), framedValue(r)
			if r.err != nil || len(r.b) != 0 {
				t.Fatalf("read back: %v, %d bytes left", r.err, len(r.b))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.v) || next != int64(42) {
				t.Fatalf("read back %v then %v, want %v then 42", got, next, tt.v)
			}
		})
	}
}
