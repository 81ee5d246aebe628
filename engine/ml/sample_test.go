package ml_test

import (
	"fmt"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// Sample draws what Flink ML's DataStreamUtils.sample draws: the expected indices were computed with a
// separate Python implementation of java.util.Random and the two-round SamplingOperator (20 rows, 4
// samples, seed 7; row i on subtask i mod p). At parallelism 1 that is Flink ML's own result; the book's six
// points with k=2 and seed 1 give points 3 and 1, which is why ExampleKMeans numbers the right-hand
// cluster 0.
func TestSample(t *testing.T) {
	var rows []ml.Row
	for i := 0; i < 20; i++ {
		rows = append(rows, ml.NewRow("i", i))
	}
	for p, want := range map[int]string{1: "[14 8 19 3]", 2: "[7 15 17 6]", 3: "[10 2 13 9]"} {
		got, err := ml.Sample(ml.FromRows(batchEnv(p), rows), 4, 7)
		if err != nil {
			t.Fatal(err)
		}
		var ids []any
		for _, r := range got {
			ids = append(ids, r.Get("i"))
		}
		if fmt.Sprint(ids) != want {
			t.Errorf("p=%d: %v, want %s", p, ids, want)
		}
	}
	got, err := ml.Sample(ml.FromRows(batchEnv(1), rows[:6]), 2, 1)
	if err != nil || fmt.Sprint(got[0].Get("i"), got[1].Get("i")) != "3 1" {
		t.Errorf("book: %v %v", got, err)
	}
	got, err = ml.Sample(ml.FromRows(batchEnv(2), rows[:3]), 5, 1)
	if err != nil || len(got) != 3 {
		t.Errorf("fewer rows than samples: %v %v", got, err)
	}
}
