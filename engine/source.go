package engine

import (
	"context"
	"errors"
	"math"
)

// Time bounds of the engine, in milliseconds. They match Flink's Long.MIN_VALUE and Long.MAX_VALUE.
const (
	// NoTimestamp marks an element that carries no event timestamp.
	NoTimestamp int64 = math.MinInt64
	// MinWatermark is the watermark before any has been emitted.
	MinWatermark int64 = math.MinInt64
	// MaxWatermark is the final watermark a bounded input emits when it ends; it fires every event-time timer.
	MaxWatermark int64 = math.MaxInt64
)

// ErrNoData is returned by SourceReader.Read when no element is ready yet. The engine then flushes
// buffered output, emits periodic watermarks and idleness, handles checkpoints, and calls Read again soon.
var ErrNoData = errors.New("engine: no data ready")

// ErrEndOfInput is returned by SourceReader.Read when a bounded source has no more elements.
var ErrEndOfInput = errors.New("engine: end of input")

// SourceElement is one element read from a source, with the event timestamp the source knows
// (NoTimestamp if none). A WatermarkStrategy's timestamp assigner may replace it.
type SourceElement struct {
	Value     any
	Timestamp int64
}

// SourceContext tells a reader which parallel instance it is and gives it the job's clock.
type SourceContext struct {
	Subtask     int   // index of this reader, 0 <= Subtask < Parallelism
	Parallelism int   // number of parallel readers of the source
	Clock       Clock // the job's processing-time clock
	// SetTime moves the job's clock to t when it is a VirtualClock (a scripted replay drives processing time
	// with its arrival times), after sending on every record read so far, so that downstream operators
	// receive those records before any processing-time timer the new time makes due. As in Flink, an
	// operator downstream still reads the clock when it processes a record, so processing-time results can
	// differ between runs; event-time results never do. It does nothing with any other clock.
	SetTime func(t int64)
	// Now returns the processing time of the reader's subtask as the operators chained to the source read it
	// (Context.CurrentProcessingTime): the time SetTime last moved it to on a VirtualClock, the clock's
	// time otherwise. A reader may stamp its records with it, as Flink SQL's PROCTIME() does. Nil outside a
	// job.
	Now func() int64
	// Context is the job's context: it is cancelled when the job's current attempt stops (the job was
	// canceled, failed or finished, or its Environment.ExecuteContext context was cancelled). A reader that
	// blocks (a network read, a channel) should give up when it is done, so that the job stops at once. (A
	// reader should still return ErrNoData rather than block for long: the engine flushes the records it
	// buffered so far when Read reports no data.) Nil outside a job.
	Context context.Context
}

// Source creates the parallel readers of a stream. It is the engine's counterpart of Flink's FLIP-27 Source.
type Source interface {
	// Reader creates the reader for one parallel instance.
	Reader(ctx SourceContext) (SourceReader, error)
}

// SourceReader is one parallel instance of a Source. The engine calls it from a single goroutine.
type SourceReader interface {
	// Read returns the next element, ErrNoData when none is ready now, or ErrEndOfInput when a bounded
	// source is exhausted. Any other error fails the job.
	Read() (SourceElement, error)
	// Close releases the reader's resources.
	Close() error
}

// ReplayableReader is a SourceReader whose position can be saved in a checkpoint and restored,
// which is what end-to-end exactly-once needs from a source.
type ReplayableReader interface {
	SourceReader
	// Offset returns the reader's position after the last element Read returned.
	Offset() ([]byte, error)
	// Seek moves the reader to a position that Offset returned earlier.
	Seek(offset []byte) error
}

// BoundedParallelism is implemented by sources that cannot run with more than a given number of
// readers (a single file, a slice). The engine caps the source's parallelism to it.
type BoundedParallelism interface {
	MaxParallelism() int
}

// Watermark, returned as a SourceElement's Value, is an explicit watermark a source asks for (a marker line of
// a scripted recording). The engine hands it to the watermark generator as a punctuation: it is emitted if it
// advances the source's watermark and is never delivered as a record.
type Watermark struct {
	Time int64 // milliseconds
}

// Idle, returned as a SourceElement's Value, marks the source reader idle, as Flink's SourceOutput#markIdle (a
// marker line of a scripted recording): downstream operators stop waiting for its watermark until it is
// active again, which its next record, or a watermark that advances its own, makes it. It is never delivered
// as a record.
type Idle struct{}

// Crash, returned as a SourceElement's Value, makes the source subtask fail with Reason, as a scripted
// demonstration of failure and recovery. It is never delivered as a record.
type Crash struct {
	Reason string
}
