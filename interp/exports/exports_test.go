package exports_test

import (
	"bytes"
	"testing"

	"github.com/de4e/weir/interp/exports"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// TestInterpretedJob proves that interpreted code drives an engine job end to end: a struct type declared in
// the interpreter, a field-named timestamp assigner, keyBy with an interpreted key selector, an event-time
// tumbling window (Flink: results stamped per window [start, end)) and Collect.
func TestInterpretedJob(t *testing.T) {
	var out bytes.Buffer
	i := interp.New(interp.Options{Stdout: &out})
	i.Use(stdlib.Symbols)
	i.Use(exports.Symbols)
	_, err := i.Eval(`
import (
	"fmt"
	"time"
	"github.com/de4e/weir/engine"
)
type Click struct {
	Page string
	At   int64
}
`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = i.Eval(`
env := engine.NewEnvironment(engine.Config{Parallelism: 2})
clicks := env.FromElements(Click{"home", 1000}, Click{"cart", 2000}, Click{"home", 9000}, Click{"home", 12000})
strategy := engine.ForBoundedOutOfOrderness(5 * time.Second).WithTimestampField("At")
counts := clicks.AssignTimestampsAndWatermarks(strategy).
	KeyBy(func(v any) any { return v.(Click).Page }).
	Window(engine.TumblingEventTimeWindows(10 * time.Second)).
	Aggregate(engine.Count(), engine.WithKeyAndWindow).
	Collect()
if _, err := env.Execute("clicks"); err != nil {
	panic(err)
}
fmt.Println(counts.Strings())
`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "[{cart 0 10000 1} {home 0 10000 2} {home 10000 20000 1}]\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
