package memory

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	// I/O page runs are written through; the rest hold records.
	Pages int
	// TempDir is where the sorter makes its spill directory; "" means os.TempDir().
	TempDir string
	// FanIn is the most runs merged at once; more runs are first merged in passes of FanIn runs. It is also
	// limited by the pages (each input of a merge reads through one page). 0 means DefaultMergeFanIn; at
	// least 2.
	FanIn int
	// Compare orders records: negative when a sorts before b, zero when equal, positive after. Required.
	Compare func(a, b any) int
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
// While a full buffer is sorted, its records are decoded once into a transient slice (Compare works on
// records, not bytes: there are no normalised keys), so the sorter's transient memory is its pages plus the
// decoded records of one buffer (24 bytes of index and the decoded value per record, outside the budget;
// for int64 keys about three times the buffer). A Sorter is used by one goroutine; Stats may be read from any.
type Sorter struct {
	cfg     SorterConfig
	pages   [][]byte
	io      []byte // the page runs are written through
	buf     recordPages
	enc     []byte
	scratch []byte
	dir     string
	runs    []run
	sorted  bool
	closed  bool
	it      *Iterator
	entries []entry // sortBuffer's slice, kept between spills

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
	case cfg.Compare == nil:
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.Compare is nil", cfg.Owner)
	case cfg.Pages < MinSorterPages:
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.Pages is %d; want at least %d", cfg.Owner, cfg.Pages, MinSorterPages)
	case cfg.FanIn != 0 && cfg.FanIn < 2:
		return nil, fmt.Errorf("memory: sorter %s: SorterConfig.FanIn is %d; want at least 2", cfg.Owner, cfg.FanIn)
	}
	if cfg.FanIn == 0 {
		cfg.FanIn = DefaultMergeFanIn
	}
	pages, err := cfg.Manager.Allocate(cfg.Owner, cfg.Pages)
	if err != nil {
		return nil, fmt.Errorf("memory: sorter %s: %w", cfg.Owner, err)
	}
	s := &Sorter{cfg: cfg, pages: pages, io: pages[0]}
	s.buf = recordPages{pages: pages[1:], ps: int64(cfg.Manager.PageSize())}
	return s, nil
}

// Add serialises v into the sorter's pages, first spilling the pages' records as a sorted run when v does
// not fit.
func (s *Sorter) Add(v any) error {
	if s.closed || s.sorted {
		return fmt.Errorf("%w: sorter %s: Add after Sort or Close", ErrSorterClosed, s.cfg.Owner)
	}
	var err error
	if s.enc, err = state.AppendValue(s.enc[:0], v); err != nil {
		return fmt.Errorf("memory: sorter %s: encoding a %T: %w", s.cfg.Owner, v, err)
	}
	need := frameLen(len(s.enc))
	if need > s.buf.capacity() || len(s.enc) > maxFrame {
		return fmt.Errorf("%w: sorter %s: a %T of %d bytes, buffer of %d bytes", ErrRecordTooLarge, s.cfg.Owner, v, len(s.enc), s.buf.capacity())
	}
	if s.buf.n+need > s.buf.capacity() {
		if err := s.spill(); err != nil {
			return err
		}
	}
	s.buf.appendFrame(s.enc)
	s.records.Add(1)
	return nil
}

// entry is one record of the buffer while it is sorted.
type entry struct {
	v   any
	off int64 // its frame
}

// sortBuffer decodes the buffer's records and sorts them stably.
func (s *Sorter) sortBuffer() ([]entry, error) {
	es := s.entries[:0]
	for off := int64(0); off < s.buf.n; {
		rec, next, scratch, err := s.buf.frameAt(off, s.scratch)
		s.scratch = scratch
		if err != nil {
			return nil, err
		}
		v, err := state.DecodeValue(rec)
		if err != nil {
			return nil, fmt.Errorf("memory: sorter %s: decoding record at byte %d: %w", s.cfg.Owner, off, err)
		}
		es = append(es, entry{v, off})
		off = next
	}
	// Equal records keep the order they were added in: their frames' offsets.
	slices.SortFunc(es, func(a, b entry) int {
		if c := s.cfg.Compare(a.v, b.v); c != 0 {
			return c
		}
		return cmp.Compare(a.off, b.off)
	})
	return es, nil
}

// spill writes the buffer's records, sorted, to a new run and empties the buffer.
func (s *Sorter) spill() error {
	es, err := s.sortBuffer()
	if err != nil {
		return err
	}
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
	for _, e := range es {
		var rec []byte
		rec, _, s.scratch, err = s.buf.frameAt(e.off, s.scratch)
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
	clear(es) // drop the decoded records, keep the slice for the next buffer
	s.entries = es[:0]
	s.runs = append(s.runs, r)
	s.spills.Add(1)
	s.spilledBytes.Add(r.bytes)
	s.buf.n = 0
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
		es, err := s.sortBuffer()
		if err != nil {
			return nil, err
		}
		s.it = &Iterator{mem: es}
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
	s.pages, s.io, s.buf.pages = nil, nil, nil
	return err
}
