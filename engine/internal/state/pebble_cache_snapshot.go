package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// The write-back cache's part of a Pebble snapshot. A checkpoint's synchronous phase captures the cache's
// dirty entries, the ones that differ from the database that Pebble's checkpoint holds, without writing them
// anywhere: each keeps its value (a value that may be changed in place is marked shared, and Get copies it
// before handing it out, so the capture keeps the value of its moment). The asynchronous phase sorts them and
// writes them as an sstable, pebbleCacheFile, next to Pebble's checkpoint: a value for each entry set, a
// tombstone for each deleted from the database. Restore ingests that sstable into the database it opens
// from the checkpoint (Pebble's DB.Ingest links it in above every other file), which gives exactly the state
// of the snapshot's moment without reading an entry, and the cache starts empty.

// pebbleCacheFile is the sstable of a Pebble snapshot's cached dirty entries. The manifest lists and
// checksums it with the database's files; it is written whole by each snapshot, and only when the cache had
// dirty entries.
const pebbleCacheFile = "weir-cache.sst"

// capturedEntry is one dirty entry of the cache as a checkpoint captured it.
type capturedEntry struct {
	key    string // the encoded key
	v      any
	exists bool // false: the database's value is deleted
}

// cacheCapture is the cache's dirty entries at a checkpoint, and the table format of the database's files.
type cacheCapture struct {
	entries []capturedEntry
	format  sstable.TableFormat
}

// captureCache captures the cache's dirty entries for a checkpoint and starts a new epoch, and returns with
// it the greatest namespace end of each table's captured values (for the manifest's MaxEnd). The entries that
// were dirty and unchanged at the previous capture too become the backlog, written back after this
// checkpoint (drainBacklog); what is left of the previous backlog is dropped (its entries are captured here).
func (p *Pebble) captureCache() (*cacheCapture, map[*pebbleTable]int64) {
	c := &p.cache
	n := 0
	for _, t := range p.tables {
		n += t.dirtyLive
	}
	cc := &cacheCapture{entries: make([]capturedEntry, 0, n), format: p.db.TableFormat()}
	ends := map[*pebbleTable]int64{}
	c.backlog, c.backlogEpoch, c.backlogWait = c.backlog[:0], c.epoch, 0
	for _, t := range p.tables {
		end := int64(noNamespace)
		for _, e := range t.dirty {
			if !e.dirty || e.gone || (!e.exists && !e.inDB) {
				continue
			}
			if e.exists {
				end = max(end, e.end)
				if mutableValue(e.v) {
					e.shared = true
				}
			}
			cc.entries = append(cc.entries, capturedEntry{key: e.key, v: e.v, exists: e.exists})
			if e.mod < c.epoch {
				c.backlog = append(c.backlog, e)
			}
		}
		if end != noNamespace {
			ends[t] = end
		}
	}
	c.epoch++
	if len(c.backlog) == 0 {
		c.backlog = nil
	}
	return cc, ends
}

// write writes the captured entries, sorted by key, as the sstable pebbleCacheFile in dir; it writes nothing
// when there are none.
func (cc *cacheCapture) write(dir string) error {
	if len(cc.entries) == 0 {
		return nil
	}
	cc.sort()
	path := filepath.Join(dir, pebbleCacheFile)
	f, err := PebbleFS.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	o := pebbleOptions(false, nil)
	o.EnsureDefaults()
	w := sstable.NewWriter(objstorageprovider.NewFileWritable(f), o.MakeWriterOptions(0, cc.format))
	var val []byte
	for _, e := range cc.entries {
		if e.exists {
			val = appendValue(val[:0], e.v)
			err = w.Set([]byte(e.key), val)
		} else {
			err = w.Delete([]byte(e.key))
		}
		if err != nil {
			w.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil { // syncs the file
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// verifyCached checks every block of the snapshot in dir's pebbleCacheFile, if it has one, against its
// checksum, so that a damaged file fails Restore before the backend gives up its state (Pebble itself checks
// a block only when it reads it).
func verifyCached(md *pebbleManifest, dir string) error {
	if _, ok := md.Files[pebbleCacheFile]; !ok {
		return nil
	}
	path := filepath.Join(dir, pebbleCacheFile)
	corrupt := func(err error) error { return fmt.Errorf("%w: %s: %v", ErrCorruptSnapshot, path, err) }
	f, err := vfs.Default.Open(path)
	if err != nil {
		return corrupt(err)
	}
	readable, err := sstable.NewSimpleReadable(f)
	if err != nil {
		f.Close()
		return corrupt(err)
	}
	o := pebbleOptions(true, nil)
	o.EnsureDefaults()
	r, err := sstable.NewReader(context.Background(), readable, o.MakeReaderOptions())
	if err != nil {
		readable.Close()
		return corrupt(err)
	}
	err = r.ValidateBlockChecksums()
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return corrupt(err)
	}
	return nil
}

// sort sorts the captured entries by key: a counting sort on the first 6 bytes of the keys (table id and key
// group, a few hundred values at most), then each run of one table and key group by the rest of its keys, so
// that most comparisons are saved.
func (cc *cacheCapture) sort() {
	prefix := func(k string) uint64 { // the first 6 bytes, big-endian
		var x uint64
		for i := range 6 {
			x = x<<8 | uint64(k[i])
		}
		return x
	}
	counts := map[uint64]int{}
	for i := range cc.entries {
		counts[prefix(cc.entries[i].key)]++
	}
	prefixes := make([]uint64, 0, len(counts))
	for x := range counts {
		prefixes = append(prefixes, x)
	}
	slices.Sort(prefixes)
	at, next := make(map[uint64]int, len(prefixes)), 0
	for _, x := range prefixes {
		at[x] = next
		next += counts[x]
	}
	sorted := make([]capturedEntry, len(cc.entries))
	for _, e := range cc.entries {
		x := prefix(e.key)
		sorted[at[x]] = e
		at[x]++
	}
	for lo := 0; lo < len(sorted); {
		n := counts[prefix(sorted[lo].key)]
		slices.SortFunc(sorted[lo:lo+n], func(a, b capturedEntry) int { return strings.Compare(a.key[6:], b.key[6:]) })
		lo += n
	}
	cc.entries = sorted
}

// ingestCached ingests the pebbleCacheFile of the snapshot in dir, if it has one, into db: through a link
// in db's directory (or a copy), so that the snapshot's file stays as it is.
func ingestCached(db *pebble.DB, dbDir string, md *pebbleManifest, dir string) error {
	if _, ok := md.Files[pebbleCacheFile]; !ok {
		return nil
	}
	tmp := filepath.Join(dbDir, "ingest-"+pebbleCacheFile)
	os.Remove(tmp)
	if err := linkOrCopy(filepath.Join(dir, pebbleCacheFile), tmp); err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := db.Ingest(context.Background(), []string{tmp}); err != nil {
		return fmt.Errorf("%w: %s: ingesting %s: %v", ErrCorruptSnapshot, dir, pebbleCacheFile, err)
	}
	return nil
}
