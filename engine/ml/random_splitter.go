package ml

import (
	"fmt"
	"sort"
	"sync"

	"github.com/de4e/weir/engine"
)

// RandomSplitter is Flink ML's RandomSplitter AlgoOperator (org.apache.flink.ml.feature.randomsplitter): it
// splits one table into as many tables as weights (default [1, 1]), each row going to split i with
// probability weights[i]/sum(weights). As in Flink ML, each subtask draws java.util.Random.nextDouble for
// its rows in order from a generator seeded with the hash code of the pair (seed, subtask index) and picks
// the first split whose cumulative fraction is at least the draw; a materialized table's row i goes to
// subtask i mod parallelism, so at parallelism 1 the split is Flink ML's for the same seed and row order.
// seed defaults to the hash code of Flink ML's class name.
type RandomSplitter struct{ params *Params }

// Weights is RandomSplitter's "weights", default [1, 1]; at least two, each positive.
var Weights = NewParam("weights", "The weights of data splitting.", DoubleArrayKind, []float64{1, 1},
	ParamValidator{Describe: "at least two positive weights", Check: func(v any) bool {
		ws, _ := v.([]float64)
		for _, w := range ws {
			if !(w > 0) {
				return false
			}
		}
		return len(ws) > 1
	}})

const randomSplitterClass = "org.apache.flink.ml.feature.randomsplitter.RandomSplitter"

// NewRandomSplitter returns a RandomSplitter with Flink ML's defaults.
func NewRandomSplitter() *RandomSplitter { return &RandomSplitter{params: newParams(Weights, Seed)} }

func init() {
	RegisterStage(randomSplitterClass, func() Stage { return NewRandomSplitter() })
	engine.RegisterType(splitRow{})
}

// GetParams returns the parameters.
func (s *RandomSplitter) GetParams() *Params { return s.params }

// ClassName is Flink ML's class name.
func (s *RandomSplitter) ClassName() string { return randomSplitterClass }

// Save writes the parameters to path.
func (s *RandomSplitter) Save(path string) error { return saveStage(s, path, 0) }

// SetWeights sets the weights of the splits.
func (s *RandomSplitter) SetWeights(w ...float64) *RandomSplitter { s.params.Set(Weights, w); return s }

// GetWeights returns the weights.
func (s *RandomSplitter) GetWeights() []float64 {
	return append([]float64(nil), s.params.Get(Weights).([]float64)...)
}

// SetSeed sets the random seed.
func (s *RandomSplitter) SetSeed(v int64) *RandomSplitter { s.params.Set(Seed, v); return s }

// GetSeed returns the seed (Flink ML's class name's hash code when unset).
func (s *RandomSplitter) GetSeed() int64 { return seedOf(s.params, randomSplitterClass) }

// splitterSeed is Flink's Tuple2.of(seed, subtask).hashCode().
func splitterSeed(seed int64, subtask int) int64 {
	h := int32(seed ^ int64(uint64(seed)>>32))
	return int64(31*h + int32(subtask))
}

type splitRow struct {
	I, Split int
	R        Row
}

func chooseSplit(fractions []float64, r float64) int {
	return sort.SearchFloat64s(fractions, r) // the first fraction >= r
}

// Transform splits one table.
func (s *RandomSplitter) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: RandomSplitter.Transform takes one table, got %d", ErrParam, len(inputs))
	}
	ws, seed := s.GetWeights(), s.GetSeed()
	total := 0.0
	for _, w := range ws {
		total += w
	}
	fractions, cum := make([]float64, len(ws)), 0.0
	for i, w := range ws {
		cum += w
		fractions[i] = cum / total
	}
	t := inputs[0]
	out := make([]*Table, len(ws))
	if !t.materialized {
		var mu sync.Mutex
		randoms := map[int]*javaRandom{}
		tagged := t.stream.Process(engine.ProcessFunction{
			Open: func(ctx *engine.Context) error {
				mu.Lock()
				randoms[ctx.Subtask()] = newJavaRandom(splitterSeed(seed, ctx.Subtask()))
				mu.Unlock()
				return nil
			},
			ProcessElement: func(ctx *engine.Context, v any, c engine.Collector) {
				mu.Lock()
				r := randoms[ctx.Subtask()]
				mu.Unlock()
				c.Collect(splitRow{Split: chooseSplit(fractions, r.nextDouble()), R: v.(Row)})
			},
		}).Name("SplitterOperator")
		for i := range out {
			i := i
			out[i] = FromDataStream(t.env, tagged.FlatMap(func(v any, c engine.Collector) {
				if sr := v.(splitRow); sr.Split == i {
					c.Collect(sr.R)
				}
			}).Name(fmt.Sprintf("split %d", i)))
		}
		return out, nil
	}
	p := parallelismOf(t.env)
	blocks := splitRows(t.rows, p)
	env := boundedEnv(t.env)
	c := env.FromSlice(blocks).Name("RandomSplitter input").Rebalance().FlatMap(func(v any, c engine.Collector) {
		b := v.(rowBlock)
		r := newJavaRandom(splitterSeed(seed, b.Index))
		for j, row := range b.Rows {
			c.Collect(splitRow{I: j*p + b.Index, Split: chooseSplit(fractions, r.nextDouble()), R: row})
		}
	}).Name("SplitterOperator").Collect()
	if _, err := env.Execute("RandomSplitter"); err != nil {
		return nil, fmt.Errorf("ml: RandomSplitter: %w", err)
	}
	got := c.Values()
	sort.Slice(got, func(i, j int) bool { return got[i].(splitRow).I < got[j].(splitRow).I })
	rows := make([][]Row, len(ws))
	for _, v := range got {
		sr := v.(splitRow)
		rows[sr.Split] = append(rows[sr.Split], sr.R)
	}
	for i := range out {
		out[i] = &Table{env: t.env, rows: rows[i], materialized: true}
	}
	return out, nil
}
