package graph

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/de4e/weir/engine"
)

// reference is testdata/reference.json, made by testdata/gen_reference.py (networkx; Gelly's rules where
// networkx has none).
type reference struct {
	Karate struct {
		Edges          [][3]float64       `json:"edges"`
		PageRank       map[string]float64 `json:"pagerank"`
		Hub            map[string]float64 `json:"hits_hub"`
		Authority      map[string]float64 `json:"hits_authority"`
		Triangles      [][3]int64         `json:"triangles"`
		Jaccard        [][3]float64       `json:"jaccard"`
		AdamicAdar     [][3]float64       `json:"adamic_adar"`
		Components     map[string]int64   `json:"components"`
		SSSP           map[string]float64 `json:"sssp_from_0"`
		LabelProp1     map[string]int64   `json:"label_propagation_1"`
		LabelProp2     map[string]int64   `json:"label_propagation_2"`
		LabelProp3     map[string]int64   `json:"label_propagation_3"`
		LabelProp      map[string]int64   `json:"label_propagation_10"`
		CommunityLabel map[string]int64   `json:"community_detection_10"`
	} `json:"karate"`
	Directed struct {
		Edges      [][3]float64       `json:"edges"`
		Vertices   []int64            `json:"vertices"`
		Dangling   []int64            `json:"dangling"`
		PageRank   map[string]float64 `json:"pagerank"`
		Hub        map[string]float64 `json:"hits_hub"`
		Authority  map[string]float64 `json:"hits_authority"`
		SSSP       map[string]float64 `json:"sssp_from_0"`
		SSSPSource int64              `json:"sssp_source"`
	} `json:"directed"`
	Sparse struct {
		Edges      [][2]int64       `json:"edges"`
		Vertices   []int64          `json:"vertices"`
		Components map[string]int64 `json:"components"`
		Triangles  [][3]int64       `json:"triangles"`
		LabelProp  map[string]int64 `json:"label_propagation_5"`
	} `json:"sparse"`
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// karate is Zachary's karate club, every edge in both directions, weights as float64 edge values.
func karate(env *engine.Environment, r *reference) *Graph {
	var es []Edge
	for _, e := range r.Karate.Edges {
		u, v := int64(e[0]), int64(e[1])
		es = append(es, Edge{u, v, e[2]}, Edge{v, u, e[2]})
	}
	return FromEdges(env, es)
}

func directed(env *engine.Environment, r *reference) *Graph {
	var es []Edge
	for _, e := range r.Directed.Edges {
		es = append(es, Edge{int64(e[0]), int64(e[1]), e[2]})
	}
	return FromEdges(env, es)
}

func sparse(env *engine.Environment, r *reference) *Graph {
	var vs []Vertex
	for _, v := range r.Sparse.Vertices {
		vs = append(vs, Vertex{ID: v})
	}
	var es []Edge
	for _, e := range r.Sparse.Edges {
		es = append(es, Edge{Source: e[0], Target: e[1]})
	}
	return FromCollection(env, vs, es)
}

// compareScores checks that every vertex's float64 value is within tol of want (keyed by id), and that
// the two have the same vertices.
func compareScores(t *testing.T, what string, got []Vertex, value func(any) float64, want map[string]float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d vertices, want %d", what, len(got), len(want))
	}
	for _, v := range got {
		w, ok := want[strconv.FormatInt(v.ID.(int64), 10)]
		if !ok {
			t.Errorf("%s: vertex %v not in the reference", what, v.ID)
			continue
		}
		if g := value(v.Value); math.Abs(g-w) > tol {
			t.Errorf("%s: vertex %v: %.12g, want %.12g (tolerance %g)", what, v.ID, g, w, tol)
		}
	}
}

func compareLabels(t *testing.T, what string, got []Vertex, want map[string]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d vertices, want %d", what, len(got), len(want))
	}
	for _, v := range got {
		if w := want[strconv.FormatInt(v.ID.(int64), 10)]; v.Value != w {
			t.Errorf("%s: vertex %v has label %v, want %d", what, v.ID, v.Value, w)
		}
	}
}

func asFloat(v any) float64 { return v.(float64) }

// PageRank against networkx.pagerank (alpha 0.85, converged to 1e-14), whose default handling of dangling
// vertices (their score spread evenly over all vertices) is Gelly's. Tolerance 1e-9 per vertex; the
// scores sum to 1 within 1e-12. Flink: PageRankTest#testWithSimpleGraph checks the same rule on a small
// graph.
func TestPageRankReference(t *testing.T) {
	r := loadReference(t)
	env := testEnv()
	for _, c := range []struct {
		name string
		g    *Graph
		want map[string]float64
	}{{"karate", karate(env, r), r.Karate.PageRank}, {"directed", directed(env, r), r.Directed.PageRank}} {
		res, err := PageRank{DampingFactor: 0.85, MaxIterations: 1000, ConvergenceThreshold: 1e-13}.Run(c.g)
		if err != nil {
			t.Fatal(err)
		}
		compareScores(t, c.name, res.Vertices, asFloat, c.want, 1e-9)
		total := 0.0
		for _, v := range res.Vertices {
			total += v.Value.(float64)
		}
		if math.Abs(total-1) > 1e-12 {
			t.Errorf("%s: scores sum to %v, want 1", c.name, total)
		}
		if res.Ended != engine.EndedTerminationCriterion || len(res.Supersteps) >= 1000 {
			t.Errorf("%s: ended %v after %d supersteps, want convergence", c.name, res.Ended, len(res.Supersteps))
		}
	}
	if len(r.Directed.Dangling) == 0 {
		t.Fatal("the directed reference graph should have dangling vertices")
	}
	// A fixed number of iterations runs exactly that many supersteps.
	res, err := PageRank{MaxIterations: 3}.Run(directed(env, r))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Supersteps) != 3 || res.Ended != engine.EndedMaxIterations {
		t.Errorf("fixed iterations: %d supersteps, ended %v", len(res.Supersteps), res.Ended)
	}
}

// HITS against networkx.hits (converged to 1e-14). networkx scales each kind of score to sum 1 and Gelly
// to unit Euclidean norm; the test rescales Weir's to sum 1. Tolerance 1e-7.
func TestHITSReference(t *testing.T) {
	r := loadReference(t)
	env := testEnv()
	for _, c := range []struct {
		name      string
		g         *Graph
		hub, auth map[string]float64
	}{{"karate", karate(env, r), r.Karate.Hub, r.Karate.Authority}, {"directed", directed(env, r), r.Directed.Hub, r.Directed.Authority}} {
		res, err := HITS{MaxIterations: 2000, ConvergenceThreshold: 1e-14}.Run(c.g)
		if err != nil {
			t.Fatal(err)
		}
		var hubSum, authSum float64
		for _, v := range res.Vertices {
			hubSum += v.Value.(HITSScores).Hub
			authSum += v.Value.(HITSScores).Authority
		}
		compareScores(t, c.name+" hubs", res.Vertices, func(v any) float64 { return v.(HITSScores).Hub / hubSum }, c.hub, 1e-7)
		compareScores(t, c.name+" authorities", res.Vertices, func(v any) float64 { return v.(HITSScores).Authority / authSum }, c.auth, 1e-7)
	}
}

// Shortest paths against networkx.single_source_dijkstra_path_length (exact: integer weights); vertices
// the source does not reach are +Inf in Weir and absent from networkx's result.
func TestShortestPathsReference(t *testing.T) {
	r := loadReference(t)
	env := testEnv()
	for _, c := range []struct {
		name   string
		g      *Graph
		source int64
		want   map[string]float64
	}{{"karate", karate(env, r), 0, r.Karate.SSSP}, {"directed", directed(env, r), r.Directed.SSSPSource, r.Directed.SSSP}} {
		for _, model := range []string{"scatter-gather", "gsa"} {
			var res *IterationResult
			var err error
			if model == "gsa" {
				res, err = GSASingleSourceShortestPaths{Source: c.source, MaxIterations: 100}.Run(c.g)
			} else {
				res, err = SingleSourceShortestPaths{Source: c.source, MaxIterations: 100}.Run(c.g)
			}
			if err != nil {
				t.Fatal(err)
			}
			var reached []Vertex
			for _, v := range res.Vertices {
				if !math.IsInf(v.Value.(float64), 1) {
					reached = append(reached, v)
				} else if _, ok := c.want[strconv.FormatInt(v.ID.(int64), 10)]; ok {
					t.Errorf("%s %s: vertex %v unreached", c.name, model, v.ID)
				}
			}
			compareScores(t, c.name+" "+model, reached, asFloat, c.want, 0)
		}
	}
}

// Connected components against networkx.connected_components (labelled by their smallest id), on the
// karate club and on a sparse graph of 17 components with isolated vertices; both of Gelly's
// ConnectedComponents (scatter-gather) and GSAConnectedComponents.
func TestConnectedComponentsReference(t *testing.T) {
	r := loadReference(t)
	env := testEnv()
	for _, c := range []struct {
		name string
		g    *Graph
		want map[string]int64
	}{{"karate", karate(env, r), r.Karate.Components}, {"sparse", sparse(env, r), r.Sparse.Components}} {
		res, err := ConnectedComponents{MaxIterations: 100}.Run(c.g)
		if err != nil {
			t.Fatal(err)
		}
		compareLabels(t, c.name, res.Vertices, c.want)
		res, err = GSAConnectedComponents{MaxIterations: 100}.Run(c.g)
		if err != nil {
			t.Fatal(err)
		}
		compareLabels(t, c.name+" gsa", res.Vertices, c.want)
	}
}

// Label propagation and community detection against gen_reference.py's implementations of Gelly's rules
// (networkx's label propagation is asynchronous and breaks ties at random, and it has no hop-attenuation
// community detection): label propagation after 1, 2, 3 and 10 supersteps on the karate club (after one,
// vertex 7, whose neighbours 0-3 each bring a label once, keeps its own greater label) and 5 on the sparse
// graph; community detection after 10 on the karate club, its weights as edge values.
func TestCommunitiesReference(t *testing.T) {
	r := loadReference(t)
	env := testEnv()
	for _, c := range []struct {
		name  string
		g     *Graph
		steps int
		want  map[string]int64
	}{
		{"karate 1", karate(env, r), 1, r.Karate.LabelProp1}, {"karate 2", karate(env, r), 2, r.Karate.LabelProp2},
		{"karate 3", karate(env, r), 3, r.Karate.LabelProp3}, {"karate 10", karate(env, r), 10, r.Karate.LabelProp},
		{"sparse 5", sparse(env, r).GetUndirected(), 5, r.Sparse.LabelProp},
	} {
		lp, err := LabelPropagation{MaxIterations: c.steps}.Run(c.g)
		if err != nil {
			t.Fatal(err)
		}
		compareLabels(t, "label propagation "+c.name, lp.Vertices, c.want)
		if c.name == "karate 10" && len(lp.Supersteps) != 10 {
			t.Errorf("label propagation ran %d supersteps, want 10", len(lp.Supersteps))
		}
	}
	cd, err := CommunityDetection{MaxIterations: 10, Delta: 0.5}.Run(karate(env, r))
	if err != nil {
		t.Fatal(err)
	}
	compareLabels(t, "community detection", cd.Vertices, r.Karate.CommunityLabel)
}

// Triangles against networkx.enumerate_all_cliques (the 3-cliques), exactly.
func TestTrianglesReference(t *testing.T) {
	r := loadReference(t)
	env := testEnv()
	for _, c := range []struct {
		name string
		g    *Graph
		want [][3]int64
	}{{"karate", karate(env, r), r.Karate.Triangles}, {"sparse", sparse(env, r), r.Sparse.Triangles}} {
		got, err := TriangleEnumerator{}.Run(c.g)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %d triangles, want %d", c.name, len(got), len(c.want))
			continue
		}
		for i, tr := range got {
			if w := c.want[i]; tr.A != w[0] || tr.B != w[1] || tr.C != w[2] {
				t.Errorf("%s: triangle %d is %v, want %v", c.name, i, tr, w)
			}
		}
	}
}

// Jaccard and Adamic-Adar indices against networkx.jaccard_coefficient and adamic_adar_index over every
// pair of karate-club members sharing a neighbour; tolerance 1e-12.
func TestSimilarityReference(t *testing.T) {
	r := loadReference(t)
	env := testEnv()
	for _, c := range []struct {
		name string
		run  func(*Graph) ([]Similarity, error)
		want [][3]float64
	}{{"jaccard", JaccardIndex{}.Run, r.Karate.Jaccard}, {"adamic-adar", AdamicAdar{}.Run, r.Karate.AdamicAdar}} {
		got, err := c.run(karate(env, r))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d pairs, want %d", c.name, len(got), len(c.want))
		}
		for i, s := range got {
			w := c.want[i]
			if s.Source != int64(w[0]) || s.Target != int64(w[1]) || math.Abs(s.Score-w[2]) > 1e-12 {
				t.Errorf("%s: pair %d is (%v, %v) %.15g, want (%v, %v) %.15g", c.name, i, s.Source, s.Target, s.Score, w[0], w[1], w[2])
			}
		}
	}
}
