package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// Guarantee is a job's delivery guarantee: what a failure may do to its results.
type Guarantee uint8

// The delivery guarantees. Switching them on the same job and crash shows the difference.
const (
	// ExactlyOnce aligns barriers, restores state and rewinds sources to the last completed checkpoint, and
	// commits transactional sinks only when a checkpoint completes: no record is lost or duplicated. Default.
	ExactlyOnce Guarantee = iota
	// AtLeastOnce does not align barriers and lets sinks write at once: after a failure, records since the
	// last checkpoint are processed and written again (duplicates), none is lost.
	AtLeastOnce
	// AtMostOnce restores state from the last checkpoint but lets sources go on from where they had read:
	// records in flight at the failure, and their effect on state since the checkpoint, are lost.
	AtMostOnce
)

func (g Guarantee) String() string {
	return [...]string{"exactly-once", "at-least-once", "at-most-once"}[g]
}

// CheckpointConfig configures checkpoints, Flink's execution.checkpointing options. The zero value disables
// periodic checkpoints; TriggerCheckpoint and TriggerSavepoint still work.
type CheckpointConfig struct {
	// Interval between periodic checkpoints, on the job's clock. Zero: no periodic checkpoints.
	Interval time.Duration
	// MinPause is the least time between the end of one checkpoint and the start of the next. Default 0.
	MinPause time.Duration
	// Timeout aborts a checkpoint that has not completed by then. Default 10 minutes, as in Flink.
	Timeout time.Duration
	// Dir is where checkpoints are written. Default: a new temporary directory per job.
	Dir string
	// Retained is how many completed checkpoints are kept; older ones are deleted. Default 2, so that a
	// corrupt newest checkpoint can fall back to the one before. Savepoints are never deleted.
	Retained int
	// Guarantee is the job's delivery guarantee. Default ExactlyOnce.
	Guarantee Guarantee
	// RestoreFrom starts the job from a checkpoint or savepoint directory (holding a _metadata file), possibly
	// with other parallelisms than the job that wrote it: keyed state is redistributed by key group.
	RestoreFrom string
}

// RestartStrategy says whether and how a failed job restarts, Flink's fixed-delay strategy. The zero value
// means: no restarts without checkpointing; with periodic checkpoints, up to 10 restarts 1 second apart.
type RestartStrategy struct {
	// Attempts is the most restarts before the job fails for good; negative disables restarts.
	Attempts int
	// Delay is the wait before each restart.
	Delay time.Duration
}

func (r RestartStrategy) enabled(cfg Config) bool {
	if r.Attempts < 0 {
		return false
	}
	return r.Attempts > 0 || cfg.Checkpointing.Interval > 0
}

func (r RestartStrategy) attempts() int {
	if r.Attempts > 0 {
		return r.Attempts
	}
	return 10
}

func (r RestartStrategy) delay() time.Duration {
	if r.Delay > 0 || r.Attempts > 0 {
		return r.Delay
	}
	return time.Second
}

// StateBackendKind selects where keyed state lives.
type StateBackendKind uint8

// The state backends.
const (
	// DefaultState is the zero value: heap state, unless the job is started from a place that chooses
	// another default (the workbench runs cells on Pebble, so that state size and checkpoints are real bytes
	// on disk).
	DefaultState StateBackendKind = iota
	// HeapState keeps keyed state as Go values in memory: fastest; snapshots are written at checkpoints.
	HeapState
	// PebbleState keeps keyed state on disk in Pebble, one database per stateful subtask.
	PebbleState
)

func (k StateBackendKind) String() string { return [...]string{"heap", "heap", "pebble"}[k] }

// newBackend creates the state backend of one keyed operator subtask.
func (c Config) newBackend(j *Job, n *node, subtask int, r keygroup.Range) (state.Backend, error) {
	switch c.StateBackend {
	case DefaultState, HeapState:
		return state.NewHeap(r), nil
	case PebbleState:
		if newPebbleBackend == nil {
			return nil, errors.New("the Pebble state backend is not built into this binary")
		}
		dir := filepath.Join(j.coord.workDir, fmt.Sprintf("op-%d-%d", n.id, subtask))
		return newPebbleBackend(dir, r)
	}
	return nil, fmt.Errorf("unknown state backend %d", c.StateBackend)
}

// newPebbleBackend is set by the Pebble backend's registration, so that the engine builds without it.
var newPebbleBackend func(dir string, r keygroup.Range) (state.Backend, error)

// ErrCorruptCheckpoint is wrapped by the error of a checkpoint whose metadata or state cannot be read back.
var ErrCorruptCheckpoint = errors.New("engine: corrupt or incomplete checkpoint")

// ErrCheckpointDeclined is returned when a checkpoint cannot be taken now.
var ErrCheckpointDeclined = errors.New("engine: checkpoint declined")

// CheckpointStatus is the state of a checkpoint.
type CheckpointStatus string

// The states of a checkpoint.
const (
	CheckpointInProgress CheckpointStatus = "IN_PROGRESS"
	CheckpointCompleted  CheckpointStatus = "COMPLETED"
	CheckpointAborted    CheckpointStatus = "ABORTED"
)

// CheckpointStats describes one checkpoint, as Flink's checkpoint history does.
type CheckpointStats struct {
	ID          int64
	Savepoint   bool
	Final       bool // taken after every subtask finished, to commit the sinks' last transactions
	Status      CheckpointStatus
	Acks, Total int // subtasks that acknowledged, and all of them
	Started     time.Time
	Duration    time.Duration // until completion (so far, while in progress)
	SyncMax     time.Duration // the longest synchronous part of a subtask
	AsyncMax    time.Duration // the longest asynchronous part
	AlignMax    time.Duration // the longest barrier alignment
	Bytes       int64         // state size
	NewBytes    int64         // bytes no earlier checkpoint holds (incremental)
	Dir         string
	Reason      string // why it was aborted
}

// Failpoint names a place where a fault can be injected, for tests and for the workbench's demonstrations.
type Failpoint string

// The failpoints of the engine.
const (
	FailSourceEmit           Failpoint = "source-emit"            // a source, before handing on a record
	FailProcess              Failpoint = "process"                // an operator subtask, before a record
	FailAlignment            Failpoint = "alignment"              // during barrier alignment
	FailBeforeSnapshot       Failpoint = "before-snapshot"        // at a barrier, before the state snapshot
	FailAfterSnapshot        Failpoint = "after-snapshot"         // after the synchronous snapshot
	FailBeforeMetadataRename Failpoint = "before-metadata-rename" // the checkpoint is not complete yet
	FailAfterMetadataRename  Failpoint = "after-metadata-rename"  // complete, but sinks have not committed
	FailBeforeSinkCommit     Failpoint = "before-sink-commit"     // a sink about to commit a transaction
	FailRestore              Failpoint = "restore"                // while restoring state
)

// Failpoints lists every failpoint.
var Failpoints = []Failpoint{FailSourceEmit, FailProcess, FailAlignment, FailBeforeSnapshot, FailAfterSnapshot,
	FailBeforeMetadataRename, FailAfterMetadataRename, FailBeforeSinkCommit, FailRestore}

// ErrInjected is wrapped by the failure a failpoint causes.
var ErrInjected = errors.New("engine: injected fault")

// Faults arms failpoints: each armed failpoint fails the job the n-th time it is reached. A Faults value is
// safe for concurrent use and is shared by every attempt of a job, so a fault fires once.
type Faults struct {
	mu    sync.Mutex
	armed map[Failpoint]int
	// Exit, if set, is called instead of failing the job (a test can make it kill the process).
	Exit func(Failpoint)
}

// Arm makes p fail the job the n-th time it is reached (n >= 1).
func (f *Faults) Arm(p Failpoint, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.armed == nil {
		f.armed = map[Failpoint]int{}
	}
	f.armed[p] = n
}

// hit reports whether p fires now.
func (f *Faults) hit(p Failpoint) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	n, ok := f.armed[p]
	if ok {
		n--
		if n <= 0 {
			delete(f.armed, p)
		} else {
			f.armed[p] = n
		}
	}
	f.mu.Unlock()
	if ok && n <= 0 && f.Exit != nil {
		f.Exit(p)
	}
	return ok && n <= 0
}

// inject panics with an injected fault if p fires: called on subtask goroutines, it fails the attempt.
func (f *Faults) inject(p Failpoint) {
	if f.hit(p) {
		panic(fmt.Errorf("%w at %s", ErrInjected, p))
	}
}

// checkpointMeta is the _metadata file of a completed checkpoint: what every subtask of every operator
// needs to restore.
type checkpointMeta struct {
	Version        int          `json:"version"`
	ID             int64        `json:"id"`
	Job            string       `json:"job"`
	Savepoint      bool         `json:"savepoint"`
	Time           time.Time    `json:"time"`
	MaxParallelism int          `json:"maxParallelism"`
	Operators      []operatorCP `json:"operators"`
	Dir            string       `json:"-"` // where it was read from
}

// operatorCP is one operator's part of a checkpoint, identified by its position in the job graph.
type operatorCP struct {
	Node        int         `json:"node"`
	Name        string      `json:"name"`
	Parallelism int         `json:"parallelism"`
	Subtasks    []subtaskCP `json:"subtasks"`
}

type subtaskCP struct {
	Index     int    `json:"index"`
	KeyGroups [2]int `json:"keyGroups,omitempty"`
	StateDir  string `json:"stateDir,omitempty"` // relative to the checkpoint directory
	State     []byte `json:"state,omitempty"`    // operator state (sink transactions)
	Offset    []byte `json:"offset,omitempty"`   // source position
	HasOffset bool   `json:"hasOffset,omitempty"`
}

const metadataFile = "_metadata"

// writeMetadata writes m durably: to a temporary file, fsynced, renamed into place, and the directory fsynced.
// The rename is the moment the checkpoint completes. The file ends with a CRC-32C of its body, so a truncated
// or damaged file is detected.
func writeMetadata(dir string, m *checkpointMeta, faults *Faults) error {
	body, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Write(body)
	fmt.Fprintf(&buf, "\ncrc32c:%08x\n", crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	tmp := filepath.Join(dir, metadataFile+".tmp")
	if err := state.WriteSynced(tmp, buf.Bytes()); err != nil {
		return err
	}
	if faults.hit(FailBeforeMetadataRename) {
		return fmt.Errorf("%w at %s", ErrInjected, FailBeforeMetadataRename)
	}
	if err := os.Rename(tmp, filepath.Join(dir, metadataFile)); err != nil {
		return err
	}
	return state.SyncDir(dir)
}

// readMetadata reads and verifies the _metadata file of a checkpoint directory.
func readMetadata(dir string) (*checkpointMeta, error) {
	path := filepath.Join(dir, metadataFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptCheckpoint, path, err)
	}
	i := bytes.LastIndex(b, []byte("\ncrc32c:"))
	if i < 0 {
		return nil, fmt.Errorf("%w: %s: no checksum trailer (truncated?)", ErrCorruptCheckpoint, path)
	}
	body := b[:i]
	want, err := strconv.ParseUint(strings.TrimSpace(string(b[i+len("\ncrc32c:"):])), 16, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: bad checksum trailer", ErrCorruptCheckpoint, path)
	}
	if got := crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)); uint64(got) != want {
		return nil, fmt.Errorf("%w: %s: checksum %08x, want %08x", ErrCorruptCheckpoint, path, got, want)
	}
	var m checkpointMeta
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptCheckpoint, path, err)
	}
	m.Dir = dir
	return &m, nil
}

// LatestCheckpoint returns the newest checkpoint directory under dir whose metadata is intact, for starting a
// job after the process that ran it died (Config.Checkpointing.RestoreFrom).
func LatestCheckpoint(dir string) (string, error) {
	for _, d := range checkpointDirs(dir) {
		if _, err := readMetadata(d); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("engine: no intact checkpoint under %s", dir)
}

// checkpointDirs lists dir's chk-N subdirectories, newest first.
func checkpointDirs(dir string) []string {
	entries, _ := os.ReadDir(dir)
	type cp struct {
		id   int64
		path string
	}
	var cps []cp
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.Name(), "chk-"); ok && e.IsDir() {
			if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
				cps = append(cps, cp{id, filepath.Join(dir, e.Name())})
			}
		}
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].id > cps[j].id })
	out := make([]string, len(cps))
	for i, c := range cps {
		out[i] = c.path
	}
	return out
}
