package engine

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// RangeSampleSize is how many records each subtask samples (reservoir sampling) for PartitionByRange.
const RangeSampleSize = 256

// PartitionByRange sends records whose keys fall in the same range to the same subtask of the next
// operator, the ranges ascending with the subtask index, Flink's DataSet.partitionByRange. As in Flink, the
// range boundaries come from a sample of the bounded input: every subtask forwards its records and keeps a
// reservoir sample of RangeSampleSize keys; when the input ends, one subtask merges the samples, sorts them
// and picks as many ranges as the environment's parallelism (boundaries at equal quantiles); the boundaries
// are broadcast to routers that have kept the records and now send each to its range. Records with equal
// keys always share a range. Run the next operator at the environment's parallelism to get one range a
// subtask (at another parallelism a subtask gets whole ranges, by key group). The migration guide lists
// range partitioning as having no DataStream counterpart; this one needs the whole input before it emits.
// Samples and kept records are operator state (records must be encodable with encoding/gob); a router's
// checkpoint restores only at the same parallelism (ErrBroadcastSetRescale).
func (s *DataStream) PartitionByRange(key KeySelector) *DataStream {
	if key == nil {
		panic("engine: DataStream.PartitionByRange needs a key selector, got nil")
	}
	cfg := s.env.cfg
	parts := crossPartitionKeys(cfg.Parallelism, cfg.MaxParallelism)
	maxP := cfg.MaxParallelism
	sampleTag := NewOutputTag("range sample")
	sampled := s.add("RangePartition: sample", func() operator { return &rangeSampleOp{key: key, tag: sampleTag} }, false)
	sameParallelism(sampled, *s)
	bounds := sampled.SideOutput(sampleTag).add("RangePartition: boundaries", func() operator {
		return &rangeBoundaryOp{ranges: len(parts)}
	}, false).SetParallelism(1)
	routed := sampled.add("RangePartition: route", func() operator {
		op := &broadcastSetOp{}
		op.f = func(v any, set []any, _ Collector) {
			b := set[0].([]any) // the one record of the boundaries
			k := key(v)
			p := sort.Search(len(b), func(i int) bool { return compareValues(k, b[i]) <= 0 })
			op.metrics.out++
			op.out.collect(record{v: v, key: parts[p], kg: int32(keygroup.Of(parts[p], maxP)), ts: NoTimestamp, noTs: true})
		}
		return op
	}, false)
	withBroadcastInput(routed, bounds)
	sameParallelism(routed, *sampled)
	d := routed.withPart(partHash, nil) // the router sets each record's key and key group
	return &d
}

// rangeSampleOp forwards its records and keeps a reservoir sample of their keys (Flink's
// SampleInPartition), emitted to tag when the input ends.
type rangeSampleOp struct {
	opBase
	key    KeySelector
	tag    *OutputTag
	seen   int64
	sample []any
	rng    *rand.Rand
}

func (o *rangeSampleOp) open() error {
	o.rng = rand.New(rand.NewPCG(uint64(o.task.index), uint64(o.seen))) // deterministic per subtask
	return nil
}

func (o *rangeSampleOp) processElement(_ int, r record) {
	o.seen++
	if len(o.sample) < RangeSampleSize {
		o.sample = append(o.sample, o.key(r.v))
	} else if j := o.rng.Int64N(o.seen); j < RangeSampleSize {
		o.sample[j] = o.key(r.v)
	}
	o.emitLike(r.v, &r)
}

func (o *rangeSampleOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

func (o *rangeSampleOp) endInput() {
	for _, k := range o.sample {
		o.out.side(o.tag, record{v: k, ts: NoTimestamp, noTs: true})
	}
}

type rangeSampleState struct {
	Seen   int64
	Sample []any
}

func (o *rangeSampleOp) snapshotOpState(int64) ([]byte, error) {
	return encodeOpState(o.name, rangeSampleState{o.seen, o.sample}, o.sample)
}

func (o *rangeSampleOp) restoreOpState(blobs [][]byte) error {
	o.seen, o.sample = 0, nil
	for _, blob := range blobs {
		var st rangeSampleState
		if err := decodeOpState(o.name, blob, &st); err != nil {
			return err
		}
		o.seen += st.Seen
		o.sample = append(o.sample, st.Sample...)
	}
	return nil
}

func (o *rangeSampleOp) notifyComplete(int64) {}

// rangeBoundaryOp merges the samples and, when they have all arrived, emits one record: the sorted
// boundaries ([]any of ranges-1 keys, fewer if the sample is smaller), Flink's RangeBoundaryBuilder.
type rangeBoundaryOp struct {
	opBase
	ranges  int
	samples []any
}

func (o *rangeBoundaryOp) processElement(_ int, r record) { o.samples = append(o.samples, r.v) }
func (o *rangeBoundaryOp) processWatermark(wm int64)      { o.advanceWatermark(o, wm) }

func (o *rangeBoundaryOp) endInput() {
	sort.SliceStable(o.samples, func(i, j int) bool { return compareValues(o.samples[i], o.samples[j]) < 0 })
	bounds := []any{}
	for i := 1; i < o.ranges && len(o.samples) > 0; i++ {
		b := o.samples[i*len(o.samples)/o.ranges]
		if len(bounds) == 0 || compareValues(bounds[len(bounds)-1], b) < 0 {
			bounds = append(bounds, b)
		}
	}
	o.metrics.out++
	o.out.collect(record{v: bounds, ts: NoTimestamp, noTs: true})
}

type rangeBoundaryState struct{ Samples []any }

func (o *rangeBoundaryOp) snapshotOpState(int64) ([]byte, error) {
	return encodeOpState(o.name, rangeBoundaryState{o.samples}, o.samples)
}

func (o *rangeBoundaryOp) restoreOpState(blobs [][]byte) error {
	o.samples = nil
	for _, blob := range blobs {
		var st rangeBoundaryState
		if err := decodeOpState(o.name, blob, &st); err != nil {
			return err
		}
		o.samples = append(o.samples, st.Samples...)
	}
	return nil
}

func (o *rangeBoundaryOp) notifyComplete(int64) {}

func encodeOpState(name string, v any, values []any) ([]byte, error) {
	for _, x := range values {
		state.RegisterDeep(x)
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, fmt.Errorf("operator state of %s: %w (records and keys must be encodable with encoding/gob)", name, err)
	}
	return b.Bytes(), nil
}

func decodeOpState(name string, blob []byte, v any) error {
	if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(v); err != nil {
		return fmt.Errorf("%w: operator state of %s: %v (a type may need engine.RegisterType)", ErrCorruptCheckpoint, name, err)
	}
	return nil
}
