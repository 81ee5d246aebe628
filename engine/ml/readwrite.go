package ml

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/de4e/weir/engine"
)

// ErrLoad is wrapped by Load's errors; the message names the folder.
var ErrLoad = errors.New("ml: cannot load stage")

// metadata is the JSON of path/metadata, with Flink ML's ReadWriteUtils.saveMetadata fields.
type metadata struct {
	ClassName string          `json:"className"`
	Timestamp int64           `json:"timestamp"`
	ParamMap  json.RawMessage `json:"paramMap"`
	// Stages is a pipeline's number of stages, saved in path/stages/0, 1, ...
	Stages int `json:"numStages,omitempty"`
}

// modelData is implemented by models: their data as one JSON value, saved in path/data/modelData.json.
type modelData interface {
	dataJSON() ([]byte, error)
	setDataJSON(env *engine.Environment, b []byte) error
}

var stageRegistry = map[string]func() Stage{}

// RegisterStage makes Load able to create stages saved with className (a Stage's ClassName); newStage returns
// a stage with default parameters. The package's stages are registered already. It panics on a duplicate.
func RegisterStage(className string, newStage func() Stage) {
	if _, dup := stageRegistry[className]; dup {
		panic(fmt.Sprintf("ml: RegisterStage: %q registered twice", className))
	}
	stageRegistry[className] = newStage
}

// RegisteredStages returns the class names Load knows, sorted.
func RegisteredStages() []string {
	out := make([]string, 0, len(stageRegistry))
	for k := range stageRegistry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// saveStage writes s's metadata (and model data) to path; pipelines add their stages.
func saveStage(s Stage, path string, numStages int) error {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("ml: saving %s to %s: %w", s.ClassName(), path, err)
	}
	pm, err := json.Marshal(s.GetParams())
	if err != nil {
		return fmt.Errorf("ml: saving %s: parameters: %w", s.ClassName(), err)
	}
	md, err := json.MarshalIndent(metadata{ClassName: s.ClassName(), Timestamp: time.Now().UnixMilli(), ParamMap: pm,
		Stages: numStages}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(path, "metadata"), append(md, '\n'), 0o644); err != nil {
		return fmt.Errorf("ml: saving %s: %w", s.ClassName(), err)
	}
	if m, ok := s.(modelData); ok {
		b, err := m.dataJSON()
		if err != nil {
			return fmt.Errorf("ml: saving %s: model data: %w", s.ClassName(), err)
		}
		if err := os.MkdirAll(filepath.Join(path, "data"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(path, "data", "modelData.json"), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("ml: saving %s: model data: %w", s.ClassName(), err)
		}
	}
	return nil
}

// Load reads a stage saved with Save from the folder path, Flink ML's ReadWriteUtils.loadStage: a stage of
// the saved class (see RegisterStage) with the saved parameters and, for a model, the saved model data, whose
// tables are on env. Errors wrap ErrLoad and name the folder.
func Load(env *engine.Environment, path string) (Stage, error) {
	b, err := os.ReadFile(filepath.Join(path, "metadata"))
	if err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrLoad, path, err)
	}
	var md metadata
	if err := json.Unmarshal(b, &md); err != nil {
		return nil, fmt.Errorf("%w from %s: metadata: %w", ErrLoad, path, err)
	}
	newStage, ok := stageRegistry[md.ClassName]
	if !ok {
		return nil, fmt.Errorf("%w from %s: unknown class %q (register it with RegisterStage)", ErrLoad, path, md.ClassName)
	}
	s := newStage()
	var raw map[string]any
	if len(md.ParamMap) > 0 {
		if err := json.Unmarshal(md.ParamMap, &raw); err != nil {
			return nil, fmt.Errorf("%w from %s: paramMap: %w", ErrLoad, path, err)
		}
	}
	if err := s.GetParams().load(raw); err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrLoad, path, err)
	}
	if m, ok := s.(modelData); ok {
		b, err := os.ReadFile(filepath.Join(path, "data", "modelData.json"))
		if err != nil {
			return nil, fmt.Errorf("%w from %s: model data: %w", ErrLoad, path, err)
		}
		if err := m.setDataJSON(env, b); err != nil {
			return nil, fmt.Errorf("%w from %s: model data: %w", ErrLoad, path, err)
		}
	}
	if p, ok := s.(stageList); ok {
		stages := make([]Stage, md.Stages)
		for i := range stages {
			if stages[i], err = Load(env, filepath.Join(path, "stages", fmt.Sprint(i))); err != nil {
				return nil, err
			}
		}
		if err := p.setStages(stages); err != nil {
			return nil, fmt.Errorf("%w from %s: %w", ErrLoad, path, err)
		}
	}
	return s, nil
}
