package sources_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// Visit is a page view; its columns are matched to the CSV header by the csv tags.
type Visit struct {
	Page string `csv:"page"`
	At   int64  `csv:"at"`
}

// Clicks per page per 10 seconds of event time, from a CSV file whose "at" column is the event time: the
// source hands the column on as each record's timestamp, so the watermark strategy needs no timestamp
// assigner. The counts are written as NDJSON.
func ExampleFileSource() {
	dir, err := os.MkdirTemp("", "weir-files")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "visits.csv")
	os.WriteFile(in, []byte("page,at\nhome,1000\ncart,2000\nhome,9000\nhome,12000\ncart,4000\nhome,21000\n"), 0o644)

	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	strategy := engine.ForBoundedOutOfOrderness(5 * time.Second)
	visits := env.FromSource(sources.FileSource{Paths: []string{in}, Format: sources.CSV, Prototype: Visit{},
		TimestampField: "at"}, &strategy, "visits")
	counts := visits.KeyByField("Page").
		Window(engine.TumblingEventTimeWindows(10*time.Second)).
		Aggregate(engine.Count(), engine.WithKeyAndWindow)
	out := filepath.Join(dir, "counts.ndjson")
	sources.FileSink{Path: out}.Sink(counts)
	if _, err := env.Execute("visits per page"); err != nil {
		panic(err)
	}
	b, _ := os.ReadFile(out)
	fmt.Print(string(b))
	// Output:
	// {"Key":"home","Start":0,"End":10000,"Value":2}
	// {"Key":"cart","Start":0,"End":10000,"Value":2}
	// {"Key":"home","Start":10000,"End":20000,"Value":1}
	// {"Key":"home","Start":20000,"End":30000,"Value":1}
}

// With the Skip policy a malformed line is passed over and counted; the default, Fail, would fail the job
// with the same error, naming the file and line.
func ExampleSkips() {
	dir, err := os.MkdirTemp("", "weir-files")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a.ndjson"), []byte("{\"n\":1}\n{\"n\":2\n{\"n\":3}\n"), 0o644)

	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	skips := &sources.Skips{}
	got := env.FromSource(sources.FileSource{Paths: []string{filepath.Join(dir, "*.ndjson")}, Policy: sources.Skip,
		Skips: skips}, nil, "numbers").Collect()
	if _, err := env.Execute("numbers"); err != nil {
		panic(err)
	}
	n, last := skips.Count()
	fmt.Println(got.Values())
	fmt.Println(n, filepath.Base(last.Error()))
	// Output:
	// [map[n:1] map[n:3]]
	// 1 a.ndjson:2: malformed line: unexpected EOF
}
