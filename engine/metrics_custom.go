package engine

import (
	"fmt"
	"slices"
)

// Gauge reports one figure of an operator for the live view (Flink: org.apache.flink.metrics.Gauge,
// registered on an operator's metric group). A library that builds its operator from the public API (CEP,
// SQL, graphs, ML) registers one with DataStream.Gauge to publish its own figures, for example a snapshot
// struct of its internal state, which the workbench can draw (tui/live draws engine/cep's Stats).
//
// Job.Snapshot calls a gauge on the goroutine that polls, not on the operator's subtasks, so a gauge must be
// safe for concurrent use with the running job (read figures the subtasks publish under a lock or through
// atomics) and quick. Its value should be a copy that the operator does not change afterwards.
type Gauge func() any

// GaugeValue is the value one gauge had when the snapshot was taken.
type GaugeValue struct {
	// Name is the name the gauge was registered under.
	Name string
	// Value is what the gauge returned, or an error wrapping ErrGaugePanicked if it panicked.
	Value any
}

// ErrGaugePanicked wraps the panic of a gauge in its GaugeValue, so that a faulty gauge cannot stop the
// workbench's polling.
var ErrGaugePanicked = fmt.Errorf("engine: gauge panicked")

type namedGauge struct {
	name string
	g    Gauge
}

// Gauge registers g under name on the operator that produced s: every Job.Snapshot calls it once and puts
// its value in that operator's OperatorSnapshot.Gauges (in the vertex's Operators, which sum the
// subtasks; a gauge reports for the whole operator, not per subtask). Registering a name again replaces
// the gauge. It panics if name is empty or g is nil, or if s is not the stream an operator returned (a
// union, side output or partitioned stream).
func (s *DataStream) Gauge(name string, g Gauge) *DataStream {
	if name == "" {
		panic("engine: Gauge: name is empty")
	}
	if g == nil {
		panic(fmt.Sprintf("engine: Gauge %q: gauge is nil", name))
	}
	n := s.last("Gauge")
	i := slices.IndexFunc(n.gauges, func(ng namedGauge) bool { return ng.name == name })
	if i >= 0 {
		n.gauges[i].g = g
	} else {
		n.gauges = append(n.gauges, namedGauge{name: name, g: g})
	}
	return s
}

// gaugeValues reads n's gauges, in the order they were registered (nil without any).
func gaugeValues(n *node) []GaugeValue {
	if len(n.gauges) == 0 {
		return nil
	}
	out := make([]GaugeValue, len(n.gauges))
	for i, ng := range n.gauges {
		out[i] = GaugeValue{Name: ng.name, Value: readGauge(ng)}
	}
	return out
}

func readGauge(ng namedGauge) (v any) {
	defer func() {
		if r := recover(); r != nil {
			v = fmt.Errorf("%w: %q on the operator: %v", ErrGaugePanicked, ng.name, r)
		}
	}()
	return ng.g()
}

// Gauge returns the value of the gauge registered under name on this operator, and whether there is one.
func (o OperatorSnapshot) Gauge(name string) (any, bool) {
	for _, g := range o.Gauges {
		if g.Name == name {
			return g.Value, true
		}
	}
	return nil, false
}
