package ml

// SetFeaturesCol sets the features column.
func (c *DecisionTreeClassifier) SetFeaturesCol(v string) *DecisionTreeClassifier {
	c.params.Set(FeaturesCol, v)
	return c
}

// GetFeaturesCol returns the features column.
func (c *DecisionTreeClassifier) GetFeaturesCol() string { return c.params.getString(FeaturesCol) }

// SetLabelCol sets the label column.
func (c *DecisionTreeClassifier) SetLabelCol(v string) *DecisionTreeClassifier {
	c.params.Set(LabelCol, v)
	return c
}

// GetLabelCol returns the label column.
func (c *DecisionTreeClassifier) GetLabelCol() string { return c.params.getString(LabelCol) }

// SetPredictionCol sets the prediction column.
func (c *DecisionTreeClassifier) SetPredictionCol(v string) *DecisionTreeClassifier {
	c.params.Set(PredictionCol, v)
	return c
}

// GetPredictionCol returns the prediction column.
func (c *DecisionTreeClassifier) GetPredictionCol() string { return c.params.getString(PredictionCol) }

// SetImpurity sets the impurity, "gini" or "entropy".
func (c *DecisionTreeClassifier) SetImpurity(v string) *DecisionTreeClassifier {
	c.params.Set(ClassificationImpurity, v)
	return c
}

// GetImpurity returns the impurity.
func (c *DecisionTreeClassifier) GetImpurity() string {
	return c.params.getString(ClassificationImpurity)
}

// SetMaxDepth sets the maximum depth.
func (c *DecisionTreeClassifier) SetMaxDepth(v int) *DecisionTreeClassifier {
	c.params.Set(MaxDepth, v)
	return c
}

// GetMaxDepth returns the maximum depth.
func (c *DecisionTreeClassifier) GetMaxDepth() int { return c.params.getInt(MaxDepth) }

// SetMaxBins sets the maximum number of bins of a continuous feature.
func (c *DecisionTreeClassifier) SetMaxBins(v int) *DecisionTreeClassifier {
	c.params.Set(MaxBins, v)
	return c
}

// GetMaxBins returns the maximum number of bins.
func (c *DecisionTreeClassifier) GetMaxBins() int { return c.params.getInt(MaxBins) }

// SetMinInstancesPerNode sets the minimum rows of each child of a split.
func (c *DecisionTreeClassifier) SetMinInstancesPerNode(v int) *DecisionTreeClassifier {
	c.params.Set(MinInstancesPerNode, v)
	return c
}

// GetMinInstancesPerNode returns the minimum rows of each child of a split.
func (c *DecisionTreeClassifier) GetMinInstancesPerNode() int {
	return c.params.getInt(MinInstancesPerNode)
}

// SetMinInfoGain sets the minimum impurity decrease of a split.
func (c *DecisionTreeClassifier) SetMinInfoGain(v float64) *DecisionTreeClassifier {
	c.params.Set(MinInfoGain, v)
	return c
}

// GetMinInfoGain returns the minimum impurity decrease of a split.
func (c *DecisionTreeClassifier) GetMinInfoGain() float64 { return c.params.getFloat(MinInfoGain) }

// SetFeaturesCol sets the features column.
func (r *DecisionTreeRegressor) SetFeaturesCol(v string) *DecisionTreeRegressor {
	r.params.Set(FeaturesCol, v)
	return r
}

// GetFeaturesCol returns the features column.
func (r *DecisionTreeRegressor) GetFeaturesCol() string { return r.params.getString(FeaturesCol) }

// SetLabelCol sets the label column.
func (r *DecisionTreeRegressor) SetLabelCol(v string) *DecisionTreeRegressor {
	r.params.Set(LabelCol, v)
	return r
}

// GetLabelCol returns the label column.
func (r *DecisionTreeRegressor) GetLabelCol() string { return r.params.getString(LabelCol) }

// SetPredictionCol sets the prediction column.
func (r *DecisionTreeRegressor) SetPredictionCol(v string) *DecisionTreeRegressor {
	r.params.Set(PredictionCol, v)
	return r
}

// GetPredictionCol returns the prediction column.
func (r *DecisionTreeRegressor) GetPredictionCol() string { return r.params.getString(PredictionCol) }

// GetImpurity returns the impurity, "variance".
func (r *DecisionTreeRegressor) GetImpurity() string { return r.params.getString(RegressionImpurity) }

// SetMaxDepth sets the maximum depth.
func (r *DecisionTreeRegressor) SetMaxDepth(v int) *DecisionTreeRegressor {
	r.params.Set(MaxDepth, v)
	return r
}

// GetMaxDepth returns the maximum depth.
func (r *DecisionTreeRegressor) GetMaxDepth() int { return r.params.getInt(MaxDepth) }

// SetMaxBins sets the maximum number of bins of a continuous feature.
func (r *DecisionTreeRegressor) SetMaxBins(v int) *DecisionTreeRegressor {
	r.params.Set(MaxBins, v)
	return r
}

// GetMaxBins returns the maximum number of bins.
func (r *DecisionTreeRegressor) GetMaxBins() int { return r.params.getInt(MaxBins) }

// SetMinInstancesPerNode sets the minimum rows of each child of a split.
func (r *DecisionTreeRegressor) SetMinInstancesPerNode(v int) *DecisionTreeRegressor {
	r.params.Set(MinInstancesPerNode, v)
	return r
}

// GetMinInstancesPerNode returns the minimum rows of each child of a split.
func (r *DecisionTreeRegressor) GetMinInstancesPerNode() int {
	return r.params.getInt(MinInstancesPerNode)
}

// SetMinInfoGain sets the minimum impurity decrease of a split.
func (r *DecisionTreeRegressor) SetMinInfoGain(v float64) *DecisionTreeRegressor {
	r.params.Set(MinInfoGain, v)
	return r
}

// GetMinInfoGain returns the minimum impurity decrease of a split.
func (r *DecisionTreeRegressor) GetMinInfoGain() float64 { return r.params.getFloat(MinInfoGain) }

// SetFeaturesCol sets the features column.
func (m *DecisionTreeClassificationModel) SetFeaturesCol(v string) *DecisionTreeClassificationModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *DecisionTreeClassificationModel) GetFeaturesCol() string {
	return m.params.getString(FeaturesCol)
}

// SetPredictionCol sets the prediction column.
func (m *DecisionTreeClassificationModel) SetPredictionCol(v string) *DecisionTreeClassificationModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *DecisionTreeClassificationModel) GetPredictionCol() string {
	return m.params.getString(PredictionCol)
}

// SetFeaturesCol sets the features column.
func (m *DecisionTreeRegressionModel) SetFeaturesCol(v string) *DecisionTreeRegressionModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *DecisionTreeRegressionModel) GetFeaturesCol() string { return m.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column.
func (m *DecisionTreeRegressionModel) SetPredictionCol(v string) *DecisionTreeRegressionModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *DecisionTreeRegressionModel) GetPredictionCol() string {
	return m.params.getString(PredictionCol)
}
