package memory

import (
	"encoding/binary"
	"fmt"
)

// recordPages is a byte buffer laid over a list of pages: records are appended one after another as frames
// (a uvarint length, then the record's codec bytes), and a frame may cross from one page into the next, so a
// record larger than a page still fits as long as it fits in the pages.
type recordPages struct {
	pages [][]byte
	ps    int64
	n     int64 // bytes written
}

func (b *recordPages) capacity() int64 { return b.ps * int64(len(b.pages)) }

// frameLen returns the size of the frame holding a record of n bytes.
func frameLen(n int) int64 {
	var tmp [binary.MaxVarintLen64]byte
	return int64(binary.PutUvarint(tmp[:], uint64(n)) + n)
}

// appendFrame appends rec as a frame; the caller has checked that it fits.
func (b *recordPages) appendFrame(rec []byte) {
	var hdr [binary.MaxVarintLen64]byte
	b.write(hdr[:binary.PutUvarint(hdr[:], uint64(len(rec)))])
	b.write(rec)
}

func (b *recordPages) write(p []byte) {
	for len(p) > 0 {
		pg, off := b.n/b.ps, b.n%b.ps
		c := copy(b.pages[pg][off:], p)
		p = p[c:]
		b.n += int64(c)
	}
}

// read copies len(dst) bytes from offset off into dst.
func (b *recordPages) read(off int64, dst []byte) {
	for len(dst) > 0 {
		pg, o := off/b.ps, off%b.ps
		c := copy(dst, b.pages[pg][o:])
		dst = dst[c:]
		off += int64(c)
	}
}

// frameAt returns the record of the frame at off (in scratch when it crosses pages, else in the page itself)
// and the offset of the next frame.
func (b *recordPages) frameAt(off int64, scratch []byte) (rec []byte, next int64, _ []byte, err error) {
	var hdr [binary.MaxVarintLen64]byte
	h := hdr[:min(int64(len(hdr)), b.n-off)]
	b.read(off, h)
	n, k := binary.Uvarint(h)
	if k <= 0 || off+int64(k)+int64(n) > b.n {
		return nil, 0, scratch, fmt.Errorf("memory: damaged frame at byte %d of %d", off, b.n)
	}
	start := off + int64(k)
	if n == 0 {
		return []byte{}, start, scratch, nil
	}
	if pg := start / b.ps; (start+int64(n)-1)/b.ps == pg {
		o := start % b.ps
		return b.pages[pg][o : o+int64(n)], start + int64(n), scratch, nil
	}
	if cap(scratch) < int(n) {
		scratch = make([]byte, n)
	}
	rec = scratch[:n]
	b.read(start, rec)
	return rec, start + int64(n), scratch, nil
}
