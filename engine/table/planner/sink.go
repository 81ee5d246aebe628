package planner

import (
	"io"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// Collect ends a stream of rows in a sink of parallelism 1 (as Flink's collect sink) that hands each row
// to f in arrival order; an error row fails the job.
func Collect(s *engine.DataStream, f func(Row)) *engine.DataStream {
	return s.SinkTo("Collect", func(v any, _ int64) error {
		if e, ok := v.(errorRow); ok {
			return e
		}
		f(v.(Row))
		return nil
	}).SetParallelism(1)
}

// Sink writes the rows of a query (plan n, compiled to s, without its error rows: Compiler.Checked) into table t (INSERT INTO t [(columns)]): the
// query's columns must match the table's persisted columns, physical and non-VIRTUAL metadata ones in the
// table's order (or the listed ones, the others are NULL) in number and type; an updating query needs a sink that accepts updates ('print', 'blackhole',
// 'upsert-kafka'). cfg is the job's configuration: a 'print' sink writes to its Stdout, and a 'filesystem'
// sink commits its files with the job's checkpoints when it checkpoints. The Closer, nil for
// most connectors, releases the sink's clients: close it when the job has ended.
func Sink(s *engine.DataStream, t *Table, n Node, columns []string, cfg engine.Config, pos sqlparse.Pos) (*engine.DataStream, io.Closer, error) {
	if t.View != nil || t.Stream != nil {
		return nil, nil, errAt(pos, ErrValidation, "%s is not a table that can be written to", t.Name)
	}
	conn, err := connectorFor(t, pos)
	if err != nil {
		return nil, nil, err
	}
	phys, order := t.sinkColumns()
	target := make([]int, 0, len(phys)) // for each query column, its index among phys
	if len(columns) == 0 {
		target = order
	} else {
		for _, c := range columns {
			idx := -1
			for i, p := range phys {
				if p.Name == c {
					idx = i
				}
			}
			if idx < 0 {
				var names []string
				for _, p := range phys {
					names = append(names, p.Name)
				}
				return nil, nil, errAt(pos, ErrValidation, "Unknown target column '%s'%s", c, suggest(c, names))
			}
			target = append(target, idx)
		}
	}
	qc := n.Columns()
	if len(qc) != len(target) {
		return nil, nil, errAt(pos, ErrValidation, "Column types of query result and sink for 'default_catalog.default_database.%s' do not match: the query has %d columns and the sink %d", t.Name, len(qc), len(target))
	}
	for i, c := range qc {
		want := phys[target[i]].Type
		if _, ok := commonType(c.Type, want); !ok {
			return nil, nil, errAt(pos, ErrValidation, "Column types of query result and sink for 'default_catalog.default_database.%s' do not match: column %d is %s, the sink's %s is %s", t.Name, i+1, c.Type.plain(), phys[target[i]].Name, want)
		}
	}
	same := len(target) == len(phys)
	for i, ti := range target {
		same = same && ti == i && qc[i].Type.Kind == phys[i].Type.Kind && (qc[i].Type.Kind != KindDecimal || qc[i].Type.Scale <= phys[i].Type.Scale)
	}
	if same {
		out, closer, err := conn.sink(s, t, phys, n.Updating(), cfg)
		if err != nil {
			return nil, nil, errAt(pos, ErrUnsupported, "%v", err)
		}
		return out, closer, nil
	}
	mapped := s.Map(func(v any) any {
		r, ok := v.(Row)
		if !ok {
			return v
		}
		f := make([]any, len(phys))
		for i, ti := range target {
			f[ti] = conform(r.Fields[i], phys[ti].Type)
		}
		return Row{Kind: r.Kind, Fields: f}
	}).Name("Conform to " + t.Name)
	out, closer, err := conn.sink(mapped, t, phys, n.Updating(), cfg)
	if err != nil {
		return nil, nil, errAt(pos, ErrUnsupported, "%v", err)
	}
	return out, closer, nil
}

// conform converts a value to a sink column's type (an INT into a DOUBLE column, a DECIMAL's scale).
func conform(v any, t DataType) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case int64:
		if t.isNumeric() && !t.isInteger() {
			return float64(x)
		}
		return wrapInt(x, t.Kind)
	case float64:
		if t.isInteger() {
			return int64(x)
		}
		if t.Kind == KindDecimal {
			return roundScale(x, t.Scale)
		}
	}
	return v
}
