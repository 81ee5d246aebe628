package memory

import (
	"container/heap"
	"fmt"
)

// merger is a k-way merge of sorted runs: a heap of each run's current record, ordered by Compare and, among
// equal records, by the run's position (earlier runs hold earlier records, which keeps the sort stable).
type merger struct {
	owner   string
	s       *Sorter
	readers []*runReader
	heads   mergeHeap
	started bool
	last    []byte // the frame of the record returned last, copied
}

type mergeHead struct {
	v   any
	rec []byte // its bytes, valid until its reader moves on
	run int
}

type mergeHeap struct {
	hs []mergeHead
	s  *Sorter
}

func (h *mergeHeap) Len() int { return len(h.hs) }
func (h *mergeHeap) Less(i, j int) bool {
	if c := h.s.compareHeads(h.hs[i], h.hs[j]); c != 0 {
		return c < 0
	}
	return h.hs[i].run < h.hs[j].run
}
func (h *mergeHeap) Swap(i, j int) { h.hs[i], h.hs[j] = h.hs[j], h.hs[i] }
func (h *mergeHeap) Push(x any)    { h.hs = append(h.hs, x.(mergeHead)) }
func (h *mergeHeap) Pop() any {
	x := h.hs[len(h.hs)-1]
	h.hs = h.hs[:len(h.hs)-1]
	return x
}

// openMerge opens runs, each read through one of pages.
func (s *Sorter) openMerge(runs []run, pages [][]byte) (*merger, error) {
	m := &merger{owner: s.cfg.Owner, s: s, heads: mergeHeap{s: s}}
	for i, r := range runs {
		rd, err := openRun(r, pages[i])
		if err != nil {
			m.close()
			return nil, fmt.Errorf("memory: sorter %s: %w", s.cfg.Owner, err)
		}
		m.readers = append(m.readers, rd)
	}
	return m, nil
}

// advance reads run i's next record onto the heap.
func (m *merger) advance(i int) error {
	rec, ok, err := m.readers[i].next()
	if err != nil || !ok {
		return err
	}
	var v any
	if m.s.cfg.CompareRecords == nil { // Compare works on decoded records
		if v, err = m.s.decode(rec); err != nil {
			return fmt.Errorf("memory: sorter %s: decoding a record of run %s: %w", m.owner, m.readers[i].path, err)
		}
	}
	heap.Push(&m.heads, mergeHead{v: v, rec: rec, run: i})
	return nil
}

// next returns the smallest remaining record (decoded only when Compare needed it, else nil) and its frame
// bytes (valid until the next call).
func (m *merger) next() (v any, rec []byte, ok bool, err error) {
	if !m.started {
		m.started = true
		for i := range m.readers {
			if err := m.advance(i); err != nil {
				return nil, nil, false, err
			}
		}
	}
	if m.heads.Len() == 0 {
		return nil, nil, false, nil
	}
	h := heap.Pop(&m.heads).(mergeHead)
	// The reader reuses its scratch for its next record: keep this one's bytes first.
	m.last = append(m.last[:0], h.rec...)
	if err := m.advance(h.run); err != nil {
		return nil, nil, false, err
	}
	return h.v, m.last, true, nil
}

func (m *merger) nextFrame() ([]byte, bool, error) {
	_, rec, ok, err := m.next()
	return rec, ok, err
}

func (m *merger) close() {
	for _, r := range m.readers {
		r.close()
	}
	m.readers = nil
}

// Iterator returns a sorter's records in order. It is valid until its sorter is closed.
type Iterator struct {
	mem   *Sorter // an in-memory sort: the sorter's sorted index
	i     int
	merge *merger
	err   error
}

// Next returns the next record, or ok false when there are no more. After an error (a run file that cannot
// be read back) every later call returns the same error.
func (it *Iterator) Next() (v any, ok bool, err error) {
	if it.err != nil {
		return nil, false, it.err
	}
	if it.merge == nil {
		s := it.mem
		if s.closed {
			return nil, false, fmt.Errorf("%w: sorter %s: iterator used after Close", ErrSorterClosed, s.cfg.Owner)
		}
		if it.i == s.idx.n {
			return nil, false, nil
		}
		off := s.idx.offset(it.i)
		rec, _, scratch, err := s.buf.frameAt(off, s.scratch)
		s.scratch = scratch
		if err == nil {
			v, err = s.decode(rec)
		}
		if err != nil {
			it.err = fmt.Errorf("memory: sorter %s: decoding record at byte %d: %w", s.cfg.Owner, off, err)
			return nil, false, it.err
		}
		it.i++
		return v, true, nil
	}
	if it.merge.readers == nil {
		return nil, false, fmt.Errorf("%w: sorter %s: iterator used after Close", ErrSorterClosed, it.merge.owner)
	}
	v, rec, ok, err := it.merge.next()
	if err == nil && ok && it.merge.s.cfg.CompareRecords != nil {
		if v, err = it.merge.s.decode(rec); err != nil {
			err = fmt.Errorf("memory: sorter %s: decoding a merged record: %w", it.merge.owner, err)
		}
	}
	if err != nil {
		it.err = err
		return nil, false, err
	}
	return v, ok, nil
}
