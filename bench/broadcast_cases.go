package bench

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/de4e/weir/engine"
)

// The broadcast state case: a stream of transactions filtered and enriched by per-category limit rules that
// arrive on a broadcast stream (Flink's broadcast state pattern), against a hand-written loop doing the same
// work; the case fails if the results differ. Each rule update carries the event time from which it holds, and
// a transaction is judged by the version valid at its timestamp, so the result does not depend on how the two
// streams interleave as long as every update is in place first: the transaction source waits until every
// subtask has loaded every update (the usual "bootstrap the rules, then stream" start).

const (
	bcCategories = 200
	bcUpdates    = 2_000
)

// bcTxn is a transaction of the broadcast case.
type bcTxn struct {
	ID, Category, Amount, TS int64
}

// bcRuleUpdate sets the limit of a category from event time From on.
type bcRuleUpdate struct {
	Category, From, Limit int64
}

// bcRuleVersion is one version of a category's limit in the broadcast state.
type bcRuleVersion struct {
	From, Limit int64
}

// bcEnriched is what the case emits for a transaction within its limit; Shard is the subtask that judged it,
// so that the sinks of the two subtasks sum into separate counters.
type bcEnriched struct {
	ID, Amount, Limit int64
	Shard             int
}

func bcGenTxn(i int64) bcTxn {
	h := splitmix(uint64(i) ^ 0x5bd1e995)
	return bcTxn{ID: i, Category: int64(h % bcCategories), Amount: int64(h >> 16 % 1000), TS: i / 10}
}

// bcRuleUpdatesFor returns the rule updates for a run of n transactions, their validity spread over its event
// time; the first bcCategories updates give every category a limit from time 0.
func bcRuleUpdatesFor(n int64) []bcRuleUpdate {
	out := make([]bcRuleUpdate, bcUpdates)
	for j := range int64(bcUpdates) {
		h := splitmix(uint64(j) ^ 0x9e3779b9)
		u := bcRuleUpdate{Category: j % bcCategories, Limit: 100 + int64(h>>20%900)}
		if j >= bcCategories {
			u.Category = int64(h % bcCategories)
			u.From = int64(h>>32) % max(n/10, 1)
		}
		out[j] = u
	}
	return out
}

// bcAddVersion returns vs with u's version inserted in order of From (a new slice: the state's old value is
// not changed in place).
func bcAddVersion(vs []bcRuleVersion, u bcRuleUpdate) []bcRuleVersion {
	i := sort.Search(len(vs), func(i int) bool { return vs[i].From > u.From })
	out := make([]bcRuleVersion, 0, len(vs)+1)
	out = append(append(append(out, vs[:i]...), bcRuleVersion{u.From, u.Limit}), vs[i:]...)
	return out
}

// bcJudge returns the enriched transaction if t is within the limit valid at its timestamp.
func bcJudge(vs []bcRuleVersion, t bcTxn) (bcEnriched, bool) {
	i := sort.Search(len(vs), func(i int) bool { return vs[i].From > t.TS }) - 1
	if i < 0 || t.Amount > vs[i].Limit {
		return bcEnriched{}, false
	}
	return bcEnriched{ID: t.ID, Amount: t.Amount, Limit: vs[i].Limit}, true
}

// bcDigest sums the case's results, a shard per subtask (on its own cache line, so that the subtasks do not
// slow each other down).
type bcDigest struct {
	shards [2]struct {
		n, total atomic.Int64
		_        [48]byte
	}
}

func (d *bcDigest) add(e bcEnriched) {
	s := &d.shards[e.Shard]
	s.n.Add(1)
	s.total.Add(e.Amount*3 + e.Limit + e.ID%7)
}

func (d *bcDigest) String() string {
	var n, total int64
	for i := range d.shards {
		n += d.shards[i].n.Load()
		total += d.shards[i].total.Load()
	}
	return fmt.Sprintf("%d results, sum %d", n, total)
}

func bcLoop(n int64) string {
	rules := map[int64][]bcRuleVersion{}
	for _, u := range bcRuleUpdatesFor(n) {
		rules[u.Category] = bcAddVersion(rules[u.Category], u)
	}
	var d bcDigest
	for i := range n {
		t := bcGenTxn(i)
		if e, ok := bcJudge(rules[t.Category], t); ok {
			d.add(e)
		}
	}
	return d.String()
}

// bcGatedSource is a GeneratorSource of transactions whose readers wait until ready is closed.
type bcGatedSource struct {
	gen   engine.GeneratorSource
	ready chan struct{}
}

func (s *bcGatedSource) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	r, err := s.gen.Reader(ctx)
	return &bcGatedReader{SourceReader: r, ready: s.ready}, err
}

type bcGatedReader struct {
	engine.SourceReader
	ready chan struct{}
	open  bool
}

func (r *bcGatedReader) Read() (engine.SourceElement, error) {
	if !r.open {
		select {
		case <-r.ready:
			r.open = true
		default:
			return engine.SourceElement{}, engine.ErrNoData
		}
	}
	return r.SourceReader.Read()
}

var bcLimits = engine.State("limits")

func bcEngine(n int64) (string, error) {
	const par = len(bcDigest{}.shards)
	updates := bcRuleUpdatesFor(n)
	env := engine.NewEnvironment(engine.Config{Parallelism: par})
	src := &bcGatedSource{ready: make(chan struct{}), gen: engine.GeneratorSource{Count: n,
		Gen: func(i int64) engine.SourceElement {
			t := bcGenTxn(i)
			return engine.SourceElement{Value: t, Timestamp: t.TS}
		}}}
	relems := make([]any, len(updates))
	for i, u := range updates {
		relems[i] = u
	}
	var loaded atomic.Int64
	var once sync.Once
	var d bcDigest
	env.FromSource(src, nil, "transactions").
		ConnectBroadcast(env.FromSlice(relems).BroadcastWithState(bcLimits)).
		Process(engine.BroadcastProcessFunction{
			ProcessElement: func(ctx *engine.ReadOnlyBroadcastContext, v any, out engine.Collector) {
				t := v.(bcTxn)
				vs, _ := ctx.BroadcastState(bcLimits).Get(t.Category)
				if e, ok := bcJudge(vs.([]bcRuleVersion), t); ok {
					e.Shard = ctx.Subtask()
					out.Collect(e)
				}
			},
			ProcessBroadcastElement: func(ctx *engine.BroadcastContext, v any, out engine.Collector) {
				u := v.(bcRuleUpdate)
				st := ctx.BroadcastState(bcLimits)
				old, _ := st.Get(u.Category)
				vs, _ := old.([]bcRuleVersion)
				st.Put(u.Category, bcAddVersion(vs, u))
				if loaded.Add(1) == int64(par*len(updates)) {
					once.Do(func() { close(src.ready) })
				}
			},
		}).
		SinkTo("sink", func(v any, _ int64) error { d.add(v.(bcEnriched)); return nil })
	_, err := env.Execute("broadcast rules")
	return d.String(), err
}

func init() {
	var loopResult sync.Map // n -> digest string
	Register(Case{Name: "broadcast-rules/loop", About: "hand-written loop: transactions judged by versioned per-category limits",
		Run: func(n int64) (int64, error) {
			loopResult.Store(n, bcLoop(n))
			return n, nil
		}})
	Register(Case{Name: "broadcast-rules/engine", Baseline: "broadcast-rules/loop", Typed: "broadcast-rules/loop", ChecksBaseline: true,
		About: "transactions -> BroadcastProcessFunction (2,000 limit updates on a broadcast stream) -> sink, parallelism 2",
		Run: func(n int64) (int64, error) {
			got, err := bcEngine(n)
			if err != nil {
				return 0, err
			}
			want, ok := loopResult.Load(n)
			if !ok {
				want = bcLoop(n)
			}
			if got != want {
				return 0, fmt.Errorf("the engine's result (%s) differs from the loop's (%s)", got, want)
			}
			return n, nil
		}})
}
