package engine

import "sort"

// RecordSample is one record an operator took in, as the workbench's timeline of event time against the
// watermark draws it: its timestamp, the processing time it arrived at, the operator's watermark then, and
// whether it was late.
type RecordSample struct {
	Timestamp int64 // the record's event time, in milliseconds
	// Arrived is the processing time the operator took the record in at: the job's Clock, or the in-band
	// processing time with Config.DeterministicTime.
	Arrived int64
	// Watermark is the operator's watermark when the record arrived, MinWatermark before its first.
	Watermark int64
	// Late is Timestamp <= Watermark: the watermark had already promised that no record this old would come
	// (Flink's definition of a late element). A window operator with allowed lateness may still use it.
	Late bool
}

// sampleRing is how many recent samples an operator subtask keeps; a vertex's operator in a JobSnapshot
// keeps as many, the newest over its subtasks.
const sampleRing = 64

// recordSampler keeps a bounded sample of the records with a timestamp an operator subtask takes in: the
// last sampleRing samples in a ring, written and read on the subtask's goroutine only (recentSamples copies
// them for Snapshot). Records on time and late records are sampled apart, each at a stride that adapts to
// keep about 64 samples per second of processing time (a slow replay samples every record, a job running as
// fast as it can one in thousands), so a few late records among many on time all show and the clock is read
// only for the records sampled.
type recordSampler struct {
	ring         []RecordSample // nil until the first sample
	n            uint64         // samples taken
	onTime, late sampleStride
}

// sampleStride is how often one kind of record (on time or late) is sampled.
type sampleStride struct {
	skip  int64 // records to pass over before the next sample
	every int64 // one sample every this many records, 1 or more
	taken int   // samples since first
	first int64 // the processing time of the first sample of the current round of strideRound
	last  int64 // the processing time of the last sample
}

// The stride's adaptation: after every strideRound samples, the stride doubles if they took less than
// strideFast milliseconds of processing time (more than 64 a second) and halves if they took more than
// strideSlow; a sample that comes strideSlow or more after the previous one sets it back to every record
// (the records slowed down). Each poll of the workbench (publishDetail) calls wake, so that a stride grown
// in a burst does not pass over the records of a slow stretch after it.
const (
	strideRound = 16
	strideFast  = 250
	strideSlow  = 1000
	strideMax   = 1 << 20
)

// wake makes the next record of each kind a sample.
func (s *recordSampler) wake() { s.onTime.skip, s.late.skip = 0, 0 }

// took samples record r when its stride says so. It is called for every record an operator takes in, after
// counting it and before processing it; a record on time that is not sampled costs a countdown (took is
// inlined), the rest is in tookSlow.
func (b *opBase) took(r *record) {
	if b.samples.onTime.skip > 0 && r.ts > b.wm {
		b.samples.onTime.skip--
		return
	}
	b.tookSlow(r)
}

// tookSlow handles what took leaves to it: a record on time due for a sample, a late record, or one without
// a timestamp (nothing to sample: the countdown starts again).
func (b *opBase) tookSlow(r *record) {
	st := &b.samples.onTime
	switch {
	case r.noTs:
		st.skip = strideRound
		return
	case r.ts <= b.wm:
		if st = &b.samples.late; st.skip > 0 {
			st.skip--
			return
		}
	}
	b.sample(r.ts, st == &b.samples.late, st)
}

// sample writes a sample of a record with timestamp ts into the ring and sets st's next skip.
func (b *opBase) sample(ts int64, late bool, st *sampleStride) {
	var now int64
	if b.task != nil {
		now = b.task.now()
	}
	s := &b.samples
	if s.ring == nil {
		s.ring = make([]RecordSample, sampleRing)
	}
	s.ring[s.n%sampleRing] = RecordSample{Timestamp: ts, Arrived: now, Watermark: b.wm, Late: late}
	s.n++
	if st.every < 1 || now-st.last >= strideSlow {
		st.every, st.taken = 1, 0
	}
	st.last = now
	if st.taken == 0 {
		st.first = now
	}
	if st.taken++; st.taken == strideRound {
		switch took := now - st.first; {
		case took < strideFast && st.every < strideMax:
			st.every *= 2
		case took > strideSlow && st.every > 1:
			st.every /= 2
		}
		st.taken = 0
	}
	st.skip = st.every - 1
}

// recent returns a copy of the samples in the ring, oldest first (nil if none).
func (s *recordSampler) recent() []RecordSample {
	if s.n == 0 {
		return nil
	}
	k := min(s.n, sampleRing)
	out := make([]RecordSample, 0, k)
	for i := s.n - k; i < s.n; i++ {
		out = append(out, s.ring[i%sampleRing])
	}
	return out
}

// recentSamples copies every operator's recent samples, per operator of the chain, and wakes each sampler
// (a poll: see wake). It runs on the subtask's goroutine.
func (t *subtask) recentSamples() [][]RecordSample {
	samples := make([][]RecordSample, len(t.ops))
	for i, op := range t.ops {
		b := op.base()
		samples[i] = b.samples.recent()
		b.samples.wake()
	}
	return samples
}

// publishSamples publishes the operators' recent samples alone for Snapshot, as publishDetail does with the
// rest: when the subtask ends, so that a job that ends between two polls still shows them.
func (t *subtask) publishSamples() {
	samples := t.recentSamples()
	t.detailMu.Lock()
	t.detail.samples = samples
	t.detailMu.Unlock()
}

// mergeSamples merges the subtasks' samples of one operator by arrival (a stable sort, so equal times keep
// the subtasks' order) and keeps the newest sampleRing.
func mergeSamples(into, more []RecordSample) []RecordSample {
	if len(more) == 0 {
		return into
	}
	into = append(into, more...)
	sort.SliceStable(into, func(i, j int) bool { return into[i].Arrived < into[j].Arrived })
	if len(into) > sampleRing {
		into = into[len(into)-sampleRing:]
	}
	return into
}
