package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
)

// The cost of interpreting: the same jobs with user functions compiled into weir and written in a notebook
// cell (interpreted by yaegi per record).

// interpSource is the cell that defines the interpreted versions of mapA, filterB, mapC, keyOf and modKey.
const interpSource = `
type Ev struct {
	Key int64
	TS  int64
}

func mapA(v any) any     { return v.(int64)*3 + 1 }
func filterB(v any) bool { return v.(int64)%7 != 0 }
func mapC(v any) any     { return v.(int64) + 2 }
func keyOf(v any) any    { return v.(Ev).Key }
func modKey(v any) any   { return v.(int64) % 1000 }
func genEv(i int64) engine.SourceElement {
	ts := i / 100
	return engine.SourceElement{Value: Ev{Key: (i * 7919) % 1000, TS: ts}, Timestamp: ts}
}
`

// cellKernel returns a fresh kernel that has run interpSource.
func cellKernel() (*interp.Kernel, error) {
	k := interp.New(interp.Options{})
	ex := k.Run(context.Background(), interp.Cell{ID: "bench", Source: interpSource})
	return k, ex.Err()
}

// interpreted returns the cell's functions, from a fresh kernel.
func interpreted() (a, c func(any) any, b func(any) bool, key func(any) any, gen func(int64) engine.SourceElement, err error) {
	k, err := cellKernel()
	if err != nil {
		return
	}
	get := func(name string) any {
		v, lerr := k.Lookup(name)
		if lerr != nil && err == nil {
			err = lerr
		}
		return v
	}
	a, _ = get("mapA").(func(any) any)
	b, _ = get("filterB").(func(any) bool)
	c, _ = get("mapC").(func(any) any)
	key, _ = get("keyOf").(func(any) any)
	gen, _ = get("genEv").(func(int64) engine.SourceElement)
	if err == nil && (a == nil || b == nil || c == nil || key == nil || gen == nil) {
		err = fmt.Errorf("the cell's functions do not have the expected types")
	}
	return
}

// modKey is the compiled twin of the cell's modKey: the natural key selector of int64 events.
func modKey(v any) any { return v.(int64) % 1000 }

// genInt64 generates int64 events (1,000 keys under modKey) at 100 per millisecond of event time, compiled:
// a cell's job reading a compiled source.
func genInt64(i int64) engine.SourceElement {
	return engine.SourceElement{Value: i * 7919, Timestamp: i / 100}
}

func init() {
	Register(Case{Name: "interp-map/compiled", About: "source -> map -> filter -> map -> sink, functions compiled, parallelism 2",
		Run: func(n int64) (int64, error) { return n, mapChain(n, mapA, filterB, mapC) }})
	Register(Case{Name: "interp-map/interpreted", Baseline: "interp-map/compiled", Scale: 0.1,
		About: "the same job with the three functions written in a notebook cell (yaegi)",
		Run: func(n int64) (int64, error) {
			a, c, b, _, _, err := interpreted()
			if err != nil {
				return 0, err
			}
			return n, mapChain(n, a, b, c)
		}})
	Register(Case{Name: "interp-keyed/compiled", About: "keyBy(func) -> 1 s event-time tumbling count, 1000 keys, compiled key selector",
		Run: func(n int64) (int64, error) { return n, keyedCount(n, keyOf, genEvent(1000)) }})
	Register(Case{Name: "interp-keyed/field", Baseline: "interp-keyed/compiled", Scale: 0.25,
		About: "the same job over a cell's struct type, keyed with the compiled KeyByField helper",
		Run: func(n int64) (int64, error) {
			_, _, _, _, gen, err := interpreted()
			if err != nil {
				return 0, err
			}
			return n, keyedCount(n, engine.KeyByField("Key"), gen)
		}})
	Register(Case{Name: "interp-keyed/interpreted", Baseline: "interp-keyed/compiled", Scale: 0.1,
		About: "the same job with the key selector and the generator written in a notebook cell",
		Run: func(n int64) (int64, error) {
			_, _, _, key, gen, err := interpreted()
			if err != nil {
				return 0, err
			}
			return n, keyedCount(n, key, gen)
		}})
	Register(Case{Name: "interp-modkey/compiled", About: "int64 events from a compiled source, keyBy(v % 1000) -> 1 s event-time tumbling count, compiled key selector",
		Run: func(n int64) (int64, error) { return n, keyedCount(n, modKey, genInt64) }})
	Register(Case{Name: "interp-modkey/interpreted", Baseline: "interp-modkey/compiled", Scale: 0.25,
		About: "the same job with the key selector func(v any) any { return v.(int64) % 1000 } written in a cell",
		Run: func(n int64) (int64, error) {
			k, err := cellKernel()
			if err != nil {
				return 0, err
			}
			v, err := k.Lookup("modKey")
			if err != nil {
				return 0, err
			}
			key, ok := v.(func(any) any)
			if !ok {
				return 0, fmt.Errorf("the cell's modKey is a %T, not a func(any) any", v)
			}
			return n, keyedCount(n, key, genInt64)
		}})
}

func mapChain(n int64, a func(any) any, b func(any) bool, c func(any) any) error {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		return engine.SourceElement{Value: i, Timestamp: engine.NoTimestamp}
	}}, nil, "numbers").
		Map(a).Filter(b).Map(c).
		SinkTo("discard", discard)
	_, err := env.Execute("map chain")
	return err
}

func keyedCount(n int64, key func(any) any, gen func(int64) engine.SourceElement) error {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	s := engine.ForBoundedOutOfOrderness(0)
	env.FromSource(engine.GeneratorSource{Count: n, Gen: gen}, &s, "events").
		KeyBy(key).
		Window(engine.TumblingEventTimeWindows(time.Second)).
		Aggregate(engine.Count()).
		SinkTo("discard", discard)
	_, err := env.Execute("keyed count")
	return err
}
