package engine

import (
	"errors"
	"fmt"
	"time"
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

func (t *subtask) runSource() {
	n := t.vertex.nodes[0]
	head := t.ops[0]
	hb := head.base()
	setTime := func(int64) {}
	if vc, ok := t.clock.(*VirtualClock); ok {
		setTime = func(at int64) {
			if t.inband && at > t.procNow {
				t.flush()
				t.advanceTime(at)
			}
			if at > vc.NowMillis() {
				t.flush()
				vc.Set(at)
			}
		}
	}
	reader, err := n.source.src.Reader(SourceContext{Subtask: t.index, Parallelism: t.parallelism, Clock: t.clock, SetTime: setTime})
	if err != nil {
		panic(fmt.Errorf("creating the source reader: %w", err))
	}
	defer reader.Close()
	rr, replayable := reader.(ReplayableReader)
	if t.restoreOffset != nil {
		if !replayable {
			panic(fmt.Errorf("source %s cannot seek to its checkpointed position: its reader is not replayable", n.name))
		}
		if err := rr.Seek(t.restoreOffset); err != nil {
			panic(fmt.Errorf("source seek to checkpointed position: %w", err))
		}
	}
	t.reader = reader
	trackReads := replayable && t.guarantee() == AtMostOnce && t.job.cfg.Checkpointing.Interval > 0
	faults := t.job.cfg.Faults
	var em *wmEmitter
	if s := n.source.strategy; s != nil {
		em = &wmEmitter{s: *s}
		em.init(t, s.interval)
		em.emit = func(wm int64) { head.processWatermark(wm) }
		em.markIdle = func(idle bool) { hb.out.idle(idle) }
	}
	al := t.job.align.register(t)
	t.cur = head
	count := 0
	for {
		if t.gate.mail.Load() > 0 {
			t.drainMail()
			t.cur = head
		}
		if t.exec.stopped() {
			return
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
			head.processWatermark(MaxWatermark) // a bounded input ends with the final watermark
			t.inWM.Store(MaxWatermark)
			al.finish()
			t.finish()
			return
		default:
			panic(fmt.Errorf("source read: %w", err))
		}
		switch m := e.Value.(type) {
		case Watermark:
			if em != nil {
				em.emitWatermark(m.Time)
			} else {
				head.processWatermark(m.Time)
			}
			continue
		case Crash:
			panic(fmt.Errorf("scripted crash: %s", m.Reason))
		}
		ts := e.Timestamp
		t.curRec = e.Value
		if faults != nil {
			faults.inject(FailSourceEmit)
		}
		if trackReads {
			if o, err := rr.Offset(); err == nil {
				t.readOffset = o
			}
		}
		if em != nil {
			ts = em.assign(e.Value, ts)
		}
		hb.metrics.in++
		head.processElement(0, record{v: e.Value, ts: ts})
		if em != nil {
			em.observe(e.Value, ts)
		}
		t.curRec = nil
		count++
		if count&63 == 0 {
			if em != nil && !em.s.perRecord {
				em.maybePeriodic()
			}
			t.publish()
		}
	}
}
