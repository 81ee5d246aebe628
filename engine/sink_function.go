package engine

import "fmt"

// SinkFunction is a sink with a lifecycle, Flink's RichSinkFunction: Open runs in each sink subtask before its
// first record, with the subtask's index and the sink's parallelism; Invoke receives every record; Close runs
// when the subtask has finished its input. An attempt of the job that fails is not closed (as with the
// engine's other sinks), so a sink holding resources releases an earlier attempt's when it is opened again.
// Records a sink buffers are lost when its attempt fails: for at-least-once output, Invoke must have written
// a record out when it returns. Open and Close may be nil; a nil Invoke fails the job when it starts.
type SinkFunction struct {
	Open   func(subtask, parallelism int) error
	Invoke SinkFunc
	Close  func() error
}

// AddSink ends the stream in sinks made by newSink, one for every subtask (and every attempt of the job), so
// that each can keep its own resources, such as an open file, in its closures. It panics if newSink is nil.
func (s *DataStream) AddSink(name string, newSink func() SinkFunction) *DataStream {
	if newSink == nil {
		panic("engine: AddSink: newSink must not be nil")
	}
	d := s.add(name, func() operator {
		f := newSink()
		if f.Invoke == nil {
			return &sinkOp{openFn: func(int, int) error {
				return fmt.Errorf("engine: sink %s: its SinkFunction has no Invoke", name)
			}}
		}
		return &sinkOp{f: f.Invoke, openFn: f.Open, closeFn: f.Close}
	}, false)
	d.inputs[0].node.kind = "sink"
	return d
}
