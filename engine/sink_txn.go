package engine

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/de4e/weir/engine/internal/faultinject"
	"github.com/de4e/weir/engine/internal/state"
)

// TwoPhaseCommitSink is a sink that writes in transactions and makes them visible only when a checkpoint
// completes, Flink's TwoPhaseCommitSinkFunction: pre-commit at the barrier, commit on completion, and on
// restore commit again (idempotently) what was pre-committed and abort what was open.
type TwoPhaseCommitSink interface {
	// Begin starts a transaction called name (unique, and stable across restarts) for a sink subtask.
	Begin(subtask int, name string) (Transaction, error)
	// Recover returns the transaction called name written by an earlier attempt, to commit or abort it.
	Recover(name string) (Transaction, error)
}

// Transaction is one transaction of a TwoPhaseCommitSink.
type Transaction interface {
	Write(v any, ts int64) error
	// PreCommit makes the transaction durable: after it, Commit must succeed even after a crash.
	PreCommit() error
	// Commit makes the transaction visible. Committing a committed transaction is a no-op.
	Commit() error
	// Abort discards the transaction. Aborting an aborted or unknown transaction is a no-op.
	Abort() error
}

// SinkToTransactional ends the stream in a two-phase-commit sink. With the ExactlyOnce guarantee,
// transactions are pre-committed at each checkpoint barrier and committed when the checkpoint completes;
// with the other guarantees each transaction is committed at once (a plain sink, for contrast).
func (s *DataStream) SinkToTransactional(name string, sink TwoPhaseCommitSink) *DataStream {
	d := s.add(name, func() operator { return &txnSinkOp{sink: sink, pending: map[int64]string{}} }, false)
	d.inputs[0].node.kind = "sink"
	return d
}

// txnSinkOp runs a TwoPhaseCommitSink.
type txnSinkOp struct {
	opBase
	sink    TwoPhaseCommitSink
	cur     Transaction
	curName string
	seq     int
	pending map[int64]string // checkpoint id -> pre-committed transaction
	records map[int64]int    // checkpoint id -> records in its pre-committed transaction
	txns    map[string]Transaction
	written int      // records in the current transaction, for the plain (not exactly-once) mode
	finals  []string // transactions pre-committed at the end of input, committed when the attempt finishes
	finalN  []int    // records in each of finals
}

// plainBatch is how many records the plain mode writes before it makes them visible: output appears long
// before the checkpoint that covers it completes, which is what makes duplicates possible after a failure.
const plainBatch = 64

type txnState struct {
	Pending map[int64]string `json:"pending"`
	Open    string           `json:"open"`
	// Records counts the records of each pending transaction (absent in older checkpoints): a restore ends
	// an empty one without committing it, as Flink's KafkaWriter makes no committable of an empty
	// transaction, so that a sink whose brokers cannot tell an empty transaction from an aborted one (Kafka)
	// need not guess.
	Records map[int64]int `json:"records,omitempty"`
}

func (o *txnSinkOp) exactlyOnce() bool { return o.task.guarantee() == ExactlyOnce }

func (o *txnSinkOp) open() error {
	if o.txns == nil {
		o.txns = map[string]Transaction{}
	}
	return o.begin()
}

func (o *txnSinkOp) begin() error {
	o.seq++
	// Names must never repeat, also across processes (a job restarted after a crash begins at attempt 0
	// again): the job's run id, which grows with time, keeps them unique and in commit order.
	o.curName = fmt.Sprintf("part-%03d-%s-%04d-%06d", o.task.index, o.task.job.runID, o.task.exec.attempt, o.seq)
	t, err := o.sink.Begin(o.task.index, o.curName)
	if err != nil {
		return fmt.Errorf("begin transaction %s: %w", o.curName, err)
	}
	o.cur = t
	o.txns[o.curName] = t
	return nil
}

func (o *txnSinkOp) processElement(_ int, r record) {
	if err := o.cur.Write(r.v, r.ts); err != nil {
		o.task.cur, o.task.curRec = o, r.v // a chained sink is not named per record (chained.push)
		o.task.fail(fmt.Errorf("sink write: %w", err))
		return
	}
	o.written++
	if !o.exactlyOnce() && o.written >= plainBatch {
		if err := o.commitCurrent(); err != nil {
			o.task.cur = o // a chained sink is not named per record (chained.push); its caller names the record
			o.task.fail(err)
		}
	}
}

// commitCurrent commits the open transaction at once and begins the next (the plain modes).
func (o *txnSinkOp) commitCurrent() error {
	if err := o.cur.PreCommit(); err != nil {
		return fmt.Errorf("sink pre-commit: %w", err)
	}
	if err := o.cur.Commit(); err != nil {
		return fmt.Errorf("sink commit: %w", err)
	}
	delete(o.txns, o.curName)
	o.written = 0
	return o.begin()
}

func (o *txnSinkOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

func (o *txnSinkOp) snapshotOpState(id int64) ([]byte, error) {
	if !o.exactlyOnce() {
		return nil, o.commitCurrent()
	}
	if err := o.cur.PreCommit(); err != nil {
		return nil, fmt.Errorf("sink pre-commit %s: %w", o.curName, err)
	}
	o.pending[id] = o.curName
	if o.records == nil {
		o.records = map[int64]int{}
	}
	o.records[id] = o.written
	o.written = 0
	if err := o.begin(); err != nil {
		return nil, err
	}
	return json.Marshal(txnState{Pending: o.pending, Open: o.curName, Records: o.records})
}

func (o *txnSinkOp) notifyComplete(id int64) {
	ids := make([]int64, 0, len(o.pending))
	for cid := range o.pending {
		if cid <= id {
			ids = append(ids, cid)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, cid := range ids {
		if err := o.task.job.faults.Check(faultinject.BeforeSinkCommit); err != nil {
			o.task.fail(err)
			return
		}
		name := o.pending[cid]
		if o.records[cid] > 0 {
			// Say durably that this checkpoint's output is being committed before committing it, so that no
			// recovery can silently go back past it and write it again.
			if err := o.task.job.commits.note(cid); err != nil {
				o.task.fail(err)
				return
			}
		}
		if err := o.txns[name].Commit(); err != nil {
			o.task.fail(fmt.Errorf("sink commit %s: %w", name, err))
			return
		}
		delete(o.pending, cid)
		delete(o.records, cid)
		delete(o.txns, name)
	}
}

// restoreOpState commits the transactions the checkpoint had pre-committed (they may be committed already:
// commit is idempotent) and aborts the one that was open. The subtask's transactions go on numbering after
// the restored ones, so that a sink that derives a resource from the number (the Kafka sink's pooled
// transactional id) does not take the one of a restored transaction, which a later restore of the same
// checkpoint looks up again.
func (o *txnSinkOp) restoreOpState(blobs [][]byte) error {
	o.txns = map[string]Transaction{}
	for _, b := range blobs {
		var st txnState
		if err := json.Unmarshal(b, &st); err != nil {
			return fmt.Errorf("%w: sink state: %v", ErrCorruptCheckpoint, err)
		}
		ids := make([]int64, 0, len(st.Pending))
		for id := range st.Pending {
			ids = append(ids, id)
			o.seq = max(o.seq, txnSeq(st.Pending[id]))
		}
		o.seq = max(o.seq, txnSeq(st.Open))
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			t, err := o.sink.Recover(st.Pending[id])
			if err != nil {
				return err
			}
			if n, ok := st.Records[id]; ok && n == 0 {
				t.Abort() // nothing to make visible
				continue
			}
			if err := t.Commit(); err != nil {
				return fmt.Errorf("recommitting %s: %w", st.Pending[id], err)
			}
		}
		if st.Open != "" {
			if t, err := o.sink.Recover(st.Open); err == nil {
				t.Abort()
			}
		}
	}
	return nil
}

// txnSeq is the sequence number that ends a transaction name (part-SUBTASK-RUN-ATTEMPT-SEQ), or 0.
func txnSeq(name string) int {
	n, _ := strconv.Atoi(name[strings.LastIndexByte(name, '-')+1:])
	return n
}

// endInput pre-commits what is left when a bounded input ends. It is committed only when the whole attempt
// has finished (Job.run), not now: if another subtask failed later, the job would restart from a checkpoint
// and replay these records, and having committed them would duplicate them (Flink's final checkpoint,
// FLIP-147, exists for the same reason).
func (o *txnSinkOp) endInput() {
	if err := o.cur.PreCommit(); err != nil {
		o.task.fail(fmt.Errorf("sink pre-commit: %w", err))
		return
	}
	ids := make([]int64, 0, len(o.pending))
	for id := range o.pending {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		o.task.exec.addFinal(o.txns[o.pending[id]])
		o.finals = append(o.finals, o.pending[id])
		o.finalN = append(o.finalN, o.records[id])
	}
	o.task.exec.addFinal(o.cur)
	o.finals = append(o.finals, o.curName)
	o.finalN = append(o.finalN, o.written)
	o.pending, o.txns, o.cur = map[int64]string{}, map[string]Transaction{}, nil
}

// finalState is the sink's part of checkpoints taken after its input ended: every final transaction, as
// pre-committed, so that a restore commits them.
func (o *txnSinkOp) finalState() []byte {
	if !o.exactlyOnce() || len(o.finals) == 0 {
		return nil
	}
	st := txnState{Pending: map[int64]string{}, Records: map[int64]int{}}
	for i, name := range o.finals {
		st.Pending[int64(i)] = name
		st.Records[int64(i)] = o.finalN[i]
	}
	b, _ := json.Marshal(st)
	return b
}

// FileSink is a TwoPhaseCommitSink writing text files into a directory, one record a line: a transaction is
// a hidden ".NAME.inprogress" file, renamed to NAME when committed. ReadCommitted reads what is visible.
// When a job's attempt starts, the in-progress files that earlier attempts or processes left are removed
// (TransactionLister), so Dir must belong to this one sink.
type FileSink struct {
	Dir string
}

// SinkToFiles is SinkToTransactional with a FileSink in dir.
func (s *DataStream) SinkToFiles(dir string) *DataStream {
	return s.SinkToTransactional("FileSink", FileSink{Dir: dir})
}

// Begin creates the in-progress file of a transaction.
func (f FileSink) Begin(_ int, name string) (Transaction, error) {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return nil, err
	}
	t := &fileTxn{dir: f.Dir, name: name}
	if _, err := os.Stat(t.final()); err == nil {
		return nil, fmt.Errorf("transaction %s was committed already; refusing to overwrite it", name)
	}
	file, err := os.OpenFile(t.tmp(), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	t.f, t.w = file, bufio.NewWriter(file)
	return t, nil
}

// Recover returns the transaction called name.
func (f FileSink) Recover(name string) (Transaction, error) {
	return &fileTxn{dir: f.Dir, name: name}, nil
}

type fileTxn struct {
	dir, name string
	f         *os.File
	w         *bufio.Writer
}

func (t *fileTxn) tmp() string   { return filepath.Join(t.dir, "."+t.name+inProgressSuffix) }
func (t *fileTxn) final() string { return filepath.Join(t.dir, t.name) }

func (t *fileTxn) Write(v any, _ int64) error {
	_, err := fmt.Fprintln(t.w, v)
	return err
}

func (t *fileTxn) PreCommit() error {
	if t.f == nil {
		return nil
	}
	if err := t.w.Flush(); err != nil {
		return err
	}
	if err := t.f.Sync(); err != nil {
		return err
	}
	err := t.f.Close()
	t.f = nil
	return err
}

func (t *fileTxn) Commit() error {
	if err := t.PreCommit(); err != nil {
		return err
	}
	err := os.Rename(t.tmp(), t.final())
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(t.final()); serr == nil {
			return nil // committed before
		}
		return fmt.Errorf("transaction %s has neither its in-progress nor its committed file", t.name)
	}
	if err != nil {
		return err
	}
	return state.SyncDir(t.dir)
}

func (t *fileTxn) Abort() error {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
	err := os.Remove(t.tmp())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// ReadCommitted returns the lines of the committed files of a FileSink directory, file by file in name
// order (subtask, run, attempt, sequence: the order they were committed in, per subtask).
func ReadCommitted(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" {
				lines = append(lines, l)
			}
		}
	}
	return lines, nil
}
