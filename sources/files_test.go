package sources

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
)

// Trade is the record type of the file tests: every kind of cell FileSource parses.
type Trade struct {
	ID     int64         `json:"id"`
	Symbol string        `json:"symbol"`
	Price  float64       `json:"price"`
	Qty    uint32        `json:"qty" csv:"quantity"`
	Buy    bool          `json:"buy"`
	Delay  time.Duration `json:"delay"`
	At     time.Time     `json:"at"`
}

func trades(n int) []any {
	base := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	out := make([]any, n)
	for i := range n {
		out[i] = Trade{ID: int64(i), Symbol: []string{"ACME", "IBM, Inc.", `"Q"`}[i%3], Price: float64(i)/8 + 0.1,
			Qty: uint32(i * 7 % 100), Buy: i%2 == 0, Delay: time.Duration(i) * time.Millisecond, At: base.Add(time.Duration(i) * time.Second)}
	}
	return out
}

func strs(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%+v", v)
	}
	slices.Sort(out)
	return out
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readAll runs a job reading src and returns what it read, sorted.
func readAll(t *testing.T, src FileSource, par int) ([]string, error) {
	t.Helper()
	env := engine.NewEnvironment(engine.Config{Parallelism: par})
	c := env.FromSource(src, nil, "files").Collect()
	_, err := env.Execute("read files")
	return strs(c.Values()), err
}

// Writing records and reading them back gives the same records, for both formats, into a struct, in a
// single file and in a directory of part files (Flink: FileSink and FileSource with CsvReaderFormat /
// JsonLinesInputFormat; here one test per format and layout).
func TestFileRoundTrip(t *testing.T) {
	in := trades(500)
	for _, format := range []FileFormat{NDJSON, CSV} {
		for _, par := range []int{1, 3} {
			for _, exactly := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/parallelism %d/exactly-once %v", format, par, exactly), func(t *testing.T) {
					path := filepath.Join(t.TempDir(), "out")
					env := engine.NewEnvironment(engine.Config{Parallelism: par})
					FileSink{Path: path, Format: format, ExactlyOnce: exactly}.Sink(env.FromSlice(in).Rebalance())
					if _, err := env.Execute("write"); err != nil {
						t.Fatal(err)
					}
					files, err := FileSource{Paths: []string{path}}.Files()
					if err != nil {
						t.Fatal(err)
					}
					if !exactly && par == 1 && (len(files) != 1 || files[0] != path) {
						t.Fatalf("files %v, want the single file %s", files, path)
					}
					if !exactly && par == 3 && len(files) != 3 {
						t.Fatalf("files %v, want 3 part files", files)
					}
					got, err := readAll(t, FileSource{Paths: []string{path}, Format: format, Prototype: Trade{}}, 2)
					if err != nil {
						t.Fatal(err)
					}
					if want := strs(in); !slices.Equal(got, want) {
						t.Fatalf("read back %d records, want %d; first %v, want %v", len(got), len(want), got[:min(2, len(got))], want[:2])
					}
				})
			}
		}
	}
}

// The exact bytes of a CSV file: header from the struct's tags, quoting as RFC 4180, cells in the form the
// reader parses.
func TestFileSinkCSVText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.csv")
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	FileSink{Path: path, Format: CSV}.Sink(env.FromSlice(trades(2)))
	if _, err := env.Execute("write"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "id,symbol,price,quantity,buy,delay,at\n" +
		"0,ACME,0.1,0,true,0s,2026-12-02T09:00:00Z\n" +
		"1,\"IBM, Inc.\",0.225,7,false,1ms,2026-12-02T09:00:01Z\n"
	if string(b) != want {
		t.Fatalf("wrote\n%s\nwant\n%s", b, want)
	}
}

// Maps round-trip too: CSV maps hold strings, NDJSON maps JSON's types; columns are the sorted keys.
func TestFileRoundTripMaps(t *testing.T) {
	in := []any{map[string]any{"b": "x;y", "a": "1"}, map[string]any{"a": "2", "b": ""}}
	for _, format := range []FileFormat{NDJSON, CSV} {
		dir := t.TempDir()
		path := filepath.Join(dir, "m."+format.String())
		env := engine.NewEnvironment(engine.Config{Parallelism: 1})
		sink := FileSink{Path: path, Format: format}
		if format == CSV {
			sink.Comma = ';'
		}
		sink.Sink(env.FromSlice(in))
		if _, err := env.Execute("write"); err != nil {
			t.Fatal(err)
		}
		got, err := readAll(t, FileSource{Paths: []string{filepath.Join(dir, "*."+format.String())}, Format: format, Comma: sink.Comma}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := strs(in); !slices.Equal(got, want) {
			t.Fatalf("%v: read back %v, want %v", format, got, want)
		}
	}
}

// A malformed line fails the job with its file and line; with Skip it is counted and the good lines are
// read. (Flink's CsvReaderFormat fails on a malformed row unless told to ignore parse errors.)
func TestFileMalformedLines(t *testing.T) {
	dir := t.TempDir()
	csvPath := writeFile(t, dir, "t.csv", "id,symbol,price\n1,A,1.5\n\n2,B\n3,C,x\n4,D,4\n")
	jsonPath := writeFile(t, dir, "t.ndjson", "{\"id\":1}\n{\"id\":2,\n[3]\n{\"id\":\"four\"}\n{\"id\":5}\n")
	cases := []struct {
		src     FileSource
		failure string
		skipped int
		read    []string
	}{
		{FileSource{Paths: []string{csvPath}, Format: CSV, Prototype: Trade{}},
			csvPath + ":4: malformed line: 2 fields, want 3 (id,symbol,price)", 2,
			[]string{"{ID:1 Symbol:A Price:1.5 Qty:0 Buy:false Delay:0s At:0001-01-01 00:00:00 +0000 UTC}",
				"{ID:4 Symbol:D Price:4 Qty:0 Buy:false Delay:0s At:0001-01-01 00:00:00 +0000 UTC}"}},
		{FileSource{Paths: []string{csvPath}, Format: CSV, Prototype: Trade{}, Columns: []string{"id", "symbol", "price"}},
			csvPath + ":4: malformed line: 2 fields, want 3 (id,symbol,price)", 2, nil},
		{FileSource{Paths: []string{jsonPath}, Prototype: &Trade{}},
			jsonPath + ":2: malformed line: unexpected EOF", 3, nil},
		{FileSource{Paths: []string{jsonPath}},
			jsonPath + ":2: malformed line: unexpected EOF", 2,
			[]string{"map[id:1]", "map[id:5]", "map[id:four]"}},
	}
	for i, c := range cases {
		_, err := readAll(t, c.src, 1)
		if err == nil || !strings.Contains(err.Error(), c.failure) || !errors.Is(err, ErrMalformedLine) {
			t.Errorf("case %d: error %v, want one containing %q", i, err, c.failure)
		}
		c.src.Policy, c.src.Skips = Skip, &Skips{}
		got, err := readAll(t, c.src, 1)
		if err != nil {
			t.Fatalf("case %d: with Skip: %v", i, err)
		}
		if n, last := c.src.Skips.Count(); n != c.skipped || last == nil {
			t.Errorf("case %d: skipped %d (last %v), want %d", i, n, last, c.skipped)
		}
		if c.read != nil && !slices.Equal(got, c.read) {
			t.Errorf("case %d: read %v, want %v", i, got, c.read)
		}
	}
	// The unparsable number of line 5, and NDJSON's wrong type on line 4.
	src := FileSource{Paths: []string{csvPath}, Format: CSV, Prototype: Trade{}, Policy: Skip, Skips: &Skips{}}
	readAll(t, src, 1)
	if _, last := src.Skips.Count(); last == nil || last.Error() != csvPath+`:5: malformed line: column price: strconv.ParseFloat: parsing "x": invalid syntax` {
		t.Errorf("last skipped: %v", last)
	}
	src = FileSource{Paths: []string{jsonPath}, Prototype: Trade{}, Policy: Skip, Skips: &Skips{}}
	readAll(t, src, 1)
	if _, last := src.Skips.Count(); last == nil || !strings.HasPrefix(last.Error(), jsonPath+`:4: malformed line: json: cannot unmarshal string into Go struct field Trade.id of type int64`) {
		t.Errorf("last skipped: %v", last)
	}
}

// A header without its columns and a path without files fail the job; contradictory options are refused
// when the job is built.
func TestFileSourceRefuses(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "t.csv", "a,,c\n1,2,3\n")
	for i, c := range []struct {
		src  FileSource
		want string
	}{
		{FileSource{Paths: []string{p}, Format: CSV, Policy: Skip}, p + ":1: malformed line: header: column 2 has no name"},
		{FileSource{Paths: []string{filepath.Join(dir, "*.none")}}, "no files in"},
	} {
		if _, err := readAll(t, c.src, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: error %v, want %q", i, err, c.want)
		}
	}
	for i, c := range []struct {
		src  FileSource
		want string
	}{
		{FileSource{Paths: []string{p}, Format: CSV, NoHeader: true}, "sources: FileSource: NoHeader needs Columns"},
		{FileSource{Paths: []string{p}, Comma: ';'}, "sources: FileSource: NoHeader, Columns and Comma are CSV options"},
		{FileSource{Paths: []string{p}, Format: CSV, Comma: '"'}, "sources: FileSource: invalid Comma '\"'"},
		{FileSource{Paths: []string{p}, Prototype: 3}, "sources: Prototype must be a struct, a pointer to one, or nil for map[string]any, not int"},
		{FileSource{}, "sources: FileSource needs Paths"},
	} {
		func() {
			defer func() {
				if r := recover(); fmt.Sprint(r) != c.want {
					t.Errorf("case %d: panic %v, want %q", i, r, c.want)
				}
			}()
			engine.NewEnvironment(engine.Config{}).FromSource(c.src, nil, "files")
		}()
	}
	defer func() {
		if r := recover(); fmt.Sprint(r) != "sources: FileSink needs a Path" {
			t.Errorf("FileSink without a Path: panic %v", r)
		}
	}()
	FileSink{}.Sink(engine.NewEnvironment(engine.Config{}).FromElements(1))
}

// Files are split round robin over the readers: reader i of p reads files i, i+p, ...; a glob, a directory
// and a file naming the same files read each once; at most one reader per file.
func TestFileSplits(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		writeFile(t, dir, fmt.Sprintf("f%d.ndjson", i), fmt.Sprintf("{\"f\":%d}\n", i))
	}
	writeFile(t, dir, ".hidden", "junk\n")
	writeFile(t, dir, "_SUCCESS", "")
	src := FileSource{Paths: []string{dir, filepath.Join(dir, "f*.ndjson"), filepath.Join(dir, "f0.ndjson")}}
	if n := src.MaxParallelism(); n != 5 {
		t.Fatalf("MaxParallelism %d, want 5", n)
	}
	var got [][]string
	for sub := range 2 {
		r, err := src.Reader(engine.SourceContext{Subtask: sub, Parallelism: 2})
		if err != nil {
			t.Fatal(err)
		}
		var vs []string
		for {
			el, err := r.Read()
			if err == engine.ErrEndOfInput {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, fmt.Sprint(el.Value))
		}
		r.Close()
		got = append(got, vs)
	}
	if want := "[[map[f:0] map[f:2] map[f:4]] [map[f:1] map[f:3]]]"; fmt.Sprint(got) != want {
		t.Fatalf("splits %v, want %s", got, want)
	}
}

// Seek to an Offset taken mid-file resumes at the next line: no line twice, none lost, the CSV header read
// again, and the event timestamps from the timestamp column.
func TestFileSeekResumesAtLine(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", "t,v\n1000,a\n\n2000,b\n3000,c\n")
	writeFile(t, dir, "b.csv", "t,v\n4000,d\n")
	src := FileSource{Paths: []string{dir}, Format: CSV, TimestampField: "t"}
	read := func(r engine.SourceReader, n int) (out []string) {
		for range n {
			el, err := r.Read()
			if err != nil {
				out = append(out, err.Error())
				return
			}
			out = append(out, fmt.Sprintf("%v@%d", el.Value.(map[string]any)["v"], el.Timestamp))
		}
		return
	}
	for k := range 5 {
		r, _ := src.Reader(engine.SourceContext{Parallelism: 1})
		first := read(r, k)
		off, _ := r.(engine.ReplayableReader).Offset()
		r.Close()
		r2, _ := src.Reader(engine.SourceContext{Parallelism: 1})
		if err := r2.(engine.ReplayableReader).Seek(off); err != nil {
			t.Fatal(err)
		}
		rest := read(r2, 6)
		r2.Close()
		if got := strings.Join(append(first, rest...), " "); got != "a@1000 b@2000 c@3000 d@4000 engine: end of input" {
			t.Fatalf("after %d records (offset %s): %s", k, off, got)
		}
	}
}

// A job that crashes in the middle of a file restores the readers' file and line from its checkpoint and,
// with the exactly-once FileSink, commits every record once (Flink: FileSourceTextLinesITCase#
// testBoundedTextFileSourceWithTaskManagerFailover, checking the output has each line once).
func TestFileCrashResumesExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	in := trades(6000)
	for i := range 3 {
		var b strings.Builder
		for _, v := range in[i*2000 : (i+1)*2000] {
			fmt.Fprintf(&b, "{\"id\":%d,\"symbol\":%q}\n", v.(Trade).ID, v.(Trade).Symbol)
		}
		writeFile(t, dir, fmt.Sprintf("part-%d.ndjson", i), b.String())
	}
	var want []string
	for _, v := range in {
		want = append(want, fmt.Sprintf("{\"id\":%d,\"symbol\":%q,\"price\":0,\"qty\":0,\"buy\":false,\"delay\":0,\"at\":\"0001-01-01T00:00:00Z\"}", v.(Trade).ID, v.(Trade).Symbol))
	}
	slices.Sort(want)
	var processed atomic.Int64
	faults := &enginetest.Faults{}
	faults.Arm(enginetest.FailSourceEmit, 4500)
	out := t.TempDir()
	env := engine.NewEnvironment(engine.Config{Parallelism: 2,
		Checkpointing: engine.CheckpointConfig{Interval: 5 * time.Millisecond, Dir: t.TempDir()},
		Restart:       engine.RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
	enginetest.InjectFaults(env, faults)
	s := env.FromSource(FileSource{Paths: []string{dir}, Prototype: Trade{}}, nil, "trades").Map(func(v any) any {
		if processed.Add(1)%50 == 0 {
			time.Sleep(300 * time.Microsecond) // pacing, so that checkpoints complete in the middle of the files
		}
		return v
	})
	FileSink{Path: out, ExactlyOnce: true}.Sink(s)
	job, err := env.Execute("trades")
	if err != nil {
		t.Fatal(err)
	}
	got, err := engine.ReadCommitted(out)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if job.Restarts() != 1 || !slices.Equal(got, want) {
		t.Fatalf("%d restarts; committed %d records, want %d", job.Restarts(), len(got), len(want))
	}
	// 4500 records were read before the crash; restarting from the beginning would read them all again.
	if n := processed.Load(); n <= 6000 || n >= 6000+4500 {
		t.Fatalf("processed %d records in all: the restart did not resume from a checkpoint", n)
	}
	t.Logf("%d records processed for 6000 (%d again after the restore)", processed.Load(), processed.Load()-6000)
}

// The Skip policy counts a bad line once although a restored job reads it again.
func TestSkipsCountEachLineOnce(t *testing.T) {
	s := &Skips{}
	for range 2 {
		s.add("f", 3, io.ErrUnexpectedEOF)
		s.add("g", 3, io.ErrUnexpectedEOF)
	}
	if n, _ := s.Count(); n != 2 {
		t.Fatalf("counted %d, want 2", n)
	}
}

// The plain FileSink is at-least-once: after a crash the restored job appends to the files its first attempt
// created (no second header), so every record is there, some of them twice.
func TestFileSinkPlainAfterCrash(t *testing.T) {
	in := trades(3000)
	faults := &enginetest.Faults{}
	faults.Arm(enginetest.FailSourceEmit, 2000)
	out := filepath.Join(t.TempDir(), "out")
	env := engine.NewEnvironment(engine.Config{Parallelism: 2,
		Checkpointing: engine.CheckpointConfig{Interval: 5 * time.Millisecond, Dir: t.TempDir()},
		Restart:       engine.RestartStrategy{Attempts: 2, Delay: time.Millisecond}})
	enginetest.InjectFaults(env, faults)
	FileSink{Path: out, Format: CSV}.Sink(env.FromSlice(in).Rebalance())
	job, err := env.Execute("write")
	if err != nil {
		t.Fatal(err)
	}
	if job.Restarts() != 1 {
		t.Fatalf("%d restarts, want 1", job.Restarts())
	}
	got, err := readAll(t, FileSource{Paths: []string{out}, Format: CSV, Prototype: Trade{}}, 1)
	if err != nil {
		t.Fatal(err) // a second header line would be a malformed line
	}
	got = slices.Compact(got)
	if want := strs(in); !slices.Equal(got, want) {
		t.Fatalf("read back %d distinct records, want %d", len(got), len(want))
	}
}
