package sources

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// The line parsers never panic, reject a line only with ErrMalformedLine, and what they accept, written back
// by the encoder, parses to the same record.
func FuzzFileLine(f *testing.F) {
	for _, s := range []string{"1,ACME,2.5,3", `"a ""q""",b,,1e3`, `{"id":1,"symbol":"x","price":2.5}`, `{"id":`, "a,\"b", `[1]`, `{"qty":-1}`, "1,x,NaN,2", "1,x,-Inf,2"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, typed bool) {
		for _, format := range []FileFormat{CSV, NDJSON} {
			src := FileSource{Format: format}
			if format == CSV {
				src.Columns, src.NoHeader = []string{"id", "symbol", "price", "quantity"}, true
			}
			rt := recordType{}
			if typed {
				rt, _ = newRecordType(Trade{})
			}
			d := newLineDecoder(src, rt)
			v, _, ok, err := d.decode([]byte(line))
			if err != nil {
				if !errors.Is(err, ErrMalformedLine) {
					t.Fatalf("%v %q: error %v does not wrap ErrMalformedLine", format, line, err)
				}
				continue
			}
			if !ok {
				t.Fatalf("%v %q: no record and no error", format, line)
			}
			enc := newLineEncoder(FileSink{Format: format, Columns: src.Columns, NoHeader: true})
			lines, err := enc.encode(v)
			if err != nil {
				continue // a CSV cell with a line break, which the writer refuses
			}
			v2, _, _, err := newLineDecoder(src, rt).decode([]byte(lines[0]))
			if err != nil {
				t.Fatalf("%v %q: read %#v, wrote %q, which does not read back: %v", format, line, v, lines[0], err)
			}
			// Compared written, as NaN is not equal to itself.
			if again, err := newLineEncoder(FileSink{Format: format, Columns: src.Columns, NoHeader: true}).encode(v2); err != nil || !reflect.DeepEqual(again, lines) {
				t.Fatalf("%v %q: read %#v, wrote %q, read back %#v, wrote %q (%v)", format, line, v, lines, v2, again, err)
			}
		}
	})
}

// One decoder reads a file's lines with one csv.Reader: after good and bad lines alike it reads the next
// line as a fresh reader would.
func TestCSVDecoderReusesItsReader(t *testing.T) {
	lines := []string{"a,b", `"x,1`, "y,2", `z"q,3`, `"w""",4`, "5", `"open`, "", "  ", `"u`, "v,6", "\"a\nb\",7"}
	src := FileSource{Format: CSV, Columns: []string{"k", "n"}, NoHeader: true}
	shared := newLineDecoder(src, recordType{})
	for _, l := range lines {
		v1, _, _, err1 := shared.decode([]byte(l))
		v2, _, _, err2 := newLineDecoder(src, recordType{}).decode([]byte(l))
		if !reflect.DeepEqual(v1, v2) || fmt.Sprint(err1) != fmt.Sprint(err2) {
			t.Fatalf("line %q: shared decoder read %v (%v), a fresh one %v (%v)", l, v1, err1, v2, err2)
		}
	}
}
