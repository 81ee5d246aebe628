package bench

import (
	"fmt"
	"math"
	"sync"

	"github.com/de4e/weir/engine"
)

// K-means as a bulk iteration (Flink's KMeans example, flink-examples-batch) converging on an aggregator,
// against a hand-written Lloyd's loop running the same algorithm in the same run; the case fails if the
// centroids or the number of rounds differ. An event is one point of the input; the points lie around
// kmK generated centres with integer coordinates, so every cluster's sums are exact and the result does
// not depend on the order in which subtasks add them. The partial solution is the centroids; each superstep
// assigns every point to its nearest centroid (ties to the lower id) with the centroids as a broadcast set,
// sums each cluster's points (KeyedStream.Aggregate, once per cluster when the superstep's input ends), and emits each cluster's mean, adding how far it moved to a
// DoubleSumAggregator; DoubleZeroConvergence ends the iteration when no centroid moved. A cluster that gets
// no points disappears, as in Flink's example. Each superstep runs as a bounded job (see
// engine.IterateBulk), so the figure includes a job start per superstep.

const (
	kmK        = 8   // clusters
	kmMaxIter  = 100 // supersteps at most
	kmMovement = "movement"
)

// kmPoint is a point; kmCentroid a cluster's centre; kmSum a cluster's running sum of points.
type kmPoint struct{ X, Y int64 }
type kmCentroid struct {
	ID   int
	X, Y float64
}
type kmSum struct {
	ID      int
	X, Y, N int64
}

func init() {
	engine.RegisterType(kmPoint{})
	engine.RegisterType(kmCentroid{})
	engine.RegisterType(kmSum{})
}

// kmPoints returns n points around kmK centres, with noise of up to ±600 on each axis.
func kmPoints(n int64) []kmPoint {
	pts := make([]kmPoint, n)
	for i := range n {
		h := splitmix(uint64(i) + 0x6b6d)
		c := int64(h % kmK)
		pts[i] = kmPoint{X: c*1000 + int64(h>>8%1201) - 600, Y: (c*7919)%5000 + int64(h>>24%1201) - 600}
	}
	return pts
}

// kmInitial is the first kmK points as centroids 0...
func kmInitial(pts []kmPoint) []kmCentroid {
	cs := make([]kmCentroid, 0, kmK)
	for i := 0; i < kmK && i < len(pts); i++ {
		cs = append(cs, kmCentroid{ID: i, X: float64(pts[i].X), Y: float64(pts[i].Y)})
	}
	return cs
}

// kmNearest returns the id of the centroid nearest p, the lower id on a tie.
func kmNearest(p kmPoint, cs []kmCentroid) int {
	best, bestD := -1, math.Inf(1)
	for _, c := range cs {
		dx, dy := float64(p.X)-c.X, float64(p.Y)-c.Y
		if d := dx*dx + dy*dy; d < bestD || d == bestD && c.ID < best {
			best, bestD = c.ID, d
		}
	}
	return best
}

// kmLoop is the hand-written Lloyd's algorithm: it returns the final centroids (by id) and the rounds run.
func kmLoop(pts []kmPoint) ([]kmCentroid, int) {
	cs := kmInitial(pts)
	rounds := 0
	for rounds < kmMaxIter {
		rounds++
		sums := map[int]*kmSum{}
		for _, p := range pts {
			id := kmNearest(p, cs)
			s := sums[id]
			if s == nil {
				s = &kmSum{ID: id}
				sums[id] = s
			}
			s.X, s.Y, s.N = s.X+p.X, s.Y+p.Y, s.N+1
		}
		moved := 0.0
		next := make([]kmCentroid, 0, len(cs))
		for _, c := range cs {
			s := sums[c.ID]
			if s == nil {
				continue
			}
			nc := kmCentroid{ID: c.ID, X: float64(s.X) / float64(s.N), Y: float64(s.Y) / float64(s.N)}
			moved += math.Hypot(nc.X-c.X, nc.Y-c.Y)
			next = append(next, nc)
		}
		cs = next
		if moved == 0 {
			break
		}
	}
	return cs, rounds
}

// kmEngine runs the bulk iteration at parallelism 2 and returns the final centroids by id and the
// supersteps run.
func kmEngine(pts []kmPoint) ([]kmCentroid, int, error) {
	points := make([]any, len(pts))
	for i, p := range pts {
		points[i] = p
	}
	var initial []any
	for _, c := range kmInitial(pts) {
		initial = append(initial, c)
	}
	centroidsOf := func(set []any) []kmCentroid {
		cs := make([]kmCentroid, len(set))
		for i, v := range set {
			cs[i] = v.(kmCentroid)
		}
		return cs
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	res, err := env.IterateBulk(initial, engine.BulkIteration{Name: "k-means", MaxIterations: kmMaxIter,
		Aggregators:           map[string]engine.Aggregator{kmMovement: engine.DoubleSumAggregator()},
		ConvergenceAggregator: kmMovement, Convergence: engine.DoubleZeroConvergence(),
		Step: func(env *engine.Environment, centroids *engine.DataStream) *engine.DataStream {
			moved := env.IterationRuntimeContext().IterationAggregator(kmMovement)
			return env.FromSlice(points).Name("Points").
				FlatMapWithBroadcastSet(centroids, func(v any, set []any, out engine.Collector) {
					p := v.(kmPoint)
					out.Collect(kmSum{ID: kmNearest(p, centroidsOf(set)), X: p.X, Y: p.Y, N: 1})
				}).Name("SelectNearestCenter").
				KeyBy(func(v any) any { return v.(kmSum).ID }).
				Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "X"}, engine.FieldAggregation{Kind: engine.AggSum, Field: "Y"},
					engine.FieldAggregation{Kind: engine.AggSum, Field: "N"}).Name("CentroidAccumulator").
				FlatMapWithBroadcastSet(centroids, func(v any, set []any, out engine.Collector) {
					s := v.(kmSum)
					nc := kmCentroid{ID: s.ID, X: float64(s.X) / float64(s.N), Y: float64(s.Y) / float64(s.N)}
					for _, c := range set {
						if old := c.(kmCentroid); old.ID == s.ID {
							moved.Aggregate(math.Hypot(nc.X-old.X, nc.Y-old.Y))
						}
					}
					out.Collect(nc)
				}).Name("CentroidAverager")
		}})
	if err != nil {
		return nil, 0, err
	}
	cs := make([]kmCentroid, 0, len(res.Result))
	for _, v := range res.Result {
		cs = append(cs, v.(kmCentroid))
	}
	// res.Result is sorted by formatting, which orders ids 0-9 as numbers.
	return cs, len(res.Supersteps), nil
}

func init() {
	var loopResult sync.Map // n -> kmLoopOut
	type kmLoopOut struct {
		cs     []kmCentroid
		rounds int
	}
	var rounds, supersteps int
	const scale = 0.01 // 20,000 points of the default 2,000,000 events: one job per superstep
	Register(Case{Name: "iteration-kmeans/loop", Scale: scale, About: "hand-written Lloyd's loop: k-means, k=8, until no centroid moves",
		Run: func(n int64) (int64, error) {
			cs, r := kmLoop(kmPoints(n))
			loopResult.Store(n, kmLoopOut{cs, r})
			rounds = r
			return n, nil
		},
		Note: func() string { return fmt.Sprintf("%d rounds", rounds) }})
	Register(Case{Name: "iteration-kmeans/engine", Baseline: "iteration-kmeans/loop", ChecksBaseline: true, Scale: scale,
		About: "bulk iteration (IterateBulk) with a convergence aggregator, parallelism 2: k-means, k=8",
		Run: func(n int64) (int64, error) {
			pts := kmPoints(n)
			got, s, err := kmEngine(pts)
			if err != nil {
				return 0, err
			}
			supersteps = s
			w, ok := loopResult.Load(n)
			if !ok {
				cs, r := kmLoop(pts)
				w = kmLoopOut{cs, r}
			}
			want := w.(kmLoopOut)
			if s != want.rounds || fmt.Sprint(got) != fmt.Sprint(want.cs) {
				return 0, fmt.Errorf("the engine's centroids after %d supersteps %v differ from the loop's after %d rounds %v", s, got, want.rounds, want.cs)
			}
			return n, nil
		},
		Note: func() string { return fmt.Sprintf("%d supersteps", supersteps) }})
}
