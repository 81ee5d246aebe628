package sources

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// Event is one recorded event. It is also the record a replay hands to the engine.
type Event struct {
	Arrival int64          `json:"arrival"`           // when it reaches the job, milliseconds
	Time    int64          `json:"time"`              // when it happened (event time), milliseconds
	Key     string         `json:"key"`               // its key (page, account, ride, ...)
	Kind    string         `json:"kind,omitempty"`    // what it is (click, start, end, fare, bid, ...)
	Payload map[string]any `json:"payload,omitempty"` // the rest; JSON numbers are float64
}

// Field returns a field of the event: Arrival, Time, Key or Kind (any case), or a payload entry. It lets
// engine.Field, KeyByField and the aggregate helpers read payload entries by name.
func (e Event) Field(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "arrival":
		return e.Arrival, true
	case "time":
		return e.Time, true
	case "key":
		return e.Key, true
	case "kind":
		return e.Kind, true
	}
	v, ok := e.Payload[name]
	return v, ok
}

// WithField returns a copy of e with the field name (as Field resolves it) set to v, so that the engine's
// rolling aggregations (KeyedStream.Sum, Min, Max, ...) can replace a payload entry of a recorded event; the
// payload map is copied, never shared. It returns false when e has no such field or v does not fit a
// header field (arrival and time take integers, key and kind strings).
func (e Event) WithField(name string, v any) (any, bool) {
	switch strings.ToLower(name) {
	case "arrival", "time":
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case int:
			n = int64(x)
		case float64:
			n = int64(x)
		default:
			return nil, false
		}
		if strings.ToLower(name) == "arrival" {
			e.Arrival = n
		} else {
			e.Time = n
		}
		return e, true
	case "key", "kind":
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if strings.ToLower(name) == "key" {
			e.Key = s
		} else {
			e.Kind = s
		}
		return e, true
	}
	if _, ok := e.Payload[name]; !ok {
		return nil, false
	}
	p := make(map[string]any, len(e.Payload))
	for k, x := range e.Payload {
		p[k] = x
	}
	p[name] = v
	e.Payload = p
	return e, true
}

// Float returns payload entry name as a float64 (0 if missing or not a number).
func (e Event) Float(name string) float64 {
	switch v := e.Payload[name].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return 0
}

// Int returns payload entry name as an int64 (0 if missing or not a number).
func (e Event) Int(name string) int64 { return int64(math.Round(e.Float(name))) }

// String returns payload entry name as a string ("" if missing).
func (e Event) String(name string) string {
	s, _ := e.Payload[name].(string)
	return s
}

// Marker is a scripted line of a recording.
type Marker struct {
	Kind   string `json:"marker"` // "watermark", "idle", "crash" or "pause"
	Time   int64  `json:"time,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Line is one parsed line: an event or a marker.
type Line struct {
	Event  *Event
	Marker *Marker
}

// ErrBadLine is wrapped by the error for a line that is not a valid event or marker.
var ErrBadLine = errors.New("bad recording line")

// rawLine is every field a line may have, decoded in one pass.
type rawLine struct {
	Marker  *string        `json:"marker"`
	Reason  string         `json:"reason"`
	Arrival *int64         `json:"arrival"`
	Time    *int64         `json:"time"`
	Key     *string        `json:"key"`
	Kind    string         `json:"kind"`
	Payload map[string]any `json:"payload"`
}

// ParseLine parses one line of a recording.
func ParseLine(b []byte) (Line, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return Line{}, fmt.Errorf("%w: not a JSON object", ErrBadLine)
	}
	var r rawLine
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil {
		return Line{}, fmt.Errorf("%w: %v", ErrBadLine, err)
	}
	if d.More() {
		return Line{}, fmt.Errorf("%w: more than one JSON value on the line", ErrBadLine)
	}
	if r.Marker != nil {
		if r.Arrival != nil || r.Key != nil || r.Kind != "" || r.Payload != nil {
			return Line{}, fmt.Errorf("%w: a marker line has only marker, time and reason", ErrBadLine)
		}
		m := Marker{Kind: *r.Marker, Reason: r.Reason}
		if r.Time != nil {
			m.Time = *r.Time
		}
		switch m.Kind {
		case "watermark", "idle", "crash", "pause":
			return Line{Marker: &m}, nil
		}
		return Line{}, fmt.Errorf("%w: unknown marker %q (want watermark, idle, crash or pause)", ErrBadLine, m.Kind)
	}
	switch {
	case r.Arrival == nil:
		return Line{}, fmt.Errorf("%w: missing \"arrival\"", ErrBadLine)
	case r.Time == nil:
		return Line{}, fmt.Errorf("%w: missing \"time\"", ErrBadLine)
	case r.Key == nil:
		return Line{}, fmt.Errorf("%w: missing \"key\"", ErrBadLine)
	case *r.Arrival < 0:
		return Line{}, fmt.Errorf("%w: negative arrival %d", ErrBadLine, *r.Arrival)
	case r.Reason != "":
		return Line{}, fmt.Errorf("%w: reason belongs to crash markers", ErrBadLine)
	}
	return Line{Event: &Event{Arrival: *r.Arrival, Time: *r.Time, Key: *r.Key, Kind: r.Kind, Payload: r.Payload}}, nil
}

// Policy says what a Reader does with a bad line.
type Policy uint8

// The policies for bad lines.
const (
	// Fail stops at the first bad line with an error naming its file and line. The default.
	Fail Policy = iota
	// Skip counts bad lines (Reader.Skipped) and goes on.
	Skip
)

// maxLine is the longest line a Reader or a FileSource accepts (1 MiB); a longer one is a bad line (skipped
// and counted under the Skip policy), and the lines after it are read as usual.
const maxLine = 1 << 20

// Reader reads a recording lazily, a line at a time.
type Reader struct {
	lines *lineReader
}

// NewReader reads a recording from r; name (a file name) is used in errors.
func NewReader(r io.Reader, name string, policy Policy) *Reader {
	return &Reader{lines: newLineReader(r, name, policy)}
}

// Next returns the next line, io.EOF at the end, or an error naming the file and line of a bad line.
func (r *Reader) Next() (Line, error) {
	var l Line
	err := r.lines.next(func(b []byte) error {
		var err error
		l, err = ParseLine(b)
		return err
	})
	return l, err
}

// Line returns the number of the line read last.
func (r *Reader) Line() int { return r.lines.line }

// Skipped returns how many bad lines the Skip policy passed over, and the last of their errors.
func (r *Reader) Skipped() (int, error) { return r.lines.skipped, r.lines.lastErr }

// lineReader reads text a line at a time for recordings and bounded files: it numbers the lines, passes over
// blank ones, names the file and line of a line the parser rejects, and applies the Policy to it.
type lineReader struct {
	name    string
	br      *bufio.Reader
	buf     []byte
	tooLong bool  // the line scan returned last was longer than maxLine (and was cut)
	err     error // the read error that ended the input (nil at a clean end)
	line    int
	policy  Policy
	skipped int
	lastErr error
	onSkip  func(line int, err error) // if set, told of every line the Skip policy passes over
}

func newLineReader(r io.Reader, name string, policy Policy) *lineReader {
	return &lineReader{name: name, br: bufio.NewReaderSize(r, 64*1024), policy: policy}
}

// scan reads the next line, blank or not, without its line end; false at the end of the input (or a read
// error, which next reports). A line longer than maxLine is read to its end but only its first maxLine bytes
// are kept, and tooLong is set, so that one huge line costs one bad line, not the rest of the file.
func (r *lineReader) scan() ([]byte, bool) {
	r.buf, r.tooLong = r.buf[:0], false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err == nil && len(r.buf) == 0 {
			// The common case: the whole line is in the buffer, valid until the next read.
			r.line++
			return bytes.TrimSuffix(bytes.TrimSuffix(chunk, []byte("\n")), []byte("\r")), true
		}
		if len(r.buf)+len(chunk) > maxLine {
			r.tooLong = true
			if room := maxLine - len(r.buf); room > 0 {
				r.buf = append(r.buf, chunk[:room]...)
			}
		} else {
			r.buf = append(r.buf, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			if len(r.buf) == 0 && !r.tooLong {
				return nil, false
			}
		case err != nil:
			r.err = err
			return nil, false
		}
		break
	}
	r.line++
	return bytes.TrimSuffix(bytes.TrimSuffix(r.buf, []byte("\n")), []byte("\r")), true
}

// fatalError, returned by a parser, makes the line fail the read even with the Skip policy (a CSV header,
// without which no later line can be read).
type fatalError struct{ error }

func (e fatalError) Unwrap() error { return e.error }

// next hands parse the next non-blank line until it accepts one. It returns io.EOF at the end, or the
// parser's error prefixed with "file:line: ".
func (r *lineReader) next(parse func(b []byte) error) error {
	for {
		b, ok := r.scan()
		if !ok {
			break
		}
		if len(bytes.TrimSpace(b)) == 0 && !r.tooLong {
			continue
		}
		var err error
		switch {
		case r.tooLong:
			err = fmt.Errorf("%w: the line is longer than %d bytes", ErrBadLine, maxLine)
		case !utf8.Valid(b):
			err = fmt.Errorf("%w: invalid UTF-8 at byte %d", ErrBadLine, firstInvalidUTF8(b)+1)
		default:
			err = parse(b)
		}
		if err == nil {
			return nil
		}
		var fatal fatalError
		isFatal := errors.As(err, &fatal)
		err = fmt.Errorf("%s:%d: %w", r.name, r.line, err)
		if r.policy == Skip && !isFatal {
			r.skipped++
			r.lastErr = err
			if r.onSkip != nil {
				r.onSkip(r.line, err)
			}
			continue
		}
		return err
	}
	if r.err != nil {
		return fmt.Errorf("%s:%d: %w: %v", r.name, r.line+1, ErrBadLine, r.err)
	}
	return io.EOF
}

// firstInvalidUTF8 returns the offset of b's first byte that does not start a valid UTF-8 sequence.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// WriteEvents writes events (and markers) as NDJSON.
func WriteEvents(w io.Writer, lines []Line) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, l := range lines {
		var err error
		if l.Marker != nil {
			err = enc.Encode(l.Marker)
		} else {
			err = enc.Encode(l.Event)
		}
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}
