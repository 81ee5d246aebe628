package state

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/cockroachdb/pebble/v2"
)

// pebbleManifestFile describes a Pebble snapshot: its key groups, its tables (name, id, entries) and every
// file with its size and CRC-32C, followed by a CRC-32C of the JSON itself. Restore checks all of it, so a
// missing, truncated or damaged file is reported before the job reads a single value.
const pebbleManifestFile = "weir-state.json"

// pebbleExtraFile holds a Pebble snapshot's extra tables (SnapshotSyncWith), in the format of a heap
// snapshot file; the manifest lists and checksums it with the database's files.
const pebbleExtraFile = "weir-extra.bin"

// restoredGroup is one key group's entries of an extra table that Restore read.
type restoredGroup struct {
	kg int
	m  map[entryKey]any
}

type pebbleManifest struct {
	KeyGroups [2]int                 `json:"key_groups"`
	Tables    map[string]pebbleTabMD `json:"tables"`
	Files     map[string]pebbleFile  `json:"files"`
}

type pebbleTabMD struct {
	ID      uint32 `json:"id"`
	Entries int    `json:"entries"`
	// MaxEnd is the table's greatest namespace end in the snapshot's database and cache sstable
	// (pebbleTable.dbMaxEnd after a restore); a snapshot without it (written before it was recorded) is read
	// as if any namespace could be there.
	MaxEnd *int64 `json:"max_end,omitempty"`
}

type pebbleFile struct {
	Size int64  `json:"size"`
	CRC  uint32 `json:"crc"`
}

// SnapshotSync is SnapshotSyncWith without extra tables.
func (p *Pebble) SnapshotSync(id int64, dir string) (func() (SnapshotStats, error), error) {
	return p.SnapshotSyncWith(id, dir, nil)
}

// SnapshotSyncWith captures the cache's dirty entries without writing them (pebble_cache_snapshot.go), makes
// sure every write the database took is flushed (usually nothing: the cache's write-backs between
// checkpoints start their own flush), and takes a Pebble checkpoint into dir: the sstables are hard-linked,
// so this is quick and later writes do not change the snapshot. finish writes the captured entries into
// pebbleCacheFile and the extra tables into pebbleExtraFile (as a heap snapshot writes its blocks, never
// through the database), checksums the files no earlier snapshot had and writes the manifest; only those
// files count as new bytes.
func (p *Pebble) SnapshotSyncWith(id int64, dir string, extra []ExtraTable) (func() (SnapshotStats, error), error) {
	if err := p.fault.failed(); err != nil {
		return nil, fmt.Errorf("state: checkpoint %d: %w", id, err)
	}
	var cached *cacheCapture
	var cachedEnds map[*pebbleTable]int64
	if p.cache.on() {
		cached, cachedEnds = p.captureCache()
	}
	if err := p.flush(); err != nil {
		return nil, fmt.Errorf("state: flushing pebble for checkpoint %d: %w", id, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := p.db.Checkpoint(dir); err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			// A full disk is the backend's failure, as when its flush meets it: the task fails and the job
			// recovers from its last checkpoint once there is space.
			p.fault.set(err)
			return nil, fmt.Errorf("state: pebble checkpoint %d into %s: %w", id, dir, p.fault.failed())
		}
		return nil, fmt.Errorf("state: pebble checkpoint %d into %s: %w", id, dir, err)
	}
	md := pebbleManifest{KeyGroups: [2]int{p.kgs.Start, p.kgs.End}, Tables: map[string]pebbleTabMD{}, Files: map[string]pebbleFile{}}
	var keys int64
	for name, t := range p.tables {
		end := max(t.dbMaxEnd, cachedEnds[t]) // a copy: finish marshals md while the table goes on
		md.Tables[name] = pebbleTabMD{ID: t.id, Entries: t.n, MaxEnd: &end}
		keys += int64(t.n)
	}
	prev := p.prev
	byKG := map[int][]snapPart{}
	var kgs []int
	addExtra(extra, func(kg int, sp snapPart) {
		if _, ok := byKG[kg]; !ok {
			kgs = append(kgs, kg)
		}
		byKG[kg] = append(byKG[kg], sp)
	})
	sort.Ints(kgs)
	return func() (SnapshotStats, error) {
		stats := SnapshotStats{Keys: keys}
		if cached != nil {
			if err := cached.write(dir); err != nil {
				return stats, fmt.Errorf("state: checkpoint %d: %w", id, err)
			}
		}
		if len(extra) > 0 {
			xs, err := writeBlocks(filepath.Join(dir, pebbleExtraFile), kgs, byKG)
			if err != nil {
				return stats, fmt.Errorf("state: checkpoint %d: %w", id, err)
			}
			stats.Keys += xs.Keys
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return stats, err
		}
		files := map[string]int64{}
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			name := e.Name()
			pf := pebbleFile{Size: fi.Size()}
			if old, ok := prevFiles(prev, name, fi.Size()); ok && filepath.Ext(name) == ".sst" && name != pebbleCacheFile {
				pf.CRC = old // the same immutable sstable of the database as in the previous snapshot
			} else {
				if pf.CRC, err = fileCRC(filepath.Join(dir, name)); err != nil {
					return stats, err
				}
				stats.NewBytes += fi.Size()
			}
			md.Files[name] = pf
			files[name] = int64(pf.CRC)<<32 | fi.Size()&0xffffffff
			stats.Bytes += fi.Size()
		}
		b, err := json.Marshal(md)
		if err != nil {
			return stats, err
		}
		b = appendCRC(b)
		if err := WriteSynced(filepath.Join(dir, pebbleManifestFile), b); err != nil {
			return stats, err
		}
		if err := SyncDir(dir); err != nil {
			return stats, err
		}
		stats.Bytes += int64(len(b))
		stats.NewBytes += int64(len(b))
		p.prev = files
		return stats, nil
	}, nil
}

// appendCRC appends the CRC-32C of b to it, as a manifest ends.
func appendCRC(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// prevFiles returns the CRC the previous snapshot recorded for a file of the same name and size.
func prevFiles(prev map[string]int64, name string, size int64) (uint32, bool) {
	v, ok := prev[name]
	if !ok || v&0xffffffff != size&0xffffffff {
		return 0, false
	}
	return uint32(v >> 32), true
}

func fileCRC(path string) (uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, f); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}

// WriteSynced writes b to a new file at path and fsyncs it. It does not sync the directory (see SyncDir).
func WriteSynced(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir fsyncs a directory, so that the names of files created or renamed in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// readManifest reads and verifies a snapshot's manifest and files.
func readManifest(dir string) (*pebbleManifest, error) {
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrCorruptSnapshot, dir, fmt.Sprintf(format, args...))
	}
	b, err := os.ReadFile(filepath.Join(dir, pebbleManifestFile))
	if err != nil {
		return nil, corrupt("%v", err)
	}
	if len(b) < 4 {
		return nil, corrupt("the manifest is truncated")
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, corrupt("the manifest fails its checksum")
	}
	var md pebbleManifest
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, corrupt("the manifest does not parse: %v", err)
	}
	names := make([]string, 0, len(md.Files))
	for name := range md.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := md.Files[name]
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return nil, corrupt("%v", err)
		}
		if fi.Size() != want.Size {
			return nil, corrupt("%s has %d bytes, the manifest says %d", name, fi.Size(), want.Size)
		}
		crc, err := fileCRC(filepath.Join(dir, name))
		if err != nil {
			return nil, corrupt("%v", err)
		}
		if crc != want.CRC {
			return nil, corrupt("%s fails its checksum", name)
		}
	}
	return &md, nil
}

// copyFiles hard-links (or, across file systems, copies) the files of a snapshot into dst.
func copyFiles(md *pebbleManifest, src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for name := range md.Files {
		if name == pebbleExtraFile || name == pebbleCacheFile {
			continue // not the database's: Restore reads or ingests it from src
		}
		if err := linkOrCopy(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

// linkOrCopy hard-links an immutable file (an sstable) at from to to, or copies it (any other file, or
// across file systems).
func linkOrCopy(from, to string) error {
	if filepath.Ext(from) == ".sst" && os.Link(from, to) == nil {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// Restore replaces the backend's contents with the key groups of its range in the snapshots in dirs. A
// snapshot of exactly this backend's key groups is reopened as it is (its files linked into the live
// directory); otherwise (after rescaling) the entries of this backend's key groups are copied out of each.
func (p *Pebble) Restore(dirs []string) error {
	mds := make([]*pebbleManifest, len(dirs))
	for i, dir := range dirs {
		md, err := readManifest(dir)
		if err != nil {
			return err
		}
		if err := verifyCached(md, dir); err != nil {
			return err
		}
		mds[i] = md
	}
	var restored map[string][]restoredGroup
	for i, dir := range dirs {
		if _, ok := mds[i].Files[pebbleExtraFile]; !ok {
			continue
		}
		if restored == nil {
			restored = map[string][]restoredGroup{}
		}
		err := readBlocks(filepath.Join(dir, pebbleExtraFile), p.kgs, func(kg int, dp decodedPart) {
			restored[dp.table] = append(restored[dp.table], restoredGroup{kg, dp.m})
		})
		if err != nil {
			return err
		}
	}
	if p.db != nil {
		if err := p.db.Close(); err != nil {
			return err
		}
		p.db = nil
	}
	if err := os.RemoveAll(p.dir); err != nil {
		return err
	}
	p.cache.drop()
	p.tables, p.nextID, p.prev, p.restored = map[string]*pebbleTable{}, 1, nil, restored
	p.unflushed, p.flushed = false, nil
	if len(dirs) == 1 && mds[0].KeyGroups == [2]int{p.kgs.Start, p.kgs.End} {
		if err := copyFiles(mds[0], dirs[0], p.dir); err != nil {
			return fmt.Errorf("state: restoring %s: %w", dirs[0], err)
		}
		db, err := pebble.Open(p.dir, pebbleOptions(false, p.fault))
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrCorruptSnapshot, dirs[0], err)
		}
		p.db = db
		if err := ingestCached(db, p.dir, mds[0], dirs[0]); err != nil {
			return err
		}
		for name, t := range mds[0].Tables {
			tab := &pebbleTable{p: p, name: name, id: t.ID, n: t.Entries, dbMaxEnd: math.MaxInt64}
			if t.MaxEnd != nil {
				tab.dbMaxEnd = *t.MaxEnd
			}
			tab.uncachedMaxEnd = tab.dbMaxEnd
			p.tables[name] = tab
			p.nextID = max(p.nextID, t.ID+1)
		}
		return nil
	}
	db, err := pebble.Open(p.dir, pebbleOptions(false, p.fault))
	if err != nil {
		return fmt.Errorf("state: opening pebble in %s: %w", p.dir, err)
	}
	p.db = db
	for i, dir := range dirs {
		if err := p.restoreRange(dir, mds[i]); err != nil {
			return err
		}
	}
	return nil
}

// restoreRange copies this backend's key groups out of one snapshot, renumbering its tables.
func (p *Pebble) restoreRange(dir string, md *pebbleManifest) error {
	tmp, err := os.MkdirTemp(filepath.Dir(p.dir), "restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyFiles(md, dir, tmp); err != nil {
		return err
	}
	src, err := pebble.Open(tmp, pebbleOptions(false, nil))
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorruptSnapshot, dir, err)
	}
	defer src.Close()
	if err := ingestCached(src, tmp, md, dir); err != nil {
		return err
	}
	byID := map[uint32]*pebbleTable{}
	for name, t := range md.Tables {
		byID[t.ID] = p.Table(name).(*pebbleTable)
	}
	it, err := src.NewIter(nil)
	if err != nil {
		return err
	}
	defer it.Close()
	batch := p.db.NewBatch()
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) < 6 {
			return fmt.Errorf("%w: %s: a key of %d bytes", ErrCorruptSnapshot, dir, len(k))
		}
		kg := int(binary.BigEndian.Uint16(k[4:6]))
		t := byID[binary.BigEndian.Uint32(k[0:4])]
		if t == nil || kg < p.kgs.Start || kg > p.kgs.End {
			continue
		}
		nk := binary.BigEndian.AppendUint32(nil, t.id)
		nk = append(nk, k[4:]...)
		if err := batch.Set(nk, it.Value(), nil); err != nil {
			return err
		}
		t.n++
		if len(k) >= 8 {
			t.dbMaxEnd = max(t.dbMaxEnd, int64(binary.BigEndian.Uint64(k[len(k)-8:])^(1<<63)))
		}
		if batch.Len() > 4<<20 {
			if err := p.commit(batch); err != nil {
				return err
			}
			batch = p.db.NewBatch()
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorruptSnapshot, dir, err)
	}
	for _, t := range byID {
		t.uncachedMaxEnd = t.dbMaxEnd
	}
	return p.commit(batch)
}

// TakeRestored calls f for every entry of the extra table called name that Restore read, and for every
// entry of a table of that name (a snapshot that held its timers in the database), deleting those.
func (p *Pebble) TakeRestored(name string, f func(kg int, key any, ns Namespace, v any)) {
	for _, g := range p.restored[name] {
		for k, v := range g.m {
			f(g.kg, k.key, k.ns, v)
		}
	}
	delete(p.restored, name)
	t, ok := p.tables[name]
	if !ok || t.n == 0 {
		return
	}
	type entry struct {
		kg  int
		key any
		ns  Namespace
	}
	var old []entry
	t.ForEach(func(kg int, key any, ns Namespace, v any) bool {
		f(kg, key, ns, v)
		old = append(old, entry{kg, key, ns})
		return true
	})
	for _, e := range old {
		t.Delete(e.kg, e.key, e.ns)
	}
}
