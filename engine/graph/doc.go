// Package graph is Gelly, Flink's graph processing library, on Weir's engine: a Graph of vertices (id,
// value) and edges (source, target, value), its transformations and neighbourhood methods, Gelly's three
// iteration models (vertex-centric, scatter-gather and gather-sum-apply) and a library of algorithms
// (PageRank, LabelPropagation, ConnectedComponents, SingleSourceShortestPaths, CommunityDetection,
// TriangleEnumerator, HITS, JaccardIndex and AdamicAdar).
//
// # Vertex ids and values
//
// Ids and values are of any type, as records are elsewhere in Weir. Ids must be comparable (usable as Go
// map keys: numbers, strings, bools, and structs or arrays of them); the engine keys and partitions by them.
// Algorithms that order ids or labels (ConnectedComponents' smallest id, LabelPropagation's greatest label,
// TriangleEnumerator's and the similarity measures' pair order) compare them as the engine orders keys:
// numbers by value, strings lexically, anything else by its printed form, so ids of one kind (all integers,
// or all strings) give the orders Gelly gives. The generators make int64 ids, as Gelly's make LongValue
// ids, and nil values (Gelly's NullValue).
//
// # How a Graph runs
//
// A Graph is lazy, as a Gelly Graph built on DataSets is: constructors and transformations only record how
// to build the vertex and edge streams, and a method that needs data (Collect, NumberOfVertices, a DataSet's
// Collect, an iteration or a library algorithm) runs everything recorded so far as one bounded engine job,
// with Flink's DataSet operators on bounded streams (JoinBounded, CoGroupBounded, ReduceGroup, Distinct,
// Aggregate). Each such job is a real dataflow: it starts on a fresh Environment with the Graph's
// Environment's Config through Environment.ExecuteDataflow, and is reported to that Environment's Observer,
// so the workbench's live view shows it. A stream used twice in one job (a Graph's vertices, say, joined
// twice) is built once and fanned out.
//
// Gelly ran its iterations as Flink delta iterations inside one job; Weir's iterations
// (Environment.IterateDelta, IterateBulk) run one bounded job per superstep, driven from Go. So the
// iteration models and the algorithms first run the Graph's job to collect its vertices and edges, then run
// the iteration: each superstep is one job, reported as a SuperstepInfo with its workset (messages, or
// updated vertices) and solution-set delta sizes. The edges are the iteration's loop-invariant input: they
// are grouped once into one adjacency record per vertex and read by every superstep (Flink caches an
// iteration's static path the same way). Vertex-centric and scatter-gather iterations may register
// aggregators (their Aggregators field, Gelly's registerAggregator on the iteration's configuration), which
// the user functions reach through their context's IterationAggregator and PreviousIterationAggregate, on
// the engine's iteration aggregators. Results are Vertex slices in ascending id order.
//
// The vertex-centric, scatter-gather and gather-sum-apply models follow Gelly's rules: a vertex-centric
// ComputeFunction runs for every vertex in superstep 1 and afterwards for the vertices that received
// messages, and the iteration ends when no message is sent; scatter-gather and gather-sum-apply iterations
// start from every vertex, continue from the vertices updated in the superstep before, and end when none
// was updated. Any of them also ends after its MaxIterations.
//
// Every superstep's job of an iteration (the three models, PageRank and HITS) publishes the iteration's
// Progress through the engine's gauge hook as ProgressGauge: per superstep the vertices that were active, the
// messages sent and the vertices updated, and the vertices ranked by value (the highest scores, or the values
// most vertices share), which the workbench's live view draws superstep by superstep.
//
// Records are Vertex and Edge values; user functions are plain func types (VertexMapFunc, NeighborsFunc,
// ComputeFunction, ...), so notebook cells interpreted by yaegi can call the whole API.
package graph
