package sources_test

import (
	"fmt"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// The rolling aggregations replace a payload entry of a recorded event (Flink's sum on a POJO field), and
// leave the events they read unchanged.
func TestRollingSumOverRecordedEventFields(t *testing.T) {
	evs := []sources.Event{
		{Time: 1, Key: "a", Kind: "spend", Payload: map[string]any{"account": 1.0, "amount": 10.0}},
		{Time: 2, Key: "b", Kind: "spend", Payload: map[string]any{"account": 2.0, "amount": 5.0}},
		{Time: 3, Key: "a", Kind: "spend", Payload: map[string]any{"account": 1.0, "amount": 7.0}},
	}
	var in engine.SliceSource
	for _, e := range evs {
		in = append(in, engine.SourceElement{Value: e, Timestamp: e.Time})
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 1})
	out := env.FromSource(in, nil, "spend").KeyByField("account").Sum("amount").Collect()
	if _, err := env.Execute("sum of a payload field"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range out.Values() {
		e := v.(sources.Event)
		got = append(got, fmt.Sprintf("%s:%v", e.Key, e.Float("amount")))
	}
	if want := "[a:10 b:5 a:17]"; fmt.Sprint(got) != want {
		t.Errorf("sums %v, want %s", got, want)
	}
	if evs[0].Payload["amount"] != 10.0 {
		t.Errorf("the input event was changed: %v", evs[0].Payload)
	}
}

func TestEventWithField(t *testing.T) {
	e := sources.Event{Time: 5, Key: "k", Payload: map[string]any{"x": 1.0}}
	for _, c := range []struct {
		name string
		v    any
		ok   bool
		want string
	}{
		{"x", 2.0, true, "{0 5 k  map[x:2]}"},
		{"time", int64(9), true, "{0 9 k  map[x:1]}"},
		{"Key", "z", true, "{0 5 z  map[x:1]}"},
		{"time", "soon", false, ""},
		{"missing", 1.0, false, ""},
	} {
		got, ok := e.WithField(c.name, c.v)
		if ok != c.ok || (ok && fmt.Sprint(got) != c.want) {
			t.Errorf("WithField(%q, %v) = %v, %v; want %s, %v", c.name, c.v, got, ok, c.want, c.ok)
		}
	}
	if e.Payload["x"] != 1.0 {
		t.Errorf("WithField changed its receiver's payload: %v", e.Payload)
	}
}
