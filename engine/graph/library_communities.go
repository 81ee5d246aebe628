package graph

import (
	"sort"

	"github.com/de4e/weir/engine"
)

// LabelPropagation finds communities by propagating labels, Gelly's library LabelPropagation (Raghavan,
// Albert and Kumara): a scatter-gather iteration in which every vertex sends its label along its
// out-edges and then adopts the most frequent label among those it received; between labels of equal
// frequency it takes the greatest, and its own label counts as a candidate of frequency 1 (Gelly's rule,
// so a vertex whose neighbours' labels all differ keeps its label when it is the greatest). Every vertex
// that receives labels is updated each superstep, so the iteration runs MaxIterations supersteps unless no
// vertex receives any; like Gelly's it is synchronous and may oscillate. Labels start as the vertex values,
// or the ids for nil values. Give an undirected graph edges in both directions (GetUndirected).
type LabelPropagation struct {
	// MaxIterations is the number of supersteps; at least 1.
	MaxIterations int
}

// Run runs the algorithm on g.
func (a LabelPropagation) Run(g *Graph) (*IterationResult, error) {
	checkIterations("LabelPropagation", a.MaxIterations)
	return g.MapVertices(initialLabel).RunScatterGatherIteration(ScatterGatherIteration{
		Name:          "label propagation",
		MaxIterations: a.MaxIterations,
		Scatter:       func(ctx *ScatterContext, v Vertex) { ctx.SendMessageToAllNeighbors(v.Value) },
		Gather: func(ctx *GatherContext, v Vertex, msgs []any) {
			ctx.SetNewVertexValue(mostFrequentLabel(v.Value, msgs))
		},
	})
}

// mostFrequentLabel is Gelly's UpdateVertexLabel: the most frequent label of msgs, ties to the greatest,
// with own standing as a label of frequency 1.
func mostFrequentLabel(own any, msgs []any) any {
	freq := map[any]int{}
	var order []any
	for _, m := range msgs {
		if freq[m] == 0 {
			order = append(order, m)
		}
		freq[m]++
	}
	best, bestFreq := own, 1
	for _, l := range order {
		switch f := freq[l]; {
		case f == bestFreq:
			if Compare(l, best) > 0 {
				best = l
			}
		case f > bestFreq:
			best, bestFreq = l, f
		}
	}
	return best
}

// scoredLabel is a CommunityDetection vertex value: a label and its score.
type scoredLabel struct {
	Label any
	Score float64
}

func init() { engine.RegisterType(scoredLabel{}) }

// CommunityDetection is Gelly's library CommunityDetection (Leung, Hui, Liò and Crowcroft, "Towards
// real-time community detection in large networks"): every vertex starts with its value as its label
// (the id for a nil value) and a score of 1; the graph is made undirected, and in a scatter-gather
// iteration every updated vertex sends its label and its score times the edge's weight (the edge value, a
// number) along its edges. A vertex adds up the scores received per label, adopts the label of the highest
// total (between equal totals the smallest label, as Gelly's ordered map gives) and takes as its score the
// highest single score received with that label, less Delta divided by the superstep when the label is new
// to it (hop attenuation).
type CommunityDetection struct {
	// MaxIterations is the most supersteps; at least 1.
	MaxIterations int
	// Delta is the hop attenuation. Default 0 means Gelly's 0.5.
	Delta float64
}

// Run runs the algorithm on g; the result's vertices hold their labels.
func (a CommunityDetection) Run(g *Graph) (*IterationResult, error) {
	checkIterations("CommunityDetection", a.MaxIterations)
	delta := a.Delta
	if delta == 0 {
		delta = 0.5
	}
	res, err := g.MapVertices(func(v Vertex) any { return scoredLabel{Label: initialLabel(v), Score: 1} }).GetUndirected().
		RunScatterGatherIteration(ScatterGatherIteration{
			Name:          "community detection",
			MaxIterations: a.MaxIterations,
			live: func(name string) *liveTracker {
				return newLiveTracker(name, "scatter-gather", a.MaxIterations).groupBy(func(v any) any { return v.(scoredLabel).Label })
			},
			Scatter: func(ctx *ScatterContext, v Vertex) {
				s := v.Value.(scoredLabel)
				for _, e := range ctx.Edges() {
					ctx.SendMessageTo(e.Target, scoredLabel{Label: s.Label, Score: s.Score * number("edge weight", e.Value)})
				}
			},
			Gather: func(ctx *GatherContext, v Vertex, msgs []any) {
				if len(msgs) == 0 {
					return
				}
				total, highest := map[any]float64{}, map[any]float64{}
				var labels []any
				for _, m := range msgs {
					s := m.(scoredLabel)
					if _, ok := total[s.Label]; !ok {
						labels = append(labels, s.Label)
						highest[s.Label] = s.Score
					} else if s.Score > highest[s.Label] {
						highest[s.Label] = s.Score
					}
					total[s.Label] += s.Score
				}
				sort.Slice(labels, func(i, j int) bool { return Compare(labels[i], labels[j]) < 0 })
				best := labels[0]
				for _, l := range labels[1:] {
					if total[l] > total[best] {
						best = l
					}
				}
				score := highest[best]
				if best != v.Value.(scoredLabel).Label {
					score -= delta / float64(ctx.Superstep())
				}
				ctx.SetNewVertexValue(scoredLabel{Label: best, Score: score})
			},
		})
	if err != nil {
		return nil, err
	}
	for i, v := range res.Vertices {
		res.Vertices[i].Value = v.Value.(scoredLabel).Label
	}
	// Gelly's result: the undirected graph with the scores removed from the vertex values.
	res.Graph = res.Graph.MapVertices(func(v Vertex) any { return v.Value.(scoredLabel).Label })
	return res, nil
}
