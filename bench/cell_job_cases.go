package bench

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/sources"
)

// A tutorial job written in a notebook cell three ways, against the same job compiled: lesson 5's hourly
// tips per driver (KeyBy the driver, one-hour tumbling event-time windows, the built-in SumOf("tip")), with
// lesson 2's kind of filter in front (fares that carry a tip), over the taxi-fares generator's fares read
// from a compiled source. The cell builds the middle of the job (filter, key); the harness adds the source
// and the sink, so every case runs the same graph shape.

// cellJobSource is the cell: one function per way of writing the job.
const cellJobSource = `
func perRecord(s *engine.DataStream) *engine.DataStream {
	return s.Filter(func(v any) bool { return v.(sources.Event).Float("tip") > 0 }).
		KeyBy(func(v any) any { return v.(sources.Event).Int("driverId") }).
		Window(engine.TumblingEventTimeWindows(time.Hour)).
		Aggregate(engine.SumOf("tip"))
}

func declarative(s *engine.DataStream) *engine.DataStream {
	return s.Filter(engine.FieldGreater("tip", 0)).
		KeyByField("driverId").
		Window(engine.TumblingEventTimeWindows(time.Hour)).
		Aggregate(engine.SumOf("tip"))
}

func batch(s *engine.DataStream) *engine.DataStream {
	return s.FilterBatch(func(in []any) []bool {
		keep := make([]bool, len(in))
		for i, v := range in {
			keep[i] = v.(sources.Event).Float("tip") > 0
		}
		return keep
	}).
		KeyByField("driverId").
		Window(engine.TumblingEventTimeWindows(time.Hour)).
		Aggregate(engine.SumOf("tip"))
}
`

// compiledTips is the compiled twin of the cell's perRecord.
func compiledTips(s *engine.DataStream) *engine.DataStream {
	return s.Filter(func(v any) bool { return v.(sources.Event).Float("tip") > 0 }).
		KeyBy(func(v any) any { return v.(sources.Event).Int("driverId") }).
		Window(engine.TumblingEventTimeWindows(time.Hour)).
		Aggregate(engine.SumOf("tip"))
}

// The fares the source cycles over: 10,000 of the taxi-fares generator's (seed 11, the bundled recording's),
// each cycle shifted by the span of one cycle so that event time keeps moving forward.
var (
	faresOnce sync.Once
	fares     []sources.Event
	faresSpan int64
	faresErr  error
)

func loadFares() error {
	faresOnce.Do(func() {
		for _, g := range sources.Generators() {
			if g.Name != "taxi-fares" {
				continue
			}
			for _, l := range g.Generate(11, 10_000, sources.Knobs{}) {
				if l.Event != nil {
					fares = append(fares, *l.Event)
				}
			}
		}
		if len(fares) == 0 {
			faresErr = fmt.Errorf("the taxi-fares generator produced no fares")
			return
		}
		faresSpan = fares[len(fares)-1].Time - fares[0].Time + 1
	})
	return faresErr
}

// fareAt is the source's i-th event.
func fareAt(i int64) sources.Event {
	e := fares[i%int64(len(fares))]
	e.Time += (i / int64(len(fares))) * faresSpan
	return e
}

// tipsResult is what a case's sink saw: the number of window results and the sum of their values.
type tipsResult struct {
	mu      sync.Mutex
	windows int64
	sum     float64
}

var tipsResults sync.Map // case name -> *tipsResult

// runTips runs the job with build as its middle part and records its results under name.
func runTips(name string, n int64, build func(*engine.DataStream) *engine.DataStream) error {
	if err := loadFares(); err != nil {
		return err
	}
	res := &tipsResult{}
	tipsResults.Store(name, res)
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	s := engine.ForBoundedOutOfOrderness(0)
	build(env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		e := fareAt(i)
		return engine.SourceElement{Value: e, Timestamp: e.Time}
	}}, &s, "fares")).
		SinkTo("tips", func(v any, _ int64) error {
			res.mu.Lock()
			res.windows++
			res.sum += v.(float64)
			res.mu.Unlock()
			return nil
		})
	_, err := env.Execute("hourly tips")
	return err
}

// verifyTips checks a case's results against a plain loop over the same n fares.
func verifyTips(name string, n int64) error {
	v, ok := tipsResults.Load(name)
	if !ok {
		return fmt.Errorf("%s: no results recorded", name)
	}
	got := v.(*tipsResult)
	type win struct{ driver, hour int64 }
	wins := map[win]bool{}
	sum := 0.0
	for i := range n {
		e := fareAt(i)
		if tip := e.Float("tip"); tip > 0 {
			wins[win{e.Int("driverId"), e.Time / 3_600_000}] = true
			sum += tip
		}
	}
	if got.windows != int64(len(wins)) || math.Abs(got.sum-sum) > 1e-6*math.Max(1, math.Abs(sum)) {
		return fmt.Errorf("%s: %d windows summing to %.2f, want %d summing to %.2f", name, got.windows, got.sum, len(wins), sum)
	}
	return nil
}

// cellTips returns the cell's function name, from a fresh kernel.
func cellTips(name string) (func(*engine.DataStream) *engine.DataStream, error) {
	k := interp.New(interp.Options{})
	if err := k.Run(context.Background(), interp.Cell{ID: "bench-tips", Source: cellJobSource}).Err(); err != nil {
		return nil, err
	}
	v, err := k.Lookup(name)
	if err != nil {
		return nil, err
	}
	f, ok := v.(func(*engine.DataStream) *engine.DataStream)
	if !ok {
		return nil, fmt.Errorf("the cell's %s is a %T, not a func(*engine.DataStream) *engine.DataStream", name, v)
	}
	return f, nil
}

func init() {
	const compiled = "cell-tips/compiled"
	Register(Case{Name: compiled, Setup: func(int64) error { return loadFares() },
		About:  "lesson 5's hourly tips per driver (filter tip > 0, keyBy driver, 1 h tumbling SumOf), compiled, parallelism 2",
		Run:    func(n int64) (int64, error) { return n, runTips(compiled, n, compiledTips) },
		Verify: func(n int64) error { return verifyTips(compiled, n) }})
	for _, c := range []struct{ fn, about string }{
		{"perRecord", "the same job written in a cell with per-record closures (filter and key selector interpreted)"},
		{"declarative", "the same job written in a cell with the declarative helpers FieldGreater and KeyByField"},
		{"batch", "the same job written in a cell with FilterBatch (one interpreted call per 256 fares) and KeyByField"},
	} {
		name := "cell-tips/" + c.fn
		Register(Case{Name: name, Baseline: compiled, About: c.about, Setup: func(int64) error { return loadFares() },
			Run: func(n int64) (int64, error) {
				build, err := cellTips(c.fn)
				if err != nil {
					return 0, err
				}
				return n, runTips(name, n, build)
			},
			Verify: func(n int64) error { return verifyTips(name, n) }})
	}
}
