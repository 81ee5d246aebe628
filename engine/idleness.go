package engine

// sourceIdleness is the idleness of a source reader: what its Idle markers declare, and, with a
// WatermarkStrategy, what the strategy's emitter decides (WithIdleness), which then keeps it. As in Flink's
// SourceOutputWithWatermarks, a record or a watermark that advances the reader's own marks it active again
// before it goes downstream.
type sourceIdleness struct {
	em   *wmEmitter // nil without a WatermarkStrategy
	out  output
	idle bool // without a strategy
}

func (s *sourceIdleness) set(idle bool) {
	if s.em != nil {
		s.em.setIdle(idle)
		return
	}
	if s.idle != idle {
		s.idle = idle
		s.out.idle(idle)
	}
}

// watermark emits an explicit watermark wm of the reader: through the strategy if there is one (a
// punctuation), else straight to the source operator; one that advances the reader's watermark marks it
// active first (Flink's WatermarkToDataOutput#emitWatermark calls markActiveInternally).
func (s *sourceIdleness) watermark(head operator, wm int64) {
	if s.em != nil {
		s.em.emitWatermark(wm)
		return
	}
	if wm > head.base().wm && s.idle {
		s.set(false)
	}
	head.processWatermark(wm)
}

// idlenessTimer decides when a reader without records becomes idle, as Flink's
// WatermarksWithIdleness.IdlenessTimer: a periodic check that sees no record since the previous check starts
// the timer, and the reader is idle once more than timeout has passed since then (so a reader is idle
// between timeout and timeout plus one emit interval after its last record). Any record resets it.
type idlenessTimer struct {
	timeout       int64 // milliseconds
	counter, seen int64 // records so far, and as of the previous check
	timing        bool
	since         int64 // start of the inactivity, when timing
}

func (t *idlenessTimer) activity() { t.counter++ }

// checkIfIdle is called at every periodic emission with the processing time now.
func (t *idlenessTimer) checkIfIdle(now int64) bool {
	switch {
	case t.counter != t.seen:
		t.seen, t.timing = t.counter, false
		return false
	case !t.timing:
		t.timing, t.since = true, now
		return false
	}
	return now-t.since > t.timeout
}

// forwardIdle hands an idleness change of op's input on to op's output, unless op generates its own
// watermarks and status: Flink's TimestampsAndWatermarksOperator#processWatermarkStatus ignores statuses
// propagated from upstream.
func forwardIdle(op operator, idle bool) {
	if _, ok := op.(*watermarkOp); ok {
		return
	}
	op.base().out.idle(idle)
}
