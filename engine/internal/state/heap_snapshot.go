package state

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"sync"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// Heap snapshots are one file, state.bin: the 8-byte header heapMagicV3 (format 3; heapMagicV2 for format
// 2; format 1 files have no header), then a block per key group: the key group (uint32), the length of its
// encoded entries (uint32, see heap_codec.go for the encoding of each format), a CRC-32C of them (uint32),
// then the entries; and a trailer: the marker 0xFFFFFFFF, the number of blocks (uint32) and a CRC-32C of
// every byte before the trailer (uint32). Restore reads the three formats; SnapshotSync writes format 3.
// A truncated or damaged file fails a length, a checksum or the trailer (an empty file, or one cut at a
// block boundary, has none) and is reported as ErrCorruptSnapshot with the file's name.
const heapSnapshotFile = "state.bin"

// heapTrailerMarker takes the key group's place in the trailer's header.
const heapTrailerMarker = 0xFFFFFFFF

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapEntry is one stored value in a snapshot.
type snapEntry struct {
	Table string
	Key   any
	NS    Namespace
	V     any
}

var registered sync.Map // reflect.Type -> struct{}

// Register makes the concrete type of v storable in heap snapshots, under a name stable across processes.
// The engine registers its own types; Register is called automatically for every type met while
// snapshotting, which covers restores in the same process. A job restored in a new process must register
// the named types its state holds before the restore (engine.RegisterType).
func Register(v any) {
	if v == nil {
		return
	}
	t := reflect.TypeOf(v)
	if _, ok := registered.Load(t); ok {
		return
	}
	// Marked only once gob knows it: the key groups of a snapshot are encoded in parallel, and an encoder that
	// found the mark must find the type registered.
	defer registered.Store(t, struct{}{})
	defer func() { recover() }() // gob refuses a second name for a type it already knows: that is fine
	gob.Register(v)
}

// registerDeep registers the dynamic types inside v that gob will meet behind interfaces.
func registerDeep(v any, depth int) {
	if v == nil || depth > 4 {
		return
	}
	Register(v)
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Interface || rv.Type().Elem().Kind() == reflect.Struct {
			for i := 0; i < min(rv.Len(), 64); i++ {
				registerDeep(rv.Index(i).Interface(), depth+1)
			}
		}
	case reflect.Map:
		it := rv.MapRange()
		for n := 0; it.Next() && n < 64; n++ {
			registerDeep(it.Key().Interface(), depth+1)
			registerDeep(it.Value().Interface(), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < rv.NumField(); i++ {
			if f := rv.Field(i); f.CanInterface() && (f.Kind() == reflect.Interface || f.Kind() == reflect.Slice || f.Kind() == reflect.Map) {
				registerDeep(f.Interface(), depth+1)
			}
		}
	}
}

// ExtraTable is state kept outside a heap backend's tables that its snapshot writes as the table Name, as if
// the backend held it: an operator's timers, snapshotted by key group from the timer queue itself (as Flink's
// HeapPriorityQueueSnapshotRestoreWrapper does) instead of being copied into a table and out again. A
// restore brings it back as a plain table of that name.
type ExtraTable struct {
	// Name is the table's name in the snapshot.
	Name string
	// Groups lists the key groups that have entries, each once.
	Groups []int
	// Each calls emit for every entry of key group kg, each (key, namespace) once. It runs in the
	// asynchronous phase, for several key groups at once, so it must read only what the synchronous phase
	// captured.
	Each func(kg int, emit func(key any, ns Namespace, v any))
}

// addExtra adds the parts of every key group of the extra tables.
func addExtra(extra []ExtraTable, add func(kg int, p snapPart)) {
	for _, x := range extra {
		for _, kg := range x.Groups {
			add(kg, extraPart(x, kg))
		}
	}
}

// SnapshotSync is SnapshotSyncWith without extra tables.
func (h *Heap) SnapshotSync(id int64, dir string) (func() (SnapshotStats, error), error) {
	return h.SnapshotSyncWith(id, dir, nil)
}

// SnapshotSyncWith freezes every key group's map (see Heap): the synchronous part copies no entry of a plain
// table. A WindowTable's live entries are copied flat, by key group (Mutable values copied with CopyState;
// the values are boxed by its codec in the asynchronous part). The returned finish encodes the frozen layers, the copied entries and the extra
// tables into dir, one checksummed block per key group, encoding key groups in parallel, and then lets the
// backend fold the layers back.
func (h *Heap) SnapshotSyncWith(id int64, dir string, extra []ExtraTable) (func() (SnapshotStats, error), error) {
	byKG := map[int][]snapPart{}
	var kgs []int
	names := make([]string, 0, len(h.tables)+len(h.windows))
	for name := range h.tables {
		names = append(names, name)
	}
	for name := range h.windows {
		names = append(names, name)
	}
	sort.Strings(names)
	add := func(kg int, p snapPart) {
		if _, ok := byKG[kg]; !ok {
			kgs = append(kgs, kg)
		}
		byKG[kg] = append(byKG[kg], p)
	}
	h.running.Add(1)
	for _, name := range names {
		if w, ok := h.windows[name]; ok {
			for i, rows := range w.capture() {
				if len(rows) > 0 {
					add(w.kgs.Start+i, windowPart(name, w.codec, rows))
				}
			}
			continue
		}
		t := h.tables[name]
		t.last.ok = false // its map is frozen now
		for i := range t.groups {
			g := &t.groups[i]
			if len(g.m) > 0 {
				g.frozen, g.m, g.deletes = append(g.frozen, g.m), nil, 0
			}
			if len(g.frozen) == 0 {
				continue
			}
			add(t.base+i, layeredPart(name, slices.Clone(g.frozen)))
		}
	}
	addExtra(extra, add)
	sort.Ints(kgs)
	var once sync.Once
	return func() (SnapshotStats, error) {
		defer once.Do(func() { h.running.Add(-1) })
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return SnapshotStats{}, err
		}
		stats, err := writeBlocks(filepath.Join(dir, heapSnapshotFile), kgs, byKG)
		stats.NewBytes = stats.Bytes // a heap snapshot is written whole each time
		return stats, err
	}, nil
}

// writeBlocks writes a heap snapshot file at path (format 3): the parts of each key group of kgs (in
// ascending order) as one checksummed block, encoded in parallel, then the trailer, and fsyncs it. It
// reports the file's size and entries.
func writeBlocks(path string, kgs []int, byKG map[int][]snapPart) (SnapshotStats, error) {
	f, err := os.Create(path)
	if err != nil {
		return SnapshotStats{}, err
	}
	crc := crc32.New(castagnoli)
	w := bufio.NewWriter(io.MultiWriter(f, crc))
	w.Write(heapMagicV3[:])
	stats := SnapshotStats{Bytes: int64(len(heapMagicV3))}
	type block struct {
		body *[]byte // from blockBuffers, given back once written
		keys int64
	}
	err = inOrder(len(kgs), func(i int) (block, error) {
		body := blockBuffers.Get().(*[]byte)
		b, _, keys, err := encodeBlock((*body)[:12], nil, byKG[kgs[i]])
		*body = b
		if err != nil {
			blockBuffers.Put(body)
			return block{}, fmt.Errorf("state: snapshot of key group %d: %w", kgs[i], err)
		}
		p := *body
		binary.BigEndian.PutUint32(p[0:], uint32(kgs[i]))
		binary.BigEndian.PutUint32(p[4:], uint32(len(p)-12))
		binary.BigEndian.PutUint32(p[8:], crc32.Checksum(p[12:], castagnoli))
		return block{body, keys}, nil
	}, func(_ int, b block) error {
		stats.Keys += b.keys
		stats.Bytes += int64(len(*b.body))
		_, err := w.Write(*b.body)
		blockBuffers.Put(b.body)
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Close()
		return SnapshotStats{}, err
	}
	var trailer [12]byte
	binary.BigEndian.PutUint32(trailer[0:], heapTrailerMarker)
	binary.BigEndian.PutUint32(trailer[4:], uint32(len(kgs)))
	binary.BigEndian.PutUint32(trailer[8:], crc.Sum32())
	stats.Bytes += int64(len(trailer))
	if _, err := f.Write(trailer[:]); err != nil {
		f.Close()
		return SnapshotStats{}, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return SnapshotStats{}, err
	}
	return stats, f.Close()
}

// blockBuffers holds the byte slices that key group blocks are encoded in, reused across blocks and
// snapshots, so that a checkpoint every second does not
// allocate its whole size again each time.
var blockBuffers = sync.Pool{New: func() any { b := make([]byte, 12, 4096); return &b }}

// Mutable is implemented by a state value that its operator changes in place (an accumulator updated per
// record) instead of replacing it. A heap snapshot must keep the values of its moment, so the heap copies
// such a value with CopyState before it hands it out after a snapshot froze it: on the first Get of it
// after the freeze (copy-on-write, as Flink's CopyOnWriteStateMap copies a frozen state with its
// serializer), and when a WindowTable boxes its entries for a snapshot. The copy must share nothing that
// the operator changes in place. An operator that changes a value in place still puts it back, since a
// disk backend keeps an encoded copy, not the value.
type Mutable interface {
	CopyState() any
}

// mutableValue reports whether copyForWrite copies v: whether its reader may change it in place.
func mutableValue(v any) bool {
	switch v.(type) {
	case map[any]any, map[string]any, Mutable:
		return true
	}
	return false
}

// copyForWrite returns a copy of v that its reader may change in place without changing v, and true, when v
// is a map that MapState changes in place (its Mutable values copied too) or a Mutable value; otherwise v
// and false.
func copyForWrite(v any) (any, bool) {
	switch m := v.(type) {
	case map[any]any:
		c := make(map[any]any, len(m))
		for k, x := range m {
			if y, ok := copyForWrite(x); ok {
				x = y
			}
			c[k] = x
		}
		return c, true
	case map[string]any:
		c := make(map[string]any, len(m))
		for k, x := range m {
			if y, ok := copyForWrite(x); ok {
				x = y
			}
			c[k] = x
		}
		return c, true
	case Mutable:
		return m.CopyState(), true
	}
	return v, false
}

// Restore replaces the backend's contents with the key groups of its range found in the snapshots in dirs.
func (h *Heap) Restore(dirs []string) error {
	h.tables, h.windows = map[string]*heapTable{}, nil
	for _, dir := range dirs {
		if err := h.restoreFile(filepath.Join(dir, heapSnapshotFile)); err != nil {
			return err
		}
	}
	return nil
}

// restoreFile restores the blocks of this backend's key groups in the file at path.
func (h *Heap) restoreFile(path string) error {
	return readBlocks(path, h.kgs, func(kg int, p decodedPart) {
		h.Table(p.table).(*heapTable).install(kg, p.m)
	})
}

// TakeRestored calls f for every entry of the table called name and drops the table: a restored extra
// table is a plain table on the heap.
func (h *Heap) TakeRestored(name string, f func(kg int, key any, ns Namespace, v any)) {
	if t, ok := h.tables[name]; ok {
		t.ForEach(func(kg int, key any, ns Namespace, v any) bool {
			f(kg, key, ns, v)
			return true
		})
	}
	h.DropTable(name)
}

// readBlocks checks the whole heap snapshot file at path, then decodes its blocks of the key groups r in
// parallel, each straight into maps sized for it, and hands every table's part of them to install, in the
// file's order (ascending key groups).
func readBlocks(path string, r keygroup.Range, install func(kg int, p decodedPart)) error {
	type block struct {
		kg   int
		body []byte
	}
	var blocks []block
	format, err := scanHeapSnapshot(path, func(kg int, body []byte) error {
		if r.Contains(kg) { // else another subtask's key group (rescaling)
			blocks = append(blocks, block{kg, body})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return inOrder(len(blocks), func(i int) ([]decodedPart, error) {
		parts, err := decodeBlock(blocks[i].body, format)
		blocks[i].body = nil
		if err != nil {
			return nil, fmt.Errorf("%w: %s: key group %d: %v (a type stored in state may need engine.RegisterType)", ErrCorruptSnapshot, path, blocks[i].kg, err)
		}
		return parts, nil
	}, func(i int, parts []decodedPart) error {
		for _, p := range parts {
			install(blocks[i].kg, p)
		}
		return nil
	})
}

// scanHeapSnapshot reads a heap snapshot file, checking every block's length and checksum and the trailer,
// hands each block to block (nil: only check), and returns the file's format (1, 2 or 3). The blocks already
// handed on are not taken back when a later one is damaged: a caller that must not restore half a file
// keeps them until scanHeapSnapshot returns.
func scanHeapSnapshot(path string, block func(kg int, body []byte) error) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrCorruptSnapshot, path, err)
	}
	defer f.Close()
	crc := crc32.New(castagnoli)
	br := bufio.NewReader(f)
	format := 1
	switch magic, _ := br.Peek(len(heapMagicV2)); {
	case bytes.Equal(magic, heapMagicV2[:]):
		format = 2
	case bytes.Equal(magic, heapMagicV3[:]):
		format = 3
	}
	r := io.TeeReader(br, crc)
	if format > 1 {
		io.ReadFull(r, make([]byte, len(heapMagicV2)))
	}
	blocks := 0
	for {
		sum := crc.Sum32() // of every byte before this header
		var hdr [12]byte
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF {
			return 0, fmt.Errorf("%w: %s: no trailer after %d blocks (truncated?)", ErrCorruptSnapshot, path, blocks)
		} else if err != nil {
			return 0, fmt.Errorf("%w: %s: truncated block header", ErrCorruptSnapshot, path)
		}
		if binary.BigEndian.Uint32(hdr[0:]) == heapTrailerMarker {
			if n := int(binary.BigEndian.Uint32(hdr[4:])); n != blocks {
				return 0, fmt.Errorf("%w: %s: %d blocks, the trailer says %d", ErrCorruptSnapshot, path, blocks, n)
			}
			if binary.BigEndian.Uint32(hdr[8:]) != sum {
				return 0, fmt.Errorf("%w: %s: the file fails its checksum", ErrCorruptSnapshot, path)
			}
			if n, _ := r.Read(make([]byte, 1)); n > 0 {
				return 0, fmt.Errorf("%w: %s: bytes after the trailer", ErrCorruptSnapshot, path)
			}
			return format, nil
		}
		kg := int(binary.BigEndian.Uint32(hdr[0:]))
		n := binary.BigEndian.Uint32(hdr[4:])
		if n > 1<<30 {
			return 0, fmt.Errorf("%w: %s: key group %d claims %d bytes", ErrCorruptSnapshot, path, kg, n)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return 0, fmt.Errorf("%w: %s: key group %d is truncated", ErrCorruptSnapshot, path, kg)
		}
		if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(hdr[8:]) {
			return 0, fmt.Errorf("%w: %s: key group %d fails its checksum", ErrCorruptSnapshot, path, kg)
		}
		blocks++
		if block != nil {
			if err := block(kg, body); err != nil {
				return 0, err
			}
		}
	}
}

// Verify checks a subtask's snapshot directory without restoring it: every block and the trailer of a heap
// snapshot, or every file a Pebble snapshot's manifest names, with its size and checksum. It returns an
// error wrapping ErrCorruptSnapshot, naming the file, when something is missing or damaged.
func Verify(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, pebbleManifestFile)); err == nil {
		_, err := readManifest(dir)
		return err
	}
	_, err := scanHeapSnapshot(filepath.Join(dir, heapSnapshotFile), nil)
	return err
}
