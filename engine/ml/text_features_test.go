package ml_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// Flink ML: TokenizerTest#testParam, #testOutputSchema, #testTransform and #testSaveLoadAndTransform, and
// Java's split("\\s") on empty, leading and repeated whitespace.
func TestTokenizer(t *testing.T) {
	tok := ml.NewTokenizer()
	if tok.GetInputCol() != "input" || tok.GetOutputCol() != "output" {
		t.Fatalf("defaults %v", tok.GetParams())
	}
	tok.SetInputCol("testInputCol").SetOutputCol("testOutputCol")
	if tok.GetInputCol() != "testInputCol" || tok.GetOutputCol() != "testOutputCol" {
		t.Fatalf("set %v", tok.GetParams())
	}
	env := batchEnv(2)
	in := ml.FromRows(env, []ml.Row{ml.NewRow("input", "Test for tokenization."), ml.NewRow("input", "Te,st. punct")})
	loaded, err := ml.Load(env, saveTo(t, ml.NewTokenizer()))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []ml.AlgoOperator{ml.NewTokenizer(), loaded.(ml.AlgoOperator)} {
		out, err := s.Transform(in)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := out[0].Rows()
		if got := fmt.Sprintf("%q %q", rows[0].Get("output"), rows[1].Get("output")); got != `["test" "for" "tokenization."] ["te,st." "punct"]` {
			t.Errorf("tokens %s", got)
		}
	}
	out, err := ml.NewTokenizer().Transform(ml.FromRows(env, []ml.Row{
		ml.NewRow("input", "", "dummyInput", ""), ml.NewRow("input", " A  b\tC \n", "dummyInput", "")}))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := out[0].Rows()
	if fmt.Sprint(rows[0].Names) != "[input dummyInput output]" {
		t.Errorf("columns %v", rows[0].Names)
	}
	if got := fmt.Sprintf("%q %q", rows[0].Get("output"), rows[1].Get("output")); got != `[""] ["" "a" "" "b" "c"]` {
		t.Errorf("Java's split: %s", got)
	}
}

func sparseString(v any) string {
	s := v.(*ml.SparseVector)
	return fmt.Sprint(s.N, s.Indices, s.Values)
}

// Flink ML: HashingTFTest#testParam, #testOutputSchema, #testTransform, #testTransformArrayData and
// #testSaveLoadAndTransform: Flink ML's expected indices are Guava's murmur3_32 hashes.
func TestHashingTF(t *testing.T) {
	h := ml.NewHashingTF()
	if h.GetInputCol() != "input" || h.GetBinary() || h.GetNumFeatures() != 262144 || h.GetOutputCol() != "output" {
		t.Fatalf("defaults %v", h.GetParams())
	}
	h.SetInputCol("testInputCol").SetBinary(true).SetNumFeatures(1024).SetOutputCol("testOutputCol")
	if h.GetInputCol() != "testInputCol" || !h.GetBinary() || h.GetNumFeatures() != 1024 || h.GetOutputCol() != "testOutputCol" {
		t.Fatalf("set %v", h.GetParams())
	}
	env := batchEnv(4)
	docs := [][]string{{"HashingTFTest", "Hashing", "Term", "Frequency", "Test"}, {"HashingTFTest", "Hashing", "Hashing", "Test", "Test"}}
	asStrings := ml.FromRows(env, []ml.Row{ml.NewRow("input", docs[0]), ml.NewRow("input", docs[1])})
	anys := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, s := range ss {
			out[i] = s
		}
		return out
	}
	asAny := ml.FromRows(env, []ml.Row{ml.NewRow("input", anys(docs[0])), ml.NewRow("input", anys(docs[1]))})
	want := []string{"262144 [67564 89917 113827 131486 228971] [1 1 1 1 1]", "262144 [67564 131486 228971] [1 2 2]"}
	wantBinary := []string{want[0], "262144 [67564 131486 228971] [1 1 1]"}
	loaded, err := ml.Load(env, saveTo(t, ml.NewHashingTF()))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    ml.AlgoOperator
		in   *ml.Table
		want []string
	}{{ml.NewHashingTF(), asStrings, want}, {ml.NewHashingTF(), asAny, want}, {ml.NewHashingTF().SetBinary(true), asStrings, wantBinary},
		{loaded.(ml.AlgoOperator), asStrings, want}} {
		out, err := c.s.Transform(c.in)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := out[0].Rows()
		for i, r := range rows {
			if got := sparseString(r.Get("output")); got != c.want[i] {
				t.Errorf("row %d: %s, want %s", i, got, c.want[i])
			}
		}
	}
	out, err := ml.NewHashingTF().Transform(ml.FromRows(env, []ml.Row{ml.NewRow("input", []string{""}, "dummyInput", []string{""})}))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := out[0].Rows()
	if fmt.Sprint(rows[0].Names) != "[input dummyInput output]" {
		t.Errorf("columns %v", rows[0].Names)
	}
	if _, err := ml.NewHashingTF().Transform(ml.FromRows(env, []ml.Row{ml.NewRow("input", []any{struct{}{}})})); !errors.Is(err, ml.ErrColumnType) {
		t.Errorf("unsupported term: %v", err)
	}
}

func idfOutputs(t *testing.T, m ml.Model, in *ml.Table) []string {
	t.Helper()
	rows := transformRows(t, m, in)
	var out []string
	for _, r := range rows {
		v, _ := r.Vector("output")
		var parts []string
		for _, x := range v.ToArray() {
			parts = append(parts, fmt.Sprintf("%.7f", x))
		}
		out = append(out, strings.Join(parts, " "))
	}
	sort.Strings(out)
	return out
}

// Flink ML: IDFTest#testParam, #testFitAndPredict, #testSaveLoadAndPredict, #testGetModelData,
// #testSetModelData and #testFitOnEmptyData (within Flink's 1e-7, as 7 decimals).
func TestIDF(t *testing.T) {
	f := ml.NewIDF()
	if f.GetInputCol() != "input" || f.GetMinDocFreq() != 0 || f.GetOutputCol() != "output" {
		t.Fatalf("defaults %v", f.GetParams())
	}
	f.SetInputCol("test_input").SetMinDocFreq(2).SetOutputCol("test_output")
	if f.GetInputCol() != "test_input" || f.GetMinDocFreq() != 2 || f.GetOutputCol() != "test_output" {
		t.Fatalf("set %v", f.GetParams())
	}
	for _, p := range []int{1, 4} {
		env := batchEnv(p)
		in := ml.FromRows(env, []ml.Row{ml.NewRow("input", ml.Dense(0, 1, 0, 2)), ml.NewRow("input", ml.Dense(0, 1, 2, 3)),
			ml.NewRow("input", ml.Dense(0, 1, 0, 0))})
		want := []string{"0.0000000 0.0000000 0.0000000 0.0000000", "0.0000000 0.0000000 0.0000000 0.5753641", "0.0000000 0.0000000 1.3862944 0.8630462"}
		want2 := []string{"0.0000000 0.0000000 0.0000000 0.0000000", "0.0000000 0.0000000 0.0000000 0.5753641", "0.0000000 0.0000000 0.0000000 0.8630462"}
		m, err := ml.NewIDF().Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := idfOutputs(t, m, in); !equalStrings(got, want) {
			t.Errorf("p=%d: %v, want %v", p, got, want)
		}
		m2, err := ml.NewIDF().SetMinDocFreq(2).Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := idfOutputs(t, m2, in); !equalStrings(got, want2) {
			t.Errorf("p=%d minDocFreq 2: %v, want %v", p, got, want2)
		}
		md, _ := m.GetModelData()[0].Rows()
		idf, _ := md[0].Vector("idf")
		if fmt.Sprint(md[0].Names) != "[idf docFreq numDocs]" || md[0].Get("numDocs") != int64(3) ||
			fmt.Sprint(md[0].Get("docFreq")) != "[0 3 1 2]" || !near(idf.ToArray(), []float64{1.3862943, 0, 0.6931471, 0.2876820}, 1e-7) {
			t.Errorf("model data %v", md[0])
		}
		loaded, err := ml.Load(env, saveTo(t, m))
		if err != nil {
			t.Fatal(err)
		}
		b := ml.NewIDFModel()
		b.GetParams().UpdateExisting(m.GetParams())
		if err := b.SetModelData(m.GetModelData()...); err != nil {
			t.Fatal(err)
		}
		for _, o := range []ml.Model{loaded.(ml.Model), b} {
			if got := idfOutputs(t, o, in); !equalStrings(got, want) {
				t.Errorf("p=%d reloaded: %v, want %v", p, got, want)
			}
		}
		if _, err := ml.NewIDF().Fit(ml.FromRows(env, nil)); err == nil || !strings.Contains(err.Error(), "The training set is empty.") {
			t.Errorf("empty: %v", err)
		}
	}
	// Sparse stays sparse (HashingTF's output).
	env := batchEnv(2)
	in := ml.FromRows(env, []ml.Row{ml.NewRow("input", ml.Sparse(4, []int{1, 3}, []float64{1, 2})), ml.NewRow("input", ml.Sparse(4, []int{1}, []float64{1}))})
	m, err := ml.NewIDF().Fit(in)
	if err != nil {
		t.Fatal(err)
	}
	rows := transformRows(t, m, in)
	if got := sparseString(rows[0].Get("output")); got != fmt.Sprint(4, []int{1, 3}, []float64{0, 2 * 0.4054651081081644}) {
		t.Errorf("sparse idf %s", got)
	}
}
