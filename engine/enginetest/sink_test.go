package enginetest_test

import (
	"reflect"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/enginetest"
)

// A two-phase-commit sink in the harness: records become visible only when the checkpoint that covers them
// completes, and what is left when the input ends is committed as the job finishes (Flink:
// TwoPhaseCommitSinkFunctionTest#testNotifyOfCompletedCheckpoint; FLIP-147 for the end of input).
func TestTwoPhaseCommitSinkCommitsOnCompletedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	h, err := enginetest.ForOperator(func(s *engine.DataStream) *engine.DataStream { return s.SinkToFiles(dir) })
	must(t, err)
	defer h.Close()
	committed := func() []string {
		t.Helper()
		lines, err := engine.ReadCommitted(dir)
		must(t, err)
		return lines
	}
	must(t, h.ProcessElement("a", 1))
	must(t, h.ProcessElement("b", 2))
	first, err := h.Snapshot()
	must(t, err)
	must(t, h.ProcessElement("c", 3))
	second, err := h.Snapshot()
	must(t, err)
	must(t, h.ProcessElement("d", 4))
	if got := committed(); len(got) != 0 {
		t.Fatalf("committed before any checkpoint completed: %v", got)
	}
	must(t, h.NotifyCheckpointComplete(first))
	if got := committed(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("after the first checkpoint: %v, want [a b]", got)
	}
	must(t, h.NotifyCheckpointComplete(second))
	if got := committed(); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("after the second checkpoint: %v, want [a b c]", got)
	}
	must(t, h.EndInput())
	if got := committed(); !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("after the end of input: %v, want [a b c d]", got)
	}

	other := newKeyed(t, bothTriggering)
	if err := other.NotifyCheckpointComplete(first); err == nil {
		t.Fatal("a harness accepted another harness's snapshot")
	}
}

// Restoring a two-phase-commit sink commits what the snapshot had pre-committed and aborts the transaction
// that was open, whose records the restored job replays (Flink:
// TwoPhaseCommitSinkFunctionTest#testFailBeforeNotify, recoverAndCommit and recoverAndAbort).
func TestTwoPhaseCommitSinkRestore(t *testing.T) {
	dir := t.TempDir()
	build := func(s *engine.DataStream) *engine.DataStream { return s.SinkToFiles(dir) }
	h, err := enginetest.ForOperator(build)
	must(t, err)
	must(t, h.ProcessElement("a", 1))
	snap, err := h.Snapshot()
	must(t, err)
	must(t, h.ProcessElement("b", 2)) // in the transaction that was open at the snapshot
	must(t, h.Close())                // a failure before the checkpoint completed
	if lines, _ := engine.ReadCommitted(dir); len(lines) != 0 {
		t.Fatalf("committed before the checkpoint completed: %v", lines)
	}
	r, err := enginetest.ForOperator(build, enginetest.Options{Restore: []*enginetest.Snapshot{snap}})
	must(t, err)
	defer r.Close()
	lines, err := engine.ReadCommitted(dir)
	must(t, err)
	if !reflect.DeepEqual(lines, []string{"a"}) {
		t.Fatalf("after restore: %v, want [a] (b was in the open transaction, which is aborted)", lines)
	}
}
