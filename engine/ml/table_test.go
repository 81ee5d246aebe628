package ml_test

import (
	"strings"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// A lazy table (FromDataStream) is collected by running its Environment for Fit, and a Transform of it
// only adds a map to the stream until the table is collected.
func TestLazyTable(t *testing.T) {
	env := batchEnv(2)
	var vs []any
	for _, r := range kmeansData() {
		vs = append(vs, r)
	}
	lazy := ml.FromDataStream(env, env.FromSlice(vs))
	if lazy.IsMaterialized() {
		t.Fatal("a stream's table is lazy")
	}
	m, err := ml.NewKMeans().SetMaxIter(2).Fit(lazy)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ml.FromDataStream(env, env.FromSlice(vs)))
	if err != nil {
		t.Fatal(err)
	}
	if out[0].IsMaterialized() {
		t.Fatal("the Transform of a lazy table is lazy")
	}
	rows, err := ml.Collect(out[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := groups(t, rows, "features", "prediction"); !equalStrings(got, kmeansExpectedGroups) {
		t.Errorf("groups %v", got)
	}
	// A lazy RandomSplitter: every row lands in exactly one split.
	env2 := batchEnv(2)
	var ids []any
	for i := 0; i < 100; i++ {
		ids = append(ids, ml.NewRow("id", i))
	}
	splits, err := ml.NewRandomSplitter().SetWeights(1, 3).Transform(ml.FromDataStream(env2, env2.FromSlice(ids)))
	if err != nil {
		t.Fatal(err)
	}
	a := splits[0].DataStream().Collect()
	b := splits[1].DataStream().Collect()
	if _, err := env2.Execute("split"); err != nil {
		t.Fatal(err)
	}
	if a.Len()+b.Len() != 100 || a.Len() == 0 || b.Len() == 0 {
		t.Errorf("splits of %d and %d rows", a.Len(), b.Len())
	}
	// A record that is not a Row fails the job with ErrColumnType's message.
	env3 := batchEnv(1)
	_, err = ml.Collect(ml.FromDataStream(env3, env3.FromElements(1, 2)))
	if err == nil || !strings.Contains(err.Error(), "want ml.Row") {
		t.Errorf("not rows: %v", err)
	}
}
