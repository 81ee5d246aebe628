package graph

import (
	"errors"
	"fmt"
	"sort"

	"github.com/de4e/weir/engine"
)

// ErrGraph is wrapped by the errors of this package's jobs and iterations; the message names the operation.
var ErrGraph = errors.New("graph: job failed")

// Vertex is a vertex of a Graph: its id (comparable, see the package documentation) and its value, Gelly's
// Vertex<K, VV>. Results that pair a vertex id with a value (degrees, neighbourhood reductions, algorithm
// results) are Vertex records too, as Gelly's are Tuple2<K, V>.
type Vertex struct {
	ID    any
	Value any
}

// Edge is a directed edge of a Graph from Source to Target with a value, Gelly's Edge<K, EV>.
type Edge struct {
	Source any
	Target any
	Value  any
}

func init() {
	engine.RegisterType(Vertex{})
	engine.RegisterType(Edge{})
	engine.RegisterType(Neighbor{})
}

// node is one lazily built stream (or pair of streams) of a Graph or DataSet.
type node struct {
	build func(s *session) []*engine.DataStream
}

// session builds nodes on one Environment, each node once.
type session struct {
	env  *engine.Environment
	memo map[*node][]*engine.DataStream
}

func (s *session) streams(n *node) []*engine.DataStream {
	if out, ok := s.memo[n]; ok {
		return out
	}
	out := n.build(s)
	s.memo[n] = out
	return out
}

// Graph is a graph of Vertex and Edge records, Gelly's Graph<K, VV, EV>. It is lazy (see the package
// documentation): methods returning a *Graph or *DataSet record operators, and methods returning data run
// one bounded job. A Graph is immutable and may be shared; it is not safe for concurrent use.
type Graph struct {
	env *engine.Environment
	n   *node // streams: vertices, edges
}

// DataSet is a lazy bounded stream of records derived from a Graph (degrees, neighbourhood reductions),
// Flink's DataSet. Collect runs it.
type DataSet struct {
	env  *engine.Environment
	n    *node
	name string
}

func newGraph(env *engine.Environment, build func(s *session) (vertices, edges *engine.DataStream)) *Graph {
	if env == nil {
		panic("graph: a Graph needs an Environment, got nil")
	}
	return &Graph{env: env, n: &node{build: func(s *session) []*engine.DataStream {
		v, e := build(s)
		return []*engine.DataStream{v, e}
	}}}
}

func newDataSet(env *engine.Environment, name string, build func(s *session) *engine.DataStream) *DataSet {
	return &DataSet{env: env, name: name, n: &node{build: func(s *session) []*engine.DataStream {
		return []*engine.DataStream{build(s)}
	}}}
}

// streams builds g's vertex and edge streams in s.
func (g *Graph) streams(s *session) (vertices, edges *engine.DataStream) {
	out := s.streams(g.n)
	return out[0], out[1]
}

func (d *DataSet) stream(s *session) *engine.DataStream { return s.streams(d.n)[0] }

// derive returns a Graph built from g's streams by f.
func (g *Graph) derive(f func(s *session, vertices, edges *engine.DataStream) (*engine.DataStream, *engine.DataStream)) *Graph {
	return newGraph(g.env, func(s *session) (*engine.DataStream, *engine.DataStream) {
		v, e := g.streams(s)
		return f(s, v, e)
	})
}

// Environment returns the Environment the Graph's jobs are run for (its Config and Observer).
func (g *Graph) Environment() *engine.Environment { return g.env }

// Build builds the Graph's vertex and edge streams on env, for a dataflow of the caller's own (env's
// Execute runs it). Records are Vertex and Edge values.
func (g *Graph) Build(env *engine.Environment) (vertices, edges *engine.DataStream) {
	return g.streams(&session{env: env, memo: map[*node][]*engine.DataStream{}})
}

// Build builds the DataSet's stream on env, for a dataflow of the caller's own.
func (d *DataSet) Build(env *engine.Environment) *engine.DataStream {
	return d.stream(&session{env: env, memo: map[*node][]*engine.DataStream{}})
}

// Vertices returns the Graph's vertices as a DataSet of Vertex records, Gelly's getVertices.
func (g *Graph) Vertices() *DataSet {
	return newDataSet(g.env, "vertices", func(s *session) *engine.DataStream {
		v, _ := g.streams(s)
		return v
	})
}

// Edges returns the Graph's edges as a DataSet of Edge records, Gelly's getEdges.
func (g *Graph) Edges() *DataSet {
	return newDataSet(g.env, "edges", func(s *session) *engine.DataStream {
		_, e := g.streams(s)
		return e
	})
}

// run executes one job collecting each of outs and returns their records.
func run(env *engine.Environment, name string, outs ...func(s *session) *engine.DataStream) ([][]any, error) {
	cols := make([]*engine.Collected, len(outs))
	_, err := env.ExecuteDataflow("graph: "+name, func(e *engine.Environment) {
		s := &session{env: e, memo: map[*node][]*engine.DataStream{}}
		for i, o := range outs {
			cols[i] = o(s).Collect()
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrGraph, name, err)
	}
	res := make([][]any, len(outs))
	for i, c := range cols {
		res[i] = c.Values()
	}
	return res, nil
}

// Collect runs the Graph's job and returns its vertices in ascending id order and its edges in ascending
// (source, target) order (edges of one pair in no set order).
func (g *Graph) Collect() ([]Vertex, []Edge, error) {
	res, err := run(g.env, "collect graph",
		func(s *session) *engine.DataStream { v, _ := g.streams(s); return v },
		func(s *session) *engine.DataStream { _, e := g.streams(s); return e })
	if err != nil {
		return nil, nil, err
	}
	vs, es := toVertices(res[0]), toEdges(res[1])
	SortVertices(vs)
	SortEdges(es)
	return vs, es, nil
}

// Collect runs the DataSet's job and returns its records, sorted ascending as the engine orders keys (Vertex
// records by id, Edge records by source and target).
func (d *DataSet) Collect() ([]any, error) {
	res, err := run(d.env, "collect "+d.name, d.stream)
	if err != nil {
		return nil, err
	}
	out := res[0]
	sort.SliceStable(out, func(i, j int) bool { return compareRecords(out[i], out[j]) < 0 })
	return out, nil
}

// CollectVertices runs the DataSet's job and returns its records, which must be Vertex records, in
// ascending id order.
func (d *DataSet) CollectVertices() ([]Vertex, error) {
	res, err := run(d.env, "collect "+d.name, d.stream)
	if err != nil {
		return nil, err
	}
	for _, r := range res[0] {
		if _, ok := r.(Vertex); !ok {
			return nil, fmt.Errorf("%w: collect %s: record %v (%T) is not a Vertex", ErrGraph, d.name, r, r)
		}
	}
	vs := toVertices(res[0])
	SortVertices(vs)
	return vs, nil
}

// Count runs a job counting the DataSet's records, Flink's DataSet.count().
func (d *DataSet) Count() (int64, error) {
	res, err := run(d.env, "count "+d.name, func(s *session) *engine.DataStream {
		return count(d.stream(s))
	})
	if err != nil {
		return 0, err
	}
	if len(res[0]) == 0 {
		return 0, nil
	}
	return res[0][0].(int64), nil
}

// count counts the records of in, emitting one int64 when in ends (nothing for an empty input).
func count(in *engine.DataStream) *engine.DataStream {
	return in.Map(func(any) any { return int64(1) }).Name("Count: one").
		KeyBy(func(any) any { return 0 }).
		Aggregate(engine.FieldAggregation{Kind: engine.AggSum}).Name("Count")
}

// NumberOfVertices runs a job counting the Graph's vertices, Gelly's numberOfVertices.
func (g *Graph) NumberOfVertices() (int64, error) { return g.Vertices().Count() }

// NumberOfEdges runs a job counting the Graph's edges, Gelly's numberOfEdges.
func (g *Graph) NumberOfEdges() (int64, error) { return g.Edges().Count() }

func toVertices(rs []any) []Vertex {
	vs := make([]Vertex, len(rs))
	for i, r := range rs {
		vs[i] = r.(Vertex)
	}
	return vs
}

func toEdges(rs []any) []Edge {
	es := make([]Edge, len(rs))
	for i, r := range rs {
		es[i] = r.(Edge)
	}
	return es
}

// SortVertices sorts vs by id in ascending order (see Compare).
func SortVertices(vs []Vertex) {
	sort.SliceStable(vs, func(i, j int) bool { return Compare(vs[i].ID, vs[j].ID) < 0 })
}

// SortEdges sorts es by source, then target, in ascending order (see Compare).
func SortEdges(es []Edge) {
	sort.SliceStable(es, func(i, j int) bool {
		if c := Compare(es[i].Source, es[j].Source); c != 0 {
			return c < 0
		}
		return Compare(es[i].Target, es[j].Target) < 0
	})
}

// compareRecords orders Vertex records by id, Edge records by source and target, anything else by Compare.
func compareRecords(a, b any) int {
	switch x := a.(type) {
	case Vertex:
		if y, ok := b.(Vertex); ok {
			return Compare(x.ID, y.ID)
		}
	case Edge:
		if y, ok := b.(Edge); ok {
			if c := Compare(x.Source, y.Source); c != 0 {
				return c
			}
			return Compare(x.Target, y.Target)
		}
	}
	return Compare(a, b)
}

// Compare orders ids and labels as the engine orders keys: nil first, numbers by value (integers exactly),
// strings lexically, false before true, anything else by its printed form. It returns -1, 0 or +1.
func Compare(a, b any) int { return engine.CompareKeys(a, b) }

// Key selectors of the records of this package.
func vertexID(v any) any   { return v.(Vertex).ID }
func edgeSource(v any) any { return v.(Edge).Source }
func edgeTarget(v any) any { return v.(Edge).Target }

// edgeKey is the (source, target) key of an edge.
type edgeKey struct{ Source, Target any }

func edgePair(v any) any { e := v.(Edge); return edgeKey{e.Source, e.Target} }

func init() { engine.RegisterType(edgeKey{}) }
