package engine

import "fmt"

// ExecuteAsyncOf plans and starts, as ExecuteAsync does, a job of only the given streams' operators and
// everything upstream of them (end a stream in a sink and pass the stream the sink returns), as Flink's
// TableEnvironment makes the pipeline of one statement from that statement's transformations alone. The
// rest of e's graph is neither run nor changed, so a library can run one query after another over streams
// of a caller's Environment without running the caller's other sinks, or its earlier queries, again. A
// stream of another Environment is refused with a panic naming it.
func (e *Environment) ExecuteAsyncOf(name string, streams ...*DataStream) (*Job, error) {
	return e.executeAsyncOf(name, e.cfg, streams)
}

// ExecuteAsyncOfConfig is ExecuteAsyncOf with the job configured by cfg, with NewEnvironment's defaults
// applied, instead of by the Environment's Config, which stays as it was: a library running one statement
// after another on a caller's Environment applies what was set since the Environment was made (package
// table: the checkpointing options SET for the next job, as Flink's SET of execution.checkpointing.* does).
// Pass e.Config() with the fields to change: an operator without a parallelism of its own takes
// cfg.Parallelism.
func (e *Environment) ExecuteAsyncOfConfig(name string, cfg Config, streams ...*DataStream) (*Job, error) {
	return e.executeAsyncOf(name, cfg.withDefaults(), streams)
}

func (e *Environment) executeAsyncOf(name string, cfg Config, streams []*DataStream) (*Job, error) {
	if len(streams) == 0 {
		panic("engine: ExecuteAsyncOf needs at least one stream")
	}
	keep := map[*node]bool{}
	var visit func(n *node)
	visit = func(n *node) {
		if keep[n] {
			return
		}
		keep[n] = true
		for _, in := range n.inputs {
			visit(in.from)
		}
	}
	for i, s := range streams {
		if s == nil || s.env != e {
			panic(fmt.Sprintf("engine: ExecuteAsyncOf: stream %d is not of this Environment", i))
		}
		for _, in := range s.inputs {
			visit(in.node)
		}
	}
	sub := &Environment{cfg: cfg, observer: e.observer, faults: e.faults, iteration: e.iteration}
	for _, n := range e.nodes {
		if keep[n] {
			sub.nodes = append(sub.nodes, n)
		}
	}
	return sub.ExecuteAsync(name)
}
