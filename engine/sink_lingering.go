package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// TransactionLister is implemented by a TwoPhaseCommitSink that can find the transactions earlier attempts
// or processes left neither committed nor aborted (a FileSink's in-progress files). When an attempt starts,
// after the restored checkpoint's pre-committed transactions are committed and its open ones aborted, the
// engine aborts every transaction that Lingering still lists: they hold only records written after the
// restored checkpoint (or, without one, by an attempt whose output is written again), which the new attempt
// writes again. This is what Flink's FileSink does on restore: pending files named by the checkpoint are
// committed, in-progress files written after it are discarded. A sink implementing it owns its output
// (a FileSink its directory): two jobs must not share it.
type TransactionLister interface {
	// Lingering returns the names of the transactions that are neither committed nor aborted.
	Lingering() ([]string, error)
}

// LingeringAborter is implemented by a TwoPhaseCommitSink that finds by itself what earlier attempts or
// processes left open, without naming transactions (a Kafka sink probes its transactional ids, as Flink's
// KafkaSink does). AbortLingering is called when an attempt starts, at the same point as
// TransactionLister's, with the sink's parallelism in this attempt: it aborts the open transactions of
// every subtask, including those of subtasks an earlier attempt with a higher parallelism had, and returns
// how many it aborted.
type LingeringAborter interface {
	AbortLingering(parallelism int) (int, error)
}

// EventTransactionsAborted says that an attempt, when it started, aborted transactions of a sink that
// earlier attempts or processes had left open (TransactionLister); Count says how many.
const EventTransactionsAborted EventKind = "transactions-aborted"

// inProgressSuffix ends the name of a FileSink's in-progress file, ".NAME.inprogress".
const inProgressSuffix = ".inprogress"

// abortLingering aborts, once for every transactional sink of the attempt, the transactions earlier attempts
// left open (TransactionLister). It runs after the restore and before any subtask starts, so that no
// transaction of this attempt exists yet.
func (ex *execution) abortLingering() error {
	seen := map[*node]bool{}
	for _, ts := range ex.tasks {
		for _, t := range ts {
			for _, op := range t.ops {
				s, ok := op.(*txnSinkOp)
				if !ok || seen[s.node] {
					continue
				}
				seen[s.node] = true
				if a, ok := s.sink.(LingeringAborter); ok {
					n, err := a.AbortLingering(len(ts))
					if err != nil {
						return fmt.Errorf("engine: %s: aborting the transactions of earlier attempts: %w", s.node.name, err)
					}
					if n > 0 {
						ex.job.events.add(Event{Kind: EventTransactionsAborted, Count: int64(n),
							Detail: fmt.Sprintf("%s: aborted %d transaction(s) earlier attempts left open", s.node.name, n)})
					}
				}
				l, ok := s.sink.(TransactionLister)
				if !ok {
					continue
				}
				names, err := l.Lingering()
				if err != nil {
					return fmt.Errorf("engine: %s: listing the transactions of earlier attempts: %w", s.node.name, err)
				}
				sort.Strings(names)
				for _, name := range names {
					tx, err := s.sink.Recover(name)
					if err == nil {
						err = tx.Abort()
					}
					if err != nil {
						return fmt.Errorf("engine: %s: aborting transaction %s of an earlier attempt: %w", s.node.name, name, err)
					}
				}
				if len(names) > 0 {
					ex.job.events.add(Event{Kind: EventTransactionsAborted, Count: int64(len(names)),
						Detail: fmt.Sprintf("%s: aborted %d transaction(s) earlier attempts left open: %s", s.node.name, len(names), strings.Join(names, ", "))})
				}
			}
		}
	}
	return nil
}

// Lingering lists the in-progress files of the directory: transactions neither committed nor aborted.
func (f FileSink) Lingering() ([]string, error) {
	entries, err := os.ReadDir(f.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasPrefix(n, ".") && strings.HasSuffix(n, inProgressSuffix) && len(n) > 1+len(inProgressSuffix) {
			names = append(names, n[1:len(n)-len(inProgressSuffix)])
		}
	}
	return names, nil
}
