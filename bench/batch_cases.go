package bench

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"

	"github.com/de4e/weir/engine"
)

// The batch cases (issue 13): DataSet operations on bounded streams, each against a hand-written loop doing
// the same work in the same run, each failing if its result differs from the loop's.
//
// batch-join-*: orders joined with their customers by customer id (1:N), an inner join with
// DataStream.JoinBounded in Batch execution mode under each join strategy (JoinHint): repartition hash with
// either side as the build side, repartition sort-merge, and broadcast hash with the customers broadcast,
// each on the managed memory of its operator (16 MiB by default). Of n events, n/batchJoinRatio
// are customers and the rest orders; an order's customer id is drawn from 5/4 of the customers' range, so about
// a fifth of the orders have no customer and are dropped by the inner join, and some customers have no orders.
// The loop is a Go map hash join: a map of the customers by id, probed with each order.
//
// batch-groupreduce: a word count of a generated text with KeyedStream.ReduceGroup (each word's records handed
// to the function at once when the input ends), against a loop counting the words in a map. The text's lines
// hold batchWordsPerLine words each, drawn with a skew (low word numbers are frequent) from batchVocabulary
// words; an event is one word.

// customer and order are the two inputs of the batch joins.
type customer struct {
	ID, Score int64
}

type order struct {
	ID, Customer, Amount int64
}

const (
	batchJoinRatio = 10 // one customer per 10 events
	// batchJoinScale runs the join cases, whose every record is buffered until both inputs end, over half of
	// the suite's events.
	batchJoinScale    = 0.5
	batchVocabulary   = 50_000
	batchWordsPerLine = 8
	// batchWordScale runs the word count, which keeps every word of the text in keyed state, over a quarter of
	// the suite's events.
	batchWordScale = 0.25
)

// batchJoinSizes splits n events into customers and orders.
func batchJoinSizes(n int64) (customers, orders int64) {
	customers = max(n/batchJoinRatio, 1)
	return customers, max(n-customers, 0)
}

func customerGen(i int64) customer {
	return customer{ID: i, Score: int64(splitmix(uint64(i)) % 1000)}
}

// orderGen returns order i of n orders over customers customers.
func orderGen(i, customers int64) order {
	h := splitmix(uint64(i) ^ 0x5bd1e995)
	return order{ID: i, Customer: int64(h % uint64(customers+customers/4+1)), Amount: int64(h>>32) % 10_000}
}

// joinedValue is what a batch join emits for a pair, summed in the digest.
func joinedValue(o order, c customer) int64 { return o.ID*3 + o.Amount*c.Score + c.ID }

// batchJoinJob runs the join of the generated customers and orders of n events with hint in Batch mode at
// parallelism p and returns the digest of its pairs.
func batchJoinJob(n int64, hint engine.JoinHint, p int) (*digest, error) {
	nc, no := batchJoinSizes(n)
	env := engine.NewEnvironment(engine.Config{Parallelism: p, RuntimeMode: engine.Batch})
	customers := env.FromSource(engine.GeneratorSource{Count: nc, Gen: func(i int64) engine.SourceElement {
		return engine.SourceElement{Value: customerGen(i)}
	}}, nil, "customers")
	orders := env.FromSource(engine.GeneratorSource{Count: no, Gen: func(i int64) engine.SourceElement {
		return engine.SourceElement{Value: orderGen(i, nc)}
	}}, nil, "orders")
	out := &digest{}
	customers.JoinBounded(orders, engine.InnerJoin).
		Where(func(v any) any { return v.(customer).ID }).
		EqualTo(func(v any) any { return v.(order).Customer }).
		WithHint(hint).
		Apply(func(l, r any) any { return joinedValue(r.(order), l.(customer)) }).
		SinkTo("sink", func(v any, _ int64) error { out.add(v.(int64)); return nil })
	_, err := env.Execute("batch join")
	return out, err
}

// batchJoinLoop joins by hand: a map of the customers by id, probed with each order.
func batchJoinLoop(n int64, out *digest) {
	nc, no := batchJoinSizes(n)
	byID := make(map[int64]customer, nc)
	for i := range nc {
		c := customerGen(i)
		byID[c.ID] = c
	}
	for i := range no {
		o := orderGen(i, nc)
		if c, ok := byID[o.Customer]; ok {
			out.n++
			out.total += joinedValue(o, c)
		}
	}
}

// textLine returns line i of the generated text.
func textLine(i int64) string {
	var b strings.Builder
	for j := range int64(batchWordsPerLine) {
		h := splitmix(uint64(i*batchWordsPerLine + j))
		w := h % (1 + (h>>32)%batchVocabulary) // skewed towards low word numbers
		if j > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('w')
		b.WriteString(strconv.FormatUint(w, 10))
	}
	return b.String()
}

// wordValue is what the word count emits for a word and its count, summed in the digest.
func wordValue(word string, count int64) int64 {
	h := fnv.New32a()
	h.Write([]byte(word))
	return int64(h.Sum32()) * count
}

// batchLines is the number of lines of a text of n words.
func batchLines(n int64) int64 { return max(n/batchWordsPerLine, 1) }

// wordCountJob counts the words of a text of n words with ReduceGroup in runtime mode mode at parallelism
// 2.
func wordCountJob(mode engine.RuntimeMode, n int64) (*digest, error) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: mode})
	out := &digest{}
	env.FromSource(engine.GeneratorSource{Count: batchLines(n), Gen: func(i int64) engine.SourceElement {
		return engine.SourceElement{Value: textLine(i)}
	}}, nil, "text").
		FlatMap(func(v any, out engine.Collector) {
			for _, w := range strings.Fields(v.(string)) {
				out.Collect(w)
			}
		}).
		KeyBy(func(v any) any { return v }).
		ReduceGroup(func(key any, values []any, out engine.Collector) {
			out.Collect(wordValue(key.(string), int64(len(values))))
		}).
		SinkTo("sink", func(v any, _ int64) error { out.add(v.(int64)); return nil })
	_, err := env.Execute("batch word count")
	return out, err
}

// wordCount is a word and its running count, the record of the rolling word count.
type wordCount struct {
	Word  string
	Count int64
}

// wordCountSumJob is lesson 1's word count (FlatMap, KeyBy, a rolling reduce) in runtime mode mode. In
// Streaming the reduce emits every word's updated count per record and the sink keeps the latest one (the
// changelog's final table); in Batch each keyed subtask sorts its input by word and emits each word's final
// count once.
func wordCountSumJob(mode engine.RuntimeMode) func(n int64) (*digest, error) {
	return func(n int64) (*digest, error) {
		env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: mode})
		var mu sync.Mutex
		latest := map[string]int64{}
		env.FromSource(engine.GeneratorSource{Count: batchLines(n), Gen: func(i int64) engine.SourceElement {
			return engine.SourceElement{Value: textLine(i)}
		}}, nil, "text").
			FlatMap(func(v any, out engine.Collector) {
				for _, w := range strings.Fields(v.(string)) {
					out.Collect(wordCount{w, 1})
				}
			}).
			KeyBy(func(v any) any { return v.(wordCount).Word }).
			Reduce(func(a, b any) any { x, y := a.(wordCount), b.(wordCount); return wordCount{x.Word, x.Count + y.Count} }).
			SinkTo("sink", func(v any, _ int64) error {
				wc := v.(wordCount)
				mu.Lock()
				latest[wc.Word] = wc.Count
				mu.Unlock()
				return nil
			})
		if _, err := env.Execute("word count"); err != nil {
			return nil, err
		}
		out := &digest{}
		for w, c := range latest {
			out.n++
			out.total += wordValue(w, c)
		}
		return out, nil
	}
}

// wordCountLoop counts the words of the same text in a map.
func wordCountLoop(n int64, out *digest) {
	counts := map[string]int64{}
	for i := range batchLines(n) {
		for _, w := range strings.Fields(textLine(i)) {
			counts[w]++
		}
	}
	for w, c := range counts {
		out.n++
		out.total += wordValue(w, c)
	}
}

// registerBatch registers the loop and the engine cases compared with it; each engine case fails if its
// digest differs from the loop's for the same n.
func registerBatch(loopName, loopAbout string, scale float64, loop func(n int64, out *digest), engines []Case,
	job func(c Case) func(n int64) (*digest, error)) {
	var loopResult sync.Map // n -> digest string
	Register(Case{Name: loopName, About: "hand-written loop: " + loopAbout, Scale: scale,
		Run: func(n int64) (int64, error) {
			d := &digest{}
			loop(n, d)
			loopResult.Store(n, d.String())
			return n, nil
		}})
	for _, c := range engines {
		run := job(c)
		c.Baseline, c.Scale, c.ChecksBaseline = loopName, scale, true
		c.Run = func(n int64) (int64, error) {
			d, err := run(n)
			if err != nil {
				return 0, err
			}
			want, ok := loopResult.Load(n)
			if !ok {
				l := &digest{}
				loop(n, l)
				want = l.String()
			}
			if d.String() != want {
				return 0, fmt.Errorf("the engine's result (%s) differs from the loop's (%s)", d, want)
			}
			return n, nil
		}
		Register(c)
	}
}

func init() {
	const joinAbout = "orders joined with their customers by id (1:N, 1 customer per 10 events), inner join"
	hints := map[string]engine.JoinHint{
		"batch-join-hash/engine":        engine.JoinHintRepartitionHashFirst,
		"batch-join-hash-second/engine": engine.JoinHintRepartitionHashSecond,
		"batch-join-sortmerge/engine":   engine.JoinHintRepartitionSortMerge,
		"batch-join-broadcast/engine":   engine.JoinHintBroadcastHashFirst,
	}
	registerBatch("batch-join/loop", joinAbout+", a Go map of customers probed with each order", batchJoinScale, batchJoinLoop,
		[]Case{
			{Name: "batch-join-hash/engine", About: joinAbout + ", JoinBounded repartition hash (build: customers), parallelism 2"},
			{Name: "batch-join-hash-second/engine", About: joinAbout + ", JoinBounded repartition hash (build: orders), parallelism 2"},
			{Name: "batch-join-sortmerge/engine", About: joinAbout + ", JoinBounded repartition sort-merge, parallelism 2"},
			{Name: "batch-join-broadcast/engine", About: joinAbout + ", JoinBounded broadcast hash (customers broadcast), parallelism 2"},
			{Name: "batch-join-spill-hash/engine", Note: batchSpillNote,
				About: joinAbout + fmt.Sprintf(", repartition hash (build: customers) in a child process, budget 1/%d of the input, parallelism 1", spillInputPerBudget)},
			{Name: "batch-join-spill-sortmerge/engine", Note: batchSpillNote,
				About: joinAbout + fmt.Sprintf(", repartition sort-merge in a child process, budget 1/%d of the input, parallelism 1", spillInputPerBudget)},
		},
		func(c Case) func(n int64) (*digest, error) {
			hint := hints[c.Name]
			if spill, ok := spillHints[c.Name]; ok {
				return func(n int64) (*digest, error) { return batchSpillJoin(n, spill) }
			}
			return func(n int64) (*digest, error) { return batchJoinJob(n, hint, 2) }
		})
	const wordAbout = "word count of a generated text (8 words a line, 50,000 skewed words), an event is a word"
	registerBatch("batch-groupreduce/loop", wordAbout+", counted in a Go map", batchWordScale, wordCountLoop,
		[]Case{
			{Name: "batch-groupreduce/engine", About: wordAbout + ", FlatMap, KeyBy, ReduceGroup in streaming mode (keyed state), parallelism 2"},
			{Name: "batch-groupreduce/batch", About: wordAbout + ", the same job in batch execution mode (sorted input, one key at a time), parallelism 2"},
		},
		func(c Case) func(n int64) (*digest, error) {
			mode := engine.Streaming
			if c.Name == "batch-groupreduce/batch" {
				mode = engine.Batch
			}
			return func(n int64) (*digest, error) { return wordCountJob(mode, n) }
		})
	modes := map[string]engine.RuntimeMode{"batch-wordcount/streaming": engine.Streaming, "batch-wordcount/batch": engine.Batch}
	registerBatch("batch-wordcount/loop", wordAbout+", counted in a Go map", batchWordScale, wordCountLoop,
		[]Case{
			{Name: "batch-wordcount/streaming", About: wordAbout + ", FlatMap, KeyBy, rolling Reduce in streaming mode (an update per word), parallelism 2"},
			{Name: "batch-wordcount/batch", About: wordAbout + ", the same job in batch execution mode (final counts only), parallelism 2"},
		},
		func(c Case) func(n int64) (*digest, error) { return wordCountSumJob(modes[c.Name]) })
}
