package ml

import (
	"fmt"
	"math"
	"sync"

	"github.com/de4e/weir/engine"
)

// ModelVersionCol is "modelVersion": the column of an online model's data that numbers its versions, and the
// output column where an online model's Transform writes the version each prediction used (Flink ML's
// HasModelVersionCol, default "modelVersion").
var ModelVersionCol = NewParam("modelVersionCol", "The name of the column which contains the version of the model data.",
	StringKind, "modelVersion", NotNull())

// onlineVersion is one decoded model version: the value predict uses, its version number, and its
// timestamp (math.MaxInt64 for a model that is not trained on event time: any row may use it).
type onlineVersion struct {
	model     any
	version   int64
	timestamp int64
}

// onlinePredict is the Transform of an online model (Flink ML's OnlineKMeansModel, OnlineLogisticRegressionModel,
// OnlineStandardScalerModel): the input rows are connected with the model data stream, broadcast to every
// subtask, and each row is mapped with the latest model version the subtask has received. A model version
// older than the one in use is ignored (the initial model data and the updates may reach a subtask in any
// order). A row waits in the subtask's buffer until a model version has arrived whose timestamp is at least
// the row's timestamp minus maxDelay (Flink ML's maxAllowedModelDelayMs; a row without a timestamp only waits
// for the first model version), as Flink ML's models wait for their model data; rows still buffered when the
// job ends are dropped. The buffer lives in the operator's memory, not in checkpoints.
//
// decode turns a model data row into a version; predict maps one input row with a version.
func onlinePredict(input, modelData *Table, name string, maxDelay int64, decode func(Row) (onlineVersion, error),
	predict func(r Row, v onlineVersion) (Row, error)) (*Table, error) {
	if input == nil || modelData == nil {
		return nil, fmt.Errorf("%w: %s: a table is nil", ErrParam, name)
	}
	type pendingRow struct {
		r  Row
		ts int64
	}
	type subtaskState struct {
		cur     onlineVersion
		has     bool
		pending []pendingRow
	}
	var mu sync.Mutex
	states := map[int]*subtaskState{}
	stateOf := func(ctx *engine.Context) *subtaskState {
		mu.Lock()
		defer mu.Unlock()
		s := states[ctx.Subtask()]
		if s == nil {
			s = &subtaskState{}
			states[ctx.Subtask()] = s
		}
		return s
	}
	ready := func(s *subtaskState, ts int64) bool {
		return s.has && (ts == math.MinInt64 || ts-maxDelay <= s.cur.timestamp)
	}
	emit := func(r Row, s *subtaskState, out engine.Collector) {
		o, err := predict(r, s.cur)
		if err != nil {
			panic(fmt.Errorf("%s: %w", name, err))
		}
		out.Collect(o)
	}
	s := input.DataStream().Connect(modelData.DataStream().Broadcast()).Process(engine.CoProcessFunction{
		Open: func(ctx *engine.Context) error {
			mu.Lock()
			states[ctx.Subtask()] = &subtaskState{} // a new attempt starts without a model
			mu.Unlock()
			return nil
		},
		ProcessElement1: func(ctx *engine.Context, v any, out engine.Collector) {
			r, ok := v.(Row)
			if !ok {
				panic(fmt.Errorf("%w: %s got a %T, want ml.Row", ErrColumnType, name, v))
			}
			ts := int64(math.MinInt64)
			if ctx.HasTimestamp() {
				ts = ctx.Timestamp()
			}
			st := stateOf(ctx)
			if !ready(st, ts) {
				st.pending = append(st.pending, pendingRow{r, ts})
				return
			}
			emit(r, st, out)
		},
		ProcessElement2: func(ctx *engine.Context, v any, out engine.Collector) {
			r, ok := v.(Row)
			if !ok {
				panic(fmt.Errorf("%w: %s model data is a %T, want ml.Row", ErrColumnType, name, v))
			}
			m, err := decode(r)
			if err != nil {
				panic(fmt.Errorf("%s: model data: %w", name, err))
			}
			st := stateOf(ctx)
			if st.has && m.version < st.cur.version {
				return
			}
			st.cur, st.has = m, true
			kept := st.pending[:0]
			for _, p := range st.pending {
				if ready(st, p.ts) {
					emit(p.r, st, out)
				} else {
					kept = append(kept, p)
				}
			}
			st.pending = kept
		},
	}).Name(name)
	return FromDataStream(input.Environment(), s), nil
}

// versionOf reads a model data row's version column (0 when the row has none, as a bounded model data table).
func versionOf(r Row, col string) (int64, error) {
	if r.Index(col) < 0 {
		return 0, nil
	}
	f, err := r.Float(col)
	if err != nil {
		return 0, err
	}
	return int64(f), nil
}

// miniBatches cuts a stream of rows into mini-batches of size rows in one subtask (Flink ML's
// DataStreamUtils.generateBatchData with the global batch size; Weir computes a batch's update in one subtask,
// which gives the same model as Flink ML's per-subtask partial updates merged by one reducer). Each full
// batch is passed to update, which returns the rows to emit (the new model version). The batch being filled
// lives in the operator's memory: it is not in checkpoints, so a restarted job starts a new batch.
func miniBatches(s *engine.DataStream, name string, size int, open func(), update func(batch []Row) ([]Row, error)) *engine.DataStream {
	var batch []Row
	return s.Global().Process(engine.ProcessFunction{
		Open: func(*engine.Context) error {
			batch = batch[:0]
			if open != nil {
				open()
			}
			return nil
		},
		ProcessElement: func(_ *engine.Context, v any, out engine.Collector) {
			r, ok := v.(Row)
			if !ok {
				panic(fmt.Errorf("%w: %s got a %T, want ml.Row", ErrColumnType, name, v))
			}
			batch = append(batch, r)
			if len(batch) < size {
				return
			}
			rows, err := update(batch)
			if err != nil {
				panic(fmt.Errorf("%s: %w", name, err))
			}
			batch = batch[:0]
			for _, o := range rows {
				out.Collect(o)
			}
		},
	}).SetParallelism(1).Name(name)
}
