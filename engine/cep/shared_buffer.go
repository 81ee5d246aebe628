package cep

import "github.com/de4e/weir/engine"

// eventID names one event in the shared buffer: its timestamp and its number among the events of that
// timestamp (Flink: EventId). Events compare by timestamp, then number.
type eventID struct {
	TS int64
	N  int32
}

func (a eventID) less(b eventID) bool { return a.TS < b.TS || (a.TS == b.TS && a.N < b.N) }

// nodeID names a node of the shared buffer: an event taken by a stage (Flink: NodeId).
type nodeID struct {
	Event eventID
	Page  string
}

// bufferedEvent is an event with the number of nodes that refer to it (Flink: Lockable<V>).
type bufferedEvent struct {
	Event any
	Refs  int32
}

// bufferEdge points from a node to the node taken before it in a partial match, for the versions
// compatible with Version (Flink: SharedBufferEdge). A node of a first stage has an edge without target.
// Refs counts the locks of the computation states and nodes whose versions are compatible with the
// edge's (Flink: Lockable<SharedBufferEdge>): an edge whose last lock is released is removed and its
// target released, so that a pruned branch frees its events even while the node is still shared.
type bufferEdge struct {
	Target    nodeID
	HasTarget bool
	Version   dewey
	Refs      int32
}

// bufferNode is a node with its edges and the number of computation states and nodes that refer to it
// (Flink: Lockable<SharedBufferNode>). Values in state are never changed in place: an update stores a
// new one, so that a snapshot being written keeps the old.
type bufferNode struct {
	Refs  int32
	Edges []bufferEdge
}

// sharedBuffer stores the events of all partial matches of a key once, as a graph of nodes with
// versioned edges, as Flink's SharedBuffer (after "Efficient Pattern Matching over Event Streams",
// Agrawal et al., SIGMOD 2008): a partial match is a path back from its last node along the edges its
// Dewey version is compatible with.
type sharedBuffer struct {
	events map[eventID]bufferedEvent
	nodes  map[nodeID]bufferNode
	counts map[int64]int32 // timestamp -> number of events registered at it
}

func init() {
	for _, v := range []any{eventID{}, nodeID{}, bufferedEvent{}, bufferNode{}, bufferEdge{}, dewey(nil), nfaState{}, computation{}, []computation(nil), int32(0), int64(0)} {
		engine.RegisterType(v)
	}
}

// registerEvent stores an event, locked once for the time it is processed.
func (b *sharedBuffer) registerEvent(v any, ts int64) eventID {
	n := b.counts[ts]
	b.counts[ts] = n + 1
	id := eventID{TS: ts, N: n}
	b.events[id] = bufferedEvent{Event: v, Refs: 1}
	return id
}

func (b *sharedBuffer) lockEvent(id eventID) {
	if e, ok := b.events[id]; ok {
		e.Refs++
		b.events[id] = e
	}
}

func (b *sharedBuffer) releaseEvent(id eventID) {
	e, ok := b.events[id]
	if !ok {
		return
	}
	if e.Refs <= 1 {
		delete(b.events, id)
		return
	}
	e.Refs--
	b.events[id] = e
}

func (b *sharedBuffer) event(id eventID) any {
	return b.events[id].Event
}

func (b *sharedBuffer) node(id nodeID) (bufferNode, bool) {
	n, ok := b.nodes[id]
	return n, ok
}

// put adds the node of event id taken by stage page, with an edge back to prev (if any) for version.
func (b *sharedBuffer) put(page string, id eventID, prev *nodeID, version dewey) nodeID {
	if prev != nil {
		b.lockNode(*prev, version)
	}
	cur := nodeID{Event: id, Page: page}
	n, ok := b.node(cur)
	if !ok {
		b.lockEvent(id)
	}
	edge := bufferEdge{Version: version}
	if prev != nil {
		edge.Target, edge.HasTarget = *prev, true
	}
	edges := make([]bufferEdge, len(n.Edges), len(n.Edges)+1)
	copy(edges, n.Edges)
	b.nodes[cur] = bufferNode{Refs: n.Refs, Edges: append(edges, edge)}
	return cur
}

// lockNode adds one reference to a node and to its edges compatible with version, the version of the
// computation state or edge that refers to it (Flink: SharedBufferAccessor#lockNode).
func (b *sharedBuffer) lockNode(id nodeID, version dewey) {
	n, ok := b.node(id)
	if !ok {
		return
	}
	edges := append([]bufferEdge(nil), n.Edges...)
	for i := range edges {
		if version.compatibleWith(edges[i].Version) {
			edges[i].Refs++
		}
	}
	b.nodes[id] = bufferNode{Refs: n.Refs + 1, Edges: edges}
}

// releaseNode drops the reference of version to a node: its edges compatible with version lose one
// reference, and an edge left without any is removed and its target released in turn for the edge's
// version; a node left without references is removed with its event (Flink: SharedBufferAccessor#releaseNode).
func (b *sharedBuffer) releaseNode(id nodeID, version dewey) {
	type item struct {
		id      nodeID
		version dewey
	}
	stack := []item{{id, version}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, ok := b.node(it.id)
		if !ok {
			continue
		}
		edges := make([]bufferEdge, 0, len(n.Edges))
		for _, e := range n.Edges {
			if it.version.compatibleWith(e.Version) {
				if e.Refs <= 1 { // Flink's Lockable#release: true once no lock is left
					if e.HasTarget {
						stack = append(stack, item{e.Target, e.Version})
					}
					continue
				}
				e.Refs--
			}
			edges = append(edges, e)
		}
		if n.Refs <= 1 {
			delete(b.nodes, it.id)
			b.releaseEvent(it.id.Event)
			continue
		}
		b.nodes[it.id] = bufferNode{Refs: n.Refs - 1, Edges: edges}
	}
}

// advanceTime forgets the event counters of timestamps before ts.
func (b *sharedBuffer) advanceTime(ts int64) {
	for k := range b.counts {
		if k < ts {
			delete(b.counts, k)
		}
	}
}

// namedIDs is the events one stage took in a match.
type namedIDs struct {
	name string
	ids  []eventID
}

// extractPatterns returns the paths that end in node id for version: each a list of stages in the
// order of the pattern with the events each took (Flink: SharedBufferAccessor#extractPatterns).
func (b *sharedBuffer) extractPatterns(id nodeID, version dewey) [][]namedIDs {
	type step struct {
		node    nodeID
		has     bool
		version dewey
		path    []nodeID
	}
	var result [][]namedIDs
	if _, ok := b.node(id); !ok {
		return nil
	}
	stack := []step{{node: id, has: true, version: version}}
	for len(stack) > 0 {
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !st.has {
			var out []namedIDs
			for i := len(st.path) - 1; i >= 0; i-- {
				n := st.path[i]
				if len(out) > 0 && out[len(out)-1].name == n.Page {
					out[len(out)-1].ids = append(out[len(out)-1].ids, n.Event)
					continue
				}
				found := false
				for j := range out {
					if out[j].name == n.Page {
						out[j].ids = append(out[j].ids, n.Event)
						found = true
						break
					}
				}
				if !found {
					out = append(out, namedIDs{name: n.Page, ids: []eventID{n.Event}})
				}
			}
			result = append(result, out)
			continue
		}
		n, _ := b.node(st.node)
		path := append(st.path[:len(st.path):len(st.path)], st.node)
		for _, e := range n.Edges {
			if st.version.compatibleWith(e.Version) {
				stack = append(stack, step{node: e.Target, has: e.HasTarget, version: e.Version, path: path})
			}
		}
	}
	return result
}

// dewey is a Dewey decimal version of a partial match (Flink: DeweyNumber): a new stage appends a digit,
// a new branch increases the last one.
type dewey []int32

func (d dewey) increase(n int) dewey {
	if n == 0 {
		return d // deweys are never changed in place
	}
	out := append(dewey(nil), d...)
	out[len(out)-1] += int32(n)
	return out
}

func (d dewey) addStage() dewey { return append(append(dewey(nil), d...), 0) }

// compatibleWith reports whether d descends from other: other is a prefix of d, or they differ only in
// the last digit and d's is not smaller.
func (d dewey) compatibleWith(other dewey) bool {
	switch {
	case len(d) > len(other):
		for i := range other {
			if d[i] != other[i] {
				return false
			}
		}
		return true
	case len(d) == len(other):
		last := len(d) - 1
		for i := 0; i < last; i++ {
			if d[i] != other[i] {
				return false
			}
		}
		return d[last] >= other[last]
	}
	return false
}
