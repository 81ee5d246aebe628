package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PlanStage is a stage of a Batch job: a pipelined region of its plan, Flink's SchedulingPipelinedRegion.
// The vertices of a stage are connected by forward edges (chains and unchained forward edges), which stay
// pipelined; every other edge (HASH, REBALANCE, BROADCAST, GLOBAL, and so the partitionings of KeyBy,
// PartitionByHash, PartitionByRange and Rebalance) is a blocking exchange between stages, Flink's
// ResultPartitionType.BLOCKING: the producing stage writes all of its output before any consumer starts.
// Stages are numbered from 1 in the order they run, a topological order of the stage graph.
type PlanStage struct {
	ID       int
	Vertices []int // the IDs of the stage's vertices, ascending
	Inputs   []int // the IDs of the stages whose blocking results it reads, ascending
}

// BatchStages splits the plan into the stages a Batch job runs one after another (Flink's
// PipelinedRegionSchedulingStrategy with blocking exchanges, as under the batch shuffle mode that keeps
// forward edges pipelined, GlobalStreamExchangeMode.FORWARD_EDGES_PIPELINED). Regions whose blocking edges
// would form a cycle (a vertex that reads one region both through a forward edge and through a blocking
// edge of a region downstream) are merged into one stage, as Flink's
// SchedulingPipelinedRegionComputeUtil#mergeRegionsOnCycles does; edges inside a stage are pipelined.
func (p *Plan) BatchStages() []PlanStage {
	st := computeStages(p)
	out := make([]PlanStage, len(st))
	for i, s := range st {
		ps := PlanStage{ID: s.id, Inputs: append([]int(nil), s.inputs...)}
		for _, vi := range s.vertices {
			ps.Vertices = append(ps.Vertices, p.Vertices[vi].ID)
		}
		out[i] = ps
	}
	return out
}

// String prints the stages, one a line: "stage 1: [1 2] <- stages []".
func (s PlanStage) String() string {
	return fmt.Sprintf("stage %d: %v <- stages %v", s.ID, s.Vertices, s.Inputs)
}

// batchStage is a stage of the running job: the indexes of its vertices in Plan.Vertices (ascending) and
// of the stages it reads (by stage index, ascending, as are stage ids minus one).
type batchStage struct {
	id       int
	vertices []int
	inputs   []int // stage ids
	member   map[int]bool
}

func (s *batchStage) has(vi int) bool { return s.member[vi] }

// pipelinedEdge reports whether a plan edge stays pipelined in Batch mode: forward edges do.
func pipelinedEdge(e PlanEdge) bool { return e.Partitioning == partForward.String() }

// computeStages groups the plan's vertices into stages: connected components over pipelined edges, merged
// where the blocking edges between them form cycles (Tarjan's strongly connected components), in a
// topological order that prefers the stage holding the lowest vertex.
func computeStages(p *Plan) []*batchStage {
	n := len(p.Vertices)
	index := map[int]int{} // vertex ID -> index
	for i, v := range p.Vertices {
		index[v.ID] = i
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra > rb {
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	for vi, v := range p.Vertices {
		for _, e := range v.Inputs {
			if pipelinedEdge(e) {
				union(index[e.From], vi)
			}
		}
	}
	// Merge regions on cycles of the region graph until none is left.
	for {
		succ := map[int]map[int]bool{}
		for vi, v := range p.Vertices {
			for _, e := range v.Inputs {
				a, b := find(index[e.From]), find(vi)
				if a != b {
					if succ[a] == nil {
						succ[a] = map[int]bool{}
					}
					succ[a][b] = true
				}
			}
		}
		merged := false
		for _, comp := range stronglyConnected(n, find, succ) {
			for _, r := range comp[1:] {
				union(comp[0], r)
				merged = true
			}
		}
		if !merged {
			break
		}
	}
	// One stage per region; then order them topologically, lowest first vertex first among the ready.
	byRoot := map[int]*batchStage{}
	var regions []*batchStage
	for vi := range p.Vertices {
		r := find(vi)
		s := byRoot[r]
		if s == nil {
			s = &batchStage{member: map[int]bool{}}
			byRoot[r] = s
			regions = append(regions, s)
		}
		s.vertices = append(s.vertices, vi)
		s.member[vi] = true
	}
	preds := map[*batchStage]map[*batchStage]bool{}
	for vi, v := range p.Vertices {
		for _, e := range v.Inputs {
			from, to := byRoot[find(index[e.From])], byRoot[find(vi)]
			if from != to {
				if preds[to] == nil {
					preds[to] = map[*batchStage]bool{}
				}
				preds[to][from] = true
			}
		}
	}
	var order []*batchStage
	placed := map[*batchStage]bool{}
	for len(order) < len(regions) {
		for _, s := range regions { // regions are in order of their lowest vertex
			if placed[s] {
				continue
			}
			ready := true
			for pr := range preds[s] {
				if !placed[pr] {
					ready = false
					break
				}
			}
			if ready {
				placed[s] = true
				s.id = len(order) + 1
				order = append(order, s)
				break
			}
		}
	}
	for _, s := range order {
		for pr := range preds[s] {
			s.inputs = append(s.inputs, pr.id)
		}
		slices.Sort(s.inputs)
	}
	return order
}

// stronglyConnected returns the components of more than one region in the graph of region roots succ
// (Tarjan's algorithm), each ascending.
func stronglyConnected(n int, find func(int) int, succ map[int]map[int]bool) [][]int {
	idx, low := map[int]int{}, map[int]int{}
	on := map[int]bool{}
	var stack []int
	var comps [][]int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		idx[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		ws := make([]int, 0, len(succ[v]))
		for w := range succ[v] {
			ws = append(ws, w)
		}
		slices.Sort(ws)
		for _, w := range ws {
			if _, seen := idx[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], idx[w])
			}
		}
		if low[v] == idx[v] {
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				slices.Sort(comp)
				comps = append(comps, comp)
			}
		}
	}
	for v := range n {
		if r := find(v); r == v {
			if _, seen := idx[r]; !seen {
				visit(r)
			}
		}
	}
	return comps
}

// StageState is where a stage of a Batch job is in its life.
type StageState int

// The states of a stage.
const (
	// StageWaiting is a stage that has not started: some stage it reads has not finished.
	StageWaiting StageState = iota
	// StageRunning is a stage whose subtasks run.
	StageRunning
	// StageFinished is a stage every subtask of which has finished: its blocking results are complete.
	StageFinished
	// StageFailed is a stage whose last attempt failed; it is restarted if the restart strategy allows.
	StageFailed
)

func (s StageState) String() string {
	switch s {
	case StageWaiting:
		return "WAITING"
	case StageRunning:
		return "RUNNING"
	case StageFinished:
		return "FINISHED"
	case StageFailed:
		return "FAILED"
	}
	return fmt.Sprintf("StageState(%d)", int(s))
}

// StageSnapshot describes one stage of a Batch job (JobSnapshot.Stages).
type StageSnapshot struct {
	ID          int
	Vertices    []int    // the IDs of the stage's vertices
	VertexNames []string // their names, in the same order
	Inputs      []int    // the stages whose blocking results it reads
	State       StageState
	// Attempts counts the stage's runs so far: 0 while it waits for the first, 1 in (or after) its first run.
	Attempts int
	// RecordsIn is what the current (or last) attempt read: records its sources emitted plus records read
	// from the blocking results of earlier stages.
	RecordsIn int64
	// RecordsOut is what it wrote: records into its blocking results plus records its sinks took in.
	RecordsOut int64
	Started    time.Time // when the current (or last) attempt started; zero before the first
	Finished   time.Time // when the stage finished; zero until it has
}

// The events of a Batch job's stages (Event.Detail says which stage, its vertices and attempt).
const (
	// EventStageRunning is recorded when a stage's attempt starts.
	EventStageRunning EventKind = "stage-running"
	// EventStageFinished is recorded when every subtask of a stage has finished; Count is its RecordsOut.
	EventStageFinished EventKind = "stage-finished"
	// EventStageFailed is recorded when a stage's attempt fails.
	EventStageFailed EventKind = "stage-failed"
	// EventPartitionLost is recorded when a blocking result a stage needs is missing or corrupt, before its
	// producer stage runs again.
	EventPartitionLost EventKind = "partition-lost"
	// EventPartitionInMemory is recorded (once per job) when a blocking result exceeds
	// Config.BlockingPartitionRecords or BlockingPartitionMemory but stays in memory because its records
	// cannot be encoded with gob.
	EventPartitionInMemory EventKind = "partition-in-memory"
)

// stageLabel names a stage in events: "stage 2 [3 4]".
func stageLabel(p *Plan, s *batchStage) string {
	ids := make([]string, len(s.vertices))
	for i, vi := range s.vertices {
		ids[i] = fmt.Sprint(p.Vertices[vi].ID)
	}
	return fmt.Sprintf("stage %d [%s]", s.id, strings.Join(ids, " "))
}
