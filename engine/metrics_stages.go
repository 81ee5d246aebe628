package engine

// snapshotTasks returns the subtasks Snapshot shows for vertex vi: those of the current attempt or, in a
// Batch job, of the latest attempt of the vertex's stage (none while the stage waits for its first).
func (j *Job) snapshotTasks(ex *execution, vi int) []*subtask {
	if j.batch == nil {
		return ex.tasks[vi]
	}
	j.batch.mu.Lock()
	defer j.batch.mu.Unlock()
	return j.batch.vertexTasks[vi]
}

// stageSnapshots describes the stages of a Batch job, nil in Streaming.
func (j *Job) stageSnapshots() []StageSnapshot {
	b := j.batch
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]StageSnapshot, len(b.runs))
	for i, run := range b.runs {
		s := run.stage
		ss := StageSnapshot{ID: s.id, Inputs: append([]int(nil), s.inputs...), State: run.state, Attempts: run.attempts,
			Started: run.started, Finished: run.finished, RecordsIn: run.in.Load(), RecordsOut: run.out.Load()}
		for _, vi := range s.vertices {
			v := j.plan.Vertices[vi]
			ss.Vertices = append(ss.Vertices, v.ID)
			ss.VertexNames = append(ss.VertexNames, v.Name)
			for _, t := range b.vertexTasks[vi] {
				for _, op := range t.ops {
					bs := op.base()
					switch {
					case bs.node.source != nil:
						ss.RecordsIn += bs.metrics.pub.in.Load()
					case bs.node.kind == "sink":
						ss.RecordsOut += bs.metrics.pub.in.Load()
					}
				}
			}
		}
		out[i] = ss
	}
	return out
}
