package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// StartOffsets says where a reader starts in a partition when the job does not restore from a checkpoint.
type StartOffsets uint8

// The start positions.
const (
	// Earliest starts at the first record still in the partition. The default.
	Earliest StartOffsets = iota
	// Latest starts after the last record in the partition when the reader is created.
	Latest
	// Committed starts at the offsets committed for Source.Group, and at the earliest record of a partition
	// the group has committed nothing for.
	Committed
)

func (s StartOffsets) String() string {
	switch s {
	case Earliest:
		return "earliest"
	case Latest:
		return "latest"
	case Committed:
		return "committed"
	}
	return fmt.Sprintf("StartOffsets(%d)", uint8(s))
}

// DefaultTimeout is how long a reader waits for the brokers when it starts (metadata, offsets).
const DefaultTimeout = 30 * time.Second

// Source is an engine.Source reading one Kafka topic, the counterpart of Flink's KafkaSource. Partition p is
// read by subtask p % parallelism. Each reader's position, the next offset of each of its partitions, is
// its offset in checkpoints, so a job restored from a checkpoint resumes exactly where the checkpoint was
// taken whatever the consumer group holds; together with a transactional sink this is exactly-once.
type Source struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string
	// Topic is the topic read. It must exist when the job starts.
	Topic string
	// Group is optional. With it, each reader commits its partitions' positions to this consumer group
	// whenever a checkpoint is taken, so that the usual Kafka tools show the job's lag, and StartOffsets
	// Committed starts there. The positions a job restores from are always the checkpoint's, never the
	// group's. Default: no group, nothing committed.
	Group string
	// StartOffsets is where a job not restored from a checkpoint starts. Default Earliest.
	StartOffsets StartOffsets
	// Bounded makes the source stop at the end offsets the reader saw when it was created (the end offsets
	// are part of the checkpoint, so a restored reader stops at the same place). Default: unbounded, the
	// source waits for new records forever.
	Bounded bool
	// Decode turns a record's value into the record handed to the job. Default: a line of a Weir recording
	// (NDJSON, see package sources) parsed into a sources.Event; a marker line is malformed.
	Decode func([]byte) (any, error)
	// DecodeRecord, if set, is used instead of Decode and sees the whole record: its key (an upsert topic's
	// rows are keyed, and its deletions are records with a key and a nil value), headers, partition,
	// offset and timestamp. Returning a nil record and no error skips the record; returning an
	// engine.SourceElement hands on its Value with its Timestamp as the record's event time (which
	// PartitionOutOfOrderness reads; NoTimestamp leaves the partition's watermark as it is). Default nil:
	// Decode.
	DecodeRecord func(*kgo.Record) (any, error)
	// Policy is what a reader does with a record Decode rejects: sources.Fail (the default) fails the job
	// with an error naming the topic, partition and offset; sources.Skip counts it in Skips and goes on.
	Policy sources.Policy
	// Skips, if not nil, counts the records the Skip policy passed over, across all readers.
	Skips *Skips
	// PartitionOutOfOrderness, if positive, makes each reader emit watermarks itself, per partition as
	// Flink's KafkaSource does: a partition's watermark is the largest event time read from it less this
	// bound less 1 ms, and the reader's is the smallest over its partitions (a partition of a bounded source
	// that has been read to its end no longer holds it back). Use it with a nil strategy in FromSource: a
	// reader reads its partitions interleaved, so one bounded-out-of-orderness strategy over all of them
	// would make records of the partition read later look late. Default 0: no watermarks from the source.
	PartitionOutOfOrderness time.Duration
	// ReadUncommitted also reads records of open and aborted transactions. Default: read committed, so that
	// only the committed output of a transactional producer (such as a transactional Sink) is seen.
	ReadUncommitted bool
	// Timeout bounds the requests a reader makes when it starts. Default DefaultTimeout.
	Timeout time.Duration
	// Options are extra franz-go client options (TLS, SASL, client id, ...), applied after the source's own.
	Options []kgo.Opt
}

// Skips counts the records a Source with the Skip policy passed over. It is safe for concurrent use.
type Skips struct {
	mu   sync.Mutex
	n    int
	last error
}

// Count returns how many records were skipped, and the error of the last one.
func (s *Skips) Count() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n, s.last
}

func (s *Skips) add(err error) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.n++
	s.last = err
	s.mu.Unlock()
}

// ErrMalformed is wrapped by the error for a record that Decode rejects.
var ErrMalformed = errors.New("malformed record")

// DecodeEvent is the default Decode: it parses a line of a Weir recording into a sources.Event. A marker
// line is rejected: markers script a replay of one recording and mean nothing in a partitioned topic.
func DecodeEvent(b []byte) (any, error) {
	l, err := sources.ParseLine(b)
	if err != nil {
		return nil, err
	}
	if l.Marker != nil {
		return nil, fmt.Errorf("%w: a %s marker is not an event", sources.ErrBadLine, l.Marker.Kind)
	}
	return *l.Event, nil
}

func (s Source) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s Source) isolation() int8 {
	if s.ReadUncommitted {
		return 0
	}
	return 1
}

// Reader creates the reader of subtask ctx.Subtask: it looks up the topic's partitions, keeps those with
// p % ctx.Parallelism == ctx.Subtask and resolves their start (and, when bounded, end) offsets. Its requests
// to the brokers run under the job's context (ctx.Context), so they stop when the job does.
func (s Source) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	if len(s.Brokers) == 0 || s.Topic == "" {
		return nil, errors.New("kafka: a source needs brokers and a topic")
	}
	if s.StartOffsets == Committed && s.Group == "" {
		return nil, errors.New("kafka: StartOffsets Committed needs a Group")
	}
	if s.Decode == nil {
		s.Decode = DecodeEvent
	}
	par := max(ctx.Parallelism, 1)
	admin, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(s.Brokers...)}, s.Options...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: client for %v: %w", s.Brokers, err)
	}
	jobCtx := ctx.Context
	if jobCtx == nil {
		jobCtx = context.Background() // a reader made outside a job
	}
	rctx, cancel := context.WithTimeout(jobCtx, s.timeout())
	defer cancel()
	all, id, err := partitions(rctx, admin, s.Topic)
	if err != nil {
		admin.Close()
		return nil, err
	}
	r := &reader{src: s, ctx: jobCtx, admin: admin, topicID: id, next: map[int32]int64{}, maxTime: map[int32]int64{}, wm: engine.MinWatermark}
	for _, p := range all {
		if int(p)%par == ctx.Subtask {
			r.parts = append(r.parts, p)
		}
	}
	if err := r.resolve(rctx); err != nil {
		admin.Close()
		return nil, err
	}
	return r, nil
}

// reader is one parallel instance of a Source. The engine calls it from one goroutine, but group commits
// run on their own.
type reader struct {
	src      Source
	ctx      context.Context // the job's: its requests to the brokers stop when the job does
	admin    *kgo.Client     // metadata, offsets, group commits
	topicID  [16]byte
	consumer *kgo.Client // created at the first Read, at the positions in next
	parts    []int32     // the partitions assigned to this reader, ascending
	next     map[int32]int64
	end      map[int32]int64 // bounded: stop before these offsets
	buf      []*kgo.Record
	// watermarks per partition (PartitionOutOfOrderness)
	maxTime   map[int32]int64
	wm        int64
	pendingWM bool
	// group commits
	commits    sync.WaitGroup
	busy       chan struct{}
	lastCommit time.Time
}

// minCommitGap is the least time between two group commits of a reader.
const minCommitGap = 100 * time.Millisecond

// resolve sets the start offsets of the reader's partitions, and their end offsets when bounded.
func (r *reader) resolve(ctx context.Context) error {
	if len(r.parts) == 0 {
		if r.src.Bounded {
			r.end = map[int32]int64{} // nothing to read: the reader ends at once
		}
		return nil
	}
	s := r.src
	switch s.StartOffsets {
	case Earliest, Committed:
		o, err := listOffsets(ctx, r.admin, s.Topic, r.parts, -2, s.isolation())
		if err != nil {
			return err
		}
		r.next = o
		if s.StartOffsets == Committed {
			c, err := committedOffsets(ctx, r.admin, s.Group, s.Topic, r.parts)
			if err != nil {
				return err
			}
			for p, off := range c {
				r.next[p] = max(off, r.next[p])
			}
		}
	case Latest:
		o, err := listOffsets(ctx, r.admin, s.Topic, r.parts, -1, s.isolation())
		if err != nil {
			return err
		}
		r.next = o
	default:
		return fmt.Errorf("kafka: unknown StartOffsets %d", s.StartOffsets)
	}
	if s.Bounded {
		o, err := listOffsets(ctx, r.admin, s.Topic, r.parts, -1, s.isolation())
		if err != nil {
			return err
		}
		r.end = o
	}
	return nil
}

// done reports whether a bounded reader has read partition p to its end.
func (r *reader) done(p int32) bool { return r.end != nil && r.next[p] >= r.end[p] }

func (r *reader) allDone() bool {
	for _, p := range r.parts {
		if !r.done(p) {
			return false
		}
	}
	return true
}

func (r *reader) startConsumer() error {
	offsets := map[int32]kgo.Offset{}
	for _, p := range r.parts {
		if !r.done(p) {
			offsets[p] = kgo.NewOffset().At(r.next[p])
		}
	}
	opts := []kgo.Opt{kgo.SeedBrokers(r.src.Brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{r.src.Topic: offsets}),
		kgo.KeepControlRecords(), // transaction markers take offsets: seeing them lets next pass them
	}
	if !r.src.ReadUncommitted {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(append(opts, r.src.Options...)...)
	if err != nil {
		return fmt.Errorf("kafka: consumer of %s: %w", r.src.Topic, err)
	}
	r.consumer = cl
	return nil
}

// Read returns the next record of the reader's partitions, or a watermark when PartitionOutOfOrderness is
// set and the reader's watermark advanced.
func (r *reader) Read() (engine.SourceElement, error) {
	if r.pendingWM {
		r.pendingWM = false
		return engine.SourceElement{Value: engine.Watermark{Time: r.wm}}, nil
	}
	for {
		if r.end != nil && r.allDone() {
			return engine.SourceElement{}, engine.ErrEndOfInput
		}
		if len(r.parts) == 0 {
			// No partition for this subtask: it will never hold the job's watermark back.
			if r.src.PartitionOutOfOrderness > 0 && r.wm != engine.MaxWatermark {
				r.wm = engine.MaxWatermark
				return engine.SourceElement{Value: engine.Watermark{Time: r.wm}}, nil
			}
			return engine.SourceElement{}, engine.ErrNoData
		}
		if len(r.buf) == 0 {
			if err := r.poll(); err != nil {
				return engine.SourceElement{}, err
			}
			if len(r.buf) == 0 {
				return engine.SourceElement{}, engine.ErrNoData
			}
		}
		rec := r.buf[0]
		r.buf = r.buf[1:]
		p := rec.Partition
		if rec.Offset < r.next[p] || (r.end != nil && rec.Offset >= r.end[p]) {
			continue // before the position (a seek) or past a bounded end
		}
		r.next[p] = rec.Offset + 1
		if rec.Attrs.IsControl() {
			continue
		}
		var v any
		var err error
		if r.src.DecodeRecord != nil {
			v, err = r.src.DecodeRecord(rec)
			if err == nil && v == nil {
				continue
			}
		} else {
			v, err = r.src.Decode(rec.Value)
		}
		if err != nil {
			err = fmt.Errorf("kafka: topic %s partition %d offset %d: %w: %w", rec.Topic, p, rec.Offset, ErrMalformed, err)
			if r.src.Policy == sources.Skip {
				r.src.Skips.add(err)
				continue
			}
			return engine.SourceElement{}, err
		}
		ts := rec.Timestamp.UnixMilli()
		switch e := v.(type) {
		case sources.Event:
			ts = e.Time
		case *sources.Event:
			ts = e.Time
		case engine.SourceElement:
			v, ts = e.Value, e.Timestamp
		}
		if ts != engine.NoTimestamp {
			r.advanceWatermark(p, ts)
		}
		return engine.SourceElement{Value: v, Timestamp: ts}, nil
	}
}

// advanceWatermark records event time ts read from partition p and sets pendingWM if the reader's
// watermark advances.
func (r *reader) advanceWatermark(p int32, ts int64) {
	bound := r.src.PartitionOutOfOrderness.Milliseconds()
	if bound <= 0 {
		return
	}
	if m, ok := r.maxTime[p]; !ok || ts > m {
		r.maxTime[p] = ts
	}
	wm := engine.MaxWatermark
	for _, q := range r.parts {
		if r.done(q) {
			continue
		}
		m, ok := r.maxTime[q]
		if !ok {
			return // a partition without records yet holds the watermark back
		}
		wm = min(wm, m-bound-1)
	}
	if wm > r.wm && wm != engine.MaxWatermark {
		r.wm, r.pendingWM = wm, true
	}
}

// poll takes the records fetched so far, without waiting.
func (r *reader) poll() error {
	if r.consumer == nil {
		if err := r.startConsumer(); err != nil {
			return err
		}
	}
	if err := r.ctx.Err(); err != nil {
		return nil // the job is stopping: the engine will not read on
	}
	// A nil context takes what the consumer has fetched so far without waiting (franz-go's documented use):
	// the engine waits between reads that find no data, and handles checkpoints and mail meanwhile.
	//lint:ignore SA1012 a nil context is how PollRecords is asked not to wait
	fs := r.consumer.PollRecords(nil, 10_000)
	var err error
	fs.EachError(func(t string, p int32, e error) {
		if err == nil {
			err = fmt.Errorf("kafka: fetching topic %s partition %d: %w", t, p, e)
		}
	})
	if err != nil {
		return err
	}
	r.buf = fs.Records()
	return nil
}

// position is a reader's offset in checkpoints.
type position struct {
	Topic string          `json:"topic"`
	Next  map[int32]int64 `json:"next"`          // next offset to read, per partition
	End   map[int32]int64 `json:"end,omitempty"` // bounded: where to stop
	// MaxTime is the largest event time read from each partition (PartitionOutOfOrderness).
	MaxTime map[int32]int64 `json:"maxTime,omitempty"`
}

// Offset returns the next offset of each of the reader's partitions (and, bounded, their end offsets). With
// a Group, it also commits the positions to the group, in the background.
func (r *reader) Offset() ([]byte, error) {
	pos := position{Topic: r.src.Topic, Next: r.next, End: r.end}
	if r.src.PartitionOutOfOrderness > 0 {
		pos.MaxTime = r.maxTime
	}
	b, err := json.Marshal(pos)
	if err != nil {
		return nil, fmt.Errorf("kafka: encoding the position: %w", err)
	}
	if r.src.Group != "" && len(r.parts) > 0 {
		r.commitToGroup(maps(r.next))
	}
	return b, nil
}

func maps(m map[int32]int64) map[int32]int64 {
	c := make(map[int32]int64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// commitToGroup commits offsets to the group unless a commit is still running or one started less than
// minCommitGap ago (Offset is called for every record under the at-most-once guarantee); a later checkpoint
// commits then.
func (r *reader) commitToGroup(next map[int32]int64) {
	if r.busy == nil {
		r.busy = make(chan struct{}, 1)
	}
	if time.Since(r.lastCommit) < minCommitGap {
		return
	}
	select {
	case r.busy <- struct{}{}:
	default:
		return
	}
	r.lastCommit = time.Now()
	r.commits.Add(1)
	go func() {
		defer r.commits.Done()
		defer func() { <-r.busy }()
		ctx, cancel := context.WithTimeout(r.ctx, r.src.timeout())
		defer cancel()
		_ = commitOffsets(ctx, r.admin, r.src.Group, r.src.Topic, r.topicID, next) // for monitoring only
	}()
}

// Seek moves the reader to a position Offset returned: the next offset of each partition it holds. A
// partition of the reader that the position does not hold (added to the topic since) keeps its start
// offset.
func (r *reader) Seek(off []byte) error {
	var pos position
	if err := json.Unmarshal(off, &pos); err != nil {
		return fmt.Errorf("kafka: bad position %q: %w", off, err)
	}
	if pos.Topic != r.src.Topic {
		return fmt.Errorf("kafka: the checkpoint read topic %q, this source reads %q", pos.Topic, r.src.Topic)
	}
	for p := range pos.Next {
		if !slices.Contains(r.parts, p) {
			return fmt.Errorf("kafka: the checkpoint holds partition %d of %s, which this reader does not read (partitions %v)", p, r.src.Topic, r.parts)
		}
	}
	for p, o := range pos.Next {
		r.next[p] = o
	}
	if r.end != nil {
		for p, o := range pos.End {
			r.end[p] = o
		}
	}
	for p, t := range pos.MaxTime {
		r.maxTime[p] = t
	}
	r.buf, r.pendingWM = nil, false
	if r.consumer != nil {
		r.consumer.Close()
		r.consumer = nil
	}
	return nil
}

// Close closes the reader's clients after a running group commit.
func (r *reader) Close() error {
	r.commits.Wait()
	if r.consumer != nil {
		r.consumer.Close()
		r.consumer = nil
	}
	r.admin.Close()
	return nil
}

// partitions returns the partitions of topic, ascending, and the topic's id.
func partitions(ctx context.Context, cl *kgo.Client, topic string) ([]int32, [16]byte, error) {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, [16]byte{}, fmt.Errorf("kafka: metadata of topic %s: %w", topic, err)
	}
	if len(resp.Topics) != 1 {
		return nil, [16]byte{}, fmt.Errorf("kafka: metadata of topic %s: %d topics in the answer", topic, len(resp.Topics))
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		return nil, [16]byte{}, fmt.Errorf("kafka: metadata of topic %s: %w", topic, err)
	}
	var ps []int32
	for _, p := range resp.Topics[0].Partitions {
		ps = append(ps, p.Partition)
	}
	slices.Sort(ps)
	return ps, resp.Topics[0].TopicID, nil
}

// listOffsets returns the earliest (at -2) or end (at -1) offset of each partition. With isolation 1 (read
// committed) the end offset is the last stable offset.
func listOffsets(ctx context.Context, cl *kgo.Client, topic string, parts []int32, at int64, isolation int8) (map[int32]int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	req.IsolationLevel = isolation
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for _, p := range parts {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition = p
		rp.Timestamp = at
		rp.CurrentLeaderEpoch = -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("kafka: listing offsets of %s: %w", topic, err)
	}
	out := map[int32]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("kafka: listing offsets of topic %s partition %d: %w", topic, p.Partition, err)
			}
			out[p.Partition] = p.Offset
		}
	}
	for _, p := range parts {
		if _, ok := out[p]; !ok {
			return nil, fmt.Errorf("kafka: listing offsets of topic %s: no answer for partition %d", topic, p)
		}
	}
	return out, nil
}

// committedOffsets returns the offsets group committed for the partitions (only those it committed).
func committedOffsets(ctx context.Context, cl *kgo.Client, group, topic string, parts []int32) (map[int32]int64, error) {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	rt.Partitions = parts
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("kafka: offsets of group %s: %w", group, err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); errors.Is(err, kerr.GroupIDNotFound) {
		return nil, nil // nothing committed yet
	} else if err != nil {
		return nil, fmt.Errorf("kafka: offsets of group %s: %w", group, err)
	}
	out := map[int32]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("kafka: offsets of group %s, topic %s partition %d: %w", group, topic, p.Partition, err)
			}
			if p.Offset >= 0 {
				out[p.Partition] = p.Offset
			}
		}
	}
	return out, nil
}

// commitOffsets commits offsets to group as a standalone (not group member) commit.
func commitOffsets(ctx context.Context, cl *kgo.Client, group, topic string, topicID [16]byte, offsets map[int32]int64) error {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group = group
	req.Generation = -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic, rt.TopicID = topic, topicID
	for p, o := range offsets {
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition = p
		rp.Offset = o
		rp.LeaderEpoch = -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("kafka: committing offsets of group %s: %w", group, err)
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("kafka: committing offsets of group %s, topic %s partition %d: %w", group, topic, p.Partition, err)
			}
		}
	}
	return nil
}
