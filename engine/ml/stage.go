package ml

// Stage is a node of a Pipeline, Flink ML's org.apache.flink.ml.api.Stage: it has parameters (WithParams) and
// can be saved to a folder and loaded back with Load.
type Stage interface {
	// GetParams returns the stage's parameters, to read and set them by Param (Flink ML's get and set).
	GetParams() *Params
	// ClassName is the stage's name in saved metadata: Flink ML's Java class name for the stages Flink ML
	// has, so a folder's metadata reads as Flink ML's.
	ClassName() string
	// Save writes the stage to the folder path (created if needed): its metadata as JSON in path/metadata,
	// and a Model's data in path/data.
	Save(path string) error
}

// AlgoOperator is a stage that computes output tables from input tables, Flink ML's AlgoOperator.
type AlgoOperator interface {
	Stage
	// Transform computes the output tables from the input tables.
	Transform(inputs ...*Table) ([]*Table, error)
}

// Transformer is an AlgoOperator whose output rows are its input rows with columns added, one output row per
// input row, Flink ML's Transformer. In Go it has the same methods as AlgoOperator; the name says the
// contract.
type Transformer interface {
	AlgoOperator
}

// Model is a Transformer with model data, Flink ML's Model: what an Estimator fits, or made directly and given
// its data with SetModelData.
type Model interface {
	Transformer
	// GetModelData returns the model data as tables (Flink ML's getModelData).
	GetModelData() []*Table
	// SetModelData sets the model data from tables of the form GetModelData returns (Flink ML's
	// setModelData); an error says which column is missing or malformed.
	SetModelData(inputs ...*Table) error
}

// Estimator is a stage that fits a Model to input tables, Flink ML's Estimator.
type Estimator interface {
	Stage
	// Fit trains a Model on the input tables. The model gets the estimator's parameters that it shares.
	Fit(inputs ...*Table) (Model, error)
}
