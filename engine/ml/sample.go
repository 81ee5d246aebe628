package ml

import "fmt"

// Sample draws up to numSamples rows of t at random without replacement, Flink ML's DataStreamUtils.sample,
// as one bounded job: row i goes to subtask i mod parallelism (as a rebalance starting at the first subtask
// would), each subtask keeps a reservoir of min(numSamples/p + p, numSamples) of its rows drawn with
// java.util.Random(seed), and one subtask draws numSamples of those (read in subtask order) with a new
// java.util.Random(seed). A reservoir keeps the first rows it sees and then replaces sample
// random.nextInt(count) with row number count when that is below its size. At parallelism 1 this is
// exactly Flink ML's sample for the same seed and row order (at higher parallelism Flink's rebalance starts
// at a random subtask and its second round reads in arrival order). A table with fewer rows gives them all.
// It panics if numSamples is below 1.
func Sample(t *Table, numSamples int, seed int64) ([]Row, error) {
	if numSamples < 1 {
		panic(fmt.Sprintf("ml: Sample: numSamples must be at least 1, got %d", numSamples))
	}
	p := parallelismOf(t.env)
	first := min(numSamples/p+p, numSamples)
	v, err := aggregateRows(t, "sample", func(rows []Row) (any, error) {
		return pick(rows, reservoirIndices(len(rows), first, seed)), nil
	}, func(parts []any) any {
		var all []Row
		for _, part := range parts {
			all = append(all, part.([]Row)...)
		}
		return pick(all, reservoirIndices(len(all), numSamples, seed))
	})
	if err != nil {
		return nil, err
	}
	return v.([]Row), nil
}

func pick(rows []Row, idx []int) []Row {
	out := make([]Row, len(idx))
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}

// reservoirIndices is Flink ML's SamplingOperator over count elements: the indices of the n elements kept,
// in sample order.
func reservoirIndices(count, n int, seed int64) []int {
	r := newJavaRandom(seed)
	var samples []int
	for i := 0; i < count; i++ {
		if len(samples) < n {
			samples = append(samples, i)
		} else if ix := r.nextInt(int32(i + 1)); int(ix) < n {
			samples[ix] = i
		}
	}
	return samples
}
