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
	"time"

	"github.com/de4e/weir/engine/internal/faultinject"
	"github.com/de4e/weir/engine/internal/state"
)

// ErrCorruptCheckpoint is wrapped by the error of a checkpoint whose metadata or state cannot be read back.
var ErrCorruptCheckpoint = errors.New("engine: corrupt or incomplete checkpoint")

// ErrCheckpointDeclined is returned when a checkpoint cannot be taken now.
var ErrCheckpointDeclined = errors.New("engine: checkpoint declined")

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
func writeMetadata(dir string, m *checkpointMeta, faults *faultinject.Faults) error {
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
	if err := faults.Check(faultinject.BeforeMetadataRename); err != nil {
		return err
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

// LatestCheckpoint returns the newest checkpoint directory under dir that is intact, for starting a job
// after the process that ran it died (Config.Checkpointing.RestoreFrom): its metadata passes its checksum and
// every subtask's state it names is there and passes its own (VerifyCheckpoint). A damaged newer one is
// passed over; the error, when none is intact, says why the newest was refused.
func LatestCheckpoint(dir string) (string, error) {
	var newest error
	for _, d := range checkpointDirs(dir) {
		err := VerifyCheckpoint(d)
		if err == nil {
			return d, nil
		}
		if newest == nil {
			newest = err
		}
	}
	if newest != nil {
		return "", fmt.Errorf("engine: no intact checkpoint under %s (the newest: %w)", dir, newest)
	}
	return "", fmt.Errorf("engine: no checkpoint under %s", dir)
}

// VerifyCheckpoint checks a checkpoint or savepoint directory without restoring it: the _metadata file's
// checksum, and for every subtask with keyed state its snapshot (a heap snapshot's blocks and trailer, or
// every file a Pebble snapshot's manifest names, with sizes and checksums). The error wraps
// ErrCorruptCheckpoint and names the damaged file.
func VerifyCheckpoint(dir string) error {
	m, err := readMetadata(dir)
	if err != nil {
		return err
	}
	for _, op := range m.Operators {
		for _, st := range op.Subtasks {
			if st.StateDir == "" {
				continue
			}
			if err := state.Verify(filepath.Join(dir, st.StateDir)); err != nil {
				return fmt.Errorf("%w: %s (subtask %d): %v", ErrCorruptCheckpoint, op.Name, st.Index+1, err)
			}
		}
	}
	return nil
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
