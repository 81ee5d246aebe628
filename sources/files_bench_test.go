package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// BenchmarkFileReader reads 10,000 lines with one reader, into a struct and into map[string]any: the cost of
// a record of a bounded file, without a job around it.
func BenchmarkFileReader(b *testing.B) {
	dir := b.TempDir()
	var c, j strings.Builder
	c.WriteString("id,symbol,price,quantity,buy\n")
	for i := range 10000 {
		fmt.Fprintf(&c, "%d,ACME,%g,%d,true\n", i, float64(i)/8, i%100)
		fmt.Fprintf(&j, "{\"id\":%d,\"symbol\":\"ACME\",\"price\":%g,\"qty\":%d,\"buy\":true}\n", i, float64(i)/8, i%100)
	}
	os.WriteFile(filepath.Join(dir, "t.csv"), []byte(c.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "t.ndjson"), []byte(j.String()), 0o644)
	for _, format := range []FileFormat{CSV, NDJSON} {
		for _, proto := range []any{Trade{}, nil} {
			name := fmt.Sprintf("%v/%T", format, proto)
			b.Run(name, func(b *testing.B) {
				src := FileSource{Paths: []string{filepath.Join(dir, "t."+format.String())}, Format: format, Prototype: proto}
				for b.Loop() {
					r, err := src.Reader(engine.SourceContext{Parallelism: 1})
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for {
						if _, err := r.Read(); err != nil {
							if err != engine.ErrEndOfInput {
								b.Fatal(err)
							}
							break
						}
						n++
					}
					r.Close()
					if n != 10000 {
						b.Fatalf("read %d records", n)
					}
				}
				b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}
