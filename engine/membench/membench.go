// Package membench lets the benchmark suite (package bench, which may not import engine/internal) run the
// engine's managed-memory sorter. It is benchmark support, not part of Weir's API: batch operators use
// engine/internal/memory directly.
package membench

import (
	"cmp"
	"fmt"

	"github.com/de4e/weir/engine/internal/memory"
)

// SortStats is what one external sort did.
type SortStats struct {
	BudgetBytes  int64
	PeakBytes    int64 // the most the memory manager handed out at once
	Spills       int64
	SpilledBytes int64
	MergePasses  int64
	MergedBytes  int64
}

// ExternalSortInt64 sorts the n values gen(0), ..., gen(n-1) with the engine's external sorter, holding a
// memory manager of budgetBytes in pages of pageSize bytes (0 means 32 KiB) and spilling to a directory it
// makes in tempDir ("" means the system's), and passes them to out in ascending order. The sorter takes the
// whole budget; its index holds an 8-byte normalised key and an offset per record in the pages. Its files are removed before it returns, also on error.
func ExternalSortInt64(n int64, gen func(i int64) int64, budgetBytes int64, pageSize int, tempDir string, out func(v int64) error) (SortStats, error) {
	m, err := memory.NewManager(budgetBytes, pageSize)
	if err != nil {
		return SortStats{}, err
	}
	f := m.Figures()
	s, err := memory.NewSorter(memory.SorterConfig{Manager: m, Owner: "membench-sort", Pages: int(f.BudgetBytes / int64(f.PageSize)),
		TempDir: tempDir, Compare: func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) },
		NormalizedKeyLen: 8, NormalizedKey: memory.Int64NormalizedKey})
	if err != nil {
		return SortStats{}, err
	}
	defer s.Close()
	stats := func() SortStats {
		st, f := s.Stats(), m.Figures()
		return SortStats{BudgetBytes: f.BudgetBytes, PeakBytes: f.PeakBytes, Spills: st.Spills, SpilledBytes: st.SpilledBytes,
			MergePasses: st.MergePasses, MergedBytes: st.MergedBytes}
	}
	for i := range n {
		if err := s.Add(gen(i)); err != nil {
			return stats(), err
		}
	}
	it, err := s.Sort()
	if err != nil {
		return stats(), err
	}
	for {
		v, ok, err := it.Next()
		if err != nil {
			return stats(), err
		}
		if !ok {
			break
		}
		if err := out(v.(int64)); err != nil {
			return stats(), err
		}
	}
	st := stats()
	if err := s.Close(); err != nil {
		return st, fmt.Errorf("membench: %w", err)
	}
	return st, nil
}

// JoinStats is what one hash join did.
type JoinStats struct {
	BudgetBytes       int64
	PeakBytes         int64
	SpilledPartitions int64
	SpilledBytes      int64
	Depth             int64
}

// HashJoinInt64 joins the build keys build(0), ..., build(nBuild-1) with the probe keys probe(0), ...,
// probe(nProbe-1) on equality with the engine's hybrid hash join, holding a memory manager of budgetBytes in
// pages of pageSize bytes (0 means 32 KiB) and spilling to a directory it makes in tempDir, and calls emit
// for each matching pair. Its files are removed before it returns, also on error.
func HashJoinInt64(nBuild, nProbe int64, build, probe func(i int64) int64, budgetBytes int64, pageSize int, tempDir string, emit func(b, p int64) error) (JoinStats, error) {
	m, err := memory.NewManager(budgetBytes, pageSize)
	if err != nil {
		return JoinStats{}, err
	}
	f := m.Figures()
	id := func(v any) any { return v }
	j, err := memory.NewHashJoin(memory.HashJoinConfig{Manager: m, Owner: "membench-join", Pages: int(f.BudgetBytes / int64(f.PageSize)),
		TempDir: tempDir, BuildKey: id, ProbeKey: id})
	if err != nil {
		return JoinStats{}, err
	}
	defer j.Close()
	stats := func() JoinStats {
		st, f := j.Stats(), m.Figures()
		return JoinStats{BudgetBytes: f.BudgetBytes, PeakBytes: f.PeakBytes, SpilledPartitions: st.SpilledPartitions,
			SpilledBytes: st.SpilledBytes, Depth: st.Depth}
	}
	out := func(b, p any) error { return emit(b.(int64), p.(int64)) }
	for i := range nBuild {
		if err := j.Build(build(i)); err != nil {
			return stats(), err
		}
	}
	for i := range nProbe {
		if err := j.Probe(probe(i), out); err != nil {
			return stats(), err
		}
	}
	if err := j.Finish(out); err != nil {
		return stats(), err
	}
	st := stats()
	if err := j.Close(); err != nil {
		return st, fmt.Errorf("membench: %w", err)
	}
	return st, nil
}
