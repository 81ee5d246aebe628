package engine

import (
	"errors"
	"fmt"
	"strings"
)

// ErrEmptyJob is returned by Execute and Plan when the environment has no operator.
var ErrEmptyJob = errors.New("engine: the job has no operators (add a source and a sink)")

// Plan is the job graph: the logical operators fused into chains, each chain a vertex whose parallel
// subtasks run in their own goroutines. It is what Flink's web UI draws, and what the workbench shows.
type Plan struct {
	Vertices       []*PlanVertex
	MaxParallelism int
	Slots          int // slots the job needs: its largest parallelism (slot sharing)
}

// PlanVertex is a chain of operators that runs as one task.
type PlanVertex struct {
	ID          int
	Name        string   // operator names joined by " -> ", as in Flink
	Operators   []string // the chained operators, head first
	Parallelism int
	Inputs      []PlanEdge
	nodes       []*node
}

// PlanEdge is a network connection into a vertex.
type PlanEdge struct {
	From         int    // the upstream vertex's ID
	Partitioning string // FORWARD, REBALANCE, BROADCAST, HASH or GLOBAL
	SideOutput   string // the side output read, or ""
	Input        int    // 0, or 1 for the second input of connected streams
}

// String prints the plan, a vertex a line, with its inputs.
func (p *Plan) String() string {
	var b strings.Builder
	for _, v := range p.Vertices {
		fmt.Fprintf(&b, "[%d] %s (parallelism %d)", v.ID, v.Name, v.Parallelism)
		for _, e := range v.Inputs {
			fmt.Fprintf(&b, " <- [%d] %s", e.From, e.Partitioning)
			if e.SideOutput != "" {
				fmt.Fprintf(&b, " side:%s", e.SideOutput)
			}
			if e.Input == 1 {
				b.WriteString(" (input 2)")
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// planNode is a node's place in the plan.
type planNode struct {
	vertex *PlanVertex
	par    int
}

func buildPlan(e *Environment) (*Plan, error) {
	if len(e.nodes) == 0 {
		return nil, ErrEmptyJob
	}
	p := &Plan{MaxParallelism: e.cfg.MaxParallelism}
	placed := map[*node]*planNode{}
	for _, n := range e.nodes {
		par := n.parallelism
		if par == 0 {
			par = e.cfg.Parallelism
			if n.maxPar > 0 {
				par = min(par, n.maxPar)
			}
		}
		if n.keyed && par > e.cfg.MaxParallelism {
			return nil, fmt.Errorf("engine: %s: parallelism %d exceeds max parallelism %d", n.name, par, e.cfg.MaxParallelism)
		}
		if n.kind != "source" && len(n.inputs) == 0 {
			return nil, fmt.Errorf("engine: %s has no input", n.name)
		}
		for i := range n.inputs {
			in := &n.inputs[i]
			up := placed[in.from]
			if in.part == partDefault {
				in.part = partRebalance
				if up.par == par {
					in.part = partForward
				}
			}
			if in.part == partForward && up.par != par {
				return nil, fmt.Errorf("engine: forward partitioning from %s (parallelism %d) to %s (parallelism %d) does not allow a change of parallelism; use Rebalance",
					in.from.name, up.par, n.name, par)
			}
		}
		if len(n.inputs) == 1 && canChain(n, n.inputs[0], placed[n.inputs[0].from].par, par) {
			v := placed[n.inputs[0].from].vertex
			v.nodes = append(v.nodes, n)
			v.Operators = append(v.Operators, n.name)
			v.Name += " -> " + n.name
			placed[n] = &planNode{vertex: v, par: par}
			continue
		}
		v := &PlanVertex{ID: len(p.Vertices) + 1, Name: n.name, Operators: []string{n.name}, Parallelism: par, nodes: []*node{n}}
		for _, in := range n.inputs {
			pe := PlanEdge{From: placed[in.from].vertex.ID, Partitioning: in.part.String(), Input: in.input}
			if in.side != nil {
				pe.SideOutput = in.side.Name
			}
			v.Inputs = append(v.Inputs, pe)
		}
		p.Vertices = append(p.Vertices, v)
		placed[n] = &planNode{vertex: v, par: par}
		p.Slots = max(p.Slots, par)
	}
	return p, nil
}

// canChain reports whether n can be fused into the chain of its single input, Flink's rule: a forward edge
// between operators of equal parallelism, neither of which forbids chaining, and not a side output.
func canChain(n *node, in edgeSpec, upPar, par int) bool {
	return n.kind != "source" && in.part == partForward && in.side == nil && upPar == par && in.input == 0 &&
		n.chaining == chainDefault && in.from.chaining != chainNever
}
