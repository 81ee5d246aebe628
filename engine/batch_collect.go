package engine

// collectOp is the operator of a Collect sink. In Streaming it appends each record to its Collected at
// once. In a Batch job it holds its subtask's records and hands them over as a Transaction committed when
// the sink's stage has finished (region_failover.go), so that a restarted stage does not collect the
// records of its failed attempt twice.
type collectOp struct {
	sinkOp
	c      *Collected
	staged []TimestampedValue
}

func newCollectOp(c *Collected) operator {
	o := &collectOp{c: c}
	o.rec = func(r record) error {
		tv := TimestampedValue{Value: r.v, Timestamp: r.ts, Untimed: r.noTs}
		if o.task != nil && o.task.exec.stage != nil {
			o.staged = append(o.staged, tv)
			return nil
		}
		c.mu.Lock()
		c.recs = append(c.recs, tv)
		c.mu.Unlock()
		return nil
	}
	return o
}

func (o *collectOp) endInput() {
	if o.task != nil && o.task.exec.stage != nil {
		o.task.exec.addFinal(&collectTxn{c: o.c, recs: o.staged})
		o.staged = nil
	}
	o.sinkOp.endInput()
}

// collectTxn is the records one subtask of a Collect sink took in during a stage's attempt.
type collectTxn struct {
	c    *Collected
	recs []TimestampedValue
}

func (t *collectTxn) Write(v any, ts int64) error {
	t.recs = append(t.recs, TimestampedValue{Value: v, Timestamp: ts})
	return nil
}
func (t *collectTxn) PreCommit() error { return nil }

// Commit appends the records to the Collected; a second Commit adds nothing.
func (t *collectTxn) Commit() error {
	t.c.mu.Lock()
	t.c.recs = append(t.c.recs, t.recs...)
	t.c.mu.Unlock()
	t.recs = nil
	return nil
}

func (t *collectTxn) Abort() error { t.recs = nil; return nil }
