package ml_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// stringIndexerTrain and stringIndexerPredict are Flink ML's StringIndexerTest data.
func stringIndexerTrain() []ml.Row {
	d := [][2]any{{"a", 1.0}, {"b", 1.0}, {"b", 2.0}, {"c", 0.0}, {"d", 2.0}, {"a", 2.0}, {"b", 2.0}, {"b", -1.0},
		{"a", -1.0}, {"c", -1.0}, {"d", nil}, {nil, 2.0}, {nil, nil}}
	rows := make([]ml.Row, len(d))
	for i, r := range d {
		rows[i] = ml.NewRow("inputCol1", r[0], "inputCol2", r[1])
	}
	return rows
}

func stringIndexerPredict() []ml.Row {
	d := [][2]any{{"a", 2.0}, {"b", 1.0}, {"e", 2.0}, {"f", nil}, {nil, nil}}
	rows := make([]ml.Row, len(d))
	for i, r := range d {
		rows[i] = ml.NewRow("inputCol1", r[0], "inputCol2", r[1])
	}
	return rows
}

func indexed(t *testing.T, rows []ml.Row) string {
	t.Helper()
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r.Get("outputCol1"), r.Get("outputCol2")))
	}
	return strings.Join(out, "; ")
}

// Flink ML: StringIndexerTest#testParam, #testOutputSchema, #testStringOrderType (keep) and
// #testMaxIndexNum, with their expected indices.
func TestStringIndexer(t *testing.T) {
	s := ml.NewStringIndexer()
	if s.GetStringOrderType() != "arbitrary" || s.GetHandleInvalid() != "error" || s.GetMaxIndexNum() != 2147483647 {
		t.Fatalf("defaults %v", s.GetParams())
	}
	env := batchEnv(2)
	train, predict := ml.FromRows(env, stringIndexerTrain()), ml.FromRows(env, stringIndexerPredict())
	for _, c := range []struct {
		order, want string
	}{
		{"alphabetAsc", "0 3; 1 2; 4 3; 4 4; 4 4"},
		{"alphabetDesc", "3 0; 2 1; 4 0; 4 4; 4 4"},
		{"frequencyAsc", "2 3; 3 1; 4 3; 4 4; 4 4"},
		{"frequencyDesc", "1 0; 0 2; 4 0; 4 4; 4 4"},
	} {
		m, err := ml.NewStringIndexer().SetInputCols("inputCol1", "inputCol2").SetOutputCols("outputCol1", "outputCol2").
			SetHandleInvalid("keep").SetStringOrderType(c.order).Fit(train)
		if err != nil {
			t.Fatal(err)
		}
		rows := transformRows(t, m, predict)
		if got := indexed(t, rows); got != c.want {
			t.Errorf("%s: %s, want %s", c.order, got, c.want)
		}
		if got := strings.Join(rows[0].Names, ","); got != "inputCol1,inputCol2,outputCol1,outputCol2" {
			t.Errorf("columns %s", got)
		}
	}
	m, err := ml.NewStringIndexer().SetInputCols("inputCol1", "inputCol2").SetOutputCols("outputCol1", "outputCol2").
		SetHandleInvalid("keep").SetStringOrderType("frequencyDesc").SetMaxIndexNum(3).Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	if got := indexed(t, transformRows(t, m, predict)); got != "1 0; 0 2; 2 0; 2 2; 2 2" {
		t.Errorf("maxIndexNum 3: %s", got)
	}
	_, err = ml.NewStringIndexer().SetInputCols("inputCol1").SetOutputCols("o").SetMaxIndexNum(3).Fit(train)
	if !errors.Is(err, ml.ErrParam) || !strings.Contains(err.Error(), "only works when stringOrderType is set as frequencyDesc") {
		t.Errorf("maxIndexNum with arbitrary order: %v", err)
	}
	// skip drops rows with unseen values; error fails on them.
	m, err = ml.NewStringIndexer().SetInputCols("inputCol1", "inputCol2").SetOutputCols("outputCol1", "outputCol2").
		SetHandleInvalid("skip").SetStringOrderType("alphabetAsc").Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	if got := indexed(t, transformRows(t, m, predict)); got != "0 3; 1 2" {
		t.Errorf("skip: %s", got)
	}
	m.GetParams().Set(ml.HandleInvalid, "error")
	if _, err := m.Transform(predict); err == nil || !strings.Contains(err.Error(), "unseen") {
		t.Errorf("error: %v", err)
	}
}

// Flink ML: OneHotEncoderTest#testParam, #testFitAndPredict, #testDropLast, #testInputDataType, and
// save/load.
func TestOneHotEncoder(t *testing.T) {
	e := ml.NewOneHotEncoder()
	if !e.GetDropLast() {
		t.Fatal("dropLast default")
	}
	env := batchEnv(2)
	for _, c := range []struct {
		dropLast bool
		ints     bool
		want     string
	}{
		{true, false, "(2, [0], [1.0]) (2, [1], [1.0]) (2, [], [])"},
		{true, true, "(2, [0], [1.0]) (2, [1], [1.0]) (2, [], [])"},
		{false, false, "(3, [0], [1.0]) (3, [1], [1.0]) (3, [2], [1.0])"},
	} {
		var train, predict []ml.Row
		for _, v := range []int{0, 1, 2, 0} {
			var x any = float64(v)
			if c.ints {
				x = v
			}
			train = append(train, ml.NewRow("input", x))
			if len(predict) < 3 {
				predict = append(predict, ml.NewRow("input", x))
			}
		}
		m, err := ml.NewOneHotEncoder().SetInputCols("input").SetOutputCols("output").SetDropLast(c.dropLast).Fit(ml.FromRows(env, train))
		if err != nil {
			t.Fatal(err)
		}
		lm, err := ml.Load(env, saveTo(t, m))
		if err != nil {
			t.Fatal(err)
		}
		for name, model := range map[string]ml.Model{"fitted": m, "loaded": lm.(ml.Model)} {
			var got []string
			for _, r := range transformRows(t, model, ml.FromRows(env, predict)) {
				got = append(got, r.Get("output").(ml.Vector).String())
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("%s dropLast %v ints %v: %v, want %s", name, c.dropLast, c.ints, got, c.want)
			}
		}
	}
	_, err := ml.NewOneHotEncoder().SetInputCols("input").SetOutputCols("output").Fit(ml.FromRows(env, []ml.Row{ml.NewRow("input", 1.5)}))
	if err == nil || !strings.Contains(err.Error(), "cannot be parsed as indexed integer") {
		t.Errorf("1.5: %v", err)
	}
}
