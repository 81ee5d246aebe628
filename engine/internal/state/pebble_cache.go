package state

import (
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
)

// The Pebble backend's write-back cache of hot entries. Reads look in the cache first and keep what they
// read from the database there (a value, or that the key is absent); writes change only the cache and mark
// the entry dirty. A checkpoint does not write dirty entries back: its synchronous phase captures them
// (copy-on-write, as the heap's frozen maps) and its asynchronous phase writes them into the snapshot as a
// file of their own next to Pebble's checkpoint of the database (pebble_cache_snapshot.go). Dirty entries
// reach the database in batches: a table's before it is iterated, those the cache evicts when its entries
// outgrow its budget (CLOCK order: an entry read or written since the hand last passed it survives one more
// pass), and those that a checkpoint captured and that stayed unchanged until the next one, written back a
// few per write after that checkpoint (the backlog), so that long-lived state reaches the database and later
// checkpoints stay incremental. An entry that was never written to the database and is deleted costs no
// write at all, so a window's accumulators that live less than a checkpoint interval never reach the disk:
// no write, flush, tombstone or compaction. The live database is thrown away on failure and rebuilt from the
// last checkpoint, so losing the cache in a crash loses only what that checkpoint does not cover.
//
// The cache holds decoded values, as the heap backend does: a value that Get returned and its caller changes
// in place is the cached value, and the change is written only when it is Put (or with the next Put of the
// entry), which is what every state primitive does.

// cacheEntry is one cached key of one table.
type cacheEntry struct {
	key    string // the encoded key (table id, key group, key, namespace)
	t      *pebbleTable
	v      any    // the value, when exists
	size   int64  // what the entry counts against the budget
	slot   int    // index in the cache's ring
	end    int64  // the namespace's end
	exists bool   // the entry has a value; false: the key is absent (a cached miss or a deletion)
	inDB   bool   // the database holds the key, as of the last write of this entry
	dirty  bool   // the entry differs from the database
	listed bool   // the entry is in its table's dirty list
	ref    bool   // read or written since the clock hand last passed
	gone   bool   // evicted or dropped: stale in a dirty list
	shared bool   // a checkpoint captured v, which may be changed in place: Get copies it first
	mod    uint64 // the cache's epoch when the entry was last set
}

// writeCache is the cache of one Pebble backend: its entries by encoded key, in a ring for CLOCK eviction,
// with their approximate bytes bounded by budget.
type writeCache struct {
	budget int64 // bytes; 0: no cache (every write goes straight to the database)
	bytes  int64
	m      map[string]*cacheEntry
	ring   []*cacheEntry
	hand   int
	// Evictions counts entries evicted; EvictedDirty those of them written to the database.
	evictions, evictedDirty int64
	// epoch counts the checkpoints that captured the cache: an entry set since the last one has mod == epoch.
	epoch uint64
	// backlog holds the dirty entries that the last checkpoint captured unchanged since the one before: they
	// are written back a few per write (drainBacklog), unless set again (mod >= backlogEpoch) meanwhile.
	backlog      []*cacheEntry
	backlogEpoch uint64
	backlogWait  int // writes until the next chunk of the backlog is written back
}

// entryOverhead approximates what an entry costs beyond its key and value: the entry itself, its map slot
// and ring slot.
const entryOverhead = 128

// SetCacheBudget sets the bytes the backend's write-back cache of hot entries may hold (see pebble_cache.go);
// 0, the default of NewPebble, turns the cache off, so that every write goes straight to the database.
// Lowering the budget writes back what no longer fits.
func (p *Pebble) SetCacheBudget(bytes int64) {
	p.cache.budget = max(bytes, 0)
	if p.cache.m == nil {
		p.cache.m = map[string]*cacheEntry{}
	}
	if p.cache.budget == 0 {
		if err := p.writeBack(p.flushAll); err != nil {
			panic(err)
		}
		p.cache.drop()
		for _, t := range p.tables {
			t.memo = t.memo[:0]
			t.uncachedMaxEnd = t.dbMaxEnd
		}
		return
	}
	p.evict()
}

// CacheStats describes the write-back cache: its budget and the bytes its entries hold, its entries, how
// many of them are dirty, and how many entries it evicted (writing the dirty ones to the database).
type CacheStats struct {
	Budget, Bytes, Entries, Dirty, Evictions, EvictedDirty int64
}

// CacheStats returns the write-back cache's figures.
func (p *Pebble) CacheStats() CacheStats {
	s := CacheStats{Budget: p.cache.budget, Bytes: p.cache.bytes, Entries: int64(len(p.cache.ring)),
		Evictions: p.cache.evictions, EvictedDirty: p.cache.evictedDirty}
	for _, t := range p.tables {
		s.Dirty += int64(t.dirtyLive)
	}
	return s
}

func (c *writeCache) on() bool { return c.budget > 0 }

// drop forgets every entry (the database is being replaced, or the cache turned off after a write-back).
func (c *writeCache) drop() {
	for _, e := range c.ring {
		e.gone = true
	}
	clear(c.m)
	c.ring, c.hand, c.bytes = c.ring[:0], 0, 0
	c.backlog = nil
}

// valueSize approximates the bytes v holds: scalars directly, anything else with SizeOf.
func valueSize(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case int, int64, int32, uint64, float64, bool:
		return 16
	case string:
		return 16 + int64(len(x))
	case []byte:
		return 24 + int64(len(x))
	}
	return 16 + SizeOf(v)
}

// lookup returns the cached entry of the encoded key k, or nil. A value that a checkpoint captured and that
// its reader may change in place is copied first (see copyForWrite), so the snapshot keeps its own.
func (c *writeCache) lookup(k []byte) *cacheEntry {
	e := c.m[string(k)]
	if e != nil {
		e.ref = true
		if e.shared {
			e.v, _ = copyForWrite(e.v)
			e.shared = false
		}
	}
	return e
}

// insert caches what the database holds for k: v when found, else that k is absent.
func (c *writeCache) insert(t *pebbleTable, k []byte, end int64, v any, found bool) *cacheEntry {
	e := &cacheEntry{key: string(k), t: t, v: v, end: end, exists: found, inDB: found, ref: true, slot: len(c.ring)}
	e.size = int64(len(e.key)) + valueSize(v) + entryOverhead
	c.m[e.key] = e
	c.ring = append(c.ring, e)
	c.bytes += e.size
	return e
}

// set changes e's value (nil and exists false for a deletion) and marks it dirty.
func (c *writeCache) set(e *cacheEntry, v any, exists bool) {
	e.v, e.exists = v, exists
	size := int64(len(e.key)) + valueSize(v) + entryOverhead
	c.bytes += size - e.size
	e.size = size
	e.ref = true
	e.shared = false
	e.mod = c.epoch
	t := e.t
	if !e.dirty {
		e.dirty = true
		t.dirtyLive++
		if !e.listed {
			e.listed = true
			t.dirty = append(t.dirty, e)
		}
	}
	if len(t.dirty) > 2*t.dirtyLive+1024 {
		t.compactDirty()
	}
}

// remove takes e out of the cache; a dirty e is forgotten (the caller wrote it or means to lose it).
func (c *writeCache) remove(e *cacheEntry) {
	if e.dirty {
		e.dirty = false
		e.t.dirtyLive--
	}
	if e.inDB {
		e.t.uncachedMaxEnd = max(e.t.uncachedMaxEnd, e.end)
	}
	e.gone = true
	last := c.ring[len(c.ring)-1]
	c.ring[e.slot], last.slot = last, e.slot
	c.ring = c.ring[:len(c.ring)-1]
	delete(c.m, e.key)
	c.bytes -= e.size
}

// compactDirty drops the entries of t's dirty list that are no longer dirty.
func (t *pebbleTable) compactDirty() {
	live := t.dirty[:0]
	for _, e := range t.dirty {
		if e.dirty && !e.gone {
			live = append(live, e)
		} else {
			e.listed = false
		}
	}
	clear(t.dirty[len(live):])
	t.dirty = live
}

// writeEntry adds e's change to b and marks e clean.
func (t *pebbleTable) writeEntry(b *pebble.Batch, e *cacheEntry) error {
	if !e.dirty {
		return nil
	}
	e.dirty = false
	t.dirtyLive--
	switch {
	case e.exists:
		e.inDB = true
		t.dbMaxEnd = max(t.dbMaxEnd, e.end)
		return b.Set([]byte(e.key), appendValue(nil, e.v), nil)
	case e.inDB:
		e.inDB = false
		return b.Delete([]byte(e.key), nil)
	}
	return nil
}

// flushTable adds t's dirty entries to b.
func (t *pebbleTable) flushTable(b *pebble.Batch) error {
	for _, e := range t.dirty {
		e.listed = false
		if !e.gone {
			if err := t.writeEntry(b, e); err != nil {
				return err
			}
		}
	}
	clear(t.dirty)
	t.dirty = t.dirty[:0]
	return nil
}

// flushAll adds every table's dirty entries to b.
func (p *Pebble) flushAll(b *pebble.Batch) error {
	for _, t := range p.tables {
		if err := t.flushTable(b); err != nil {
			return err
		}
	}
	return nil
}

// writeBack commits, in one batch, what fill adds to it; it fails, without writing, once the database
// has failed.
func (p *Pebble) writeBack(fill func(*pebble.Batch) error) error {
	if err := p.fault.failed(); err != nil {
		return err
	}
	b := p.db.NewBatch()
	defer b.Close()
	if err := fill(b); err != nil {
		return fmt.Errorf("state: writing back the cache of pebble in %s: %w", p.dir, err)
	}
	if b.Empty() {
		return nil
	}
	if err := p.commit(b); err != nil {
		return fmt.Errorf("state: writing back the cache of pebble in %s: %w", p.dir, err)
	}
	return nil
}

// backlogChunk is how many entries of the backlog drainBacklog writes back at once, every backlogChunk/2
// writes: two entries per write, in batches.
const backlogChunk = 512

// drainBacklog writes back the next chunk of the backlog (see writeCache) every backlogChunk/2 calls; each
// write to the cache calls it while the backlog lasts. Once the backlog is empty the memtable is flushed in
// the background, so that the next checkpoint finds little or nothing to flush.
func (p *Pebble) drainBacklog() {
	c := &p.cache
	if c.backlogWait--; c.backlogWait > 0 {
		return
	}
	c.backlogWait = backlogChunk / 2
	n := min(len(c.backlog), backlogChunk)
	chunk := c.backlog[:n]
	err := p.writeBack(func(b *pebble.Batch) error {
		for _, e := range chunk {
			if !e.gone && e.mod < c.backlogEpoch {
				if err := e.t.writeEntry(b, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	clear(chunk)
	c.backlog = c.backlog[n:]
	if len(c.backlog) == 0 {
		c.backlog = nil
		if err := p.startFlush(); err != nil {
			panic(err)
		}
	}
}

// evict writes back and drops entries, in CLOCK order, once the cache holds more than its budget, down to
// seven eighths of it, so that evictions are written in batches.
func (p *Pebble) evict() {
	c := &p.cache
	if c.bytes <= c.budget || len(c.ring) == 0 {
		return
	}
	target := c.budget - c.budget/8
	err := p.writeBack(func(b *pebble.Batch) error {
		for c.bytes > target && len(c.ring) > 0 {
			if c.hand >= len(c.ring) {
				c.hand = 0
			}
			e := c.ring[c.hand]
			if e.ref {
				e.ref = false
				c.hand++
				continue
			}
			c.evictions++
			if e.dirty {
				c.evictedDirty++
				if err := e.t.writeEntry(b, e); err != nil {
					return err
				}
			}
			c.remove(e) // the ring's last entry moves to the hand: it is looked at next
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
}

// noNamespace is a table's dbMaxEnd before anything of it is written to the database.
const noNamespace = math.MinInt64
