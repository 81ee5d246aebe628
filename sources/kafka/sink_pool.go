package kafka

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
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

// poolSlot is what the sink remembers of the last transaction that held a pooled id.
type poolSlot struct {
	name      string
	n         txnName
	committed bool
}

// claim records that transaction name takes its pooled id, or explains why it cannot: the id's previous
// transaction (of the same attempt) is still open or awaiting its checkpoint, or it was committed and no
// later transaction of the subtask has been committed yet, so that a restore of the checkpoint naming it
// could still look the id up to commit it. The caller holds liveMu.
func (s *Sink) claimLocked(id, name string) error {
	n, err := parseTxnName(name)
	if err != nil {
		return err
	}
	if s.slots == nil {
		s.slots = map[string]*poolSlot{}
	}
	if prev, ok := s.slots[id]; ok && prev.n.attempt == n.attempt && prev.name != name {
		_, live := s.live[prev.name]
		last, ok := s.lastCommit[n.subtask]
		settled := !prev.committed || (ok && last.attempt == n.attempt && last.seq > prev.n.seq)
		if live || !settled {
			return fmt.Errorf("kafka: transactional id %s of subtask %d is still needed by transaction %s (not yet ended, or committed by the latest completed checkpoint): the pool of %d ids per subtask is too small for the checkpoints still pending; raise PoolSize",
				id, n.subtask, prev.name, s.poolSize())
		}
	}
	s.slots[id] = &poolSlot{name: name, n: n}
	return nil
}

// noteCommitted records that transaction name was committed.
func (s *Sink) noteCommitted(name string) {
	n, err := parseTxnName(name)
	if err != nil {
		return
	}
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	for _, sl := range s.slots {
		if sl.name == name {
			sl.committed = true
		}
	}
	if s.lastCommit == nil {
		s.lastCommit = map[int]txnName{}
	}
	if last, ok := s.lastCommit[n.subtask]; !ok || last.attempt != n.attempt || last.seq < n.seq {
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
	for i := range s.poolSize() {
		id := fmt.Sprintf("%s%d-%d", s.prefix(), subtask, i)
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
			break
		}
	}
	s.liveMu.Lock()
	s.fenced[subtask] = true
	s.liveMu.Unlock()
	return nil
}
