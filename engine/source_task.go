package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/de4e/weir/engine/internal/faultinject"
)

// sourceOp is the head of a source's chain: it forwards what the reader produces.
type sourceOp struct{ opBase }

func (o *sourceOp) processElement(_ int, r record) { o.metrics.out++; o.out.collect(r) }
func (o *sourceOp) processWatermark(wm int64) {
	if wm > o.wm {
		o.wm = wm
		o.out.watermark(wm)
	}
}

// runSource reads the source until it ends (or the attempt stops) and returns the subtask's failure, if any:
// a reader that cannot be created, positioned or read, a scripted crash, or a failure of a chained operator.
func (t *subtask) runSource() error {
	n := t.vertex.nodes[0]
	head := t.ops[0]
	hb := head.base()
	var em *wmEmitter // the source's watermark strategy at work, if it has one (made below)
	setTime := func(int64) {}
	if vc, ok := t.clock.(*VirtualClock); ok {
		setTime = func(at int64) {
			moved := false
			if t.inband && at > t.procNow {
				t.flush()
				t.advanceTime(at)
				moved = true
			}
			if at > vc.NowMillis() {
				t.flush()
				vc.Set(at)
				moved = true
			}
			// Periodic emission is a processing-time timer (Flink's auto-watermark interval): when the reader
			// moves the time to or past it, it fires before the record that moved the time, as it would have
			// in the gap between the two records. So periodic watermarks follow a replay's arrival times, at
			// any speed of the machine, instead of the source loop's checks every 64 records.
			if moved && em != nil && !em.s.perRecord {
				em.maybePeriodic()
			}
		}
	}
	reader, err := n.source.src.Reader(SourceContext{Subtask: t.index, Parallelism: t.parallelism, Clock: t.clock, SetTime: setTime,
		Now: t.now, Context: t.context()})
	if err != nil {
		return t.taskError(fmt.Errorf("creating the source reader: %w", err), "while opening the source")
	}
	defer reader.Close()
	rr, replayable := reader.(ReplayableReader)
	if t.restoreOffset != nil {
		if !replayable {
			return t.taskError(fmt.Errorf("source %s cannot seek to its checkpointed position: its reader is not replayable", n.name), "while opening the source")
		}
		if err := rr.Seek(t.restoreOffset); err != nil {
			return t.taskError(fmt.Errorf("source seek to checkpointed position: %w", err), "while opening the source")
		}
	}
	t.reader = reader
	trackReads := replayable && t.guarantee() == AtMostOnce && t.job.cfg.Checkpointing.Interval > 0
	faults := t.job.faults
	if s := n.source.strategy; s != nil {
		em = &wmEmitter{s: *s}
		em.init(t, s.interval)
		em.emit = func(wm int64) { head.processWatermark(wm) }
		em.markIdle = func(idle bool) { hb.out.idle(idle) }
	}
	al := t.job.align.register(t)
	si := sourceIdleness{em: em, out: hb.out}
	t.cur = head
	// inHand is the record being processed. It lives on this goroutine's stack, not in the subtask, because a
	// pointer stored in the heap per record costs a GC write barrier (a tenth of a stateless job's CPU); the
	// record is named for a report only when one is needed: by nameSourceRecord on a panic, and below when
	// an operator fails the subtask with an error.
	var inHand any
	_, fwd := head.(*sourceOp)
	defer t.nameSourceRecord(&inHand)
	count := 0
	for {
		if t.gate.mail.Load() > 0 {
			t.drainMail()
			t.cur = head
		}
		if t.failed != nil {
			return t.failed
		}
		if t.exec.stopped() {
			return nil
		}
		if al != nil && al.hold(t, em) {
			continue
		}
		e, err := reader.Read()
		switch {
		case err == nil:
		case errors.Is(err, ErrNoData):
			t.flush()
			if em != nil {
				em.maybePeriodic()
			}
			t.publish()
			t.gate.wait(time.Millisecond)
			continue
		case errors.Is(err, ErrEndOfInput):
			si.watermark(head, MaxWatermark) // a bounded input ends with the final watermark
			t.inWM.Store(MaxWatermark)
			al.finish()
			t.finish()
			return t.failed
		default:
			return t.taskError(fmt.Errorf("source read: %w", err), "while reading the source")
		}
		switch m := e.Value.(type) {
		case Watermark:
			si.watermark(head, m.Time)
			if t.failed != nil {
				return t.failed
			}
			continue
		case Idle:
			si.set(true)
			continue
		case Crash:
			return t.taskError(fmt.Errorf("scripted crash: %s", m.Reason), "while reading the source")
		}
		ts, noTs := e.Timestamp, e.Timestamp == NoTimestamp // NoTimestamp is "none" at the source boundary
		inHand = e.Value
		if faults != nil {
			if err := faults.Check(faultinject.SourceEmit); err != nil {
				t.curRec = e.Value
				t.fail(err)
				return t.failed
			}
		}
		if trackReads {
			if o, err := rr.Offset(); err == nil {
				t.readOffset = o
			}
		}
		if em != nil {
			ts, noTs = em.assignRecord(e.Value, ts, noTs)
		} else if si.idle {
			si.set(false)
		}
		r := record{v: e.Value, ts: ts, noTs: noTs}
		hb.metrics.in++
		hb.took(&r)
		if fwd {
			hb.metrics.out++ // sourceOp.processElement, without the call through the interface
			hb.out.collect(r)
		} else {
			head.processElement(0, r)
		}
		if em != nil {
			em.observe(e.Value, ts)
		}
		if t.failed != nil {
			t.nameFailedRecord(e.Value)
			return t.failed
		}
		inHand = nil
		count++
		if count&63 == 0 {
			if em != nil && !em.s.perRecord {
				em.maybePeriodic()
			}
			t.publish()
		}
	}
}

// nameSourceRecord is deferred by runSource with its record in hand: a panic passing through while a record
// is in hand names it, unless a chained operator named its own (blame), and the panic goes on.
func (t *subtask) nameSourceRecord(inHand *any) {
	if p := recover(); p != nil {
		if !t.blamed && *inHand != nil {
			t.blamed = true
			t.curRec = *inHand
		}
		panic(p)
	}
}

// nameFailedRecord names v, the source's record in hand, in the subtask's failure if the operator that
// failed it did not name a record or a phase (taskError could not: the source loop does not store its
// record in the subtask).
func (t *subtask) nameFailedRecord(v any) {
	if te, ok := t.failed.(*TaskError); ok && te.Context == noRecordContext {
		te.Context = recordContext(v)
	}
}
