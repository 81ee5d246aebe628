package memory

import (
	"bytes"
	"encoding/binary"
)

// sortIndex is a sorter's index of the records in its buffer, kept in the sorter's own pages as Flink's
// NormalizedKeySorter keeps it: one fixed-size entry per record, the record's normalised key (when the
// sorter has a NormalizedKey function) followed by 8 bytes holding the offset of the record's frame and
// whether the normalised key is the whole key. Entries fill pages of their own, taken from the sorter's free
// pages like the record pages, a page holding a whole number of entries; sorting the buffer sorts these
// entries in place, so no memory outside the budget is needed to order a buffer.
type sortIndex struct {
	s        *Sorter
	pages    [][]byte // index pages, in entry order
	nkLen    int
	size     int // entry size: nkLen + 8
	perPage  int
	n        int  // entries
	class    int  // normalised-key class of the buffer's first record
	mixed    bool // records of several classes: normalised keys are not comparable, compare records
	tmp      []byte
	scratchA []byte
	scratchB []byte
	err      error // the first error comparing records (a record that cannot be decoded)
}

func (x *sortIndex) entry(i int) []byte {
	p := x.pages[i/x.perPage]
	o := (i % x.perPage) * x.size
	return p[o : o+x.size]
}

// pagesFor returns how many index pages n entries take.
func (x *sortIndex) pagesFor(n int) int { return (n + x.perPage - 1) / x.perPage }

// add writes the entry of the record at off with normalised key nk (nkLen bytes, ignored when nkLen is 0).
func (x *sortIndex) add(off int64, nk []byte, class int, full bool) {
	if x.n == 0 {
		x.class, x.mixed = class, false
	} else if class != x.class {
		x.mixed = true
	}
	e := x.entry(x.n)
	copy(e, nk[:x.nkLen])
	meta := uint64(off) << 1
	if full {
		meta |= 1
	}
	binary.BigEndian.PutUint64(e[x.nkLen:], meta)
	x.n++
}

func (x *sortIndex) offset(i int) int64 {
	return int64(binary.BigEndian.Uint64(x.entry(i)[x.nkLen:]) >> 1)
}

func (x *sortIndex) reset() { x.n, x.mixed = 0, false }

// sort.Interface over the entries, in place.
func (x *sortIndex) Len() int { return x.n }

func (x *sortIndex) Swap(i, j int) {
	a, b := x.entry(i), x.entry(j)
	copy(x.tmp, a)
	copy(a, b)
	copy(b, x.tmp)
}

// Less orders by normalised key when it decides, else by the records themselves (SorterConfig's Compare or
// CompareRecords), and records that compare equal by their frames' offsets, the order they were added in, so
// that the sort is stable.
func (x *sortIndex) Less(i, j int) bool {
	a, b := x.entry(i), x.entry(j)
	ma, mb := binary.BigEndian.Uint64(a[x.nkLen:]), binary.BigEndian.Uint64(b[x.nkLen:])
	if x.nkLen > 0 && !x.mixed {
		if c := bytes.Compare(a[:x.nkLen], b[:x.nkLen]); c != 0 {
			return c < 0
		}
		if ma&mb&1 == 1 { // both keys whole and equal: the records compare equal
			return ma < mb
		}
	}
	if c := x.compareAt(int64(ma>>1), int64(mb>>1)); c != 0 {
		return c < 0
	}
	return ma < mb
}

// compareAt compares the records of the frames at offsets a and b.
func (x *sortIndex) compareAt(a, b int64) int {
	s := x.s
	ra, _, sa, err := s.buf.frameAt(a, x.scratchA)
	x.scratchA = sa
	if err != nil {
		x.fail(err)
		return 0
	}
	rb, _, sb, err := s.buf.frameAt(b, x.scratchB)
	x.scratchB = sb
	if err != nil {
		x.fail(err)
		return 0
	}
	if s.cfg.CompareRecords != nil {
		return s.cfg.CompareRecords(ra, rb)
	}
	va, err := s.decode(ra)
	if err != nil {
		x.fail(err)
		return 0
	}
	vb, err := s.decode(rb)
	if err != nil {
		x.fail(err)
		return 0
	}
	return s.cfg.Compare(va, vb)
}

func (x *sortIndex) fail(err error) {
	if x.err == nil {
		x.err = err
	}
}

// compareHeads orders two records in a merge: by CompareRecords on their bytes when set, else by Compare on
// their decoded values.
func (s *Sorter) compareHeads(a, b mergeHead) int {
	if s.cfg.CompareRecords != nil {
		return s.cfg.CompareRecords(a.rec, b.rec)
	}
	return s.cfg.Compare(a.v, b.v)
}

// Int64NormalizedKey is a NormalizedKey for int64 records ordered ascending: 8 bytes, the whole key.
func Int64NormalizedKey(v any, nk []byte) (class int, full bool) {
	binary.BigEndian.PutUint64(nk, uint64(v.(int64))^(1<<63))
	return 0, true
}
