package engine

import "sync"

// idleStatus is a subtask's idleness as Job.Snapshot shows it: which input channels are idle and whether its
// output is. The subtask's goroutine writes it when a status changes, which is rare; Snapshot reads a copy.
type idleStatus struct {
	mu     sync.Mutex
	inputs []bool
	output bool
}

func (s *idleStatus) setInput(ch, channels int, idle bool) {
	s.mu.Lock()
	if len(s.inputs) < channels {
		s.inputs = append(s.inputs, make([]bool, channels-len(s.inputs))...)
	}
	s.inputs[ch] = idle
	s.mu.Unlock()
}

func (s *idleStatus) setOutput(idle bool) {
	s.mu.Lock()
	s.output = idle
	s.mu.Unlock()
}

// read returns a copy of the channels' idleness (nil for a subtask without input channels) and the output's.
func (s *idleStatus) read(channels int) ([]bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if channels == 0 {
		return nil, s.output
	}
	in := make([]bool, channels)
	copy(in, s.inputs)
	return in, s.output
}
