package engine

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkBlockingPartitionFile writes and reads back a file of word-count records ("word", key "word"), in
// buffers of 256 records: go test -run '^$' -bench BlockingPartitionFile ./engine
func BenchmarkBlockingPartitionFile(b *testing.B) {
	buf := make([]record, 256)
	for i := range buf {
		w := fmt.Sprintf("w%d", i%50)
		buf[i] = record{v: w, key: w, kg: int32(i % 128), noTs: true}
	}
	dir := b.TempDir()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		path := filepath.Join(dir, "p.part")
		w, err := newFrameWriter(path)
		if err != nil {
			b.Fatal(err)
		}
		for range 40 {
			if err := w.write(message{kind: msgRecords, recs: buf}); err != nil {
				b.Fatal(err)
			}
		}
		w.write(message{kind: msgEnd})
		w.close()
		read := 0
		if err := (&subpartition{path: path}).read(func(m message) bool { read += len(m.recs); return true }); err != nil || read != 40*256 {
			b.Fatal(err, read)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*40*256), "ns/record")
}
