package memory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// A run is a file of frames (a uvarint length, then a record's codec bytes) in sorted order. Runs are
// written and read through one page each, taken from the sorter's own pages, so that spilling and merging
// need no memory beyond the budget.
type run struct {
	path    string
	bytes   int64
	records int64
}

// maxFrame bounds a frame's length when a run is read back, so that a damaged length is an error rather than
// a huge allocation: no record larger than 1 GiB is sorted.
const maxFrame = 1 << 30

// runWriter writes frames to a new run file through a page.
type runWriter struct {
	f   *os.File
	buf []byte
	n   int
	run run
}

func createRun(path string, page []byte) (*runWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("memory: creating run: %w", err)
	}
	return &runWriter{f: f, buf: page, run: run{path: path}}, nil
}

func (w *runWriter) writeFrame(rec []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	if err := w.write(hdr[:binary.PutUvarint(hdr[:], uint64(len(rec)))]); err != nil {
		return err
	}
	w.run.records++
	return w.write(rec)
}

func (w *runWriter) write(p []byte) error {
	for len(p) > 0 {
		if w.n == len(w.buf) {
			if err := w.flush(); err != nil {
				return err
			}
		}
		c := copy(w.buf[w.n:], p)
		w.n += c
		p = p[c:]
	}
	return nil
}

func (w *runWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	if _, err := w.f.Write(w.buf[:w.n]); err != nil {
		return fmt.Errorf("memory: writing run %s: %w", w.run.path, err)
	}
	w.run.bytes += int64(w.n)
	w.n = 0
	return nil
}

// finish flushes and closes the file and returns the run; on error the file is closed (the sorter removes it).
func (w *runWriter) finish() (run, error) {
	err := w.flush()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("memory: closing run %s: %w", w.run.path, cerr)
	}
	return w.run, err
}

// runReader reads a run's frames back through a page.
type runReader struct {
	f        *os.File
	path     string
	buf      []byte
	pos, lim int
	scratch  []byte
	left     int64 // records not yet read
}

func openRun(r run, page []byte) (*runReader, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("memory: opening run: %w", err)
	}
	return &runReader{f: f, path: r.path, buf: page, left: r.records}, nil
}

func (r *runReader) fill() error {
	if r.pos < r.lim {
		return nil
	}
	n, err := r.f.Read(r.buf)
	r.pos, r.lim = 0, n
	if n > 0 {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (r *runReader) ReadByte() (byte, error) {
	if err := r.fill(); err != nil {
		return 0, err
	}
	c := r.buf[r.pos]
	r.pos++
	return c, nil
}

// next returns the next frame's record (valid until the following call), or ok false at the end of the run.
// A run shorter than the records it was written with is an error naming the file.
func (r *runReader) next() (rec []byte, ok bool, err error) {
	if r.left == 0 {
		return nil, false, nil
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, false, fmt.Errorf("memory: reading run %s: %w", r.path, err)
	}
	if n > maxFrame {
		return nil, false, fmt.Errorf("memory: reading run %s: a frame of %d bytes: the file is damaged", r.path, n)
	}
	if cap(r.scratch) < int(n) {
		r.scratch = make([]byte, n)
	}
	rec = r.scratch[:n]
	for got := 0; got < len(rec); {
		if err := r.fill(); err != nil {
			return nil, false, fmt.Errorf("memory: reading run %s: %w", r.path, err)
		}
		c := copy(rec[got:], r.buf[r.pos:r.lim])
		r.pos += c
		got += c
	}
	r.left--
	return rec, true, nil
}

func (r *runReader) close() error { return r.f.Close() }
