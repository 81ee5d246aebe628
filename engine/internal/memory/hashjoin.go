package memory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/de4e/weir/engine/internal/state"
)

// DefaultJoinPartitions is the number of partitions the build side is hashed into when
// HashJoinConfig.Partitions is 0.
const DefaultJoinPartitions = 16

// MinJoinPages is the fewest pages a hash join works with: two spilled partitions' write pages, a page to
// read a spilled partition back through, and one more.
const MinJoinPages = 4

// MaxJoinRecursion is how often a spilled partition is re-partitioned before the join gives up: 3, Flink's
// MutableHashTable.MAX_RECURSION_DEPTH.
const MaxJoinRecursion = 3

// ErrJoinRecursion is wrapped by the error of a hash join whose spilled partition still does not fit in
// memory after MaxJoinRecursion re-partitionings (typically: too many build records with one key).
var ErrJoinRecursion = errors.New("memory: hash join exceeded its recursion depth")

// HashJoinConfig configures a hybrid hash join.
type HashJoinConfig struct {
	// Manager gives the join its pages. Required.
	Manager *Manager
	// Owner names the join in the manager's accounts. Required.
	Owner string
	// Pages is how many pages the join takes from the manager; at least MinJoinPages.
	Pages int
	// Partitions is the most partitions a level hashes records into (it makes fewer when its free pages are
	// under four per partition); 0 means DefaultJoinPartitions.
	Partitions int
	// TempDir is where the join makes its spill directory; "" means os.TempDir().
	TempDir string
	// BuildKey and ProbeKey return a record's join key. Keys are equal when their codec encodings are equal
	// (true of strings, numbers and booleans; for structs, when gob encodes them alike). Required.
	BuildKey, ProbeKey func(v any) any
	// ProbeOuter makes the join emit (nil, probe) for each probe record that no build record matches, as
	// Flink's hash join does for the outer side when it is the probe side. Default false (inner).
	ProbeOuter bool
	// BuildOuter makes Finish emit (build, nil) for each build record that no probe record matched, as
	// Flink's MutableHashTable does with its unmatched-build-side iterator (ReusingBuildFirstHashJoinIterator
	// for an outer join on the build side). Default false (inner).
	BuildOuter bool
}

// HashJoinStats counts what a hash join did.
type HashJoinStats struct {
	BuildRecords, ProbeRecords, Matches int64
	// SpilledPartitions counts partitions written to disk at any level; SpilledBytes what they wrote (build
	// and probe side).
	SpilledPartitions int64
	SpilledBytes      int64
	// Depth is the deepest recursion level that ran (0: no spilled partition was re-partitioned).
	Depth int64
}

// HashJoin is an inner equi-join of a build side and a probe side within a page budget, after Flink's
// MutableHashTable (a hybrid hash join), simplified: build records (key and record, serialised with the
// state codec) are hashed into partitions whose pages come from one pool; when the pool is empty the largest
// partition in memory is spilled to a file and from then on its build records go to disk. Before the first
// probe record, each partition in memory gets an open-addressing bucket table in pages (spilling more
// partitions if the tables do not fit). Probe records of partitions in memory are joined at once; those of
// spilled partitions are written to the partition's probe file. Finish then joins each spilled partition's
// files recursively, as a new join with a new hash seed over all pages, at most MaxJoinRecursion levels deep.
// Unlike Flink's table there is no bloom filter, and a probe record is matched on its key's encoding.
// ProbeOuter and BuildOuter make it an outer join on either side or both: unmatched probe records are emitted
// with a nil build record when they are probed (for a spilled partition, when Finish joins it), unmatched
// build records with a nil probe record partition by partition at Finish (a matched flag in each bucket).
//
// Use: Build every build record, Probe every probe record, Finish, then Close (also after an error). A
// HashJoin is used by one goroutine; Stats may be read from any.
type HashJoin struct {
	cfg   HashJoinConfig
	pages [][]byte // all the join's pages
	pool  [][]byte // pages no partition holds
	ps    int64
	dir   string
	top   *joinLevel
	all   []*joinLevel // every level made, for Close
	done  bool
	enc   []byte
	key   []byte

	build, probe, matches, spilledParts, spilledBytes, depth atomic.Int64
}

// NewHashJoin takes cfg.Pages pages from cfg.Manager; the error wraps ErrBudgetExhausted when fewer are free.
func NewHashJoin(cfg HashJoinConfig) (*HashJoin, error) {
	if cfg.Partitions == 0 {
		cfg.Partitions = DefaultJoinPartitions
	}
	switch {
	case cfg.Manager == nil:
		return nil, errors.New("memory: HashJoinConfig.Manager is nil")
	case cfg.Owner == "":
		return nil, errors.New("memory: HashJoinConfig.Owner is empty")
	case cfg.BuildKey == nil || cfg.ProbeKey == nil:
		return nil, fmt.Errorf("memory: hash join %s: HashJoinConfig.BuildKey and ProbeKey are required", cfg.Owner)
	case cfg.Partitions < 2:
		return nil, fmt.Errorf("memory: hash join %s: HashJoinConfig.Partitions is %d; want at least 2", cfg.Owner, cfg.Partitions)
	case cfg.Pages < MinJoinPages:
		return nil, fmt.Errorf("memory: hash join %s: HashJoinConfig.Pages is %d; want at least %d", cfg.Owner, cfg.Pages, MinJoinPages)
	}
	pages, err := cfg.Manager.Allocate(cfg.Owner, cfg.Pages)
	if err != nil {
		return nil, fmt.Errorf("memory: hash join %s: %w", cfg.Owner, err)
	}
	j := &HashJoin{cfg: cfg, pages: pages, pool: append([][]byte(nil), pages...), ps: int64(cfg.Manager.PageSize())}
	j.top = j.newLevel(0)
	return j, nil
}

// joinLevel is one level of the recursion: the partitions of one build input.
type joinLevel struct {
	j      *HashJoin
	level  int
	seed   uint64 // salts the hash, so that each level splits records differently
	parts  []*joinPartition
	probed bool // the bucket tables are built
}

// joinPartition holds one partition's build records as frame pairs (key, record), in pages or in a file.
type joinPartition struct {
	buf     recordPages
	records int64
	// table is the bucket table once probing starts: slots of two uint64 (the key's hash, and the offset of
	// the frame pair plus one, 0 marking an empty slot), laid over pages.
	table [][]byte
	slots uint64
	// Spilled partitions write their build, then their probe records through a page.
	spilled      bool
	w            *runWriter
	build, probe run
}

func (j *HashJoin) newLevel(level int) *joinLevel {
	l := &joinLevel{j: j, level: level, seed: splitmix64(uint64(level) + 1)}
	// A partition in memory costs at least a page of records and a page of buckets, so a level makes no more
	// partitions than a quarter of the free pages: small inputs then stay in memory.
	for range min(j.cfg.Partitions, max(2, len(j.pool)/4)) {
		l.parts = append(l.parts, &joinPartition{buf: recordPages{ps: j.ps}})
	}
	j.all = append(j.all, l)
	return l
}

func (j *HashJoin) encodeKV(key, v any) error {
	var err error
	if j.key, err = state.AppendValue(j.key[:0], key); err != nil {
		return fmt.Errorf("memory: hash join %s: encoding a key %T: %w", j.cfg.Owner, key, err)
	}
	if j.enc, err = state.AppendValue(j.enc[:0], v); err != nil {
		return fmt.Errorf("memory: hash join %s: encoding a %T: %w", j.cfg.Owner, v, err)
	}
	return nil
}

// Build adds a build-side record.
func (j *HashJoin) Build(v any) error {
	if j.done || j.top.probed {
		return fmt.Errorf("%w: hash join %s: Build after Probe, Finish or Close", ErrSorterClosed, j.cfg.Owner)
	}
	if err := j.encodeKV(j.cfg.BuildKey(v), v); err != nil {
		return err
	}
	j.build.Add(1)
	return j.top.add(j.key, j.enc)
}

// Probe joins a probe-side record with the build records of its key, calling emit for each pair (at once
// when its partition is in memory, else during Finish).
func (j *HashJoin) Probe(v any, emit func(build, probe any) error) error {
	if j.done {
		return fmt.Errorf("%w: hash join %s: Probe after Finish or Close", ErrSorterClosed, j.cfg.Owner)
	}
	if err := j.top.prepareProbe(); err != nil {
		return err
	}
	if err := j.encodeKV(j.cfg.ProbeKey(v), v); err != nil {
		return err
	}
	j.probe.Add(1)
	return j.top.probeOne(j.key, j.enc, v, emit)
}

// Finish joins the spilled partitions, calling emit for each pair.
func (j *HashJoin) Finish(emit func(build, probe any) error) error {
	if j.done {
		return fmt.Errorf("%w: hash join %s: Finish called twice or after Close", ErrSorterClosed, j.cfg.Owner)
	}
	if err := j.top.prepareProbe(); err != nil {
		return err
	}
	j.done = true
	return j.top.finish(emit)
}

// hash hashes a key's encoding for this level: FNV-1a from the level's seed, then a splitmix finaliser so
// that the low bits (the partition) and the high bits (the bucket) are both well mixed. It is deterministic,
// so a join splits the same input the same way every run.
func (l *joinLevel) hash(key []byte) uint64 {
	h := l.seed ^ 14695981039346656037
	for _, c := range key {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return splitmix64(h)
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// bucket is the first bucket-table slot of hash h: its high bits, as its low bits chose the partition.
func bucket(h, slots uint64) uint64 { return bits.RotateLeft64(h, 32) & (slots - 1) }

func (l *joinLevel) part(h uint64) *joinPartition {
	return l.parts[h%uint64(len(l.parts))]
}

// add adds a frame pair to its partition, taking pages from the pool and spilling when it is empty.
func (l *joinLevel) add(key, rec []byte) error {
	p := l.part(l.hash(key))
	need := frameLen(len(key)) + frameLen(len(rec))
	for !p.spilled && p.buf.n+need > p.buf.capacity() {
		if len(l.j.pool) == 0 {
			if err := l.spillLargest(); err != nil {
				return err
			}
			continue
		}
		p.buf.pages = append(p.buf.pages, l.j.takePage())
	}
	p.records++
	if p.spilled {
		if err := p.w.writeFrame(key); err != nil {
			return err
		}
		return p.w.writeFrame(rec)
	}
	p.buf.appendFrame(key)
	p.buf.appendFrame(rec)
	return nil
}

func (j *HashJoin) takePage() []byte {
	pg := j.pool[len(j.pool)-1]
	j.pool = j.pool[:len(j.pool)-1]
	return pg
}

// spillLargest writes the largest partition in memory to a file and returns all but one of its pages (and
// its bucket table) to the pool; the page it keeps is the one it writes its later records through.
func (l *joinLevel) spillLargest() error {
	var big *joinPartition
	for _, p := range l.parts {
		if !p.spilled && len(p.buf.pages) > 0 && (big == nil || p.buf.n > big.buf.n) {
			big = p
		}
	}
	if big == nil {
		return fmt.Errorf("%w: hash join %s: every partition is spilled and a page is still missing", ErrBudgetExhausted, l.j.cfg.Owner)
	}
	j := l.j
	if j.dir == "" {
		dir, err := os.MkdirTemp(j.cfg.TempDir, "weir-hashjoin-")
		if err != nil {
			return fmt.Errorf("memory: hash join %s: making spill directory: %w", j.cfg.Owner, err)
		}
		j.dir = dir
	}
	keep := big.buf.pages[0]
	f, err := os.OpenFile(filepath.Join(j.dir, fmt.Sprintf("build-%06d", runSeq.Add(1))), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("memory: hash join %s: creating spill file: %w", j.cfg.Owner, err)
	}
	w := &runWriter{f: f, run: run{path: f.Name(), records: 2 * big.records}}
	for i, left := 0, big.buf.n; left > 0; i++ {
		c := min(left, j.ps)
		if _, err := f.Write(big.buf.pages[i][:c]); err != nil {
			f.Close()
			return fmt.Errorf("memory: hash join %s: writing %s: %w", j.cfg.Owner, f.Name(), err)
		}
		left -= c
	}
	w.run.bytes = big.buf.n
	w.buf = keep
	j.pool = append(j.pool, big.buf.pages[1:]...)
	j.pool = append(j.pool, big.table...)
	big.buf = recordPages{ps: j.ps}
	big.table, big.slots = nil, 0
	big.spilled, big.w = true, w
	j.spilledParts.Add(1)
	return nil
}

const slotSize = 16

// prepareProbe ends the build phase of the top level: it builds the bucket tables.
func (l *joinLevel) prepareProbe() error {
	if l.probed {
		return nil
	}
	l.probed = true
	return l.buildTables()
}

// buildTables gives each partition in memory a bucket table (a load of at most 3/4), spilling the largest partitions while the pool cannot hold the tables, then closes the build files
// of the spilled partitions and opens their probe files.
func (l *joinLevel) buildTables() error {
	j := l.j
	perPage := uint64(j.ps / slotSize)
	for {
		var need int
		for _, p := range l.parts {
			if !p.spilled && p.records > 0 {
				need += int((tableSlots(p.records) + perPage - 1) / perPage)
			}
		}
		// A deeper level keeps a page to read its probe file through.
		if l.level > 0 {
			need++
		}
		if need <= len(j.pool) {
			break
		}
		if err := l.spillLargest(); err != nil {
			return err
		}
	}
	var scratch []byte
	for _, p := range l.parts {
		if p.spilled {
			r, err := p.w.finish()
			if err != nil {
				return err
			}
			p.build = r
			j.spilledBytes.Add(r.bytes)
			w, err := createRun(filepath.Join(j.dir, fmt.Sprintf("probe-%06d", runSeq.Add(1))), p.w.buf)
			if err != nil {
				return fmt.Errorf("memory: hash join %s: %w", j.cfg.Owner, err)
			}
			p.w = w
			continue
		}
		if p.records == 0 {
			continue
		}
		p.slots = tableSlots(p.records)
		for range (p.slots + perPage - 1) / perPage {
			pg := j.takePage()
			clear(pg)
			p.table = append(p.table, pg)
		}
		for off := int64(0); off < p.buf.n; {
			key, next, sc, err := p.buf.frameAt(off, scratch)
			if err != nil {
				return err
			}
			scratch = sc
			h := l.hash(key)
			_, after, sc, err := p.buf.frameAt(next, scratch)
			if err != nil {
				return err
			}
			scratch = sc
			for i := bucket(h, p.slots); ; i = (i + 1) & (p.slots - 1) {
				if p.slot(i, perPage)[1] == 0 {
					p.setSlot(i, perPage, h, uint64(off)+1) // the top bit stays free for matchedFlag
					break
				}
			}
			off = after
		}
	}
	return nil
}

// tableSlots sizes a bucket table for records at a load of at most 3/4 (linear probing).
func tableSlots(records int64) uint64 {
	n := uint64(2)
	for n < uint64(records+records/3+1) {
		n <<= 1
	}
	return n
}

func (p *joinPartition) slot(i, perPage uint64) [2]uint64 {
	b := p.table[i/perPage][(i%perPage)*slotSize:]
	return [2]uint64{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}
}

// matchedFlag marks, in a bucket's record reference, a build record that a probe record has matched.
const matchedFlag = 1 << 63

func (p *joinPartition) setSlot(i, perPage, h, ref uint64) {
	b := p.table[i/perPage][(i%perPage)*slotSize:]
	binary.LittleEndian.PutUint64(b, h)
	binary.LittleEndian.PutUint64(b[8:], ref)
}

// probeOne joins one probe record (its key and record encoded; v decoded, or nil to decode rec when needed).
func (l *joinLevel) probeOne(key, rec []byte, v any, emit func(build, probe any) error) error {
	j := l.j
	h := l.hash(key)
	p := l.part(h)
	if p.spilled {
		if err := p.w.writeFrame(key); err != nil {
			return err
		}
		return p.w.writeFrame(rec)
	}
	if p.records == 0 {
		return l.unmatchedProbe(rec, v, emit)
	}
	perPage := uint64(j.ps / slotSize)
	var scratch []byte
	found := false
	for i := bucket(h, p.slots); ; i = (i + 1) & (p.slots - 1) {
		s := p.slot(i, perPage)
		if s[1] == 0 {
			if found {
				return nil
			}
			return l.unmatchedProbe(rec, v, emit)
		}
		if s[0] != h {
			continue
		}
		off := int64(s[1]&^matchedFlag - 1)
		bkey, next, sc, err := p.buf.frameAt(off, scratch)
		if err != nil {
			return err
		}
		scratch = sc
		if string(bkey) != string(key) {
			continue
		}
		brec, _, sc, err := p.buf.frameAt(next, scratch)
		if err != nil {
			return err
		}
		scratch = sc
		b, err := state.DecodeValue(brec)
		if err != nil {
			return fmt.Errorf("memory: hash join %s: decoding a build record: %w", j.cfg.Owner, err)
		}
		if v == nil {
			if v, err = state.DecodeValue(rec); err != nil {
				return fmt.Errorf("memory: hash join %s: decoding a probe record: %w", j.cfg.Owner, err)
			}
		}
		j.matches.Add(1)
		found = true
		if j.cfg.BuildOuter && s[1]&matchedFlag == 0 {
			p.setSlot(i, perPage, h, s[1]|matchedFlag)
		}
		if err := emit(b, v); err != nil {
			return err
		}
	}
}

// unmatchedProbe emits a probe record without a build partner as (nil, probe) if the join is ProbeOuter.
func (l *joinLevel) unmatchedProbe(rec []byte, v any, emit func(build, probe any) error) error {
	if !l.j.cfg.ProbeOuter {
		return nil
	}
	if v == nil {
		var err error
		if v, err = state.DecodeValue(rec); err != nil {
			return fmt.Errorf("memory: hash join %s: decoding a probe record: %w", l.j.cfg.Owner, err)
		}
	}
	return emit(nil, v)
}

// unmatchedBuild emits, if the join is BuildOuter, each build record of the in-memory partition p that no
// probe record matched, as (build, nil), in bucket order.
func (l *joinLevel) unmatchedBuild(p *joinPartition, emit func(build, probe any) error) error {
	if !l.j.cfg.BuildOuter || p.records == 0 {
		return nil
	}
	perPage := uint64(l.j.ps / slotSize)
	var scratch []byte
	for i := range p.slots {
		s := p.slot(i, perPage)
		if s[1] == 0 || s[1]&matchedFlag != 0 {
			continue
		}
		_, next, sc, err := p.buf.frameAt(int64(s[1]-1), scratch)
		if err != nil {
			return err
		}
		brec, _, sc, err := p.buf.frameAt(next, sc)
		if err != nil {
			return err
		}
		scratch = sc
		b, err := state.DecodeValue(brec)
		if err != nil {
			return fmt.Errorf("memory: hash join %s: decoding a build record: %w", l.j.cfg.Owner, err)
		}
		if err := emit(b, nil); err != nil {
			return err
		}
	}
	return nil
}

// finish releases this level's pages in memory and joins each spilled partition as a new level.
func (l *joinLevel) finish(emit func(build, probe any) error) error {
	j := l.j
	var spilled []*joinPartition
	for _, p := range l.parts {
		if p.spilled {
			r, err := p.w.finish()
			if err != nil {
				return err
			}
			p.probe = r
			j.spilledBytes.Add(r.bytes)
			j.pool = append(j.pool, p.w.buf)
			p.w = nil
			spilled = append(spilled, p)
			continue
		}
		if err := l.unmatchedBuild(p, emit); err != nil {
			return err
		}
		j.pool = append(j.pool, p.buf.pages...)
		j.pool = append(j.pool, p.table...)
		p.buf.pages, p.table = nil, nil
	}
	for _, p := range spilled {
		if err := l.joinSpilled(p, emit); err != nil {
			return err
		}
	}
	return nil
}

// joinSpilled joins a spilled partition's build and probe files as a join one level deeper.
func (l *joinLevel) joinSpilled(p *joinPartition, emit func(build, probe any) error) error {
	j := l.j
	if p.probe.records == 0 {
		if j.cfg.BuildOuter { // no probe record: every build record is unmatched
			err := readPairs(j, p.build, func(_, rec []byte) error {
				b, err := state.DecodeValue(rec)
				if err != nil {
					return fmt.Errorf("memory: hash join %s: decoding a build record: %w", j.cfg.Owner, err)
				}
				return emit(b, nil)
			})
			if err != nil {
				return err
			}
		}
		os.Remove(p.build.path)
		os.Remove(p.probe.path)
		return nil
	}
	if l.level+1 > MaxJoinRecursion {
		return fmt.Errorf("%w: hash join %s: a partition of %d build records (%d bytes) is still too large for %d pages after %d re-partitionings; are there too many records with one key?",
			ErrJoinRecursion, j.cfg.Owner, p.records, p.build.bytes, len(j.pages), MaxJoinRecursion)
	}
	sub := j.newLevel(l.level + 1)
	if int64(sub.level) > j.depth.Load() {
		j.depth.Store(int64(sub.level))
	}
	if err := readPairs(j, p.build, func(key, rec []byte) error { return sub.add(key, rec) }); err != nil {
		return err
	}
	if err := sub.prepareProbe(); err != nil {
		return err
	}
	if err := readPairs(j, p.probe, func(key, rec []byte) error { return sub.probeOne(key, rec, nil, emit) }); err != nil {
		return err
	}
	os.Remove(p.build.path)
	os.Remove(p.probe.path)
	return sub.finish(emit)
}

// readPairs reads a spill file's frame pairs through a page of the pool.
func readPairs(j *HashJoin, r run, f func(key, rec []byte) error) error {
	if len(j.pool) == 0 {
		return fmt.Errorf("%w: hash join %s: no page to read %s through", ErrBudgetExhausted, j.cfg.Owner, r.path)
	}
	pg := j.takePage()
	defer func() { j.pool = append(j.pool, pg) }()
	rd, err := openRun(r, pg)
	if err != nil {
		return fmt.Errorf("memory: hash join %s: %w", j.cfg.Owner, err)
	}
	defer rd.close()
	var key []byte
	for {
		k, ok, err := rd.next()
		if err != nil || !ok {
			return err
		}
		key = append(key[:0], k...)
		rec, ok, err := rd.next()
		if err == nil && !ok {
			err = fmt.Errorf("memory: hash join %s: %s ends after a key", j.cfg.Owner, r.path)
		}
		if err != nil {
			return err
		}
		if err := f(key, rec); err != nil {
			return err
		}
	}
}

// Stats returns what the join did so far; it is safe to call from any goroutine.
func (j *HashJoin) Stats() HashJoinStats {
	return HashJoinStats{BuildRecords: j.build.Load(), ProbeRecords: j.probe.Load(), Matches: j.matches.Load(),
		SpilledPartitions: j.spilledParts.Load(), SpilledBytes: j.spilledBytes.Load(), Depth: j.depth.Load()}
}

// SpillDir returns the directory the join spills to ("" before its first spill).
func (j *HashJoin) SpillDir() string { return j.dir }

// Close removes the spill directory and returns the pages to the manager. It is safe to call more than once.
func (j *HashJoin) Close() error {
	if j.pages == nil {
		return nil
	}
	j.done = true
	for _, l := range j.all {
		for _, p := range l.parts {
			if p.w != nil {
				p.w.f.Close()
			}
		}
	}
	var err error
	if j.dir != "" {
		if rerr := os.RemoveAll(j.dir); rerr != nil {
			err = fmt.Errorf("memory: hash join %s: removing spill directory: %w", j.cfg.Owner, rerr)
		}
	}
	j.cfg.Manager.ReleasePages(j.cfg.Owner, j.pages)
	j.pages, j.pool, j.all = nil, nil, nil
	return err
}
