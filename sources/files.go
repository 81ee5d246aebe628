package sources

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/de4e/weir/engine"
)

// FileSource is a bounded engine.Source over CSV or NDJSON files, Flink's FileSource with a CSV or JSON
// format: one record a line, read lazily. Every file is a split: a job reads with at most as many readers as
// there are files (engine.BoundedParallelism), and reader i of p reads the files i, i+p, i+2p, ... of the
// sorted list, in that order. A reader's position (file and line) is its offset in checkpoints, so a job
// restored from a checkpoint resumes after the last line it had read, and reading a file is exactly-once.
// The files must not change while a job reads them.
type FileSource struct {
	// Paths are files, directories (every regular file in them whose name does not start with "." or "_",
	// as Flink's default file filter) or glob patterns (filepath.Match syntax). The files are read in sorted
	// order, each once however many paths name it.
	Paths []string
	// Format is NDJSON (the default) or CSV.
	Format FileFormat
	// Prototype is a struct value (or a pointer to one) whose type the records get: NDJSON lines are
	// decoded into it with encoding/json; CSV columns fill the fields whose csv tag, json tag or name (in any
	// case) is the column's name, each parsed by the field's type (strings, bools, integers, floats,
	// time.Duration, RFC 3339 time.Time; an empty cell is the zero value), and columns without a field are
	// ignored. Default nil: records are map[string]any, with JSON's value types for NDJSON (numbers are
	// float64) and strings for CSV.
	Prototype any
	// Comma is the CSV delimiter. Default ','.
	Comma rune
	// NoHeader says the CSV files have no header line; Columns then names the columns. Default false: the
	// first non-blank line of every file is its header.
	NoHeader bool
	// Columns names the CSV columns, in order. With a header, they replace its names (the header line is
	// still skipped). Required with NoHeader.
	Columns []string
	// TimestampField names the field (map key or, for a struct, as Prototype matches columns) that holds
	// the record's event time, milliseconds as a number or a string of digits, or a time.Time or RFC 3339
	// string. The source hands it to the job as the record's timestamp, so a WatermarkStrategy needs no
	// timestamp assigner; a record without a valid one is a malformed line. Default "": records carry no
	// timestamp.
	TimestampField string
	// Policy is what a reader does with a malformed line: Fail (the default) fails the job with an error
	// naming the file and line ("clicks.csv:7: malformed line: 2 fields, want 3 (...)"); Skip counts it in
	// Skips and goes on.
	Policy Policy
	// Skips, if not nil, counts the lines the Skip policy passed over, across all readers and restarts of a
	// job, each line once.
	Skips *Skips
}

// Skips counts the lines a Skip policy passed over, each file and line once however often it is read (a job
// restored from a checkpoint reads again the lines after it). It is safe for concurrent use.
type Skips struct {
	mu   sync.Mutex
	seen map[string]bool
	last error
}

// Count returns how many distinct lines were skipped, and the error of the last one.
func (s *Skips) Count() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen), s.last
}

func (s *Skips) add(file string, line int, err error) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[file+":"+strconv.Itoa(line)] = true
	s.last = err
}

func (s FileSource) comma() rune {
	if s.Comma == 0 {
		return ','
	}
	return s.Comma
}

// Files returns the files the source reads, sorted.
func (s FileSource) Files() ([]string, error) {
	seen := map[string]bool{}
	var files []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, p := range s.Paths {
		if strings.ContainsAny(p, "*?[") {
			matches, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("sources: FileSource path %q: %w", p, err)
			}
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
					add(m)
				}
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("sources: FileSource path: %w", err)
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("sources: FileSource path: %w", err)
		}
		for _, e := range entries {
			if n := e.Name(); e.Type().IsRegular() && !strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "_") {
				add(filepath.Join(p, n))
			}
		}
	}
	sort.Strings(files)
	return files, nil
}

// check refuses options that contradict each other.
func (s FileSource) check() (recordType, error) {
	rt, err := newRecordType(s.Prototype)
	if err != nil {
		return rt, err
	}
	switch {
	case len(s.Paths) == 0:
		return rt, errors.New("sources: FileSource needs Paths")
	case s.Format != NDJSON && s.Format != CSV:
		return rt, fmt.Errorf("sources: FileSource: unknown Format %v", s.Format)
	case s.Format == CSV && s.NoHeader && len(s.Columns) == 0:
		return rt, errors.New("sources: FileSource: NoHeader needs Columns")
	case s.Format == NDJSON && (s.NoHeader || len(s.Columns) > 0 || s.Comma != 0):
		return rt, errors.New("sources: FileSource: NoHeader, Columns and Comma are CSV options")
	case s.Comma == '"' || s.Comma == '\r' || s.Comma == '\n' || !utf8.ValidRune(s.Comma) || s.Comma == utf8.RuneError:
		return rt, fmt.Errorf("sources: FileSource: invalid Comma %q", s.Comma)
	}
	return rt, nil
}

// MaxParallelism returns the number of files (at least 1): a file is read by one reader. The engine asks
// when the job is built (engine.Environment.FromSource), so that is when it panics, naming the problem, if
// the source's options are invalid.
func (s FileSource) MaxParallelism() int {
	if _, err := s.check(); err != nil {
		panic(err.Error())
	}
	files, err := s.Files()
	if err != nil || len(files) == 0 {
		return 1
	}
	return len(files)
}

// Boundedness returns engine.BoundedInput: a FileSource reads its files once and ends, so
// engine.Automatic runs its job in Batch mode.
func (FileSource) Boundedness() engine.Boundedness { return engine.BoundedInput }

// Reader returns the reader of every parallelism-th file, starting with the subtask's.
func (s FileSource) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	rt, err := s.check()
	if err != nil {
		return nil, err
	}
	files, err := s.Files()
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("sources: FileSource: no files in %s", strings.Join(s.Paths, ", "))
	}
	r := &fileReader{src: s, rt: rt}
	for i := ctx.Subtask; i < len(files); i += max(ctx.Parallelism, 1) {
		r.files = append(r.files, files[i])
	}
	return r, nil
}

// fileReader reads its files one after the other.
type fileReader struct {
	src   FileSource
	rt    recordType
	files []string
	next  int // index in files of the file to open next
	f     *os.File
	lines *lineReader
	dec   *lineDecoder
}

// open opens files[i].
func (r *fileReader) open(i int) error {
	r.closeFile()
	f, err := os.Open(r.files[i])
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	name := r.files[i]
	r.f, r.next = f, i+1
	r.lines = newLineReader(f, name, r.src.Policy)
	r.lines.onSkip = func(line int, err error) { r.src.Skips.add(name, line, err) }
	r.dec = newLineDecoder(r.src, r.rt)
	return nil
}

func (r *fileReader) Read() (engine.SourceElement, error) {
	for {
		if r.f == nil {
			if r.next >= len(r.files) {
				return engine.SourceElement{}, engine.ErrEndOfInput
			}
			if err := r.open(r.next); err != nil {
				return engine.SourceElement{}, err
			}
		}
		var el engine.SourceElement
		err := r.lines.next(func(b []byte) error {
			v, ts, ok, err := r.dec.decode(b)
			if err != nil {
				return err
			}
			if !ok {
				return errNoRecord
			}
			el = engine.SourceElement{Value: v, Timestamp: ts}
			return nil
		})
		switch {
		case err == nil:
			return el, nil
		case errors.Is(err, errNoRecord):
			continue
		case err == io.EOF:
			r.closeFile()
			continue
		}
		return engine.SourceElement{}, err
	}
}

// errNoRecord is how the parser tells Read that a line (a header) held no record; it is not a bad line.
var errNoRecord = fatalError{errors.New("no record on the line")}

// Offset is the index (among this reader's files) of the file being read and the number of its lines read,
// "file:line"; after the last file, the number of files and 0.
func (r *fileReader) Offset() ([]byte, error) {
	if r.f == nil {
		return []byte(fmt.Sprintf("%d:0", r.next)), nil
	}
	return []byte(fmt.Sprintf("%d:%d", r.next-1, r.lines.line)), nil
}

// Seek opens the file an Offset names and passes over the lines read before it (reading a CSV header there).
func (r *fileReader) Seek(off []byte) error {
	fs, ls, ok := strings.Cut(string(off), ":")
	file, err1 := strconv.Atoi(fs)
	line, err2 := strconv.Atoi(ls)
	if !ok || err1 != nil || err2 != nil || file < 0 || line < 0 || file > len(r.files) {
		return fmt.Errorf("sources: bad file source offset %q for %d files", off, len(r.files))
	}
	r.closeFile()
	r.next = file
	if line == 0 || file == len(r.files) {
		return nil
	}
	if err := r.open(file); err != nil {
		return err
	}
	for r.lines.line < line {
		b, ok := r.lines.scan()
		if !ok {
			return fmt.Errorf("sources: file source offset %q: %s has %d lines", off, r.files[file], r.lines.line)
		}
		if r.dec.header && len(strings.TrimSpace(string(b))) > 0 {
			if _, _, _, err := r.dec.decode(b); err != nil {
				return fmt.Errorf("%s:%d: %w", r.files[file], r.lines.line, err)
			}
		}
	}
	return nil
}

func (r *fileReader) closeFile() {
	if r.f != nil {
		r.f.Close()
		r.f, r.lines, r.dec = nil, nil, nil
	}
}

func (r *fileReader) Close() error {
	r.closeFile()
	return nil
}
