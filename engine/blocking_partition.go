package engine

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// ErrPartitionNotFound is the failure of a Batch stage that cannot read a blocking result of an earlier
// stage: its file is missing, truncated or corrupt (Flink's PartitionNotFoundException). The producing
// stage then runs again before the consumer is restarted.
var ErrPartitionNotFound = errors.New("engine: blocking result partition not found or corrupt")

const (
	// defaultBlockingPartitionRecords is Config.BlockingPartitionRecords' default.
	defaultBlockingPartitionRecords = 1 << 16
	// defaultBlockingPartitionMemory is Config.BlockingPartitionMemory's default.
	defaultBlockingPartitionMemory = 4 << 20
)

// resultPartition is the blocking output of one producer subtask on one edge of a Batch job, Flink's
// ResultPartition of type BLOCKING: one subpartition per consumer subtask it connects to. It is written by
// the producer's goroutine only, and read once the producing stage has finished.
//
// It stays in memory until it holds more than Config.BlockingPartitionRecords records or more than
// Config.BlockingPartitionMemory bytes (messageBytes' estimate); then every subpartition is written to its
// own file under the job's temporary directory, and the rest follows it there. Records are encoded with encoding/gob (registered as checkpoints register them); a partition
// whose records cannot be encoded stays in memory, which the job records as an event.
type resultPartition struct {
	sched    *batchScheduler
	stage    *stageRun // the producing stage's run, for its RecordsOut
	name     string    // "v3e0s1": consumer vertex, edge, producer subtask
	subs     []*subpartition
	records  int
	bytes    int64 // messageBytes of the records added
	limit    int   // records before spilling; 0: spill at once
	memLimit int64 // bytes before spilling; 0: spill at once
	spilled  bool
	inMemory bool        // encoding failed: stays in memory for good
	tm       int         // the TaskManager of the producer subtask
	lost     atomic.Bool // its TaskManager was killed (Job.KillTaskManager)
}

// subpartition is what one producer subtask sends one consumer subtask on one edge: the messages in order,
// ending with msgEnd.
type subpartition struct {
	part  *resultPartition
	index int // the consumer subtask
	mem   []message
	path  string
	w     *frameWriter
	ended bool
}

func (rp *resultPartition) sub(d int) *subpartition { return rp.subs[d] }

// add appends m to subpartition s. It reports whether it kept m.recs (in memory); otherwise the caller may
// reuse the buffer.
func (s *subpartition) add(m message) (kept bool, err error) {
	rp := s.part
	if m.kind == msgRecords {
		rp.records += len(m.recs)
		rp.stage.out.Add(int64(len(m.recs)))
		if !rp.spilled && !rp.inMemory {
			rp.bytes += messageBytes(m.recs)
		}
		if !rp.spilled && !rp.inMemory && (rp.records > rp.limit || rp.bytes > rp.memLimit) {
			if err := rp.spill(); err != nil {
				return false, err
			}
		}
	}
	if m.kind == msgEnd {
		s.ended = true
	}
	if !rp.spilled {
		s.mem = append(s.mem, message{kind: m.kind, recs: m.recs, time: m.time})
		return m.kind == msgRecords, nil
	}
	if err := s.w.write(m); err != nil {
		return false, fmt.Errorf("writing blocking result %s: %w", s.path, err)
	}
	if m.kind == msgEnd {
		return false, s.w.close()
	}
	return false, nil
}

// recordSize is the Go size of a record in a buffer.
const recordSize = int64(unsafe.Sizeof(record{}))

// messageBytes estimates the memory a buffer of records holds while it is kept: its slice's capacity in
// records, and for each record its value and key as state.SizeOf sizes those of the buffer's first record
// (the records of a buffer are mostly of one type; a sample keeps the estimate cheap).
func messageBytes(recs []record) int64 {
	n := int64(cap(recs)) * recordSize
	if len(recs) > 0 {
		n += int64(len(recs)) * (state.SizeOf(recs[0].v) + state.SizeOf(recs[0].key))
	}
	return n
}

// spill moves every subpartition to its file. If a record cannot be encoded, the partition stays in memory.
func (rp *resultPartition) spill() error {
	dir, err := rp.sched.tempDir()
	if err != nil {
		return err
	}
	for _, s := range rp.subs {
		if s == nil {
			continue
		}
		s.path = filepath.Join(dir, fmt.Sprintf("stage%d-%s-d%d.part", rp.stage.stage.id, rp.name, s.index))
		if s.w, err = newFrameWriter(s.path); err != nil {
			rp.discard()
			return err
		}
		for _, m := range s.mem {
			if err = s.w.write(m); err != nil {
				break
			}
			if m.kind == msgEnd {
				err = s.w.close()
			}
		}
		if err != nil {
			rp.discard()
			var enc *encodeError
			if errors.As(err, &enc) {
				rp.inMemory = true
				rp.sched.noteInMemory(rp, enc)
				return nil
			}
			return err
		}
	}
	rp.spilled = true
	for _, s := range rp.subs {
		if s != nil {
			s.mem = nil
		}
	}
	return nil
}

// discard closes and removes the partition's files.
func (rp *resultPartition) discard() {
	for _, s := range rp.subs {
		if s == nil {
			continue
		}
		if s.w != nil {
			s.w.abort()
			s.w = nil
		}
		if s.path != "" {
			os.Remove(s.path)
			s.path = ""
		}
	}
	rp.spilled = false
}

// check reports whether every subpartition is complete and, for files, present: the cheap test made before
// a consumer stage is scheduled. Corruption is found while reading.
func (rp *resultPartition) check() error {
	if rp.lost.Load() {
		return fmt.Errorf("%w: result %s was on TaskManager %d, which was lost", ErrPartitionNotFound, rp.name, rp.tm)
	}
	for _, s := range rp.subs {
		if s == nil {
			continue
		}
		if !s.ended {
			return fmt.Errorf("%w: subpartition %s-d%d is incomplete", ErrPartitionNotFound, rp.name, s.index)
		}
		if s.path != "" {
			if _, err := os.Stat(s.path); err != nil {
				return fmt.Errorf("%w: %v", ErrPartitionNotFound, err)
			}
		}
	}
	return nil
}

// read calls f with each message of the subpartition in order, msgEnd last. A missing, truncated or corrupt
// file is an ErrPartitionNotFound.
func (s *subpartition) read(f func(message) bool) error { return s.readInto(nil, f) }

// readInto is read decoding the records of a file into buffers from buf (nil: new ones), which f then owns.
// Messages kept in memory are handed to f as they are kept (f copies their records).
func (s *subpartition) readInto(buf func() []record, f func(message) bool) error {
	if s.path == "" {
		for _, m := range s.mem { // f copies the records: the consumer recycles its buffers
			if !f(m) {
				return nil
			}
		}
		return nil
	}
	file, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPartitionNotFound, err)
	}
	defer file.Close()
	fr := &frameReader{r: bufio.NewReader(file), path: s.path}
	for {
		var pm persistedMessage
		if err := fr.decode(&pm); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // the file ended before its end message
			}
			return fmt.Errorf("%w: %s: %v", ErrPartitionNotFound, s.path, err)
		}
		m := message{kind: msgKind(pm.Kind), time: pm.Time}
		if m.kind == msgRecords {
			var dst []record
			if buf != nil {
				dst = buf()
			}
			if m.recs, err = pm.records(dst); err != nil {
				return fmt.Errorf("%w: %s: %v", ErrPartitionNotFound, s.path, err)
			}
		}
		if !f(m) || m.kind == msgEnd {
			return nil
		}
	}
}

// persistedMessage is a message as a blocking result file holds it, its records column by column: the
// values (and keys) of a buffer as one []T when they all have type T, which gob encodes far more compactly
// than values behind interfaces, else as []any. When every value is a taggedUnion (the two inputs of a
// bounded join or coGroup on their way to it), Vals holds the unions' values and Tagged which input each
// came from, so that the values are a column of their own type rather than unions holding interfaces.
type persistedMessage struct {
	Kind       uint8
	Time       int64
	N          int
	Vals, Keys any // nil when every value is nil
	Tagged     []bool
	Ts         []int64
	Kg         []int32
	NoTs       []bool
}

func persist(m message) persistedMessage {
	pm := persistedMessage{Kind: uint8(m.kind), Time: m.time}
	if m.kind != msgRecords {
		return pm
	}
	n := len(m.recs)
	pm.N = n
	if pm.Tagged = taggedColumn(m.recs); pm.Tagged != nil {
		pm.Vals = column(n, func(i int) any { return m.recs[i].v.(taggedUnion).V })
	} else {
		pm.Vals = column(n, func(i int) any { return m.recs[i].v })
	}
	pm.Keys = column(n, func(i int) any { return m.recs[i].key })
	pm.Ts, pm.Kg, pm.NoTs = make([]int64, n), make([]int32, n), make([]bool, n)
	for i, r := range m.recs {
		pm.Ts[i], pm.Kg[i], pm.NoTs[i] = r.ts, r.kg, r.noTs
	}
	return pm
}

// taggedColumn returns which input each record came from when every record's value is a taggedUnion, else
// nil.
func taggedColumn(recs []record) []bool {
	if len(recs) == 0 {
		return nil
	}
	for _, r := range recs {
		if _, ok := r.v.(taggedUnion); !ok {
			return nil
		}
	}
	out := make([]bool, len(recs))
	for i, r := range recs {
		out[i] = r.v.(taggedUnion).Second
	}
	return out
}

// column gathers n values into a []T when they share one type T, else into a []any; nil if all are nil.
func column(n int, at func(i int) any) any {
	var t reflect.Type
	uniform := true
	for i := range n {
		v := at(i)
		switch {
		case v == nil:
			uniform = false
		case t == nil:
			t = reflect.TypeOf(v)
		case reflect.TypeOf(v) != t:
			uniform = false
		}
	}
	if t == nil {
		return nil
	}
	if uniform {
		col := reflect.MakeSlice(reflect.SliceOf(t), n, n)
		for i := range n {
			col.Index(i).Set(reflect.ValueOf(at(i)))
		}
		out := col.Interface()
		register(out)
		return out
	}
	out := make([]any, n)
	for i := range n {
		out[i] = at(i)
		register(out[i])
	}
	return out
}

// records rebuilds the message's records, appending them to dst[:0].
func (pm persistedMessage) records(dst []record) ([]record, error) {
	n := pm.N
	if len(pm.Ts) != n || len(pm.Kg) != n || len(pm.NoTs) != n {
		return nil, fmt.Errorf("a buffer of %d records has %d timestamps", n, len(pm.Ts))
	}
	vals, err := expand(pm.Vals, n)
	if err != nil {
		return nil, err
	}
	keys, err := expand(pm.Keys, n)
	if err != nil {
		return nil, err
	}
	if pm.Tagged != nil && len(pm.Tagged) != n {
		return nil, fmt.Errorf("a buffer of %d records has %d input tags", n, len(pm.Tagged))
	}
	recs := slices.Grow(dst[:0], n)
	for i := range n {
		v := vals(i)
		if pm.Tagged != nil {
			v = taggedUnion{V: v, Second: pm.Tagged[i]}
		}
		recs = append(recs, record{v: v, key: keys(i), ts: pm.Ts[i], kg: pm.Kg[i], noTs: pm.NoTs[i]})
	}
	return recs, nil
}

// expand reads back a column of n values.
func expand(col any, n int) (func(i int) any, error) {
	if col == nil {
		return func(int) any { return nil }, nil
	}
	if vs, ok := col.([]any); ok {
		if len(vs) != n {
			return nil, fmt.Errorf("a column of %d values for %d records", len(vs), n)
		}
		return func(i int) any { return vs[i] }, nil
	}
	rv := reflect.ValueOf(col)
	if rv.Kind() != reflect.Slice || rv.Len() != n {
		return nil, fmt.Errorf("a column of %T for %d records", col, n)
	}
	return func(i int) any { return rv.Index(i).Interface() }, nil
}

// encodeError is a record that encoding/gob cannot encode.
type encodeError struct{ err error }

func (e *encodeError) Error() string { return e.err.Error() }

// frameWriter writes a subpartition's file: gob-encoded messages, each in a frame of its length and
// CRC-32C, so that a truncated or damaged file is found when it is read back. Each frame is a gob stream of
// its own (its type descriptions included): an encoder that failed on a type it met behind an interface has
// recorded descriptions it never wrote, so a frame is encoded again with a fresh encoder, never with that one.
type frameWriter struct {
	f   *os.File
	bw  *bufio.Writer
	buf bytes.Buffer
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func newFrameWriter(path string) (*frameWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &frameWriter{f: f, bw: bufio.NewWriterSize(f, 64<<10)}, nil
}

// registered remembers the record types handed to gob.Register, so that each is registered once.
var registered sync.Map

func register(v any) {
	if v == nil {
		return
	}
	t := reflect.TypeOf(v)
	switch t.Kind() {
	case reflect.Map, reflect.Slice, reflect.Struct, reflect.Interface, reflect.Pointer:
		if _, done := registered.Load(t); !done {
			state.RegisterDeep(v)
			registered.Store(t, true)
		}
	}
}

func (w *frameWriter) write(m message) error {
	pm := persist(m)
	w.buf.Reset()
	if err := gob.NewEncoder(&w.buf).Encode(pm); err != nil {
		// A type gob met for the first time behind an interface: register what every record holds and
		// encode the frame again, from scratch.
		for _, r := range m.recs {
			state.RegisterDeep(r.v)
			state.RegisterDeep(r.key)
		}
		w.buf.Reset()
		if err := gob.NewEncoder(&w.buf).Encode(pm); err != nil {
			return &encodeError{fmt.Errorf("records cannot be encoded with encoding/gob: %w", err)}
		}
	}
	var hdr [8]byte
	binary.LittleEndian.PutUint32(hdr[0:], uint32(w.buf.Len()))
	binary.LittleEndian.PutUint32(hdr[4:], crc32.Checksum(w.buf.Bytes(), castagnoli))
	if _, err := w.bw.Write(hdr[:]); err != nil {
		return err
	}
	_, err := w.bw.Write(w.buf.Bytes())
	w.buf.Reset()
	return err
}

func (w *frameWriter) close() error {
	if err := w.bw.Flush(); err != nil {
		w.f.Close()
		return err
	}
	return w.f.Close()
}

func (w *frameWriter) abort() { w.f.Close() }

// frameReader reads a frameWriter's file back as the gob stream, checking every frame's checksum.
type frameReader struct {
	r    *bufio.Reader
	path string
	cur  []byte
	buf  []byte // the last frame read, reused for the next (a decoded message does not refer to it)
}

// decode reads the next frame and decodes its message with a decoder of its own (each frame is a gob stream
// of its own).
func (r *frameReader) decode(pm *persistedMessage) error {
	r.cur = nil
	if _, err := r.Read(nil); err != nil {
		return err
	}
	frame := r.cur
	r.cur = nil
	return gob.NewDecoder(bytes.NewReader(frame)).Decode(pm)
}

func (r *frameReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		var hdr [8]byte
		if _, err := io.ReadFull(r.r, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			return 0, fmt.Errorf("frame header: %w", err)
		}
		n := binary.LittleEndian.Uint32(hdr[0:])
		if n > 1<<30 {
			return 0, fmt.Errorf("frame of %d bytes", n)
		}
		if uint32(cap(r.buf)) < n {
			r.buf = make([]byte, n)
		}
		buf := r.buf[:n]
		if _, err := io.ReadFull(r.r, buf); err != nil {
			return 0, fmt.Errorf("frame: %w", io.ErrUnexpectedEOF)
		}
		if crc32.Checksum(buf, castagnoli) != binary.LittleEndian.Uint32(hdr[4:]) {
			return 0, errors.New("frame checksum mismatch")
		}
		r.cur = buf
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// partitionLostError is the failure of a consumer stage that could not read the result of stage producer.
type partitionLostError struct {
	producer int // stage id
	err      error
}

func (e *partitionLostError) Error() string {
	return fmt.Sprintf("reading the blocking result of stage %d: %v", e.producer, e.err)
}

func (e *partitionLostError) Unwrap() error { return e.err }

// feed is one input channel of a consumer subtask read from a blocking result.
type feed struct {
	sub      *subpartition
	ch       int
	producer int // stage id
}

// wireBlockingOutput connects the writers of the producer subtasks of edge ei of vertex vi (in another,
// later stage) to new result partitions, one per producer subtask.
func (ex *execution) wireBlockingOutput(pool *sync.Pool, vi, ei int, in edgeSpec) {
	j := ex.job
	b := j.batch
	down := j.plan.Vertices[vi]
	run := b.runs[b.stageOfVertex[b.vertexOf(in.from)]-1]
	for _, ut := range ex.tasks[b.vertexOf(in.from)] {
		rp := &resultPartition{sched: b, stage: run, name: fmt.Sprintf("v%de%ds%d", down.ID, ei, ut.index),
			subs: make([]*subpartition, down.Parallelism), limit: max(j.cfg.BlockingPartitionRecords, 0),
			memLimit: max(j.cfg.BlockingPartitionMemory, 0), tm: ut.tm}
		w := &recordWriter{task: ut, part: in.part, key: in.key, maxP: j.cfg.MaxParallelism, size: j.cfg.BufferSize,
			pool: pool, blocked: &ut.blocked, rr: ut.index % down.Parallelism}
		for d := range down.Parallelism {
			if !connects(in.part, ut.index, d) {
				continue
			}
			s := &subpartition{part: rp, index: d}
			rp.subs[d] = s
			w.parts = append(w.parts, s)
			w.bufs = append(w.bufs, w.newBuf())
		}
		if in.part == partHash {
			w.kgTarget = make([]int, j.cfg.MaxParallelism)
			for g := range w.kgTarget {
				w.kgTarget[g] = keygroup.SubtaskFor(j.cfg.MaxParallelism, down.Parallelism, g)
			}
		}
		ut.attach(in.from, in.side, w)
		b.setPartition(partKey{vi, ei, ut.index}, rp)
	}
}

// wireBlockingInput gives every subtask of vertex vi one channel per producer subtask of its edge ei, read
// from the producers' result partitions when the attempt starts.
func (ex *execution) wireBlockingInput(vi, ei int, in edgeSpec) {
	b := ex.job.batch
	uvi := b.vertexOf(in.from)
	up := ex.job.plan.Vertices[uvi]
	producer := b.stageOfVertex[uvi]
	for _, dt := range ex.tasks[vi] {
		for u := range up.Parallelism {
			if !connects(in.part, u, dt.index) {
				continue
			}
			rp := b.partition(partKey{vi, ei, u})
			f := feed{ch: dt.gate.addChannel(in.input), producer: producer}
			if rp != nil {
				f.sub = rp.sub(dt.index)
			}
			ex.feeds[dt] = append(ex.feeds[dt], f)
		}
	}
}

// startFeeds starts one goroutine per consumer subtask that reads its blocking inputs into its gate, edge
// by edge and, within an edge, producer subtask by producer subtask: a deterministic order.
func (ex *execution) startFeeds() {
	for t, fs := range ex.feeds {
		ex.wg.Add(1)
		go func() {
			defer ex.wg.Done()
			ex.runFeeds(t, fs)
		}()
	}
}

func (ex *execution) runFeeds(t *subtask, fs []feed) {
	var bp backpressure
	var in *atomic.Int64
	if ex.stage != nil {
		in = &ex.stage.in
	}
	for _, f := range fs {
		if f.sub == nil {
			ex.fail(&partitionLostError{producer: f.producer, err: fmt.Errorf("%w: no result for subtask %d", ErrPartitionNotFound, t.index)})
			return
		}
		open := true
		// A file's records are decoded into the subtask's buffers; records kept in memory are copied into
		// them (the subtask recycles its buffers, and the result may be read again).
		inFile := f.sub.path != ""
		pooled := func() []record { return (*t.pool.Get().(*[]record))[:0] }
		err := f.sub.readInto(pooled, func(m message) bool {
			m.ch = f.ch
			if m.kind == msgRecords {
				if in != nil {
					in.Add(int64(len(m.recs)))
				}
				if !inFile {
					m.recs = append(pooled(), m.recs...)
				}
			}
			open = t.gate.send(m, &bp)
			return open
		})
		if err != nil {
			ex.fail(&partitionLostError{producer: f.producer, err: err})
			return
		}
		if !open {
			return
		}
	}
}
