package ml

import (
	"github.com/de4e/weir/engine"
)

// DecisionTreeClassifier fits a classification tree (see DecisionTreeRegressor for the regression one). Flink
// ML 2.x has no decision tree: this follows Spark ML's DecisionTreeClassifier (its parameters, defaults and
// level-by-level training with binned continuous features) and scikit-learn's DecisionTreeClassifier split
// rule (thresholds midway between neighbouring values, left when <=) where a feature has at most maxBins
// distinct values. Parameters: featuresCol ("features"), labelCol ("label"), predictionCol ("prediction"),
// impurity ("gini" or "entropy", default "gini"), maxDepth (default 5; 0 is a single leaf), maxBins (default
// 32), minInstancesPerNode (default 1: each child of a split keeps at least this many rows) and minInfoGain
// (default 0: a split must decrease the impurity by at least this). A node is not split when it is pure, at
// maxDepth, or has fewer than 2*minInstancesPerNode rows. Labels may be any numbers; the prediction is the
// leaf's most frequent label (the smaller of equally frequent ones), a float64.
type DecisionTreeClassifier struct{ params *Params }

// DecisionTreeClassificationModel is a fitted classification tree. Its model data is a table of one row a
// node: id (0 is the root), feature, threshold, left and right (-1 for a leaf), prediction, impurity,
// instances, classCounts, numFeatures and labels.
type DecisionTreeClassificationModel struct {
	params *Params
	data   *treeData
	env    *engine.Environment
}

// DecisionTreeRegressor fits a regression tree with variance impurity, following Spark ML's
// DecisionTreeRegressor and scikit-learn's DecisionTreeRegressor (criterion "squared_error") as
// DecisionTreeClassifier describes; the prediction is the leaf's mean label.
type DecisionTreeRegressor struct{ params *Params }

// DecisionTreeRegressionModel is a fitted regression tree, with the model data of a
// DecisionTreeClassificationModel without classCounts and labels.
type DecisionTreeRegressionModel struct {
	params *Params
	data   *treeData
	env    *engine.Environment
}

var (
	// ClassificationImpurity is DecisionTreeClassifier's "impurity", default "gini", one of gini, entropy.
	ClassificationImpurity = NewParam("impurity", "Criterion used for information gain calculation.", StringKind, "gini",
		InArray("gini", "entropy"))
	// RegressionImpurity is DecisionTreeRegressor's "impurity", "variance" (the only one).
	RegressionImpurity = NewParam("impurity", "Criterion used for information gain calculation.", StringKind, "variance",
		InArray("variance"))
	// MaxDepth is "maxDepth", default 5, >= 0.
	MaxDepth = NewParam("maxDepth", "Maximum depth of the tree (0 is a single leaf).", IntKind, 5, GtEq(0))
	// MaxBins is "maxBins", default 32, >= 2.
	MaxBins = NewParam("maxBins", "Maximum number of bins for discretizing continuous features.", IntKind, 32, GtEq(2))
	// MinInstancesPerNode is "minInstancesPerNode", default 1, >= 1.
	MinInstancesPerNode = NewParam("minInstancesPerNode", "Minimum number of instances each child must have after split.",
		IntKind, 1, GtEq(1))
	// MinInfoGain is "minInfoGain", default 0, >= 0.
	MinInfoGain = NewParam("minInfoGain", "Minimum information gain for a split to be considered at a tree node.",
		DoubleKind, 0.0, GtEq(0))
)

const (
	decisionTreeClassifierClass = "weir.ml.classification.DecisionTreeClassifier"
	decisionTreeClassModelClass = "weir.ml.classification.DecisionTreeClassificationModel"
	decisionTreeRegressorClass  = "weir.ml.regression.DecisionTreeRegressor"
	decisionTreeRegModelClass   = "weir.ml.regression.DecisionTreeRegressionModel"
)

// NewDecisionTreeClassifier returns a DecisionTreeClassifier with Spark ML's defaults.
func NewDecisionTreeClassifier() *DecisionTreeClassifier {
	return &DecisionTreeClassifier{params: newParams(FeaturesCol, LabelCol, PredictionCol, ClassificationImpurity,
		MaxDepth, MaxBins, MinInstancesPerNode, MinInfoGain)}
}

// NewDecisionTreeClassificationModel returns a model without data.
func NewDecisionTreeClassificationModel() *DecisionTreeClassificationModel {
	return &DecisionTreeClassificationModel{params: newParams(FeaturesCol, PredictionCol)}
}

// NewDecisionTreeRegressor returns a DecisionTreeRegressor with Spark ML's defaults.
func NewDecisionTreeRegressor() *DecisionTreeRegressor {
	return &DecisionTreeRegressor{params: newParams(FeaturesCol, LabelCol, PredictionCol, RegressionImpurity,
		MaxDepth, MaxBins, MinInstancesPerNode, MinInfoGain)}
}

// NewDecisionTreeRegressionModel returns a model without data.
func NewDecisionTreeRegressionModel() *DecisionTreeRegressionModel {
	return &DecisionTreeRegressionModel{params: newParams(FeaturesCol, PredictionCol)}
}

func init() {
	RegisterStage(decisionTreeClassifierClass, func() Stage { return NewDecisionTreeClassifier() })
	RegisterStage(decisionTreeClassModelClass, func() Stage { return NewDecisionTreeClassificationModel() })
	RegisterStage(decisionTreeRegressorClass, func() Stage { return NewDecisionTreeRegressor() })
	RegisterStage(decisionTreeRegModelClass, func() Stage { return NewDecisionTreeRegressionModel() })
}

func treeConfigOf(p *Params, impurity *Param, classify bool) treeConfig {
	return treeConfig{featuresCol: p.getString(FeaturesCol), labelCol: p.getString(LabelCol),
		impurity: p.getString(impurity), maxDepth: p.getInt(MaxDepth), minInstances: p.getInt(MinInstancesPerNode),
		maxBins: p.getInt(MaxBins), minInfoGain: p.getFloat(MinInfoGain), classify: classify}
}

// GetParams returns the parameters.
func (c *DecisionTreeClassifier) GetParams() *Params { return c.params }

// ClassName is Weir's class name (Flink ML has no decision tree).
func (c *DecisionTreeClassifier) ClassName() string { return decisionTreeClassifierClass }

// Save writes the parameters to path.
func (c *DecisionTreeClassifier) Save(path string) error { return saveStage(c, path, 0) }

// Fit grows a classification tree on one table.
func (c *DecisionTreeClassifier) Fit(inputs ...*Table) (Model, error) {
	d, err := fitTree(inputs, treeConfigOf(c.params, ClassificationImpurity, true), "DecisionTreeClassifier")
	if err != nil {
		return nil, err
	}
	m := NewDecisionTreeClassificationModel()
	m.params.UpdateExisting(c.params)
	m.data, m.env = d, inputs[0].Environment()
	return m, nil
}

// GetParams returns the parameters.
func (m *DecisionTreeClassificationModel) GetParams() *Params { return m.params }

// ClassName is Weir's class name.
func (m *DecisionTreeClassificationModel) ClassName() string { return decisionTreeClassModelClass }

// Save writes the parameters and model data to path.
func (m *DecisionTreeClassificationModel) Save(path string) error { return saveStage(m, path, 0) }

// GetModelData returns the tree as a table, one row a node.
func (m *DecisionTreeClassificationModel) GetModelData() []*Table {
	if m.data == nil {
		return nil
	}
	return []*Table{treeRows(m.env, m.data)}
}

// SetModelData sets the tree from a table of the form GetModelData returns.
func (m *DecisionTreeClassificationModel) SetModelData(inputs ...*Table) error {
	d, env, err := treeFromTable(inputs)
	if err != nil {
		return err
	}
	m.data, m.env = d, env
	return nil
}

// Transform adds predictionCol, the predicted label, to every row of one table.
func (m *DecisionTreeClassificationModel) Transform(inputs ...*Table) ([]*Table, error) {
	return transformTree(inputs, m.data, m.GetFeaturesCol(), m.GetPredictionCol(), "DecisionTreeClassificationModel")
}

// Depth returns the depth of the tree (0 for a single leaf), or -1 without data.
func (m *DecisionTreeClassificationModel) Depth() int { return m.data.depth() }

// NumNodes returns the number of nodes of the tree.
func (m *DecisionTreeClassificationModel) NumNodes() int { return m.data.numNodes() }

func (m *DecisionTreeClassificationModel) dataJSON() ([]byte, error) { return m.data.json() }

func (m *DecisionTreeClassificationModel) setDataJSON(env *engine.Environment, b []byte) error {
	d, err := treeFromJSON(b)
	if err != nil {
		return err
	}
	m.data, m.env = d, env
	return nil
}

// GetParams returns the parameters.
func (r *DecisionTreeRegressor) GetParams() *Params { return r.params }

// ClassName is Weir's class name (Flink ML has no decision tree).
func (r *DecisionTreeRegressor) ClassName() string { return decisionTreeRegressorClass }

// Save writes the parameters to path.
func (r *DecisionTreeRegressor) Save(path string) error { return saveStage(r, path, 0) }

// Fit grows a regression tree on one table.
func (r *DecisionTreeRegressor) Fit(inputs ...*Table) (Model, error) {
	d, err := fitTree(inputs, treeConfigOf(r.params, RegressionImpurity, false), "DecisionTreeRegressor")
	if err != nil {
		return nil, err
	}
	m := NewDecisionTreeRegressionModel()
	m.params.UpdateExisting(r.params)
	m.data, m.env = d, inputs[0].Environment()
	return m, nil
}

// GetParams returns the parameters.
func (m *DecisionTreeRegressionModel) GetParams() *Params { return m.params }

// ClassName is Weir's class name.
func (m *DecisionTreeRegressionModel) ClassName() string { return decisionTreeRegModelClass }

// Save writes the parameters and model data to path.
func (m *DecisionTreeRegressionModel) Save(path string) error { return saveStage(m, path, 0) }

// GetModelData returns the tree as a table, one row a node.
func (m *DecisionTreeRegressionModel) GetModelData() []*Table {
	if m.data == nil {
		return nil
	}
	return []*Table{treeRows(m.env, m.data)}
}

// SetModelData sets the tree from a table of the form GetModelData returns.
func (m *DecisionTreeRegressionModel) SetModelData(inputs ...*Table) error {
	d, env, err := treeFromTable(inputs)
	if err != nil {
		return err
	}
	m.data, m.env = d, env
	return nil
}

// Transform adds predictionCol, the leaf's mean label, to every row of one table.
func (m *DecisionTreeRegressionModel) Transform(inputs ...*Table) ([]*Table, error) {
	return transformTree(inputs, m.data, m.GetFeaturesCol(), m.GetPredictionCol(), "DecisionTreeRegressionModel")
}

// Depth returns the depth of the tree (0 for a single leaf), or -1 without data.
func (m *DecisionTreeRegressionModel) Depth() int { return m.data.depth() }

// NumNodes returns the number of nodes of the tree.
func (m *DecisionTreeRegressionModel) NumNodes() int { return m.data.numNodes() }

func (m *DecisionTreeRegressionModel) dataJSON() ([]byte, error) { return m.data.json() }

func (m *DecisionTreeRegressionModel) setDataJSON(env *engine.Environment, b []byte) error {
	d, err := treeFromJSON(b)
	if err != nil {
		return err
	}
	m.data, m.env = d, env
	return nil
}

func (d *treeData) depth() int {
	if d == nil {
		return -1
	}
	var walk func(i int) int
	walk = func(i int) int {
		if d.Nodes[i].Left < 0 {
			return 0
		}
		return 1 + max(walk(d.Nodes[i].Left), walk(d.Nodes[i].Right))
	}
	return walk(0)
}

func (d *treeData) numNodes() int {
	if d == nil {
		return 0
	}
	return len(d.Nodes)
}
