package sources

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the bundled recordings and answers under recordings/")

// The bundled recordings are exactly what their generator, seed and knobs make, and their stored answers are
// what ComputeAnswers derives: a change to a generator shows up here. Rewrite with: go test ./sources -update
func TestBundledRecordingsRegenerateIdentically(t *testing.T) {
	for _, b := range Recordings() {
		if *update {
			if err := WriteBundled(b, "recordings"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		dir := t.TempDir()
		if err := WriteBundled(b, dir); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{b.Name + ".ndjson", b.Name + ".answers.json"} {
			want, err := recordingFiles.ReadFile("recordings/" + f)
			if err != nil {
				t.Fatalf("%s: %v (run go test ./sources -update)", f, err)
			}
			got, _ := os.ReadFile(filepath.Join(dir, f))
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what %s seed %d makes (run go test ./sources -update if the change is deliberate)", f, b.Generator, b.Seed)
			}
			if len(want) > 1<<20 {
				t.Errorf("%s is %d bytes; keep bundled recordings under 1 MiB", f, len(want))
			}
		}
	}
}
