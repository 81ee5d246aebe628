package ml

import (
	"fmt"
	"path/filepath"
)

// Pipeline chains stages into one Estimator, Flink ML's Pipeline: Fit fits each Estimator on the output of
// the stages before it (transforming its input on the way only up to the last Estimator) and returns a
// PipelineModel of the fitted models and the AlgoOperators. A stage must be an Estimator or an AlgoOperator.
type Pipeline struct {
	stages []Stage
	params *Params
}

// PipelineModel chains AlgoOperators (fitted models among them) into one Model, Flink ML's PipelineModel:
// Transform runs them in order, each on the previous one's outputs.
type PipelineModel struct {
	stages []Stage
	params *Params
}

type stageList interface{ setStages([]Stage) error }

func checkStages(what string, stages []Stage, estimators bool) error {
	for i, s := range stages {
		switch s.(type) {
		case AlgoOperator:
		case Estimator:
			if !estimators {
				return fmt.Errorf("%w: %s stage %d (%s) is an Estimator; a PipelineModel takes AlgoOperators",
					ErrParam, what, i, s.ClassName())
			}
		default:
			return fmt.Errorf("%w: %s stage %d (%T) is neither an Estimator nor an AlgoOperator", ErrParam, what, i, s)
		}
	}
	return nil
}

// NewPipeline returns a pipeline of stages. It panics if a stage is neither an Estimator nor an AlgoOperator.
func NewPipeline(stages ...Stage) *Pipeline {
	if err := checkStages("Pipeline", stages, true); err != nil {
		panic(err)
	}
	return &Pipeline{stages: append([]Stage(nil), stages...), params: newParams()}
}

// NewPipelineModel returns a pipeline model of stages. It panics if a stage is not an AlgoOperator.
func NewPipelineModel(stages ...Stage) *PipelineModel {
	if err := checkStages("PipelineModel", stages, false); err != nil {
		panic(err)
	}
	return &PipelineModel{stages: append([]Stage(nil), stages...), params: newParams()}
}

// Stages returns the pipeline's stages.
func (p *Pipeline) Stages() []Stage { return append([]Stage(nil), p.stages...) }

// GetParams returns the pipeline's parameters (it has none of its own).
func (p *Pipeline) GetParams() *Params { return p.params }

// ClassName is Flink ML's org.apache.flink.ml.builder.Pipeline.
func (p *Pipeline) ClassName() string { return "org.apache.flink.ml.builder.Pipeline" }

func (p *Pipeline) setStages(s []Stage) error {
	if err := checkStages("Pipeline", s, true); err != nil {
		return err
	}
	p.stages = s
	return nil
}

// Fit fits the pipeline as Flink ML's Pipeline.fit does.
func (p *Pipeline) Fit(inputs ...*Table) (Model, error) {
	last := -1
	for i, s := range p.stages {
		if _, ok := s.(Estimator); ok {
			last = i
		}
	}
	models := make([]Stage, len(p.stages))
	cur := inputs
	for i, s := range p.stages {
		var op AlgoOperator
		if e, ok := s.(Estimator); ok {
			m, err := e.Fit(cur...)
			if err != nil {
				return nil, fmt.Errorf("ml: Pipeline stage %d (%s): %w", i, s.ClassName(), err)
			}
			op = m
		} else {
			op = s.(AlgoOperator)
		}
		models[i] = op
		if i < last {
			out, err := op.Transform(cur...)
			if err != nil {
				return nil, fmt.Errorf("ml: Pipeline stage %d (%s): %w", i, s.ClassName(), err)
			}
			cur = out
		}
	}
	return &PipelineModel{stages: models, params: newParams()}, nil
}

// Save writes the pipeline's metadata and each stage to path/stages/<i>.
func (p *Pipeline) Save(path string) error { return saveStages(p, p.stages, path) }

func saveStages(s Stage, stages []Stage, path string) error {
	if err := saveStage(s, path, len(stages)); err != nil {
		return err
	}
	for i, st := range stages {
		if err := st.Save(filepath.Join(path, "stages", fmt.Sprint(i))); err != nil {
			return err
		}
	}
	return nil
}

// Stages returns the model's stages.
func (m *PipelineModel) Stages() []Stage { return append([]Stage(nil), m.stages...) }

// GetParams returns the model's parameters (it has none of its own).
func (m *PipelineModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's org.apache.flink.ml.builder.PipelineModel.
func (m *PipelineModel) ClassName() string { return "org.apache.flink.ml.builder.PipelineModel" }

func (m *PipelineModel) setStages(s []Stage) error {
	if err := checkStages("PipelineModel", s, false); err != nil {
		return err
	}
	m.stages = s
	return nil
}

// Transform runs the stages in order.
func (m *PipelineModel) Transform(inputs ...*Table) ([]*Table, error) {
	cur := inputs
	for i, s := range m.stages {
		out, err := s.(AlgoOperator).Transform(cur...)
		if err != nil {
			return nil, fmt.Errorf("ml: PipelineModel stage %d (%s): %w", i, s.ClassName(), err)
		}
		cur = out
	}
	return cur, nil
}

// GetModelData returns nil: a PipelineModel's data is its stages'.
func (m *PipelineModel) GetModelData() []*Table { return nil }

// SetModelData refuses: set the data of the stages instead.
func (m *PipelineModel) SetModelData(inputs ...*Table) error {
	return fmt.Errorf("%w: a PipelineModel has no model data of its own; set its stages'", ErrParam)
}

// Save writes the model's metadata and each stage to path/stages/<i>.
func (m *PipelineModel) Save(path string) error { return saveStages(m, m.stages, path) }

func init() {
	RegisterStage("org.apache.flink.ml.builder.Pipeline", func() Stage { return NewPipeline() })
	RegisterStage("org.apache.flink.ml.builder.PipelineModel", func() Stage { return NewPipelineModel() })
}
