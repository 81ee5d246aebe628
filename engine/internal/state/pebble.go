package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/de4e/weir/engine/internal/keygroup"
)

// Pebble is a Backend that keeps state on disk in a Pebble database, one per operator subtask, as Flink's
// RocksDB backend does. Keys are laid out so that a table, and a key group within it, is one contiguous
// range:
//
//	table id (4 bytes) | key group (2 bytes) | key length (uvarint) | key | namespace start | namespace end
//
// with integers big-endian and the namespace's signs flipped, so that they sort as numbers. Keys and values
// are encoded by the state codec (codec.go: scalars, the engine's containers and the types given a codec
// with RegisterCodec in binary; anything else with gob, whose types must be registered as for heap
// snapshots). Writes skip the write-ahead log: durability comes from checkpoints, which flush the memtable
// and hard-link the database's files (Pebble's Checkpoint), so a checkpoint's new bytes are only the files
// written since the previous one. In front of the database sits a
// write-back cache of hot entries (pebble_cache.go), off until SetCacheBudget gives it a budget; the engine
// gives it the operator's share of its slot's managed memory. A checkpoint writes the cache's changed entries
// as an sstable of their own next to the database's files (pebble_cache_snapshot.go), so its new bytes are
// also those entries, at most the cache's budget.
type Pebble struct {
	dir    string
	db     *pebble.DB
	kgs    keygroup.Range
	tables map[string]*pebbleTable
	nextID uint32
	prev   map[string]int64 // the files of the previous snapshot, for its incremental size
	fault  *diskFault       // the first background failure of db (a full disk)
	cache  writeCache       // the write-back cache of hot entries (pebble_cache.go); off until SetCacheBudget
	// unflushed is set when the database took a write since the last flush was started, flushed is closed
	// when that flush is done (nil: none started): a checkpoint flushes only what it must (pebble_disk.go).
	unflushed bool
	flushed   <-chan struct{}
	// restored holds the extra tables (see ExtraTable) that Restore read, by name, until TakeRestored.
	restored map[string][]restoredGroup
}

// sharedBlockCache is the block cache of every Pebble backend of the process (64 MiB), as Flink shares
// RocksDB's cache within a TaskManager.
var sharedBlockCache = pebble.NewCache(64 << 20)

// quietLogger drops Pebble's informational messages; errors still surface as errors. Fatalf is a failure
// of the database: when fault is set, a MANIFEST that cannot be written becomes the backend's failure (see
// Fatalf); anything else Pebble calls fatal is a broken invariant, and panics.
type quietLogger struct{ fault *diskFault }

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}

// Fatalf records a MANIFEST write, sync or rotation that failed (Pebble's version_set.go calls Fatalf, then
// returns the error: the flush or compaction fails, the manifest lock is released, and the version edit is
// not installed) as the backend's failure, and returns: every later write and checkpoint of the backend
// fails with ErrBackendFailed and the cause, the task fails and the job recovers from its last checkpoint,
// and the database, never used again, is closed and removed. Pebble's default logger would exit the
// process. Other fatal messages (broken invariants, after which Pebble goes on with state it cannot trust)
// panic.
func (l quietLogger) Fatalf(f string, args ...any) {
	msg := fmt.Sprintf(f, args...)
	if l.fault == nil || !strings.Contains(msg, "MANIFEST") {
		panic(msg)
	}
	cause := &fatalError{msg: msg}
	for _, a := range args {
		if err, ok := a.(error); ok {
			cause.err = err
			break
		}
	}
	l.fault.set(cause)
}

// fatalError is Pebble's fatal message, wrapping the error it was made of (errors.Is(err, syscall.EIO)).
type fatalError struct {
	msg string
	err error
}

func (e *fatalError) Error() string { return e.msg }
func (e *fatalError) Unwrap() error { return e.err }

// pebbleOptions are the options of every database the backend opens, on PebbleFS; f, if not nil, records
// the database's background failures. With the write-ahead log off, only flushes, compactions and
// checkpoints write to disk; MemTableStopWritesThreshold is raised from Pebble's 2 to 4 so that a writer
// finds a failed flush recorded (and fails) long before Pebble would stall it for ever behind that flush.
func pebbleOptions(readOnly bool, f *diskFault) *pebble.Options {
	o := &pebble.Options{DisableWAL: true, Logger: quietLogger{fault: f}, ReadOnly: readOnly, FS: PebbleFS,
		MemTableStopWritesThreshold: 4}
	if f != nil {
		o.EventListener = f.listener()
	}
	o.Cache = sharedBlockCache
	o.DisableAutomaticCompactions = noAutomaticCompactions
	return o
}

// noAutomaticCompactions turns Pebble's automatic compactions off in the databases opened from then on. Only
// tests set it, where which files a snapshot shares with the one before must not depend on whether a
// background compaction happened to rewrite them in between.
var noAutomaticCompactions bool

// NewPebble opens a fresh Pebble backend in dir for the key groups in r; whatever dir held is discarded.
func NewPebble(dir string, r keygroup.Range) (*Pebble, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("state: clearing %s: %w", dir, err)
	}
	fault := newDiskFault(dir)
	db, err := pebble.Open(dir, pebbleOptions(false, fault))
	if err != nil {
		return nil, fmt.Errorf("state: opening pebble in %s: %w", dir, err)
	}
	return &Pebble{dir: dir, db: db, kgs: r, tables: map[string]*pebbleTable{}, nextID: 1, fault: fault,
		cache: writeCache{m: map[string]*cacheEntry{}}}, nil
}

func (p *Pebble) Kind() string              { return "pebble" }
func (p *Pebble) KeyGroups() keygroup.Range { return p.kgs }

// Close closes the database and removes its directory: the live state is rebuilt from checkpoints.
func (p *Pebble) Close() error {
	if p.db == nil {
		return nil
	}
	p.cache.drop()
	err := p.db.Close()
	p.db = nil
	if rerr := os.RemoveAll(p.dir); err == nil {
		err = rerr
	}
	return err
}

// Table returns the table called name, numbering it on first use.
func (p *Pebble) Table(name string) Table {
	t, ok := p.tables[name]
	if !ok {
		t = &pebbleTable{p: p, name: name, id: p.nextID, dbMaxEnd: noNamespace, uncachedMaxEnd: noNamespace}
		p.nextID++
		p.tables[name] = t
	}
	return t
}

// Stats returns every table's entries (counted exactly) and its bytes on disk as Pebble estimates them.
func (p *Pebble) Stats() []TableStats {
	out := make([]TableStats, 0, len(p.tables))
	for name, t := range p.tables {
		lo, hi := t.bounds()
		b, _ := p.db.EstimateDiskUsage(lo, hi)
		out = append(out, TableStats{Name: name, Keys: int64(t.n), Bytes: int64(b), Approximate: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type pebbleTable struct {
	p    *Pebble
	name string
	id   uint32
	n    int
	key  []byte // scratch
	kbuf []byte // scratch: the encoded key
	// The last key read and whether it existed: Put and Delete after a Get of the same key (the usual
	// read-modify-write) keep the entry count without reading again.
	memo      []byte
	memoFound bool
	// dbMaxEnd is the greatest namespace end of any entry of the table in the database (noNamespace: none),
	// so that a key in a namespace ending later, such as a new window's, is known to be absent without a read.
	dbMaxEnd int64
	// uncachedMaxEnd is the greatest namespace end of any entry of the table that the database may hold
	// while the cache holds nothing of its key (noNamespace: none; at most dbMaxEnd). Entries written back
	// from the cache stay cached until evicted, so a key of a later namespace that the cache does not hold is
	// known to be absent without a read even after its namespace's other keys were written back.
	uncachedMaxEnd int64
	// dirty lists the cache's entries of this table changed since they were last written back (and some
	// stale ones, dropped when they outnumber the dirtyLive live ones).
	dirty     []*cacheEntry
	dirtyLive int
}

func (t *pebbleTable) prefix(b []byte, kg int) []byte {
	b = binary.BigEndian.AppendUint32(b, t.id)
	if kg >= 0 {
		b = binary.BigEndian.AppendUint16(b, uint16(kg))
	}
	return b
}

func (t *pebbleTable) bounds() ([]byte, []byte) {
	lo := binary.BigEndian.AppendUint32(nil, t.id)
	hi := binary.BigEndian.AppendUint32(nil, t.id+1)
	return lo, hi
}

func (t *pebbleTable) encodeKey(kg int, key any, ns Namespace) []byte {
	t.p.checkGroup(kg)
	b := t.prefix(t.key[:0], kg)
	t.kbuf = appendValue(t.kbuf[:0], key)
	b = binary.AppendUvarint(b, uint64(len(t.kbuf)))
	b = append(b, t.kbuf...)
	b = binary.BigEndian.AppendUint64(b, uint64(ns.Start)^(1<<63))
	b = binary.BigEndian.AppendUint64(b, uint64(ns.End)^(1<<63))
	t.key = b
	return b
}

func (p *Pebble) checkGroup(kg int) {
	if kg < p.kgs.Start || kg > p.kgs.End {
		panic(errKeyGroup(kg, p.kgs.Start, p.kgs.Len()))
	}
}

// decodeKey splits a stored key into its key group, key and namespace.
func decodeKey(b []byte) (kg int, key any, ns Namespace, err error) {
	if len(b) < 6 {
		return 0, nil, ns, errors.New("short key")
	}
	kg = int(binary.BigEndian.Uint16(b[4:6]))
	n, w := binary.Uvarint(b[6:])
	if w <= 0 || len(b) < 6+w+int(n)+16 {
		return 0, nil, ns, errors.New("bad key length")
	}
	rest := b[6+w:]
	key, err = decodeValue(rest[:n])
	if err != nil {
		return 0, nil, ns, err
	}
	rest = rest[n:]
	ns.Start = int64(binary.BigEndian.Uint64(rest[0:8]) ^ (1 << 63))
	ns.End = int64(binary.BigEndian.Uint64(rest[8:16]) ^ (1 << 63))
	return kg, key, ns, nil
}

func (t *pebbleTable) Get(kg int, key any, ns Namespace) (any, bool) {
	k := t.encodeKey(kg, key, ns)
	c := &t.p.cache
	if !c.on() {
		v, found := t.read(k, ns)
		t.memo, t.memoFound = append(t.memo[:0], k...), found
		return v, found
	}
	if e := c.lookup(k); e != nil {
		return e.v, e.exists
	}
	v, found := t.read(k, ns)
	c.insert(t, k, ns.End, v, found)
	t.p.evict()
	return v, found
}

// read reads the value of the encoded key k, which the cache does not hold, from the database, without a
// read when the database holds no uncached entry of a namespace ending as late as ns.
func (t *pebbleTable) read(k []byte, ns Namespace) (any, bool) {
	if ns.End > t.uncachedMaxEnd {
		return nil, false
	}
	v, closer, err := t.p.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false
	}
	if err != nil {
		panic(fmt.Errorf("state: reading %s from pebble: %w", t.name, err))
	}
	x, derr := decodeValue(v)
	closer.Close()
	if derr != nil {
		panic(fmt.Errorf("state: decoding a value of %s: %w", t.name, derr))
	}
	return x, true
}

// cached returns the cache's entry of the encoded key k, reading the database on a miss for whether k is
// stored (the entry count depends on it).
func (t *pebbleTable) cached(k []byte, ns Namespace) *cacheEntry {
	c := &t.p.cache
	if e := c.lookup(k); e != nil {
		return e
	}
	v, found := t.read(k, ns)
	return c.insert(t, k, ns.End, v, found)
}

// exists reports whether k is stored, from the memo of the last Get when it is the same key.
func (t *pebbleTable) exists(k []byte, ns Namespace) bool {
	if bytes.Equal(k, t.memo) {
		return t.memoFound
	}
	if ns.End > t.dbMaxEnd {
		return false
	}
	_, closer, err := t.p.db.Get(k)
	if err == nil {
		closer.Close()
		return true
	}
	return false
}

func (t *pebbleTable) Put(kg int, key any, ns Namespace, v any) {
	k := t.encodeKey(kg, key, ns)
	if err := t.p.fault.failed(); err != nil {
		panic(fmt.Errorf("state: writing %s: %w", t.name, err))
	}
	if c := &t.p.cache; c.on() {
		e := t.cached(k, ns)
		if !e.exists {
			t.n++
		}
		c.set(e, v, true)
		t.p.evict()
		if len(c.backlog) > 0 {
			t.p.drainBacklog()
		}
		return
	}
	if !t.exists(k, ns) {
		t.n++
	}
	t.memo, t.memoFound = append(t.memo[:0], k...), true
	t.dbMaxEnd = max(t.dbMaxEnd, ns.End)
	t.uncachedMaxEnd = max(t.uncachedMaxEnd, ns.End)
	t.p.unflushed = true
	if err := t.p.db.Set(k, appendValue(nil, v), pebble.NoSync); err != nil {
		panic(fmt.Errorf("state: writing %s to pebble in %s: %w", t.name, t.p.dir, err))
	}
}

// Delete removes an entry. With the cache on, an entry the database never held is only dropped from the
// cache.
func (t *pebbleTable) Delete(kg int, key any, ns Namespace) {
	k := t.encodeKey(kg, key, ns)
	if c := &t.p.cache; c.on() {
		e := t.cached(k, ns)
		if !e.exists {
			return
		}
		t.n--
		if !e.inDB {
			c.remove(e)
			return
		}
		if err := t.p.fault.failed(); err != nil {
			panic(fmt.Errorf("state: deleting from %s: %w", t.name, err))
		}
		c.set(e, nil, false)
		t.p.evict()
		if len(c.backlog) > 0 {
			t.p.drainBacklog()
		}
		return
	}
	if !t.exists(k, ns) {
		return
	}
	t.n--
	t.memo, t.memoFound = append(t.memo[:0], k...), false
	if err := t.p.fault.failed(); err != nil {
		panic(fmt.Errorf("state: deleting from %s: %w", t.name, err))
	}
	t.p.unflushed = true
	if err := t.p.db.Delete(k, pebble.NoSync); err != nil {
		panic(fmt.Errorf("state: deleting from %s in pebble in %s: %w", t.name, t.p.dir, err))
	}
}

// scan calls f for every entry whose key is in [lo, hi), until f returns false. The table's dirty
// entries are written back first, so that the database holds all of it.
func (t *pebbleTable) scan(lo, hi []byte, f func(kg int, key any, ns Namespace, v any) bool) {
	if t.dirtyLive > 0 {
		if err := t.p.writeBack(t.flushTable); err != nil {
			panic(fmt.Errorf("state: iterating %s: %w", t.name, err))
		}
	}
	it, err := t.p.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		panic(fmt.Errorf("state: iterating %s: %w", t.name, err))
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		kg, key, ns, err := decodeKey(it.Key())
		if err != nil {
			panic(fmt.Errorf("state: decoding a key of %s: %w", t.name, err))
		}
		v, err := decodeValue(it.Value())
		if err != nil {
			panic(fmt.Errorf("state: decoding a value of %s: %w", t.name, err))
		}
		if !f(kg, key, ns, v) {
			return
		}
	}
}

func (t *pebbleTable) ForEach(f func(kg int, key any, ns Namespace, v any) bool) {
	lo, hi := t.bounds()
	t.scan(lo, hi, f)
}

// ForEachInGroup iterates one key group; f may delete the entry it is given (the iterator reads a
// consistent view).
func (t *pebbleTable) ForEachInGroup(kg int, f func(key any, ns Namespace, v any) bool) {
	t.p.checkGroup(kg)
	lo := t.prefix(nil, kg)
	hi := t.prefix(nil, kg+1)
	if kg == math.MaxUint16 {
		_, hi = t.bounds()
	}
	t.scan(lo, hi, func(_ int, key any, ns Namespace, v any) bool { return f(key, ns, v) })
	t.memo = t.memo[:0]
}

func (t *pebbleTable) Len() int { return t.n }
