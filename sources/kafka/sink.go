package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// DefaultTransactionTimeout is the transaction timeout of a transactional Sink: a transaction still open
// (not committed) after it is aborted by the brokers. It must exceed the checkpoint interval plus the time
// a restart takes, and must not exceed the brokers' transaction.max.timeout.ms (15 minutes by default).
const DefaultTransactionTimeout = 10 * time.Minute

// Sink is an engine.TwoPhaseCommitSink writing records to a Kafka topic; end a stream in it with
// DataStream.SinkToTransactional("KafkaSink", sink). Call Close when the job is done.
//
// Plain (Transactional false) it is Flink's at-least-once KafkaSink: records are produced at once, and each
// checkpoint waits until the brokers have acknowledged everything written before it, so a restart from the
// checkpoint may write some records again but never loses one.
//
// Transactional it is Flink's exactly-once KafkaSink: each engine transaction is a Kafka transaction with
// a transactional id from a pool of PoolSize per subtask (TransactionalIDPrefix, subtask, index), flushed
// at the checkpoint barrier (pre-commit) and committed (EndTxn) when the checkpoint completes. Consumers
// reading with isolation read_committed (the Source default) see each record exactly once. A transaction
// the job pre-committed and could not commit before a crash is committed when the job restores its
// checkpoint, also in a new process: the sink finds its producer id and epoch with DescribeTransactions;
// if the brokers aborted it meanwhile (its timeout expired) the restore fails, since its records are lost.
// When an attempt starts the sink fences the pools of its subtasks and of subtasks a run at a higher
// parallelism had (AbortLingering), which aborts what a crashed process left open, so read_committed
// consumers do not wait for the transaction timeout; committing a transaction the brokers aborted (its
// timeout expired) is an error.
type Sink struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string
	// Topic is the topic written. It must exist.
	Topic string
	// Encode turns a record into a Kafka key and value. Default EncodeRecord.
	Encode func(v any) (key, value []byte, err error)
	// ToRecord, if set, is used instead of Encode: it makes the whole Kafka record (key, value, headers and
	// timestamp; a zero Timestamp lets the producer stamp it), whose Topic the sink sets. Default nil.
	ToRecord func(v any) (*kgo.Record, error)
	// NoFlush is Flink's DeliveryGuarantee.NONE for a sink that is not Transactional: a checkpoint does
	// not wait for the brokers to acknowledge the records produced before it, so a record may be lost when
	// the job fails after that checkpoint (a produce error still fails the job at the next record or
	// checkpoint). Close still flushes, as Flink's writer flushes at the end of input. Default false:
	// at-least-once, each checkpoint waits for the acknowledgements.
	NoFlush bool
	// Transactional makes the sink write in Kafka transactions, for exactly-once. Default false.
	Transactional bool
	// TransactionalIDPrefix starts the transactional id of every transaction, followed by the subtask and
	// an index into the subtask's pool ("weir-clicks-0-3"). Default "weir-" + Topic + "-". Two jobs writing
	// at the same time need different prefixes.
	TransactionalIDPrefix string
	// PoolSize is how many transactional ids each subtask takes in turn, one per transaction; a transaction
	// needs its id until a later one of its subtask is committed, so it must exceed the number of
	// checkpoints that may be pending at once plus two. It must stay the same while the job has
	// checkpoints to restore. Default DefaultPoolSize.
	PoolSize int
	// TransactionTimeout is the transaction timeout. Default DefaultTransactionTimeout.
	TransactionTimeout time.Duration
	// Timeout bounds a flush or a commit. Default DefaultTimeout.
	Timeout time.Duration
	// Options are extra franz-go client options, applied after the sink's own.
	Options []kgo.Opt

	mu         sync.Mutex
	plain      *kgo.Client // the producer of the plain mode, shared by its subtasks
	liveMu     sync.Mutex
	live       map[string]*kafkaTxn // transactions begun by this process and not yet ended
	slots      map[string]*poolSlot // pooled transactional id -> its last transaction
	lastCommit map[int]txnName      // subtask -> its last committed transaction
	fenced     map[int]bool         // subtasks whose pool this Sink has fenced
}

// EncodeRecord is the default Encode: a sources.Event becomes its NDJSON line keyed by its Key (so a topic
// written by the sink can be read back by a Source); []byte and string are the value as is; anything else
// is its fmt.Sprint. Records other than events have no key.
func EncodeRecord(v any) (key, value []byte, err error) {
	switch x := v.(type) {
	case sources.Event:
		b, err := json.Marshal(x)
		return []byte(x.Key), b, err
	case *sources.Event:
		b, err := json.Marshal(x)
		return []byte(x.Key), b, err
	case []byte:
		return nil, x, nil
	case string:
		return nil, []byte(x), nil
	}
	return nil, []byte(fmt.Sprint(v)), nil
}

func (s *Sink) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s *Sink) transactionTimeout() time.Duration {
	if s.TransactionTimeout > 0 {
		return s.TransactionTimeout
	}
	return DefaultTransactionTimeout
}

func (s *Sink) prefix() string {
	if s.TransactionalIDPrefix != "" {
		return s.TransactionalIDPrefix
	}
	return "weir-" + s.Topic + "-"
}

func (s *Sink) encode(v any) (*kgo.Record, error) {
	if s.ToRecord != nil {
		rec, err := s.ToRecord(v)
		if err != nil {
			return nil, fmt.Errorf("kafka: encoding a record for %s: %w", s.Topic, err)
		}
		rec.Topic = s.Topic
		return rec, nil
	}
	enc := s.Encode
	if enc == nil {
		enc = EncodeRecord
	}
	k, val, err := enc(v)
	if err != nil {
		return nil, fmt.Errorf("kafka: encoding a record for %s: %w", s.Topic, err)
	}
	return &kgo.Record{Topic: s.Topic, Key: k, Value: val}, nil
}

func (s *Sink) client(opts ...kgo.Opt) (*kgo.Client, error) {
	if len(s.Brokers) == 0 || s.Topic == "" {
		return nil, errors.New("kafka: a sink needs brokers and a topic")
	}
	all := append([]kgo.Opt{kgo.SeedBrokers(s.Brokers...), kgo.DefaultProduceTopic(s.Topic)}, opts...)
	cl, err := kgo.NewClient(append(all, s.Options...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: producer for %v: %w", s.Brokers, err)
	}
	return cl, nil
}

// Begin starts transaction name for a sink subtask. Transactional, it first aborts what an earlier attempt
// of the same subtask left open (the engine aborts only the one its checkpoint names).
func (s *Sink) Begin(subtask int, name string) (engine.Transaction, error) {
	if !s.Transactional {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.plain == nil {
			cl, err := s.client()
			if err != nil {
				return nil, err
			}
			s.plain = cl
		}
		return &plainTxn{s: s, cl: s.plain}, nil
	}
	s.abortLeftovers(subtask, name)
	id, err := s.transactionalID(name)
	if err != nil {
		return nil, err
	}
	if err := s.fence(subtask); err != nil {
		return nil, err
	}
	s.liveMu.Lock()
	err = s.claimLocked(id, name)
	s.liveMu.Unlock()
	if err != nil {
		return nil, err
	}
	cl, err := s.client(kgo.TransactionalID(id), kgo.TransactionTimeout(s.transactionTimeout()))
	if err != nil {
		return nil, err
	}
	if err := cl.BeginTransaction(); err != nil {
		cl.Close()
		return nil, fmt.Errorf("kafka: beginning transaction %s (transactional id %s): %w", name, id, err)
	}
	t := &kafkaTxn{s: s, name: name, txid: id, subtask: subtask, cl: cl}
	s.liveMu.Lock()
	if s.live == nil {
		s.live = map[string]*kafkaTxn{}
	}
	s.live[name] = t
	s.liveMu.Unlock()
	return t, nil
}

// abortLeftovers aborts the transactions of subtask that are still open, and those of another attempt
// that are not ended: the engine has committed what its checkpoint pre-committed before a new attempt
// begins, so what is left would only hold read_committed consumers back until its timeout.
func (s *Sink) abortLeftovers(subtask int, name string) {
	s.liveMu.Lock()
	var left []*kafkaTxn
	for n, t := range s.live {
		if t.subtask == subtask && (attemptOf(n) != attemptOf(name) || t.getState() == txnOpen) {
			left = append(left, t)
		}
	}
	s.liveMu.Unlock()
	for _, t := range left {
		t.Abort()
		s.forget(t.name)
	}
}

// attemptOf is a transaction name without its sequence number: the engine names transactions
// part-SUBTASK-RUN-ATTEMPT-SEQ.
func attemptOf(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		return name[:i]
	}
	return name
}

// Recover returns transaction name, to commit or abort it after a restore: the live one if this process
// began it, else one that finds its producer id and epoch on the brokers.
func (s *Sink) Recover(name string) (engine.Transaction, error) {
	if !s.Transactional {
		return &plainTxn{s: s}, nil
	}
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	if t, ok := s.live[name]; ok {
		return t, nil
	}
	id, err := s.transactionalID(name)
	if err != nil {
		return nil, err
	}
	return &recoveredTxn{s: s, id: id, name: name}, nil
}

// Close aborts the transactions still open and closes the sink's clients. Call it when the job is done.
func (s *Sink) Close() error {
	s.liveMu.Lock()
	var left []*kafkaTxn
	for _, t := range s.live {
		left = append(left, t)
	}
	s.live = nil
	s.liveMu.Unlock()
	for _, t := range left {
		t.Abort() // open, or pre-committed and never committed: its checkpoint did not complete
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plain != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout())
		defer cancel()
		err := s.plain.Flush(ctx)
		s.plain.Close()
		s.plain = nil
		if err != nil {
			return fmt.Errorf("kafka: flushing the producer of %s: %w", s.Topic, err)
		}
	}
	return nil
}

// plainTxn is a transaction of the plain mode: records are produced at once; PreCommit waits for their
// acknowledgements.
type plainTxn struct {
	s   *Sink
	cl  *kgo.Client
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

func (t *plainTxn) Write(v any, _ int64) error {
	if err := t.failed(); err != nil {
		return err
	}
	rec, err := t.s.encode(v)
	if err != nil {
		return err
	}
	t.wg.Add(1)
	t.cl.Produce(context.Background(), rec, func(r *kgo.Record, err error) {
		defer t.wg.Done()
		if err != nil {
			t.mu.Lock()
			if t.err == nil {
				t.err = fmt.Errorf("kafka: producing to topic %s partition %d: %w", r.Topic, r.Partition, err)
			}
			t.mu.Unlock()
		}
	})
	return nil
}

func (t *plainTxn) failed() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// PreCommit waits for the acknowledgements of the records produced so far, unless the sink is NoFlush.
func (t *plainTxn) PreCommit() error {
	if t.cl == nil {
		return nil
	}
	if !t.s.NoFlush {
		t.wg.Wait()
	}
	return t.failed()
}

func (t *plainTxn) Commit() error { return t.PreCommit() }

// Abort cannot take back records already produced: the plain mode is at-least-once.
func (t *plainTxn) Abort() error { return nil }

type txnState uint8

const (
	txnOpen txnState = iota
	txnPreCommitted
	txnEnded
)

// kafkaTxn is one Kafka transaction with its own transactional producer.
type kafkaTxn struct {
	s       *Sink
	name    string
	txid    string // its pooled transactional id
	subtask int
	mu      sync.Mutex // guards cl and state
	cl      *kgo.Client
	state   txnState
	errMu   sync.Mutex // guards err, set by produce callbacks
	err     error
}

func (t *kafkaTxn) getState() txnState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

func (t *kafkaTxn) failed() error {
	t.errMu.Lock()
	defer t.errMu.Unlock()
	return t.err
}

func (t *kafkaTxn) id() string { return t.name + " (transactional id " + t.txid + ")" }

func (t *kafkaTxn) Write(v any, _ int64) error {
	if err := t.failed(); err != nil {
		return err
	}
	rec, err := t.s.encode(v)
	if err != nil {
		return err
	}
	t.cl.Produce(context.Background(), rec, func(r *kgo.Record, err error) {
		if err != nil {
			t.errMu.Lock()
			if t.err == nil {
				t.err = fmt.Errorf("kafka: transaction %s: producing to topic %s partition %d: %w", t.id(), r.Topic, r.Partition, err)
			}
			t.errMu.Unlock()
		}
	})
	return nil
}

// PreCommit waits until the brokers hold every record of the transaction.
func (t *kafkaTxn) PreCommit() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != txnOpen {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), t.s.timeout())
	defer cancel()
	if err := t.cl.Flush(ctx); err != nil {
		return fmt.Errorf("kafka: flushing transaction %s: %w", t.id(), err)
	}
	if err := t.failed(); err != nil {
		return err
	}
	t.state = txnPreCommitted
	return nil
}

// Commit commits the transaction (EndTxn); committing it again does nothing.
func (t *kafkaTxn) Commit() error {
	if err := t.PreCommit(); err != nil {
		return err
	}
	return t.end(kgo.TryCommit)
}

// Abort aborts the transaction; aborting an ended one does nothing.
func (t *kafkaTxn) Abort() error { return t.end(kgo.TryAbort) }

func (t *kafkaTxn) end(how kgo.TransactionEndTry) error {
	if err := t.endLocked(how); err != nil {
		return err
	}
	if how == kgo.TryCommit {
		t.s.noteCommitted(t.txid, t.name)
	}
	t.s.forget(t.name)
	return nil
}

func (t *kafkaTxn) endLocked(how kgo.TransactionEndTry) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == txnEnded {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), t.s.timeout())
	defer cancel()
	what := "committing"
	if how == kgo.TryAbort {
		what = "aborting"
		if err := t.cl.AbortBufferedRecords(ctx); err != nil {
			return fmt.Errorf("kafka: aborting transaction %s: %w", t.id(), err)
		}
	}
	if err := t.cl.EndTransaction(ctx, how); err != nil {
		if how == kgo.TryCommit && abortedByBrokers(err) {
			return fmt.Errorf("kafka: committing transaction %s: %w: the brokers aborted it (its transaction timeout of %v expired, or a newer producer fenced it): its records are lost",
				t.id(), err, t.s.transactionTimeout())
		}
		return fmt.Errorf("kafka: %s transaction %s: %w", what, t.id(), err)
	}
	t.state = txnEnded
	t.cl.Close()
	return nil
}

// forget drops an ended transaction from the live ones.
func (s *Sink) forget(name string) {
	s.liveMu.Lock()
	delete(s.live, name)
	s.liveMu.Unlock()
}

// recoveredTxn is a transaction begun by another process: it is ended with the producer id and epoch the
// brokers report for its transactional id.
type recoveredTxn struct {
	s    *Sink
	id   string // the pooled transactional id
	name string
}

func (t *recoveredTxn) Write(any, int64) error {
	return fmt.Errorf("kafka: transaction %s was recovered to be ended, not written", t.id)
}

func (t *recoveredTxn) PreCommit() error { return nil }
func (t *recoveredTxn) Commit() error {
	if err := t.end(true); err != nil {
		return err
	}
	t.s.noteCommitted(t.id, t.name)
	return nil
}
func (t *recoveredTxn) Abort() error { return t.end(false) }

func (t *recoveredTxn) end(commit bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), t.s.timeout())
	defer cancel()
	cl, err := t.s.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	what := "committing"
	if !commit {
		what = "aborting"
	}
	dreq := kmsg.NewPtrDescribeTransactionsRequest()
	dreq.TransactionalIDs = []string{t.id}
	dresp, err := dreq.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("kafka: %s recovered transaction %s: describing it: %w", what, t.id, err)
	}
	if len(dresp.TransactionStates) != 1 {
		return fmt.Errorf("kafka: %s recovered transaction %s: %d states described", what, t.id, len(dresp.TransactionStates))
	}
	st := dresp.TransactionStates[0]
	if err := kerr.ErrorForCode(st.ErrorCode); err != nil {
		if errors.Is(err, kerr.TransactionalIDNotFound) {
			if !commit {
				return nil // nothing to abort
			}
			// Every id of the pool is initialised before its first transaction, so the brokers have
			// forgotten it: the transaction expired, and its records are lost.
			return fmt.Errorf("kafka: committing recovered transaction %s: the brokers no longer know transactional id %s (expired): its records are lost", t.name, t.id)
		}
		return fmt.Errorf("kafka: %s recovered transaction %s: describing it: %w", what, t.id, err)
	}
	switch st.State {
	case "Ongoing", "PrepareCommit", "PrepareAbort":
	case "CompleteCommit":
		if commit {
			return nil
		}
		return fmt.Errorf("kafka: aborting recovered transaction %s: it was committed already", t.id)
	case "CompleteAbort", "PrepareEpochFence":
		if !commit {
			return nil
		}
		return fmt.Errorf("kafka: committing recovered transaction %s: the brokers aborted it (transaction timeout?): its records are lost", t.id)
	default:
		// Empty: ended, and the brokers do not say how (kfake, or a broker after the id was initialised
		// again). Aborting needs nothing more; a commit is sent anyway, which the brokers accept as the
		// retry of a commit and refuse (INVALID_TXN_STATE) after an abort, so that an expired transaction is
		// an error, never "nothing to commit".
		if !commit {
			return nil
		}
	}
	ereq := kmsg.NewPtrEndTxnRequest()
	ereq.TransactionalID = t.id
	ereq.ProducerID = st.ProducerID
	ereq.ProducerEpoch = st.ProducerEpoch
	ereq.Commit = commit
	eresp, err := ereq.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("kafka: %s recovered transaction %s: %w", what, t.id, err)
	}
	if err := kerr.ErrorForCode(eresp.ErrorCode); err != nil {
		if commit && abortedByBrokers(err) {
			return fmt.Errorf("kafka: committing recovered transaction %s (transactional id %s): %w: the brokers aborted it (its transaction timeout of %v expired, or a newer producer fenced it): its records are lost",
				t.name, t.id, err, t.s.transactionTimeout())
		}
		return fmt.Errorf("kafka: %s recovered transaction %s: %w", what, t.id, err)
	}
	return nil
}

// abortedByBrokers reports whether err, the answer to committing a transaction, says that the brokers
// ended it without a commit: its timeout expired (the coordinator aborts it and bumps the producer epoch)
// or a newer producer of its transactional id fenced it.
func abortedByBrokers(err error) bool {
	return errors.Is(err, kerr.InvalidTxnState) || errors.Is(err, kerr.ProducerFenced) ||
		errors.Is(err, kerr.InvalidProducerEpoch) || errors.Is(err, kerr.TransactionAbortable)
}
