package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DefaultPoolSize is how many transactional ids each subtask of a transactional Sink takes in turn.
const DefaultPoolSize = 8

func (s *Sink) poolSize() int {
	if s.PoolSize > 0 {
		return s.PoolSize
	}
	return DefaultPoolSize
}

// txnName is an engine transaction name, part-SUBTASK-RUN-ATTEMPT-SEQ, taken apart.
type txnName struct {
	subtask int
	attempt string // part-SUBTASK-RUN-ATTEMPT
	seq     int
}

func parseTxnName(name string) (txnName, error) {
	f := strings.Split(name, "-")
	if len(f) != 5 || f[0] != "part" {
		return txnName{}, fmt.Errorf("kafka: transaction name %q is not an engine transaction name (part-SUBTASK-RUN-ATTEMPT-SEQ)", name)
	}
	sub, err1 := strconv.Atoi(f[1])
	seq, err2 := strconv.Atoi(f[4])
	if err1 != nil || err2 != nil || sub < 0 || seq < 0 {
		return txnName{}, fmt.Errorf("kafka: transaction name %q is not an engine transaction name (part-SUBTASK-RUN-ATTEMPT-SEQ)", name)
	}
	return txnName{subtask: sub, attempt: attemptOf(name), seq: seq}, nil
}

// transactionalID is the pooled transactional id of a transaction: TransactionalIDPrefix, the subtask and
// the transaction's sequence number modulo PoolSize, so that a subtask uses PoolSize ids for ever (Flink's
// KafkaSink: prefix, subtask and a counter), and a new process finds the id of a transaction it only knows
// by name.
func (s *Sink) transactionalID(name string) (string, error) {
	n, err := parseTxnName(name)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%d-%d", s.prefix(), n.subtask, n.seq%s.poolSize()), nil
}

// after reports whether transaction n began after m, both of one subtask: names order by run (a growing
// fixed-width hex clock), attempt and, since a restored subtask goes on numbering after its checkpoint's
// transactions, sequence.
func (n txnName) after(m txnName) bool {
	if n.attempt != m.attempt {
		return n.attempt > m.attempt
	}
	return n.seq > m.seq
}

// poolSlot is what the sink remembers of the last transaction that held a pooled id.
type poolSlot struct {
	name      string
	n         txnName
	committed bool
}

// claim records that transaction name takes its pooled id, or explains why it cannot: the id's previous
// transaction (of the same attempt) is still open or awaiting its checkpoint, or it was committed and no
// later transaction of the subtask has been committed yet, so that a restore of the checkpoint naming it
// could still look the id up to commit it. This holds across attempts and processes: a transaction a
// restore committed (Recover) keeps its id until a later one of the subtask is committed. The caller holds
// liveMu.
func (s *Sink) claimLocked(id, name string) error {
	n, err := parseTxnName(name)
	if err != nil {
		return err
	}
	if s.slots == nil {
		s.slots = map[string]*poolSlot{}
	}
	if prev, ok := s.slots[id]; ok && prev.name != name {
		_, live := s.live[prev.name]
		last, ok := s.lastCommit[n.subtask]
		settled := !prev.committed || (ok && last.after(prev.n))
		if live || !settled {
			return fmt.Errorf("kafka: transactional id %s of subtask %d is still needed by transaction %s (not yet ended, or committed by the latest completed checkpoint): the pool of %d ids per subtask is too small for the checkpoints still pending; raise PoolSize",
				id, n.subtask, prev.name, s.poolSize())
		}
	}
	s.slots[id] = &poolSlot{name: name, n: n}
	return nil
}

// noteCommitted records that transaction name, holding pooled id id, was committed (by this process, or
// by a restore that recovered it).
func (s *Sink) noteCommitted(id, name string) {
	n, err := parseTxnName(name)
	if err != nil {
		return
	}
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	if s.slots == nil {
		s.slots = map[string]*poolSlot{}
	}
	if sl, ok := s.slots[id]; !ok || !sl.n.after(n) {
		s.slots[id] = &poolSlot{name: name, n: n, committed: true}
	}
	if s.lastCommit == nil {
		s.lastCommit = map[int]txnName{}
	}
	if last, ok := s.lastCommit[n.subtask]; !ok || n.after(last) {
		s.lastCommit[n.subtask] = n
	}
}

// fence runs once per subtask and Sink, before the subtask's first transaction: it initialises a producer
// id for every transactional id of the subtask's pool, which fences the producers of earlier processes
// still holding them (zombies) and aborts their open transactions, as Flink's KafkaSink aborts lingering
// transactions on restore. Without it a transaction a crashed process left open would hold read_committed
// consumers back until its timeout. It runs after the engine has committed what the restored checkpoint
// pre-committed (restore comes before any transaction begins), so nothing it aborts is needed.
func (s *Sink) fence(subtask int) error {
	s.liveMu.Lock()
	if s.fenced == nil {
		s.fenced = map[int]bool{}
	}
	done := s.fenced[subtask]
	s.liveMu.Unlock()
	if done {
		return nil
	}
	cl, err := s.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout())
	defer cancel()
	for _, id := range s.poolIDs(subtask) {
		s.liveMu.Lock()
		sl := s.slots[id]
		s.liveMu.Unlock()
		if sl != nil && sl.committed {
			// The restore has just committed a transaction under it, and no transaction is open: fencing it
			// would make the brokers forget that it was committed (CompleteCommit becomes Empty) when a later
			// restore of the same checkpoint looks it up again.
			continue
		}
		if err := s.initID(ctx, cl, id); err != nil {
			return err
		}
	}
	s.liveMu.Lock()
	s.fenced[subtask] = true
	s.liveMu.Unlock()
	return nil
}

// poolIDs are the transactional ids of a subtask's pool.
func (s *Sink) poolIDs(subtask int) []string {
	ids := make([]string, s.poolSize())
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d-%d", s.prefix(), subtask, i)
	}
	return ids
}

// initID initialises a producer id for transactional id id, which bumps its epoch, fences the producer
// holding it and aborts its open transaction.
func (s *Sink) initID(ctx context.Context, cl *kgo.Client, id string) error {
	req := kmsg.NewPtrInitProducerIDRequest()
	req.TransactionalID = &id
	req.TransactionTimeoutMillis = int32(s.transactionTimeout().Milliseconds())
	req.ProducerID, req.ProducerEpoch = -1, -1
	for {
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return fmt.Errorf("kafka: fencing transactional id %s: %w", id, err)
		}
		err = kerr.ErrorForCode(resp.ErrorCode)
		if err == kerr.ConcurrentTransactions && ctx.Err() == nil {
			continue // the abort of its open transaction is still being completed
		}
		if err != nil {
			return fmt.Errorf("kafka: fencing transactional id %s: %w", id, err)
		}
		return nil
	}
}

// AbortLingering implements engine.LingeringAborter; the engine calls it when an attempt starts, after the
// restore. It fences the pool of every subtask of this attempt (fence), and aborts the open transactions
// of subtasks an earlier attempt or process with a higher parallelism had, which no subtask uses now: it
// probes the pools of subtasks parallelism, parallelism+1, ... and stops at the first subtask none of whose
// ids the brokers know (Flink's KafkaSink probes the same way, TransactionAborter). A restore at a lower
// parallelism commits what the vanished subtasks pre-committed before this runs (their state goes to the
// remaining subtasks), so nothing it aborts is needed. It returns how many open transactions it aborted.
func (s *Sink) AbortLingering(parallelism int) (int, error) {
	if !s.Transactional {
		return 0, nil
	}
	cl, err := s.client()
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout())
	defer cancel()
	aborted := 0
	for subtask := 0; ; subtask++ {
		ids := s.poolIDs(subtask)
		req := kmsg.NewPtrDescribeTransactionsRequest()
		req.TransactionalIDs = ids
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return aborted, fmt.Errorf("kafka: describing the transactional ids of subtask %d: %w", subtask, err)
		}
		known := false
		var open []string
		for _, st := range resp.TransactionStates {
			err := kerr.ErrorForCode(st.ErrorCode)
			if errors.Is(err, kerr.TransactionalIDNotFound) {
				continue
			}
			if err != nil {
				return aborted, fmt.Errorf("kafka: describing transactional id %s: %w", st.TransactionalID, err)
			}
			known = true
			switch st.State {
			case "Ongoing", "PrepareCommit", "PrepareAbort":
				open = append(open, st.TransactionalID)
			}
		}
		if subtask < parallelism {
			s.liveMu.Lock()
			first := !s.fenced[subtask] // later attempts of this process abort their own (abortLeftovers)
			s.liveMu.Unlock()
			if err := s.fence(subtask); err != nil {
				return aborted, err
			}
			if first {
				aborted += len(open)
			}
			continue
		}
		if !known {
			return aborted, nil
		}
		for _, id := range open {
			if err := s.initID(ctx, cl, id); err != nil {
				return aborted, err
			}
			aborted++
		}
	}
}
