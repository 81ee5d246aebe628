package interp

import (
	"slices"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

type wordCount struct {
	Word  string
	Count int
}

// lessonOneWordCount runs lesson 1's word count (tutorials/en/01-batch-and-stream.md, cell "stream") in a
// runtime mode and returns its result.
func lessonOneWordCount(t *testing.T, mode engine.RuntimeMode) *Result {
	t.Helper()
	words, err := sources.FindRecording("words")
	if err != nil {
		t.Fatal(err)
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: mode})
	counts := env.FromSource(words.Replay(nil), nil, "words.txt").
		FlatMap(func(v any, out engine.Collector) {
			for _, w := range strings.Fields(v.(sources.Event).String("text")) {
				out.Collect(wordCount{Word: w, Count: 1})
			}
		}).
		KeyByField("Word").
		Sum("Count").
		Collect()
	job, err := env.Execute("word count")
	if err != nil {
		t.Fatal(err)
	}
	if job.RuntimeMode() != mode && mode != engine.Automatic {
		t.Fatalf("ran in %v, asked for %v", job.RuntimeMode(), mode)
	}
	return &Result{Name: "Sum", Collected: counts}
}

// Flink (Execution Mode: rolling aggregations emit an update per record in STREAMING and only the final
// result in BATCH): the changelog of lesson 1's word count has -U/+U pairs for the words seen twice in
// Streaming mode and only +I rows, the final table, in Batch and in Automatic mode (a replay is bounded).
func TestWordCountChangelogByRuntimeMode(t *testing.T) {
	stream := lessonOneWordCount(t, engine.Streaming).Render(ModeChangelog, "")
	if n := strings.Count(stream, "-U"); n != 3 {
		t.Fatalf("streaming changelog has %d -U rows, want 3 (스터디, 가짜연구소, 모임 twice):\n%s", n, stream)
	}
	// The rows of the batch changelog, sorted: subtasks deliver their keys in no defined order.
	want := []string{"+I  DE4E            1", "+I  가짜연구소      2", "+I  데엔            1", "+I  데이터사이언스  1",
		"+I  머신러닝        1", "+I  모임            2", "+I  스터디          2", "+I  중심            1"}
	streamTable := lessonOneWordCount(t, engine.Streaming).Render(ModeTable, "")
	for _, mode := range []engine.RuntimeMode{engine.Batch, engine.Automatic} {
		r := lessonOneWordCount(t, mode)
		lines := strings.Split(strings.TrimSpace(r.Render(ModeChangelog, "")), "\n")
		if lines[0] != "op  Word            Count" {
			t.Fatalf("%v changelog header %q", mode, lines[0])
		}
		rows := lines[1:]
		slices.Sort(rows)
		if !slices.Equal(rows, want) {
			t.Fatalf("%v changelog rows\n got %q\nwant %q", mode, rows, want)
		}
		if table := r.Render(ModeTable, ""); table != streamTable {
			t.Fatalf("%v final table differs from streaming's:\n%s\nvs\n%s", mode, table, streamTable)
		}
	}
}
