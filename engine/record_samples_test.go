package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// samplesText formats samples as "ts@arrived/wm" with a ! after the late ones, in seconds.
func samplesText(rs []RecordSample) string {
	var b []string
	for _, r := range rs {
		wm := "-"
		if r.Watermark != MinWatermark {
			wm = fmt.Sprint(float64(r.Watermark) / 1000)
		}
		s := fmt.Sprintf("%d@%d/%s", r.Timestamp/1000, r.Arrived/1000, wm)
		if r.Late {
			s += "!"
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

// The snapshot of a finished job shows, per operator, the records it took in with the processing time they
// arrived at and the operator's watermark then, late ones marked: Flink's training sequence (lesson 4's
// sorter, one event a second) with a watermark of bound 1 s after every record. The source takes each record
// before the watermark it moves; the keyed operator after it has that watermark when the next record comes,
// so 2, 9, 12, 13, 14, 22 and 19 are late there (at or behind highest - 1 s - 1 ms), as the lesson says.
func TestSnapshotSamplesRecordsAgainstTheWatermark(t *testing.T) {
	secs := []int64{4, 2, 7, 11, 9, 15, 12, 13, 17, 14, 21, 24, 22, 19, 23}
	arrivals := make([][2]int64, len(secs)) // one a second
	for i, s := range secs {
		arrivals[i] = [2]int64{int64(i+1) * 1000, s * 1000}
	}
	env := NewEnvironment(Config{Parallelism: 1, DeterministicTime: true})
	wm := ForBoundedOutOfOrderness(time.Second).WithPerRecordEmission()
	env.FromSource(replaySource{arrivals: arrivals, stamped: true}, &wm, "stamped").
		KeyBy(func(any) any { return "all" }).
		Process(ProcessFunction{ProcessElement: func(*Context, any, Collector) {}}).Name("sorter").
		Collect()
	job, err := env.ExecuteAsync("samples")
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	recent := map[string][]RecordSample{}
	for _, v := range job.Snapshot().Vertices {
		for _, op := range v.Operators {
			recent[op.Name] = op.Recent
		}
	}
	want := "4@1/- 2@2/2.999! 7@3/2.999 11@4/5.999 9@5/9.999! 15@6/9.999 12@7/13.999! 13@8/13.999! 17@9/13.999 " +
		"14@10/15.999! 21@11/15.999 24@12/19.999 22@13/22.999! 19@14/22.999! 23@15/22.999"
	if got := samplesText(recent["sorter"]); got != want {
		t.Errorf("the sorter's samples:\n got %s\nwant %s", got, want)
	}
	// The source's own watermark follows each record, so a record is judged against the previous ones' only:
	// the same records are late.
	var late []int64
	for _, r := range recent["Source: stamped"] {
		if r.Late {
			late = append(late, r.Timestamp/1000)
		}
	}
	if fmt.Sprint(late) != "[2 9 12 13 14 22 19]" {
		t.Errorf("late at the source: %v\n%s", late, samplesText(recent["Source: stamped"]))
	}
}

// A ring keeps the newest sampleRing samples, oldest first; the stride doubles while samples come faster
// than strideFast per strideRound, and comes back to every record when they slow down (the workbench's
// poll wakes the sampler, so the first record after a burst is sampled); late records are sampled at a
// stride of their own, so one late record among thousands on time is kept.
func TestRecordSamplerStride(t *testing.T) {
	clock := NewVirtualClock(0)
	b := &opBase{task: &subtask{clock: clock}}
	b.init("op")
	b.wm = 500
	for i := range 4096 { // at one processing time: the stride grows
		b.took(&record{ts: 1000 + int64(i)})
	}
	if got := b.samples.onTime.every; got < 64 {
		t.Fatalf("4096 records in no time: stride %d, want it grown to 64 or more", got)
	}
	taken := b.samples.n
	if taken >= 4096/8 {
		t.Fatalf("%d of 4096 records sampled at one processing time", taken)
	}
	b.took(&record{ts: 400}) // late
	if r := b.samples.recent(); !r[len(r)-1].Late || r[len(r)-1].Timestamp != 400 {
		t.Fatalf("the late record is not the newest sample: %+v", r[len(r)-1])
	}
	clock.Advance(1000)
	b.samples.wake() // a poll
	b.took(&record{ts: 9000})
	if r := b.samples.recent(); r[len(r)-1].Timestamp != 9000 || b.samples.onTime.every != 1 {
		t.Fatalf("the first record a second after the burst and a poll: newest sample %d, stride %d; want 9000, 1",
			r[len(r)-1].Timestamp, b.samples.onTime.every)
	}
	for i := range 2000 { // one record a second: every one is sampled
		clock.Advance(1000)
		b.took(&record{ts: 10_000 + int64(i)})
	}
	if got := b.samples.onTime.every; got != 1 {
		t.Fatalf("one record a second: stride %d, want 1", got)
	}
	r := b.samples.recent()
	if len(r) != sampleRing || r[len(r)-1].Timestamp != 10_000+1999 || r[0].Timestamp != 10_000+2000-sampleRing {
		t.Fatalf("the ring: %d samples from %d to %d, want the newest %d", len(r), r[0].Timestamp, r[len(r)-1].Timestamp, sampleRing)
	}
	b.took(&record{noTs: true})
	if b.samples.recent()[sampleRing-1].Timestamp != 10_000+1999 {
		t.Fatal("a record without a timestamp was sampled")
	}
}
