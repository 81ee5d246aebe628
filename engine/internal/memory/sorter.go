package memory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"

	"github.com/de4e/weir/engine/internal/state"
)

// DefaultMergeFanIn is the most runs merged at once when SorterConfig.FanIn is 0: 128, Flink's default
// taskmanager.runtime.max-fan.
const DefaultMergeFanIn = 128

// MinSorterPages is the fewest pages a sorter works with: one for writing and reading runs, and at least two
// for records (so that a merge has two inputs and an output).
const MinSorterPages = 3

// ErrRecordTooLarge is wrapped by Add's error when one record does not fit in the sorter's record pages.
var ErrRecordTooLarge = errors.New("memory: record larger than the sort buffer")

// ErrSorterClosed is wrapped by the error of a call on a sorter after Close, or of Add after Sort.
var ErrSorterClosed = errors.New("memory: sorter closed")

// SorterConfig configures an external merge sorter.
type SorterConfig struct {
	// Manager gives the sorter its pages. Required.
	Manager *Manager
	// Owner names the sorter in the manager's accounts (e.g. "sort-3 (subtask 1)"). Required.
	Owner string
	// Pages is how many pages the sorter takes from the manager; at least MinSorterPages. One of them is the
	// I/O page runs are written through; the rest hold records and their index.
	Pages int
	// Grow makes the sorter take MinSorterPages pages at first and more as its buffer fills (doubling what it
	// holds, up to Pages), so that a small input takes little of the budget; when the manager has no more
	// pages free the sorter spills with what it holds. Default false: all Pages at once.
	Grow bool
	// TempDir is where the sorter makes its spill directory; "" means os.TempDir().
	TempDir string
	// FanIn is the most runs merged at once; more runs are first merged in passes of FanIn runs. It is also
	// limited by the pages (each input of a merge reads through one page). 0 means DefaultMergeFanIn; at
	// least 2.
	FanIn int
	// Compare orders records: negative when a sorts before b, zero when equal, positive after. Required
	// unless CompareRecords is set.
	Compare func(a, b any) int
	// CompareRecords, when set, orders records by their encodings (what Encode wrote) instead of Compare, so
	// that comparing needs no decoding. Optional.
	CompareRecords func(a, b []byte) int
	// NormalizedKeyLen is the length of a record's normalised key in bytes (Flink's normalized key), kept in
	// the sort index beside each record's offset; 0 means none (every comparison then uses Compare or
	// CompareRecords).
	NormalizedKeyLen int
	// NormalizedKey writes v's normalised key into nk (NormalizedKeyLen bytes): for records a and b of the
	// same class, bytes.Compare of their keys must be negative only if a sorts before b and positive only if
	// after; full says that equal keys mean the records compare equal (else Compare decides the tie).
	// Records of different classes are compared with Compare: a buffer holding several classes ignores the
	// normalised keys. Required when NormalizedKeyLen is set.
	NormalizedKey func(v any, nk []byte) (class int, full bool)
	// Encode appends a record's encoding to dst and Decode decodes one; both nil means the state codec
	// (package state's AppendValue and DecodeValue). Set both or neither.
	Encode func(dst []byte, v any) ([]byte, error)
	Decode func(rec []byte) (any, error)
}

// SorterStats counts what a sorter did.
type SorterStats struct {
	Records int64 // records added
	// Spills counts the sorted runs written from memory when the record pages were full (and the last
	// one, when Sort is called after spilling); 0 means the sort stayed in memory.
	Spills int64
	// SpilledBytes is the size of those runs.
	SpilledBytes int64
	// MergePasses counts the intermediate merges of FanIn runs into one; MergedBytes is what they wrote.
	MergePasses int64
	MergedBytes int64
}

// Sorter sorts records with an external merge sort, after Flink's UnilateralSortMerger: records are
// serialised into the sorter's pages; when the pages are full their records are sorted and written to a run
// file in a spill directory of its own; Sort merges the runs (k-way, at most FanIn at once, in several passes
// when there are more) and returns an iterator over all records in order. The sort is stable: records that
// compare equal come out in the order they were added. Close removes every file and returns the pages; it
// must be called also when Add or Sort failed.
//
// The buffer's index (a normalised key and an offset per record, after Flink's NormalizedKeySorter) lives in
// the sorter's pages beside the records, and a buffer is sorted by sorting that index in place, so what the
// sorter holds is its pages: records are decoded only to compare them when normalised keys do not decide
// (transient garbage, one or two records at a time) and when the iterator returns them. A Sorter is used by
// one goroutine; Stats may be read from any.
type Sorter struct {
	cfg     SorterConfig
	pages   [][]byte
	io      []byte      // the page runs are written through
	free    [][]byte    // pages held but not in the buffer
	buf     recordPages // the buffer's record pages
	idx     sortIndex   // the buffer's index pages
	enc     []byte
	nk      []byte
	scratch []byte
	dir     string
	runs    []run
	sorted  bool
	closed  bool
	it      *Iterator

	records, spills, spilledBytes, mergePasses, mergedBytes atomic.Int64
}

// NewSorter takes cfg.Pages pages from cfg.Manager and returns a sorter over them; the error wraps
// ErrBudgetExhausted when the manager has fewer pages free.
func NewSorter(cfg SorterConfig) (*Sorter, error) {
	switch {
	case cfg.Manager == nil:
		return nil, errors.New("memory: SorterConfig.Manager is nil")
	case cfg.Owner == "":
		return nil, errors.New("memory: SorterConfig.Owner is empty")
	case cfg.Compare == nil && cfg.CompareRecords == nil:
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.Compare is nil", cfg.Owner)
	case cfg.NormalizedKeyLen < 0 || (cfg.NormalizedKeyLen > 0) != (cfg.NormalizedKey != nil):
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.NormalizedKeyLen is %d with NormalizedKey set %t; want both or neither", cfg.Owner, cfg.NormalizedKeyLen, cfg.NormalizedKey != nil)
	case (cfg.Encode == nil) != (cfg.Decode == nil):
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.Encode and Decode: set both or neither", cfg.Owner)
	case cfg.NormalizedKeyLen+8 > cfg.Manager.PageSize():
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.NormalizedKeyLen %d: an index entry of %d bytes does not fit in a page of %d", cfg.Owner, cfg.NormalizedKeyLen, cfg.NormalizedKeyLen+8, cfg.Manager.PageSize())
	case cfg.Pages < MinSorterPages:
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.Pages is %d; want at least %d", cfg.Owner, cfg.Pages, MinSorterPages)
	case cfg.FanIn != 0 && cfg.FanIn < 2:
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.FanIn is %d; want at least 2", cfg.Owner, cfg.FanIn)
	}
	if cfg.FanIn == 0 {
		cfg.FanIn = DefaultMergeFanIn
	}
	first := cfg.Pages
	if cfg.Grow {
		first = MinSorterPages
	}
	pages, err := cfg.Manager.Allocate(cfg.Owner, first)
	if err != nil {
		return nil, fmt.Errorf("memory: sorter %s: %w", cfg.Owner, err)
	}
	ps := cfg.Manager.PageSize()
	s := &Sorter{cfg: cfg, pages: pages, io: pages[0], free: append([][]byte(nil), pages[1:]...)}
	s.buf = recordPages{ps: int64(ps)}
	size := cfg.NormalizedKeyLen + 8
	s.idx = sortIndex{s: s, nkLen: cfg.NormalizedKeyLen, size: size, perPage: ps / size, tmp: make([]byte, size)}
	s.nk = make([]byte, cfg.NormalizedKeyLen)
	return s, nil
}

func (s *Sorter) encode(v any) error {
	var err error
	if s.cfg.Encode != nil {
		s.enc, err = s.cfg.Encode(s.enc[:0], v)
	} else {
		s.enc, err = state.AppendValue(s.enc[:0], v)
	}
	return err
}

func (s *Sorter) decode(rec []byte) (any, error) {
	if s.cfg.Decode != nil {
		return s.cfg.Decode(rec)
	}
	return state.DecodeValue(rec)
}

// fits reports whether a record frame of need more bytes and its index entry fit in the pages, taking the
// record and index pages they need from the free ones (and, with SorterConfig.Grow, more from the manager).
func (s *Sorter) fits(need int64) bool {
	ps := s.buf.ps
	recNeed := int((s.buf.n+need+ps-1)/ps) - len(s.buf.pages)
	idxNeed := s.idx.pagesFor(s.idx.n+1) - len(s.idx.pages)
	if short := recNeed + idxNeed - len(s.free); short > 0 {
		if !s.cfg.Grow || len(s.pages) >= s.cfg.Pages {
			return false
		}
		more := min(max(len(s.pages), short), s.cfg.Pages-len(s.pages))
		got, err := s.cfg.Manager.Allocate(s.cfg.Owner, more)
		if err != nil { // take what is free
			f := s.cfg.Manager.Figures()
			if free := int((f.BudgetBytes - f.UsedBytes) / int64(f.PageSize)); free > 0 && free < more {
				more = free
				got, err = s.cfg.Manager.Allocate(s.cfg.Owner, more)
			}
		}
		if err != nil || more < short { // no pages free (other operators hold them): spill with ours
			if err == nil {
				s.pages, s.free = append(s.pages, got...), append(s.free, got...)
			}
			return false
		}
		s.pages, s.free = append(s.pages, got...), append(s.free, got...)
	}
	for ; recNeed > 0; recNeed-- {
		s.buf.pages = append(s.buf.pages, s.free[len(s.free)-1])
		s.free = s.free[:len(s.free)-1]
	}
	for ; idxNeed > 0; idxNeed-- {
		s.idx.pages = append(s.idx.pages, s.free[len(s.free)-1])
		s.free = s.free[:len(s.free)-1]
	}
	return true
}

// Add serialises v into the sorter's pages, first spilling the pages' records as a sorted run when v does
// not fit.
func (s *Sorter) Add(v any) error {
	if s.closed || s.sorted {
		return fmt.Errorf("%w: sorter %s: Add after Sort or Close", ErrSorterClosed, s.cfg.Owner)
	}
	if err := s.encode(v); err != nil {
		return fmt.Errorf("memory: sorter %s: encoding a %T: %w", s.cfg.Owner, v, err)
	}
	need := frameLen(len(s.enc))
	ps := s.buf.ps
	if int((need+ps-1)/ps)+1 > s.cfg.Pages-1 || len(s.enc) > maxFrame {
		return fmt.Errorf("%w: sorter %s: a %T of %d bytes, buffer of %d bytes (one page of which holds the index)",
			ErrRecordTooLarge, s.cfg.Owner, v, len(s.enc), ps*int64(s.cfg.Pages-1))
	}
	if !s.fits(need) {
		if s.idx.n > 0 {
			if err := s.spill(); err != nil {
				return err
			}
		}
		if !s.fits(need) {
			return fmt.Errorf("%w: sorter %s: a %T of %d bytes, with %d pages of %d bytes held and no more free",
				ErrRecordTooLarge, s.cfg.Owner, v, len(s.enc), len(s.pages), ps)
		}
	}
	class, full := 0, false
	if s.cfg.NormalizedKey != nil {
		clear(s.nk)
		class, full = s.cfg.NormalizedKey(v, s.nk)
	}
	s.idx.add(s.buf.n, s.nk, class, full)
	s.buf.appendFrame(s.enc)
	s.records.Add(1)
	return nil
}

// sortBuffer sorts the buffer's index in place.
func (s *Sorter) sortBuffer() error {
	s.idx.err = nil
	sort.Sort(&s.idx)
	if s.idx.err != nil {
		return fmt.Errorf("memory: sorter %s: comparing records: %w", s.cfg.Owner, s.idx.err)
	}
	return nil
}

// resetBuffer empties the buffer and makes its pages free.
func (s *Sorter) resetBuffer() {
	s.buf.n = 0
	s.free = append(append(s.free, s.buf.pages...), s.idx.pages...)
	clear(s.buf.pages)
	clear(s.idx.pages)
	s.buf.pages = s.buf.pages[:0]
	s.idx.pages = s.idx.pages[:0]
	s.idx.reset()
}

// spill writes the buffer's records, sorted, to a new run and empties the buffer.
func (s *Sorter) spill() error {
	if err := s.sortBuffer(); err != nil {
		return err
	}
	var err error
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp(s.cfg.TempDir, "weir-sort-"); err != nil {
			s.dir = ""
			return fmt.Errorf("memory: sorter %s: making spill directory: %w", s.cfg.Owner, err)
		}
	}
	w, err := s.newRun()
	if err != nil {
		return err
	}
	for i := range s.idx.n {
		var rec []byte
		rec, _, s.scratch, err = s.buf.frameAt(s.idx.offset(i), s.scratch)
		if err == nil {
			err = w.writeFrame(rec)
		}
		if err != nil {
			w.finish()
			return err
		}
	}
	r, err := w.finish()
	if err != nil {
		return err
	}
	s.runs = append(s.runs, r)
	s.spills.Add(1)
	s.spilledBytes.Add(r.bytes)
	s.resetBuffer()
	return nil
}

var runSeq atomic.Int64

func (s *Sorter) newRun() (*runWriter, error) {
	w, err := createRun(filepath.Join(s.dir, fmt.Sprintf("run-%06d", runSeq.Add(1))), s.io)
	if err != nil {
		return nil, fmt.Errorf("memory: sorter %s: %w", s.cfg.Owner, err)
	}
	return w, nil
}

// Sort finishes the input and returns an iterator over every record added, in order. Without a spill the
// records are sorted in memory; otherwise the last buffer is spilled too and the runs are merged, in
// intermediate passes while there are more than the fan-in. Sort may be called once.
func (s *Sorter) Sort() (*Iterator, error) {
	if s.closed || s.sorted {
		return nil, fmt.Errorf("%w: sorter %s: Sort called twice or after Close", ErrSorterClosed, s.cfg.Owner)
	}
	s.sorted = true
	if len(s.runs) == 0 {
		if err := s.sortBuffer(); err != nil {
			return nil, err
		}
		s.it = &Iterator{mem: s}
		return s.it, nil
	}
	if s.buf.n > 0 {
		if err := s.spill(); err != nil {
			return nil, err
		}
	}
	// Every page is free now: one writes an intermediate merge's output, the others read its inputs.
	fanIn := min(s.cfg.FanIn, len(s.pages)-1)
	for len(s.runs) > fanIn {
		var next []run
		for i := 0; i < len(s.runs); i += fanIn {
			group := s.runs[i:min(i+fanIn, len(s.runs))]
			if len(group) == 1 {
				next = append(next, group[0])
				continue
			}
			r, err := s.mergeRuns(group)
			if err != nil {
				return nil, err
			}
			next = append(next, r)
		}
		s.runs = next
	}
	m, err := s.openMerge(s.runs, s.pages[:len(s.runs)])
	if err != nil {
		return nil, err
	}
	s.it = &Iterator{merge: m}
	return s.it, nil
}

// mergeRuns merges consecutive runs into one new run (keeping the order of equal records: earlier runs
// first) and deletes the inputs.
func (s *Sorter) mergeRuns(group []run) (run, error) {
	m, err := s.openMerge(group, s.pages[1:1+len(group)])
	if err != nil {
		return run{}, err
	}
	defer m.close()
	w, err := s.newRun()
	if err != nil {
		return run{}, err
	}
	for {
		rec, ok, err := m.nextFrame()
		if err == nil && ok {
			err = w.writeFrame(rec)
		}
		if err != nil {
			w.finish()
			return run{}, err
		}
		if !ok {
			break
		}
	}
	r, err := w.finish()
	if err != nil {
		return run{}, err
	}
	for _, g := range group {
		os.Remove(g.path) // Close removes the directory anyway
	}
	s.mergePasses.Add(1)
	s.mergedBytes.Add(r.bytes)
	return r, nil
}

// Stats returns what the sorter did so far; it is safe to call from any goroutine.
func (s *Sorter) Stats() SorterStats {
	return SorterStats{Records: s.records.Load(), Spills: s.spills.Load(), SpilledBytes: s.spilledBytes.Load(),
		MergePasses: s.mergePasses.Load(), MergedBytes: s.mergedBytes.Load()}
}

// SpillDir returns the directory the sorter spills to ("" before its first spill).
func (s *Sorter) SpillDir() string { return s.dir }

// Close closes the iterator's files, removes the spill directory and returns the pages to the manager. It is
// safe to call more than once; the first error removing files is returned.
func (s *Sorter) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.it != nil && s.it.merge != nil {
		s.it.merge.close()
	}
	s.it = nil
	var err error
	if s.dir != "" {
		if rerr := os.RemoveAll(s.dir); rerr != nil {
			err = fmt.Errorf("memory: sorter %s: removing spill directory: %w", s.cfg.Owner, rerr)
		}
	}
	s.cfg.Manager.ReleasePages(s.cfg.Owner, s.pages)
	s.pages, s.io, s.buf.pages, s.free, s.idx.pages = nil, nil, nil, nil, nil
	return err
}
