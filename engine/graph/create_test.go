package graph

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

func TestFromEdgeListAndStreams(t *testing.T) {
	env := testEnv()
	g := FromEdgeList(env, [][2]any{{"a", "b"}, {"b", "c"}, {"a", "c"}})
	vs, es := collectGraph(t, g)
	check(t, "vertices", vs, "a,<nil>\nb,<nil>\nc,<nil>\n")
	check(t, "edges", es, "a,b,<nil>\na,c,<nil>\nb,c,<nil>\n")

	g = FromDataStreams(env, func(env *engine.Environment) (*engine.DataStream, *engine.DataStream) {
		return nil, env.FromElements(Edge{1, 2, 0.5}, Edge{2, 3, 1.5})
	})
	vs, es = collectGraph(t, g)
	check(t, "stream vertices", vs, "1,<nil>\n2,<nil>\n3,<nil>\n")
	check(t, "stream edges", es, "1,2,0.5\n2,3,1.5\n")

	// A Graph rebuilt from its own DataSets, and built into a dataflow of the caller's.
	vs, es = collectGraph(t, FromDataSets(env, g.Reverse().Vertices(), g.Reverse().Edges()))
	check(t, "from data sets, vertices", vs, "1,<nil>\n2,<nil>\n3,<nil>\n")
	check(t, "from data sets", es, "2,1,0.5\n3,2,1.5\n")
	own := engine.NewEnvironment(engine.Config{Parallelism: 2})
	_, edges := g.Build(own)
	weights := edges.Map(func(r any) any { return r.(Edge).Value }).Collect()
	if _, err := own.Execute("own"); err != nil {
		t.Fatal(err)
	}
	if got := weights.Len(); got != 2 {
		t.Errorf("Build: %d edges, want 2", got)
	}
	bad := FromDataStreams(env, func(env *engine.Environment) (*engine.DataStream, *engine.DataStream) {
		return nil, env.FromElements("not an edge")
	})
	if _, _, err := bad.Collect(); err == nil {
		t.Error("a stream of strings as edges: want an error")
	}
}

// Edge is typed by a Prototype, as Gelly's fromCsvReader(...).types(Long.class, Long.class, Double.class).
type fileEdge struct {
	From   int64   `csv:"from"`
	To     int64   `csv:"to"`
	Weight float64 `csv:"weight"`
}

func TestFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	edges := write("edges.csv", "from,to,weight\n1,2,0.5\n2,3,2\n")
	vertices := write("vertices.ndjson", `{"id":"1","name":"one"}`+"\n"+`{"id":"2","name":"two"}`+"\n"+`{"id":"3","name":"three"}`+"\n")
	env := testEnv()
	g := FromFiles(env, nil, EdgeFile{Files: sources.FileSource{Paths: []string{edges}, Format: sources.CSV, Prototype: fileEdge{}},
		SourceField: "From", TargetField: "To", ValueField: "Weight"})
	vs, es := collectGraph(t, g)
	check(t, "csv vertices", vs, "1,<nil>\n2,<nil>\n3,<nil>\n")
	check(t, "csv edges", es, "1,2,0.5\n2,3,2\n")

	g = FromFiles(env, &VertexFile{Files: sources.FileSource{Paths: []string{vertices}}, ValueField: "name"},
		EdgeFile{Files: sources.FileSource{Paths: []string{edges}, Format: sources.CSV}, SourceField: "from", TargetField: "to"})
	vs, es = collectGraph(t, g)
	check(t, "ndjson vertices", vs, "1,one\n2,two\n3,three\n")
	check(t, "untyped csv edges", es, "1,2,<nil>\n2,3,<nil>\n")
}

// Flink: CompleteGraphTest#testGraph, CycleGraphTest#testGraph, PathGraphTest#testGraph,
// StarGraphTest#testGraph, GridGraphTest#testGraph (vertex and edge counts and degrees).
func TestGenerators(t *testing.T) {
	env := testEnv()
	counts := func(g *Graph) (int64, int64) {
		t.Helper()
		nv, err := g.NumberOfVertices()
		if err != nil {
			t.Fatal(err)
		}
		ne, err := g.NumberOfEdges()
		if err != nil {
			t.Fatal(err)
		}
		return nv, ne
	}
	for _, c := range []struct {
		name   string
		g      *Graph
		nv, ne int64
	}{
		{"complete 10", CompleteGraph(env, 10), 10, 90},
		{"cycle 10", CycleGraph(env, 10), 10, 20},
		{"path 10", PathGraph(env, 10), 10, 18},
		{"star 10", StarGraph(env, 10), 10, 18},
		// A 2x3x4 grid whose second dimension wraps: 12+24+18 connections.
		{"grid", GridGraph(env, []GridDimension{{2, false}, {3, true}, {4, false}}), 24, 2 * (12 + 24 + 18)},
	} {
		nv, ne := counts(c.g)
		if nv != c.nv || ne != c.ne {
			t.Errorf("%s: %d vertices, %d edges; want %d, %d", c.name, nv, ne, c.nv, c.ne)
		}
	}
	_, es := collectGraph(t, CycleGraph(env, 3))
	check(t, "cycle 3", es, "0,1,<nil>\n0,2,<nil>\n1,0,<nil>\n1,2,<nil>\n2,0,<nil>\n2,1,<nil>\n")
	_, es = collectGraph(t, GridGraph(env, []GridDimension{{2, false}, {2, false}}))
	check(t, "grid 2x2", es, "0,1,<nil>\n0,2,<nil>\n1,0,<nil>\n1,3,<nil>\n2,0,<nil>\n2,3,<nil>\n3,1,<nil>\n3,2,<nil>\n")

	r := RMat{VertexCount: 1 << 10, EdgeCount: 5000, Seed: 7}
	_, es1, err := r.Graph(env).Collect()
	if err != nil {
		t.Fatal(err)
	}
	_, es2, _ := r.Graph(env).Collect()
	if len(es1) != 5000 || formatEdges(es1) != formatEdges(es2) {
		t.Errorf("RMat: %d edges, same seed same graph = %v", len(es1), formatEdges(es1) == formatEdges(es2))
	}
	// R-MAT's skew: with A=0.57 the low ids gather the most edges; vertex 0's out-degree is far above
	// the mean of 5000/1024.
	deg, err := r.Graph(env).OutDegrees().CollectVertices()
	if err != nil {
		t.Fatal(err)
	}
	if d := deg[0].Value.(int64); d < 100 {
		t.Errorf("RMat: vertex 0 has out-degree %d, want a skewed graph (>= 100)", d)
	}
	nv, ne := counts(r.Graph(env).Simplify())
	if nv != 1024 || ne >= 5000 || ne < 3000 {
		t.Errorf("simplified RMat: %d vertices, %d edges", nv, ne)
	}
}
