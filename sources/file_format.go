package sources

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
)

// FileFormat is how a bounded file holds its records, one a line.
type FileFormat uint8

// The file formats.
const (
	// NDJSON is one JSON object a line. The default.
	NDJSON FileFormat = iota
	// CSV is comma-separated values (RFC 4180, one record a line: a quoted field may not span lines), with
	// a header line naming the columns unless told otherwise.
	CSV
)

// String returns "ndjson" or "csv".
func (f FileFormat) String() string {
	switch f {
	case NDJSON:
		return "ndjson"
	case CSV:
		return "csv"
	}
	return fmt.Sprintf("FileFormat(%d)", uint8(f))
}

// ErrMalformedLine is wrapped by the error for a line of a bounded file that does not hold a valid record.
var ErrMalformedLine = errors.New("malformed line")

var mapType = reflect.TypeOf(map[string]any(nil))

// recordType is the type records are decoded into: a struct type (ptr if the prototype was a pointer to a
// struct), or map[string]any when the prototype is nil.
type recordType struct {
	t   reflect.Type // the struct type; nil for map[string]any
	ptr bool
}

func newRecordType(prototype any) (recordType, error) {
	if prototype == nil {
		return recordType{}, nil
	}
	t := reflect.TypeOf(prototype)
	if t == mapType {
		return recordType{}, nil
	}
	ptr := t.Kind() == reflect.Pointer
	if ptr {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return recordType{}, fmt.Errorf("sources: Prototype must be a struct, a pointer to one, or nil for map[string]any, not %T", prototype)
	}
	return recordType{t: t, ptr: ptr}, nil
}

func (rt recordType) result(v reflect.Value) any {
	if rt.ptr {
		return v.Addr().Interface()
	}
	return v.Interface()
}

// columnName is the name of a struct field as a column or JSON key: its csv tag, else its json tag, else its
// name.
func columnName(f reflect.StructField) string {
	for _, tag := range []string{"csv", "json"} {
		if n, _, _ := strings.Cut(f.Tag.Get(tag), ","); n != "" && n != "-" {
			return n
		}
	}
	return f.Name
}

// structColumns returns the exported fields of t as columns, in declaration order.
func structColumns(t reflect.Type) (names []string, index []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("csv") == "-" {
			continue
		}
		names = append(names, columnName(f))
		index = append(index, i)
	}
	return names, index
}

// fieldFor returns the index of the field of t a column or key name maps to: the field whose csv or json tag
// or name is name, else one whose name matches it ignoring case.
func fieldFor(t reflect.Type, name string) (int, bool) {
	names, index := structColumns(t)
	for i, n := range names {
		if n == name {
			return index[i], true
		}
	}
	for i, n := range names {
		if strings.EqualFold(n, name) {
			return index[i], true
		}
	}
	return 0, false
}

// setField parses s into a field by its type: strings as they are, bools, integers and floats with strconv,
// time.Duration with time.ParseDuration, time.Time as RFC 3339; an empty cell leaves the zero value.
func setField(f reflect.Value, s string) error {
	if s == "" {
		return nil
	}
	switch f.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
		return nil
	case time.Time:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(t))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetUint(n)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(s, f.Type().Bits())
		if err != nil {
			return err
		}
		f.SetFloat(x)
	default:
		return fmt.Errorf("a CSV column cannot fill a field of type %s", f.Type())
	}
	return nil
}

// lineDecoder turns the lines of one file into records.
type lineDecoder struct {
	format  FileFormat
	rt      recordType
	comma   rune
	columns []string // CSV: the column names, from the options or the header
	fields  []int    // CSV into a struct: the field of each column, -1 for none
	header  bool     // CSV: the next non-blank line is a header still to read
	tsField string
	csv     *csv.Reader // CSV: reads every line, from feed
	feed    *lineFeed
}

func newLineDecoder(s FileSource, rt recordType) *lineDecoder {
	d := &lineDecoder{format: s.Format, rt: rt, comma: s.comma(), tsField: s.TimestampField}
	if s.Format == CSV {
		d.header = !s.NoHeader
		if len(s.Columns) > 0 {
			d.setColumns(s.Columns)
		}
	}
	return d
}

func (d *lineDecoder) setColumns(cols []string) {
	d.columns = cols
	if d.rt.t == nil {
		return
	}
	d.fields = make([]int, len(cols))
	for i, c := range cols {
		d.fields[i] = -1
		if f, ok := fieldFor(d.rt.t, c); ok {
			d.fields[i] = f
		}
	}
}

// lineFeed hands a csv.Reader one line at a time: it is empty (io.EOF) until given the next line, so that
// one csv.Reader (and its buffer) serves every line of a file.
type lineFeed struct{ b []byte }

func (f *lineFeed) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

// splitCSV splits one CSV line into its cells. A quoted field left open at the end of the line is an error,
// the feed being empty after it, so the reader's buffer is empty after every line.
func (d *lineDecoder) splitCSV(b []byte) ([]string, error) {
	if bytes.IndexByte(b, '\n') >= 0 {
		return nil, errors.New("a line break inside the line")
	}
	if d.csv == nil {
		d.feed = &lineFeed{}
		d.csv = csv.NewReader(d.feed)
		d.csv.Comma = d.comma
		d.csv.FieldsPerRecord = -1
	}
	d.feed.b = b
	cells, err := d.csv.Read()
	d.feed.b = nil
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			err = fmt.Errorf("column %d: %v", pe.Column, pe.Err)
		}
		if err == io.EOF {
			err = errors.New("no record")
		}
		return nil, err
	}
	return cells, nil
}

// decode parses one non-blank line. It returns ok false for a header line, which holds no record.
func (d *lineDecoder) decode(b []byte) (v any, ts int64, ok bool, err error) {
	ts = engine.NoTimestamp
	if d.format == CSV {
		cells, err := d.splitCSV(b)
		if err != nil {
			if d.header {
				return nil, ts, false, fatalError{fmt.Errorf("%w: header: %v", ErrMalformedLine, err)}
			}
			return nil, ts, false, fmt.Errorf("%w: %v", ErrMalformedLine, err)
		}
		if d.header {
			d.header = false
			if d.columns == nil {
				for i, c := range cells {
					if c == "" {
						return nil, ts, false, fatalError{fmt.Errorf("%w: header: column %d has no name", ErrMalformedLine, i+1)}
					}
				}
				d.setColumns(cells)
			}
			return nil, ts, false, nil
		}
		if len(cells) != len(d.columns) {
			return nil, ts, false, fmt.Errorf("%w: %d fields, want %d (%s)", ErrMalformedLine, len(cells), len(d.columns), strings.Join(d.columns, ","))
		}
		v, err = d.fromCells(cells)
		if err != nil {
			return nil, ts, false, err
		}
	} else {
		v, err = d.fromJSON(b)
		if err != nil {
			return nil, ts, false, err
		}
	}
	if d.tsField != "" {
		if ts, err = d.timestamp(v); err != nil {
			return nil, ts, false, err
		}
	}
	return v, ts, true, nil
}

func (d *lineDecoder) fromCells(cells []string) (any, error) {
	if d.rt.t == nil {
		m := make(map[string]any, len(cells))
		for i, c := range cells {
			m[d.columns[i]] = c
		}
		return m, nil
	}
	p := reflect.New(d.rt.t).Elem()
	for i, c := range cells {
		if d.fields[i] < 0 {
			continue
		}
		if err := setField(p.Field(d.fields[i]), c); err != nil {
			return nil, fmt.Errorf("%w: column %s: %v", ErrMalformedLine, d.columns[i], err)
		}
	}
	return d.rt.result(p), nil
}

func (d *lineDecoder) fromJSON(b []byte) (any, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedLine)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var v any
	var err error
	if d.rt.t == nil {
		var m map[string]any
		err = dec.Decode(&m)
		v = m
	} else {
		p := reflect.New(d.rt.t)
		err = dec.Decode(p.Interface())
		v = d.rt.result(p.Elem())
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedLine, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON value on the line", ErrMalformedLine)
	}
	return v, nil
}

// timestamp reads the event time of a record from its timestamp field: milliseconds as a number or a string
// of digits, or a time as time.Time or an RFC 3339 string.
func (d *lineDecoder) timestamp(v any) (int64, error) {
	var x any
	if m, ok := v.(map[string]any); ok {
		var found bool
		if x, found = m[d.tsField]; !found {
			return 0, fmt.Errorf("%w: no timestamp field %q", ErrMalformedLine, d.tsField)
		}
	} else {
		rv := reflect.Indirect(reflect.ValueOf(v))
		i, found := fieldFor(rv.Type(), d.tsField)
		if !found {
			return 0, fmt.Errorf("%w: no timestamp field %q", ErrMalformedLine, d.tsField)
		}
		x = rv.Field(i).Interface()
	}
	switch t := x.(type) {
	case time.Time:
		return t.UnixMilli(), nil
	case string:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return n, nil
		}
		if tm, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return tm.UnixMilli(), nil
		}
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<62 {
			return int64(t), nil
		}
	default:
		rv := reflect.ValueOf(x)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return rv.Int(), nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
			return int64(rv.Uint()), nil
		}
	}
	return 0, fmt.Errorf("%w: timestamp field %q holds %v, not milliseconds or an RFC 3339 time", ErrMalformedLine, d.tsField, x)
}

// lineEncoder turns records into lines of one file.
type lineEncoder struct {
	format  FileFormat
	comma   rune
	columns []string
	header  bool // CSV: the header is still to be written
	buf     bytes.Buffer
	w       *csv.Writer
}

func newLineEncoder(s FileSink) *lineEncoder {
	e := &lineEncoder{format: s.Format, comma: s.comma(), columns: s.Columns, header: s.Format == CSV && !s.NoHeader}
	e.w = csv.NewWriter(&e.buf)
	e.w.Comma = e.comma
	return e
}

// encode returns the lines of a record, without line ends: the header first, for the first record of a CSV
// file.
func (e *lineEncoder) encode(v any) ([]string, error) {
	if e.format == NDJSON {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return []string{string(b)}, nil
	}
	if e.columns == nil {
		e.columns = columnsOf(v)
		if len(e.columns) == 0 {
			return nil, fmt.Errorf("a %T has no columns; set FileSink.Columns", v)
		}
	}
	cells, err := e.cells(v)
	if err != nil {
		return nil, err
	}
	var lines []string
	if e.header {
		e.header = false
		l, err := e.csvLine(e.columns)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	l, err := e.csvLine(cells)
	if err != nil {
		return nil, err
	}
	return append(lines, l), nil
}

func (e *lineEncoder) csvLine(cells []string) (string, error) {
	for _, c := range cells {
		if strings.ContainsAny(c, "\r\n") {
			return "", fmt.Errorf("cell %q holds a line break; a bounded file holds one record a line", c)
		}
	}
	e.buf.Reset()
	if err := e.w.Write(cells); err != nil {
		return "", err
	}
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return "", err
	}
	return strings.TrimSuffix(e.buf.String(), "\n"), nil
}

// columnsOf returns the default columns of a record: a struct's exported fields in order, a map's keys in
// sorted order.
func columnsOf(v any) []string {
	if m, ok := v.(map[string]any); ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil
	}
	names, _ := structColumns(rv.Type())
	return names
}

func (e *lineEncoder) cells(v any) ([]string, error) {
	cells := make([]string, len(e.columns))
	if m, ok := v.(map[string]any); ok {
		if len(m) > len(e.columns) {
			for k := range m {
				if !slices.Contains(e.columns, k) {
					return nil, fmt.Errorf("record has key %q, which is not a column (%s)", k, strings.Join(e.columns, ","))
				}
			}
		}
		for i, c := range e.columns {
			cells[i] = formatCell(m[c])
		}
		return cells, nil
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("a %T cannot be written as CSV: records must be structs or map[string]any", v)
	}
	for i, c := range e.columns {
		f, ok := fieldFor(rv.Type(), c)
		if !ok {
			return nil, fmt.Errorf("%s has no field for column %q", rv.Type(), c)
		}
		cells[i] = formatCell(rv.Field(f).Interface())
	}
	return cells, nil
}

// formatCell writes a value as a CSV cell, in the form setField reads back.
func formatCell(x any) string {
	switch t := x.(type) {
	case nil:
		return ""
	case string:
		return t
	case time.Time:
		return t.Format(time.RFC3339Nano)
	case time.Duration:
		return t.String()
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(t), 'g', -1, 32)
	}
	return fmt.Sprint(x)
}
