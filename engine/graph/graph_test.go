package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/de4e/weir/engine"
)

// testEnv is the Environment of the tests: two subtasks, so every keyed operator really partitions.
func testEnv() *engine.Environment {
	return engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
}

// longLongGraph is Gelly's TestGraphUtils.getLongLongVertices / getLongLongEdges.
func longLongGraph(env *engine.Environment) *Graph {
	var vs []Vertex
	for i := int64(1); i <= 5; i++ {
		vs = append(vs, Vertex{ID: i, Value: i})
	}
	es := []Edge{{int64(1), int64(2), int64(12)}, {int64(1), int64(3), int64(13)}, {int64(2), int64(3), int64(23)},
		{int64(3), int64(4), int64(34)}, {int64(3), int64(5), int64(35)}, {int64(4), int64(5), int64(45)},
		{int64(5), int64(1), int64(51)}}
	return FromCollection(env, vs, es)
}

func formatVertices(vs []Vertex) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%v,%v\n", v.ID, v.Value)
	}
	return b.String()
}

func formatEdges(es []Edge) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%v,%v,%v\n", e.Source, e.Target, e.Value)
	}
	return b.String()
}

func collectGraph(t *testing.T, g *Graph) (string, string) {
	t.Helper()
	vs, es, err := g.Collect()
	if err != nil {
		t.Fatal(err)
	}
	return formatVertices(vs), formatEdges(es)
}

func collectVertices(t *testing.T, d *DataSet) string {
	t.Helper()
	vs, err := d.CollectVertices()
	if err != nil {
		t.Fatal(err)
	}
	return formatVertices(vs)
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\ngot\n%s\nwant\n%s", what, got, want)
	}
}

const allVertices = "1,1\n2,2\n3,3\n4,4\n5,5\n"

// Flink: GraphOperationsITCase#testUndirected, #testReverse, #testSubGraph, #testFilterVertices,
// #testFilterEdges, #testNumberOfVertices, #testNumberOfEdges, #testDifference.
func TestGraphOperations(t *testing.T) {
	env := testEnv()
	g := longLongGraph(env)

	_, es := collectGraph(t, g.GetUndirected())
	check(t, "undirected", es, "1,2,12\n1,3,13\n1,5,51\n2,1,12\n2,3,23\n3,1,13\n3,2,23\n3,4,34\n3,5,35\n4,3,34\n4,5,45\n5,1,51\n5,3,35\n5,4,45\n")

	vs, es := collectGraph(t, g.Reverse())
	check(t, "reverse vertices", vs, allVertices)
	check(t, "reverse", es, "1,5,51\n2,1,12\n3,1,13\n3,2,23\n4,3,34\n5,3,35\n5,4,45\n")

	vs, es = collectGraph(t, g.Subgraph(func(v Vertex) bool { return v.Value.(int64) > 2 },
		func(e Edge) bool { return e.Value.(int64) > 34 }))
	check(t, "subgraph vertices", vs, "3,3\n4,4\n5,5\n")
	check(t, "subgraph edges", es, "3,5,35\n4,5,45\n")

	_, es = collectGraph(t, g.FilterOnVertices(func(v Vertex) bool { return v.Value.(int64) > 2 }))
	check(t, "filterOnVertices", es, "3,4,34\n3,5,35\n4,5,45\n")

	vs, es = collectGraph(t, g.FilterOnEdges(func(e Edge) bool { return e.Value.(int64) > 34 }))
	check(t, "filterOnEdges vertices", vs, allVertices)
	check(t, "filterOnEdges", es, "3,5,35\n4,5,45\n5,1,51\n")

	if n, err := g.NumberOfVertices(); err != nil || n != 5 {
		t.Errorf("NumberOfVertices = %d, %v; want 5", n, err)
	}
	if n, err := g.NumberOfEdges(); err != nil || n != 7 {
		t.Errorf("NumberOfEdges = %d, %v; want 7", n, err)
	}

	other := FromCollection(env, []Vertex{{int64(1), int64(1)}, {int64(3), int64(3)}, {int64(6), int64(6)}},
		[]Edge{{int64(1), int64(3), int64(13)}, {int64(1), int64(6), int64(16)}, {int64(6), int64(3), int64(63)}})
	vs, es = collectGraph(t, g.Difference(other))
	check(t, "difference vertices", vs, "2,2\n4,4\n5,5\n")
	check(t, "difference edges", es, "4,5,45\n")

	vs, es = collectGraph(t, g.Union(other))
	check(t, "union vertices", vs, allVertices+"6,6\n")
	check(t, "union edges", es, "1,2,12\n1,3,13\n1,3,13\n1,6,16\n2,3,23\n3,4,34\n3,5,35\n4,5,45\n5,1,51\n6,3,63\n")

	vs, es = collectGraph(t, g.MapVertices(func(v Vertex) any { return v.Value.(int64) + 1 }).
		MapEdges(func(e Edge) any { return e.Value.(int64) + 1 }))
	check(t, "mapVertices", vs, "1,2\n2,3\n3,4\n4,5\n5,6\n")
	check(t, "mapEdges", es, "1,2,13\n1,3,14\n2,3,24\n3,4,35\n3,5,36\n4,5,46\n5,1,52\n")
}

// Flink: DegreesITCase#testOutDegrees, #testInDegrees, #testGetDegrees.
func TestDegrees(t *testing.T) {
	g := longLongGraph(testEnv())
	check(t, "out", collectVertices(t, g.OutDegrees()), "1,2\n2,1\n3,2\n4,1\n5,1\n")
	check(t, "in", collectVertices(t, g.InDegrees()), "1,1\n2,1\n3,2\n4,1\n5,2\n")
	check(t, "all", collectVertices(t, g.GetDegrees()), "1,3\n2,2\n3,4\n4,2\n5,3\n")
	// A vertex without edges has degree 0 (Gelly: DegreesITCase#testOutDegreesWithNoOutEdges).
	lonely := FromCollection(testEnv(), []Vertex{{int64(1), nil}, {int64(2), nil}, {int64(3), nil}},
		[]Edge{{int64(1), int64(2), nil}})
	check(t, "zero", collectVertices(t, lonely.OutDegrees()), "1,1\n2,0\n3,0\n")
}

func sum(a, b any) any { return a.(int64) + b.(int64) }

// Flink: ReduceOnNeighborMethodsITCase#testSumOfOutNeighborsNoValue, #testSumOfAllNeighborsNoValue
// (the in-neighbour sum follows from the same edges); ReduceOnEdgesMethodsITCase#testLowestWeightOutNeighborNoValue,
// #testLowestWeightInNeighborNoValue.
func TestNeighborhoodMethods(t *testing.T) {
	g := longLongGraph(testEnv())
	check(t, "out neighbours", collectVertices(t, g.ReduceOnNeighbors(sum, Out)), "1,5\n2,3\n3,9\n4,5\n5,1\n")
	check(t, "in neighbours", collectVertices(t, g.ReduceOnNeighbors(sum, In)), "1,5\n2,1\n3,3\n4,3\n5,7\n")
	check(t, "all neighbours", collectVertices(t, g.ReduceOnNeighbors(sum, All)), "1,10\n2,4\n3,12\n4,8\n5,8\n")
	least := func(a, b any) any { return min(a.(int64), b.(int64)) }
	check(t, "lowest out-edge", collectVertices(t, g.ReduceOnEdges(least, Out)), "1,12\n2,23\n3,34\n4,45\n5,51\n")
	check(t, "lowest in-edge", collectVertices(t, g.ReduceOnEdges(least, In)), "1,51\n2,12\n3,13\n4,34\n5,35\n")
	// Flink: ReduceOnEdgesMethodsITCase#testMaxWeightAllNeighbors.
	most := func(a, b any) any { return max(a.(int64), b.(int64)) }
	check(t, "heaviest edge", collectVertices(t, g.ReduceOnEdges(most, All)), "1,51\n2,23\n3,35\n4,45\n5,51\n")

	// Flink: ReduceOnNeighborMethodsITCase#testSumOfOutNeighbors (groupReduceOnNeighbors with the vertex
	// value): vertex id and the sum of its out-neighbours' values.
	sums := g.GroupReduceOnNeighbors(func(v Vertex, ns []Neighbor, out engine.Collector) {
		var s int64
		for _, n := range ns {
			s += n.Vertex.Value.(int64)
		}
		out.Collect(Vertex{ID: v.ID, Value: s})
	}, Out)
	check(t, "groupReduceOnNeighbors", collectVertices(t, sums), "1,5\n2,3\n3,9\n4,5\n5,1\n")
	// Flink: ReduceOnNeighborMethodsITCase#testSumOfInNeighbors: in-neighbour values times edge values.
	weighted := g.GroupReduceOnNeighbors(func(v Vertex, ns []Neighbor, out engine.Collector) {
		var s int64
		for _, n := range ns {
			s += n.Edge.Value.(int64) * n.Vertex.Value.(int64)
		}
		out.Collect(Vertex{ID: v.ID, Value: s})
	}, In)
	check(t, "groupReduceOnNeighbors IN", collectVertices(t, weighted), "1,255\n2,12\n3,59\n4,102\n5,285\n")
	// Flink: ReduceOnNeighborMethodsITCase#testSumOfOAllNeighbors: all neighbours' values plus the vertex's.
	all := g.GroupReduceOnNeighbors(func(v Vertex, ns []Neighbor, out engine.Collector) {
		s := v.Value.(int64)
		for _, n := range ns {
			s += n.Vertex.Value.(int64)
		}
		out.Collect(Vertex{ID: v.ID, Value: s})
	}, All)
	check(t, "groupReduceOnNeighbors ALL", collectVertices(t, all), "1,11\n2,6\n3,15\n4,12\n5,13\n")
	// Flink: ReduceOnEdgesMethodsITCase#testLowestWeightOutNeighbor (groupReduceOnEdges): the target of
	// the lowest-weight out-edge.
	lowest := g.GroupReduceOnEdges(func(v Vertex, es []Edge, out engine.Collector) {
		best := es[0]
		for _, e := range es[1:] {
			if e.Value.(int64) < best.Value.(int64) {
				best = e
			}
		}
		out.Collect(Vertex{ID: v.ID, Value: best.Target})
	}, Out)
	check(t, "groupReduceOnEdges", collectVertices(t, lowest), "1,2\n2,3\n3,4\n4,5\n5,1\n")
}

// Flink: JoinWithVerticesITCase#testWithSameValue, JoinWithEdgesITCase#testWithSameValue,
// #testOnSourceWithSameValue.
func TestJoins(t *testing.T) {
	env := testEnv()
	g := longLongGraph(env)
	vs, _ := collectGraph(t, g.JoinWithVertices(g.Vertices(), func(a, b any) any { return a.(int64) + b.(int64) }))
	check(t, "joinWithVertices", vs, "1,2\n2,4\n3,6\n4,8\n5,10\n")
	_, es := collectGraph(t, g.JoinWithEdges(g.Edges(), func(a, b any) any { return a.(int64) + b.(int64) }))
	check(t, "joinWithEdges", es, "1,2,24\n1,3,26\n2,3,46\n3,4,68\n3,5,70\n4,5,90\n5,1,102\n")
	onSource := FromRecords(env, []any{Vertex{int64(1), int64(100)}, Vertex{int64(3), int64(300)}})
	_, es = collectGraph(t, g.JoinWithEdgesOnSource(onSource, func(a, b any) any { return a.(int64) + b.(int64) }))
	check(t, "joinWithEdgesOnSource", es, "1,2,112\n1,3,113\n2,3,23\n3,4,334\n3,5,335\n4,5,45\n5,1,51\n")
	_, es = collectGraph(t, g.JoinWithEdgesOnTarget(onSource, func(a, b any) any { return a.(int64) + b.(int64) }))
	check(t, "joinWithEdgesOnTarget", es, "1,2,12\n1,3,313\n2,3,323\n3,4,34\n3,5,35\n4,5,45\n5,1,151\n")
}
