package graph

import (
	"math"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/de4e/weir/engine"
)

// The live view of a graph iteration. Every superstep's job of an iteration run by this package (the three
// models, and PageRank and HITS) publishes the iteration's Progress through the engine's gauge hook
// (engine.DataStream.Gauge) as the gauge ProgressGauge, on the operator that passes the superstep's updated
// vertices on; Job.Snapshot copies it into that operator's OperatorSnapshot.Gauges, where the workbench
// (tui/live) reads it. The figures are counted while the superstep runs, so a poll during a superstep sees
// its counts so far.

// ProgressGauge is the name of the gauge through which a graph iteration's superstep jobs publish its
// Progress.
const ProgressGauge = "graph"

// LiveTop is how many vertices (RankByScore) or shared values (RankByGroup) a Progress lists.
const LiveTop = 5

// Ranking says how a Progress ranks an iteration's vertices.
type Ranking uint8

const (
	// RankByScore lists the vertices of highest score (PageRank's scores, HITS's authority scores, any
	// floating-point vertex values), highest first.
	RankByScore Ranking = iota
	// RankByGroup lists the values most vertices share (connected components, labels, communities; any
	// vertex values that are not floating-point numbers), with how many vertices hold each.
	RankByGroup
)

func (r Ranking) String() string { return [...]string{"score", "group"}[r] }

// Progress is a graph iteration's progress at one moment: what each superstep did and the vertices' values
// now (those of the supersteps that have ended, and the updates of the running one so far).
type Progress struct {
	// Iteration is the iteration's name ("pagerank", "vertex-centric iteration", ...).
	Iteration string
	// Model is Gelly's iteration model: "vertex-centric", "scatter-gather", "gather-sum-apply", or "bulk"
	// for PageRank and HITS.
	Model string
	// MaxIterations is the most supersteps the iteration runs.
	MaxIterations int
	// Superstep is the superstep running, or the last one that ran when Running is false; 0 before the first.
	Superstep int
	// Running says that Superstep is still running.
	Running bool
	// Vertices is how many vertices have a value.
	Vertices int
	// Supersteps counts every superstep that has started, in order; the last one is still counting while
	// Running.
	Supersteps []SuperstepCounts
	// Ranking says which of Top and Groups is filled.
	Ranking Ranking
	// Top is, with RankByScore, the LiveTop vertices of highest score, highest first (ties in ascending id
	// order).
	Top []Vertex
	// Groups is, with RankByGroup, the LiveTop values most vertices hold, most first (ties in ascending value
	// order).
	Groups []ValueGroup
}

// SuperstepCounts is what one superstep of a graph iteration did.
type SuperstepCounts struct {
	// Superstep counts from 1.
	Superstep int
	// Active is how many vertices ran the model's function: Compute (vertex-centric), Scatter
	// (scatter-gather), Gather over their edges (gather-sum-apply), or every vertex of a bulk iteration.
	Active int64
	// Messages is how many messages were sent (vertex-centric and scatter-gather), values gathered along
	// edges (gather-sum-apply), or scores sent along edges (PageRank and HITS).
	Messages int64
	// Updated is how many vertices got a new value.
	Updated int64
}

// ValueGroup is a value and how many vertices hold it.
type ValueGroup struct {
	Value    any
	Vertices int
}

// liveTracker follows one iteration for its gauge; it is safe for concurrent use by every subtask of a
// superstep and the polling goroutine.
type liveTracker struct {
	mu      sync.Mutex
	p       Progress    // without Top and Groups
	values  map[any]any // every vertex's value now
	ranking *Ranking    // nil: chosen from the values
	score   func(any) (float64, bool)
	group   func(any) any // the value a vertex's value is grouped by; nil: the value itself
	active  atomic.Int64
	sent    atomic.Int64
	updated atomic.Int64
}

// newLiveTracker follows the iteration name of model over the vertices initial (Vertex records).
func newLiveTracker(name, model string, maxIterations int) *liveTracker {
	return &liveTracker{p: Progress{Iteration: name, Model: model, MaxIterations: maxIterations}, values: map[any]any{},
		score: floatScore}
}

// rankBy fixes the ranking (a library algorithm knows what its values are) and the score of a value.
func (t *liveTracker) rankBy(r Ranking, score func(any) (float64, bool)) *liveTracker {
	t.ranking = &r
	if score != nil {
		t.score = score
	}
	return t
}

// groupBy ranks by group, grouping the vertices by what key returns for their values (a community
// detection's label, without its score).
func (t *liveTracker) groupBy(key func(any) any) *liveTracker {
	t.rankBy(RankByGroup, nil)
	t.group = key
	return t
}

// start records the iteration's initial vertices (Vertex records).
func (t *liveTracker) start(initial []any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range initial {
		v := r.(Vertex)
		t.values[v.ID] = v.Value
	}
}

// begin records that superstep step starts.
func (t *liveTracker) begin(step int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active.Store(0)
	t.sent.Store(0)
	t.updated.Store(0)
	t.p.Superstep, t.p.Running = step, true
	t.p.Supersteps = append(t.p.Supersteps, SuperstepCounts{Superstep: step})
}

// end records that the running superstep has ended.
func (t *liveTracker) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.p.Supersteps); n > 0 {
		t.p.Supersteps[n-1] = t.counts(t.p.Supersteps[n-1].Superstep)
	}
	t.p.Running = false
}

func (t *liveTracker) counts(step int) SuperstepCounts {
	return SuperstepCounts{Superstep: step, Active: t.active.Load(), Messages: t.sent.Load(), Updated: t.updated.Load()}
}

// watch passes the superstep's updated vertices (Vertex records of s) on, recording their values, and
// registers the iteration's gauge on that operator.
func (t *liveTracker) watch(s *engine.DataStream) *engine.DataStream {
	return s.Map(func(r any) any {
		v := r.(Vertex)
		t.mu.Lock()
		t.values[v.ID] = v.Value
		t.mu.Unlock()
		t.updated.Add(1)
		return r
	}).Name("Live vertex values").Gauge(ProgressGauge, func() any { return t.progress() })
}

// progress returns the iteration's Progress now.
func (t *liveTracker) progress() Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.p
	p.Supersteps = append([]SuperstepCounts(nil), t.p.Supersteps...)
	if p.Running && len(p.Supersteps) > 0 {
		p.Supersteps[len(p.Supersteps)-1] = t.counts(p.Superstep)
	}
	p.Vertices = len(t.values)
	p.Ranking = t.rankingNow()
	if p.Ranking == RankByScore {
		p.Top = t.top()
	} else {
		p.Groups = t.groups()
	}
	return p
}

// rankingNow is the fixed ranking, or RankByScore when the vertices' values are floating-point numbers and
// RankByGroup if not.
func (t *liveTracker) rankingNow() Ranking {
	if t.ranking != nil {
		return *t.ranking
	}
	for _, v := range t.values {
		if isFloat(v) {
			return RankByScore
		}
		return RankByGroup
	}
	return RankByGroup
}

// isFloat reports whether v is a floating-point number (an infinite one has no score but ranks by score).
func isFloat(v any) bool {
	switch v.(type) {
	case float64, float32:
		return true
	}
	return false
}

// top returns the LiveTop vertices of highest score.
func (t *liveTracker) top() []Vertex {
	type scored struct {
		v Vertex
		s float64
	}
	var best []scored
	for id, val := range t.values {
		s, ok := t.score(val)
		if !ok {
			continue
		}
		c := scored{Vertex{ID: id, Value: val}, s}
		i := sort.Search(len(best), func(i int) bool {
			return best[i].s < s || best[i].s == s && Compare(best[i].v.ID, id) > 0
		})
		if i >= LiveTop {
			continue
		}
		best = append(best, scored{})
		copy(best[i+1:], best[i:])
		best[i] = c
		if len(best) > LiveTop {
			best = best[:LiveTop]
		}
	}
	out := make([]Vertex, len(best))
	for i, b := range best {
		out[i] = b.v
	}
	return out
}

// groups returns the LiveTop values most vertices hold.
func (t *liveTracker) groups() []ValueGroup {
	counts := map[any]int{}
	for _, v := range t.values {
		if t.group != nil {
			v = t.group(v)
		}
		if v == nil || reflect.TypeOf(v).Comparable() {
			counts[v]++
		}
	}
	out := make([]ValueGroup, 0, len(counts))
	for v, n := range counts {
		out = append(out, ValueGroup{Value: v, Vertices: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Vertices != out[j].Vertices {
			return out[i].Vertices > out[j].Vertices
		}
		return Compare(out[i].Value, out[j].Value) < 0
	})
	if len(out) > LiveTop {
		out = out[:LiveTop]
	}
	return out
}

// floatScore scores finite floating-point values by themselves; other values (an unreached vertex's +Inf
// distance, say) have no score.
func floatScore(v any) (float64, bool) {
	var x float64
	switch f := v.(type) {
	case float64:
		x = f
	case float32:
		x = float64(f)
	default:
		return 0, false
	}
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false
	}
	return x, true
}
