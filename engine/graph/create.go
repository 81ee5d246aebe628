package graph

import (
	"fmt"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// FromCollection makes a Graph of the given vertices and edges, Gelly's Graph.fromCollection(vertices,
// edges, env). env's Config and Observer run the Graph's jobs.
func FromCollection(env *engine.Environment, vertices []Vertex, edges []Edge) *Graph {
	vs := make([]any, len(vertices))
	for i, v := range vertices {
		vs[i] = v
	}
	es := make([]any, len(edges))
	for i, e := range edges {
		es[i] = e
	}
	return newGraph(env, func(s *session) (*engine.DataStream, *engine.DataStream) {
		return s.env.FromSlice(vs).Name("Vertices"), s.env.FromSlice(es).Name("Edges")
	})
}

// FromEdges makes a Graph of the given edges; its vertices are the edges' endpoints, each once, with nil
// values, Gelly's Graph.fromCollection(edges, env) (whose vertex values are NullValue).
func FromEdges(env *engine.Environment, edges []Edge) *Graph {
	es := make([]any, len(edges))
	for i, e := range edges {
		es[i] = e
	}
	return newGraph(env, func(s *session) (*engine.DataStream, *engine.DataStream) {
		e := s.env.FromSlice(es).Name("Edges")
		return verticesOf(e), e
	})
}

// FromEdgeList makes a Graph of edges given as (source, target) pairs, with nil edge and vertex values,
// Gelly's Graph.fromTuple2DataSet.
func FromEdgeList(env *engine.Environment, pairs [][2]any) *Graph {
	edges := make([]Edge, len(pairs))
	for i, p := range pairs {
		edges[i] = Edge{Source: p[0], Target: p[1]}
	}
	return FromEdges(env, edges)
}

// FromDataStreams makes a Graph whose vertices and edges are bounded streams that build makes on each job's
// Environment, Gelly's Graph.fromDataSet(vertices, edges, env). Their records must be Vertex and Edge values
// (a job fails on any other); vertices may be nil, and the vertices are then the edges' endpoints with nil
// values. build is called once for every job the Graph runs, so it must build the same streams each time
// (bounded sources: FromSlice, FileSource, a GeneratorSource with a Count).
func FromDataStreams(env *engine.Environment, build func(env *engine.Environment) (vertices, edges *engine.DataStream)) *Graph {
	if build == nil {
		panic("graph: FromDataStreams needs a build function, got nil")
	}
	return newGraph(env, func(s *session) (*engine.DataStream, *engine.DataStream) {
		v, e := build(s.env)
		if e == nil {
			panic("graph: FromDataStreams: build returned a nil edge stream")
		}
		e = e.Map(func(r any) any {
			if _, ok := r.(Edge); !ok {
				panic(fmt.Sprintf("graph: FromDataStreams: edge record %v (%T) is not a graph.Edge", r, r))
			}
			return r
		}).Name("Check edges")
		if v == nil {
			return verticesOf(e), e
		}
		v = v.Map(func(r any) any {
			if _, ok := r.(Vertex); !ok {
				panic(fmt.Sprintf("graph: FromDataStreams: vertex record %v (%T) is not a graph.Vertex", r, r))
			}
			return r
		}).Name("Check vertices")
		return v, e
	})
}

// verticesOf returns the distinct endpoints of edges as vertices with nil values.
func verticesOf(edges *engine.DataStream) *engine.DataStream {
	return edges.FlatMap(func(r any, out engine.Collector) {
		e := r.(Edge)
		out.Collect(Vertex{ID: e.Source})
		out.Collect(Vertex{ID: e.Target})
	}).Name("Edge endpoints").DistinctBy(vertexID).Name("Vertices")
}

// VertexFile reads vertices from CSV or NDJSON files: each record's IDField is the id and ValueField (if
// set) the value.
type VertexFile struct {
	// Files are the files, read as a bounded stream (their Prototype, if any, types the records).
	Files sources.FileSource
	// IDField names the field or column of the vertex id. Default "id".
	IDField string
	// ValueField names the field or column of the vertex value. Default "": values are nil.
	ValueField string
}

// EdgeFile reads edges from CSV or NDJSON files.
type EdgeFile struct {
	// Files are the files, read as a bounded stream (their Prototype, if any, types the records).
	Files sources.FileSource
	// SourceField and TargetField name the fields or columns of the endpoints. Defaults "source" and
	// "target".
	SourceField, TargetField string
	// ValueField names the field or column of the edge value. Default "": values are nil.
	ValueField string
}

// FromFiles makes a Graph read from files, Gelly's Graph.fromCsvReader: edges from edgeFile and vertices
// from vertexFile, or, when vertexFile is nil, the edges' endpoints with nil values. Without a Prototype a
// CSV cell is a string and an NDJSON number a float64, and ids are those values: give the FileSource a
// Prototype struct to have integer ids. A record without a named field fails the job.
func FromFiles(env *engine.Environment, vertexFile *VertexFile, edgeFile EdgeFile) *Graph {
	src, tgt, ev := edgeFile.SourceField, edgeFile.TargetField, edgeFile.ValueField
	if src == "" {
		src = "source"
	}
	if tgt == "" {
		tgt = "target"
	}
	var vf VertexFile
	if vertexFile != nil {
		vf = *vertexFile
		if vf.IDField == "" {
			vf.IDField = "id"
		}
	}
	return newGraph(env, func(s *session) (*engine.DataStream, *engine.DataStream) {
		e := s.env.FromSource(edgeFile.Files, nil, "Edge files").Map(func(r any) any {
			out := Edge{Source: engine.Field(r, src), Target: engine.Field(r, tgt)}
			if ev != "" {
				out.Value = engine.Field(r, ev)
			}
			return out
		}).Name("Edges")
		if vertexFile == nil {
			return verticesOf(e), e
		}
		v := s.env.FromSource(vf.Files, nil, "Vertex files").Map(func(r any) any {
			out := Vertex{ID: engine.Field(r, vf.IDField)}
			if vf.ValueField != "" {
				out.Value = engine.Field(r, vf.ValueField)
			}
			return out
		}).Name("Vertices")
		return v, e
	})
}

// FromDataSets makes a Graph of a DataSet of Vertex records and one of Edge records, which must derive from
// Graphs on the same Environment as env.
func FromDataSets(env *engine.Environment, vertices, edges *DataSet) *Graph {
	if vertices == nil || edges == nil {
		panic("graph: FromDataSets needs vertex and edge DataSets, got nil")
	}
	return newGraph(env, func(s *session) (*engine.DataStream, *engine.DataStream) {
		return vertices.stream(s), edges.stream(s)
	})
}

// FromRecords makes a DataSet of the given records, for JoinWithVertices and JoinWithEdges.
func FromRecords(env *engine.Environment, records []any) *DataSet {
	rs := append([]any(nil), records...)
	return newDataSet(env, "records", func(s *session) *engine.DataStream {
		return s.env.FromSlice(rs).Name("Records")
	})
}
