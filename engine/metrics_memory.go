package engine

// MemorySnapshot is the memory of one TaskManager, as Flink's TaskManager metrics break it down: managed
// memory (Config.ManagedMemorySize, which batch operators sort in), network buffers, keyed state on the heap
// and in Pebble, and what the sorts spilled to disk.
type MemorySnapshot struct {
	TaskManager int
	// ManagedUsed is the managed memory the TaskManager's operators hold now, in bytes; ManagedPeak the most
	// they held at once; ManagedBudget is Config.ManagedMemorySize (whole pages per slot).
	ManagedUsed, ManagedPeak, ManagedBudget int64
	// NetworkBuffersUsed is how many network buffers are in flight to the TaskManager's subtasks now, of
	// NetworkBuffersTotal: Config.BuffersPerChannel credits for each input channel (Flink's network buffer
	// pool, here counted in buffers of Config.BufferSize records).
	NetworkBuffersUsed, NetworkBuffersTotal int
	// HeapStateBytes estimates the keyed state the heap backend holds, as of the previous Snapshot: each
	// table's entries times the size of a sample of them (package state's SizeOf: the Go sizes of keys and
	// values, following pointers, strings and slices), the State pane's figures summed.
	HeapStateBytes int64
	// PebbleStateBytes is the disk space of the Pebble backend's state, as Pebble estimates it (state still in
	// its memtable, not yet flushed, is not counted), as of the previous Snapshot; 0 with the heap backend.
	PebbleStateBytes int64
	// Spills counts the sorted runs the TaskManager's sorts wrote to disk when their managed memory was full,
	// and SpilledBytes their size.
	Spills, SpilledBytes int64
}

// memorySnapshot returns each TaskManager's memory, for Snapshot.
func (j *Job) memorySnapshot(ex *execution) []MemorySnapshot {
	out := make([]MemorySnapshot, len(j.tms))
	perSlot := j.ManagedMemoryPerSlot()
	for i, tm := range j.tms {
		out[i] = MemorySnapshot{TaskManager: tm.ID, ManagedBudget: perSlot * int64(tm.Slots)}
	}
	at := func(tm int) *MemorySnapshot {
		if tm < 1 || tm > len(out) {
			return nil
		}
		return &out[tm-1]
	}
	j.mem.mu.Lock()
	managers := append(j.mem.managers[:0:0], j.mem.managers...)
	spills := append(j.mem.spills[:0:0], j.mem.spills...)
	live := append(j.mem.live[:0:0], j.mem.live...)
	j.mem.mu.Unlock()
	for slot, m := range managers {
		if m == nil || slot >= len(j.slotTM) {
			continue
		}
		if s := at(j.slotTM[slot]); s != nil {
			f := m.Figures()
			s.ManagedUsed += f.UsedBytes
			s.ManagedPeak += f.PeakBytes
		}
	}
	for slot, f := range spills {
		if slot < len(j.slotTM) {
			if s := at(j.slotTM[slot]); s != nil {
				s.Spills += f.runs
				s.SpilledBytes += f.bytes
			}
		}
	}
	for _, l := range live {
		if s := at(j.slotTM[l.slot]); s != nil {
			st := l.sorter.Stats()
			s.Spills += st.Spills
			s.SpilledBytes += st.SpilledBytes
		}
	}
	if ex == nil {
		return out
	}
	for _, ts := range ex.tasks {
		for _, t := range ts {
			s := at(t.tm)
			if s == nil {
				continue
			}
			used, total := t.gate.buffers()
			s.NetworkBuffersUsed += used
			s.NetworkBuffersTotal += total
			t.detailMu.Lock()
			for _, st := range t.detail.state {
				switch st.Backend {
				case "heap":
					s.HeapStateBytes += st.Bytes
				case "pebble":
					s.PebbleStateBytes += st.Bytes
				}
			}
			t.detailMu.Unlock()
		}
	}
	return out
}

// buffers returns how many buffers are in flight to the gate and how many its channels' credits allow.
func (g *gate) buffers() (used, total int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.inflight {
		used += n
	}
	return used, len(g.inflight) * g.credits
}
