package enginetest

import (
	"fmt"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/internal/harnessbridge"
)

// EmittedKind says what an Emitted is.
type EmittedKind uint8

// The kinds of Emitted.
const (
	// EmittedRecord is a record of the main output.
	EmittedRecord EmittedKind = iota
	// EmittedSideOutput is a record of the side output Tag.
	EmittedSideOutput
	// EmittedWatermark is a watermark forwarded downstream.
	EmittedWatermark
	// EmittedIdle is a change of the output's idle status.
	EmittedIdle
	// EmittedEnd is the end of the output, after EndInput.
	EmittedEnd
)

func (k EmittedKind) String() string {
	return [...]string{"record", "side output", "watermark", "idle", "end"}[k]
}

// Emitted is one thing the operator under test emitted: a record, a side-output record, a watermark, a
// change of idleness or the end of its output, in the order Output lists them.
type Emitted struct {
	Kind      EmittedKind
	Value     any               // the record (EmittedRecord, EmittedSideOutput)
	Timestamp int64             // the record's timestamp (engine.NoTimestamp for none) or the watermark
	Tag       *engine.OutputTag // the side output (EmittedSideOutput)
	Idle      bool              // the new idle status (EmittedIdle)
}

// String formats e as "record v @ts", "side output TAG v @ts", "watermark ts", "idle true" or "end".
func (e Emitted) String() string {
	at := ""
	if e.Timestamp != engine.NoTimestamp {
		at = fmt.Sprintf(" @%d", e.Timestamp)
	}
	switch e.Kind {
	case EmittedRecord:
		return fmt.Sprintf("record %v%s", e.Value, at)
	case EmittedSideOutput:
		return fmt.Sprintf("side output %s %v%s", e.Tag.Name, e.Value, at)
	case EmittedWatermark:
		return fmt.Sprintf("watermark %d", e.Timestamp)
	case EmittedIdle:
		return fmt.Sprintf("idle %v", e.Idle)
	}
	return "end"
}

// Output returns everything the operator emitted since the harness was made or ClearOutput was last called,
// in order: Flink's getOutput.
func (h *Harness) Output() []Emitted {
	in := h.d.Output()
	out := make([]Emitted, len(in))
	for i, e := range in {
		out[i] = Emitted{Value: e.Value, Timestamp: e.Time, Idle: e.Idle}
		switch e.Kind {
		case harnessbridge.Record:
			out[i].Kind = EmittedRecord
		case harnessbridge.Side:
			out[i].Kind = EmittedSideOutput
			out[i].Tag = e.Tag.(*engine.OutputTag)
		case harnessbridge.Watermark:
			out[i].Kind = EmittedWatermark
		case harnessbridge.Idle:
			out[i].Kind = EmittedIdle
		case harnessbridge.End:
			out[i].Kind = EmittedEnd
		}
	}
	return out
}

// Records returns the records of the main output with their timestamps, in order.
func (h *Harness) Records() []engine.TimestampedValue {
	var out []engine.TimestampedValue
	for _, e := range h.Output() {
		if e.Kind == EmittedRecord {
			out = append(out, engine.TimestampedValue{Value: e.Value, Timestamp: e.Timestamp})
		}
	}
	return out
}

// ExtractOutputValues returns the values of the main output's records, in order: Flink's
// extractOutputValues.
func (h *Harness) ExtractOutputValues() []any {
	var out []any
	for _, r := range h.Records() {
		out = append(out, r.Value)
	}
	return out
}

// Watermarks returns the watermarks the operator forwarded, in order.
func (h *Harness) Watermarks() []int64 {
	var out []int64
	for _, e := range h.Output() {
		if e.Kind == EmittedWatermark {
			out = append(out, e.Timestamp)
		}
	}
	return out
}

// SideOutput returns the records emitted to the side output tag with their timestamps, in order: Flink's
// getSideOutput.
func (h *Harness) SideOutput(tag *engine.OutputTag) []engine.TimestampedValue {
	var out []engine.TimestampedValue
	for _, e := range h.Output() {
		if e.Kind == EmittedSideOutput && e.Tag == tag {
			out = append(out, engine.TimestampedValue{Value: e.Value, Timestamp: e.Timestamp})
		}
	}
	return out
}

// ClearOutput forgets what the operator has emitted so far, so that the next Output shows only what follows.
func (h *Harness) ClearOutput() { h.d.ClearOutput() }
