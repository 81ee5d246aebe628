package sources

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/de4e/weir/engine"
)

// An exactly-once FileSink starting in a directory where a failed process left in-progress part files (and a
// committed one) discards the in-progress ones, as Flink's FileSink discards the in-progress files written
// after the checkpoint it restores, and keeps what was committed (engine.TransactionLister).
func TestExactlyOnceFileSinkDiscardsInProgressFilesOfAFailedProcess(t *testing.T) {
	out := t.TempDir()
	left := filepath.Join(out, ".part-000-0000000000000001-0000-000002.inprogress")
	committed := filepath.Join(out, "part-000-0000000000000001-0000-000001")
	if err := os.WriteFile(left, []byte("{\"n\":99}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(committed, []byte("{\"n\":0}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 1,
		Checkpointing: engine.CheckpointConfig{Dir: t.TempDir(), Guarantee: engine.ExactlyOnce}})
	FileSink{Path: out, ExactlyOnce: true}.Sink(env.FromElements(map[string]any{"n": 1}, map[string]any{"n": 2}))
	if _, err := env.Execute("numbers"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the in-progress file of the failed process is still there (%v)", err)
	}
	got, err := engine.ReadCommitted(out)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{`{"n":0}`, `{"n":1}`, `{"n":2}`}; !slices.Equal(got, want) {
		t.Errorf("committed %q, want %q", got, want)
	}
}
