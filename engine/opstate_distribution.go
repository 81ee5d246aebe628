package engine

// opStateDistribution says how operator state is handed to the subtasks of a restored (maybe rescaled) job,
// Flink's OperatorStateHandle.Mode.
type opStateDistribution uint8

const (
	// opStateSplit gives new subtask i the state of every old subtask j with j % newParallelism == i
	// (the default, used by sink transactions).
	opStateSplit opStateDistribution = iota
	// opStateBroadcast gives new subtask i a copy of old subtask i % oldParallelism's state, Flink's
	// BroadcastState redistribution (every copy is the same by construction); if that subtask had finished
	// and left none, the lowest-numbered old subtask that has some.
	opStateBroadcast
)

// opStateDistributor is implemented by operator state whose distribution is not opStateSplit.
type opStateDistributor interface {
	opStateDistribution() opStateDistribution
}

// opStateBlobs returns the operator state blobs that subtask index of parallelism gets from cp.
func opStateBlobs(cp *operatorCP, mode opStateDistribution, index, parallelism int) [][]byte {
	var blobs [][]byte
	if mode == opStateBroadcast {
		var first []byte
		for _, sub := range cp.Subtasks {
			if len(sub.State) == 0 {
				continue
			}
			if sub.Index == index%max(cp.Parallelism, 1) {
				return [][]byte{sub.State}
			}
			if first == nil {
				first = sub.State
			}
		}
		if first != nil {
			blobs = append(blobs, first)
		}
		return blobs
	}
	for _, sub := range cp.Subtasks {
		if sub.Index%parallelism == index && len(sub.State) > 0 {
			blobs = append(blobs, sub.State)
		}
	}
	return blobs
}
