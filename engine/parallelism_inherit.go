package engine

// InheritParallelism makes the operator that produced s run with the parallelism of the operator that
// produced up: the parallelism set on it (SetParallelism; none: the environment's default) and its bound
// (1 for a non-parallel source such as FromSlice). Flink's table planner runs the operator that converts a
// DataStream into table rows beside the stream this way, so that the rows keep the stream's order. A
// stream made of several inputs (a union) leaves s unchanged. It returns s.
func (s *DataStream) InheritParallelism(up *DataStream) *DataStream {
	n := s.last("InheritParallelism")
	if len(up.inputs) != 1 {
		return s
	}
	u := up.inputs[0].node
	n.parallelism, n.maxPar = u.parallelism, u.maxPar
	return s
}
