package engine

import (
	"fmt"

	"github.com/de4e/weir/engine/internal/keygroup"
)

// CrossFunc combines one record of the first input with one record of the second, Flink's CrossFunction.
type CrossFunc func(left, right any) any

// CrossOperator is the cartesian product of two bounded streams, waiting for its CrossFunc, Flink's
// CrossOperator.DefaultCross.
type CrossOperator struct{ first, second DataStream }

// crossTagged is a record of either input of a cross on its way to the partition Part of the product.
type crossTagged struct {
	Part   int
	V      any
	Second bool
}

// Cross starts the cartesian product of the bounded streams s and other, Flink's DataSet.cross (in the
// migration guide: both sides keyed into partitions over EndOfStreamWindows). The first input is spread
// round robin over as many partitions as the environment's parallelism, and every record of the second is
// copied to each partition, as Flink's crossWithTiny broadcasts its second input: keep the second input the
// smaller one. Each partition keeps its records in keyed state and, when both inputs have ended, pairs
// every first record with every second one, in arrival order.
func (s *DataStream) Cross(other *DataStream) *CrossOperator {
	if other == nil {
		panic("engine: DataStream.Cross: other stream is nil")
	}
	return &CrossOperator{first: *s, second: *other}
}

// With emits f(left, right) for every pair of a record of the first input and one of the second.
func (c *CrossOperator) With(f CrossFunc) *DataStream {
	if f == nil {
		panic("engine: Cross.With needs a CrossFunc, got nil")
	}
	cfg := c.first.env.cfg
	keys := crossPartitionKeys(cfg.Parallelism, cfg.MaxParallelism)
	tag1 := c.first.add("Cross: tag input 1", func() operator {
		next := 0 // per subtask: the partition of its next record
		return &mapOp{f: func(v any) any {
			k := keys[next]
			next = (next + 1) % len(keys)
			return crossTagged{Part: k, V: v}
		}}
	}, false)
	tag2 := c.second.add("Cross: tag input 2", func() operator {
		return &flatMapOp{f: func(v any, out Collector) {
			for _, k := range keys {
				out.Collect(crossTagged{Part: k, V: v, Second: true})
			}
		}}
	}, false)
	sameParallelism(tag1, c.first)
	sameParallelism(tag2, c.second)
	keyed := tag1.Union(tag2).KeyBy(func(v any) any { return v.(crossTagged).Part })
	return keyed.add("Cross", newEndOfInputOp("cross", nil, func(_, acc any, out Collector) {
		var left, right []any
		for _, e := range acc.([]any) {
			if t := e.(crossTagged); t.Second {
				right = append(right, t.V)
			} else {
				left = append(left, t.V)
			}
		}
		for _, l := range left {
			for _, r := range right {
				out.Collect(f(l, r))
			}
		}
	}), true)
}

// crossPartitionKeys returns one partition key for each of p subtasks: the smallest int whose key group
// the subtask owns, so that a cross at parallelism p gives every subtask one partition.
func crossPartitionKeys(p, maxP int) []int {
	keys := make([]int, p)
	found := 0
	seen := make([]bool, p)
	for k := 0; found < p; k++ {
		sub := keygroup.SubtaskFor(maxP, p, keygroup.Of(k, maxP))
		if !seen[sub] {
			seen[sub], keys[sub] = true, k
			found++
		}
		if k > 1<<20 {
			panic(fmt.Sprintf("engine: Cross: no key for each of %d subtasks with max parallelism %d", p, maxP))
		}
	}
	return keys
}
