package sources

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unicode/utf8"

	"github.com/de4e/weir/engine"
)

// FileSink writes a stream as CSV or NDJSON, one record a line, in the forms FileSource reads back: NDJSON
// with encoding/json, CSV with a header (unless NoHeader) and cells in the form FileSource parses
// (RFC 3339 times, Go durations, shortest floats). A CSV cell must not hold a line break.
type FileSink struct {
	// Path is the file to write, or, when the sink runs with parallelism above 1, the directory of its part
	// files, one per subtask named 1, 2, ... as engine's WriteAsText does. With ExactlyOnce it is always a
	// directory.
	Path string
	// Format is NDJSON (the default) or CSV.
	Format FileFormat
	// Comma is the CSV delimiter. Default ','.
	Comma rune
	// Columns are the CSV columns, in order. Default: a struct's exported fields in declaration order (named
	// by their csv or json tag, else their name), or a map's keys in sorted order, taken from the first
	// record; a map record with a key that is not a column fails the job.
	Columns []string
	// NoHeader leaves out the CSV header line. Default false: every file starts with one.
	NoHeader bool
	// ExactlyOnce writes through engine.FileSink, the two-phase-commit sink: each transaction is a part
	// file in the directory Path, visible when the checkpoint that covers it completes, so that with the
	// engine.ExactlyOnce guarantee a job that fails and restores writes every record once (engine.ReadCommitted
	// or a FileSource over Path read what is committed). Every part file has its own CSV header. Default
	// false: plain files, written as records arrive (at least once): a job's first attempt creates them
	// afresh and a restarted attempt appends to them, so that a job restored from a checkpoint writes again
	// what it had written after that checkpoint, and one restarted without a checkpoint writes everything
	// again.
	ExactlyOnce bool
}

func (s FileSink) comma() rune {
	if s.Comma == 0 {
		return ','
	}
	return s.Comma
}

func (s FileSink) check() error {
	switch {
	case s.Path == "":
		return errors.New("sources: FileSink needs a Path")
	case s.Format != NDJSON && s.Format != CSV:
		return fmt.Errorf("sources: FileSink: unknown Format %v", s.Format)
	case s.Format == NDJSON && (s.NoHeader || len(s.Columns) > 0 || s.Comma != 0):
		return errors.New("sources: FileSink: NoHeader, Columns and Comma are CSV options")
	case s.Comma == '"' || s.Comma == '\r' || s.Comma == '\n' || !utf8.ValidRune(s.Comma) || s.Comma == utf8.RuneError:
		return fmt.Errorf("sources: FileSink: invalid Comma %q", s.Comma)
	}
	return nil
}

// Sink ends stream in the file sink. It panics, naming the problem, if the sink's options are invalid.
func (s FileSink) Sink(stream *engine.DataStream) *engine.DataStream {
	if err := s.check(); err != nil {
		panic(err.Error())
	}
	name := "FileSink(" + s.Format.String() + ")"
	if s.ExactlyOnce {
		return stream.SinkToTransactional(name, lineTxnSink{sink: s, files: engine.FileSink{Dir: s.Path}})
	}
	var mu sync.Mutex
	files := map[int]*os.File{} // each subtask's file, created by its first attempt, reopened by later ones
	return stream.AddSink(name, func() engine.SinkFunction {
		var f *os.File
		var line []byte
		sub := 0
		enc := newLineEncoder(s)
		return engine.SinkFunction{
			Open: func(subtask, parallelism int) error {
				path := s.Path
				if parallelism > 1 {
					if err := os.MkdirAll(s.Path, 0o755); err != nil {
						return err
					}
					path = filepath.Join(s.Path, fmt.Sprint(subtask+1))
				}
				mu.Lock()
				defer mu.Unlock()
				sub = subtask
				flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
				if prev, ok := files[subtask]; ok {
					flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
					if prev != nil {
						prev.Close() // a failed attempt is not closed by the engine
					}
				}
				var err error
				if f, err = os.OpenFile(path, flags, 0o644); err != nil {
					return err
				}
				files[subtask] = f
				if st, err := f.Stat(); err == nil && st.Size() > 0 {
					enc.header = false // appending after a restart: the file has its header
				}
				return nil
			},
			// Invoke writes each record's lines with one write, unbuffered, so that what a checkpoint covers is
			// in the file when the checkpoint completes, and a failure never leaves half a line.
			Invoke: func(v any, _ int64) error {
				lines, err := enc.encode(v)
				if err != nil {
					return fmt.Errorf("%s: %w", f.Name(), err)
				}
				line = line[:0]
				for _, l := range lines {
					line = append(append(line, l...), '\n')
				}
				_, err = f.Write(line)
				return err
			},
			Close: func() error {
				mu.Lock()
				defer mu.Unlock()
				if f == nil {
					return nil
				}
				err := f.Sync()
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				f, files[sub] = nil, nil
				return err
			},
		}
	})
}

// lineTxnSink is engine.FileSink with records encoded as CSV or NDJSON lines.
type lineTxnSink struct {
	sink  FileSink
	files engine.FileSink
}

func (t lineTxnSink) Begin(subtask int, name string) (engine.Transaction, error) {
	tx, err := t.files.Begin(subtask, name)
	if err != nil {
		return nil, err
	}
	return &lineTxn{Transaction: tx, enc: newLineEncoder(t.sink), name: name}, nil
}

func (t lineTxnSink) Recover(name string) (engine.Transaction, error) {
	tx, err := t.files.Recover(name)
	if err != nil {
		return nil, err
	}
	return &lineTxn{Transaction: tx, enc: newLineEncoder(t.sink), name: name}, nil
}

// Lingering lists the in-progress part files earlier attempts left (engine.TransactionLister), which the
// engine removes when an attempt starts.
func (t lineTxnSink) Lingering() ([]string, error) { return t.files.Lingering() }

// lineTxn is one part file; engine.FileSink writes each string it is given as a line.
type lineTxn struct {
	engine.Transaction
	enc  *lineEncoder
	name string
}

func (t *lineTxn) Write(v any, ts int64) error {
	lines, err := t.enc.encode(v)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	for _, l := range lines {
		if err := t.Transaction.Write(l, ts); err != nil {
			return err
		}
	}
	return nil
}
