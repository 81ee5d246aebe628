package bench

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/cep"
)

// A three-stage CEP pattern with a window over 100,000 keys, against a hand-written per-key state machine
// finding the same matches in the same run: the pattern is a, then strictly next b, then strictly next c,
// all within cepWindow of the a; a result that differs from the loop's fails the case. Each event has its
// own millisecond, so a key's events are one timestamp order whatever the reader that made them.

const (
	cepKeys   = 100_000
	cepWindow = 5 * time.Minute
	cepBase   = int64(1_700_000_000_000)
)

// cepEvent is one event of the CEP cases: a key, a kind (0 = a, 1 = b, 2 = c) and a timestamp.
type cepEvent struct {
	Key  int64
	Kind uint8
	TS   int64
}

func cepGen(i int64) cepEvent {
	h := splitmix(uint64(i) ^ 0x5eed)
	return cepEvent{Key: int64(h % cepKeys), Kind: uint8(h >> 32 % 3), TS: cepBase + i}
}

// cepDigest sums the matches (key, timestamp of a) so that two runs finding the same matches agree.
type cepDigest struct {
	count, sum atomic.Int64
}

func (d *cepDigest) add(key, ts int64) {
	d.count.Add(1)
	d.sum.Add(int64(splitmix(uint64(key)*31 + uint64(ts))))
}

func (d *cepDigest) String() string {
	return fmt.Sprintf("%d matches, digest %x", d.count.Load(), d.sum.Load())
}

// cepLoop is the hand-written state machine: per key the last two events.
func cepLoop(n int64) string {
	type last struct {
		k1, k2   uint8 // kinds of the event before the last and of the last (3: none)
		ts1, ts2 int64
	}
	keys := make(map[int64]last, cepKeys)
	var d cepDigest
	w := cepWindow.Milliseconds()
	for i := range n {
		e := cepGen(i)
		l, ok := keys[e.Key]
		if !ok {
			l = last{k1: 3, k2: 3}
		}
		if e.Kind == 2 && l.k1 == 0 && l.k2 == 1 && e.TS-l.ts1 < w {
			d.add(e.Key, l.ts1)
		}
		keys[e.Key] = last{k1: l.k2, ts1: l.ts2, k2: e.Kind, ts2: e.TS}
	}
	return d.String()
}

func cepEngine(n int64) (string, error) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	strategy := engine.ForMonotonousTimestamps()
	in := env.FromSource(engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		e := cepGen(i)
		return engine.SourceElement{Value: e, Timestamp: e.TS}
	}}, &strategy, "events")
	kind := func(k uint8) cep.Condition {
		return func(v any, _ *cep.ConditionContext) bool { return v.(cepEvent).Kind == k }
	}
	p := cep.Begin("a").Where(kind(0)).Next("b").Where(kind(1)).Next("c").Where(kind(2)).Within(cepWindow)
	var d cepDigest
	cep.CEP.Pattern(in.KeyBy(func(v any) any { return v.(cepEvent).Key }), p).
		FlatSelect(func(m map[string][]any, out engine.Collector) {
			a := m["a"][0].(cepEvent)
			d.add(a.Key, a.TS)
		}).
		SinkTo("discard", func(any, int64) error { return nil })
	_, err := env.Execute("cep three stages")
	return d.String(), err
}

func init() {
	var loopResult sync.Map // n -> digest string
	Register(Case{Name: "cep-3-stages/loop", Scale: 0.05, About: "hand-written per-key state machine: a, next b, next c within 5 min, 100K keys",
		Run: func(n int64) (int64, error) {
			loopResult.Store(n, cepLoop(n))
			return n, nil
		}})
	Register(Case{Name: "cep-3-stages/engine", Baseline: "cep-3-stages/loop", Typed: "cep-3-stages/loop", ChecksBaseline: true, Scale: 0.05,
		About: "events -> KeyBy (100K keys) -> CEP a.next(b).next(c).within(5 min), event time, parallelism 2",
		Run: func(n int64) (int64, error) {
			got, err := cepEngine(n)
			if err != nil {
				return 0, err
			}
			want, ok := loopResult.Load(n)
			if !ok {
				want = cepLoop(n)
			}
			if got != want {
				return 0, fmt.Errorf("the engine's result (%s) differs from the loop's (%s)", got, want)
			}
			return n, nil
		}})
}
