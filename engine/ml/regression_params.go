// The regression stages' parameter setters and getters, Flink ML's HasXxx interfaces.

package ml

// SetFeaturesCol sets the features column. It panics on an invalid value.
func (r *LinearRegression) SetFeaturesCol(v string) *LinearRegression {
	r.params.Set(FeaturesCol, v)
	return r
}

// GetFeaturesCol returns the features column.
func (r *LinearRegression) GetFeaturesCol() string { return r.params.getString(FeaturesCol) }

// SetLabelCol sets the label column. It panics on an invalid value.
func (r *LinearRegression) SetLabelCol(v string) *LinearRegression {
	r.params.Set(LabelCol, v)
	return r
}

// GetLabelCol returns the label column.
func (r *LinearRegression) GetLabelCol() string { return r.params.getString(LabelCol) }

// SetWeightCol sets the weight column ("" or unset: every row weighs 1). It panics on an invalid value.
func (r *LinearRegression) SetWeightCol(v string) *LinearRegression {
	r.params.Set(WeightCol, v)
	return r
}

// GetWeightCol returns the weight column.
func (r *LinearRegression) GetWeightCol() string { return r.params.getString(WeightCol) }

// SetMaxIter sets the most epochs (> 0). It panics on an invalid value.
func (r *LinearRegression) SetMaxIter(v int) *LinearRegression { r.params.Set(MaxIter, v); return r }

// GetMaxIter returns the most epochs.
func (r *LinearRegression) GetMaxIter() int { return r.params.getInt(MaxIter) }

// SetReg sets the regularization parameter (>= 0). It panics on an invalid value.
func (r *LinearRegression) SetReg(v float64) *LinearRegression { r.params.Set(Reg, v); return r }

// GetReg returns the regularization parameter.
func (r *LinearRegression) GetReg() float64 { return r.params.getFloat(Reg) }

// SetElasticNet sets the elastic net mix in [0, 1]: 0 is L2, 1 is L1. It panics on an invalid value.
func (r *LinearRegression) SetElasticNet(v float64) *LinearRegression {
	r.params.Set(ElasticNet, v)
	return r
}

// GetElasticNet returns the elastic net mix in [0, 1]: 0 is L2, 1 is L1.
func (r *LinearRegression) GetElasticNet() float64 { return r.params.getFloat(ElasticNet) }

// SetLearningRate sets the learning rate (> 0). It panics on an invalid value.
func (r *LinearRegression) SetLearningRate(v float64) *LinearRegression {
	r.params.Set(LearningRate, v)
	return r
}

// GetLearningRate returns the learning rate.
func (r *LinearRegression) GetLearningRate() float64 { return r.params.getFloat(LearningRate) }

// SetGlobalBatchSize sets the global mini-batch size (> 0). It panics on an invalid value.
func (r *LinearRegression) SetGlobalBatchSize(v int) *LinearRegression {
	r.params.Set(GlobalBatchSize, v)
	return r
}

// GetGlobalBatchSize returns the global mini-batch size.
func (r *LinearRegression) GetGlobalBatchSize() int { return r.params.getInt(GlobalBatchSize) }

// SetTol sets the convergence tolerance on the mean loss (>= 0). It panics on an invalid value.
func (r *LinearRegression) SetTol(v float64) *LinearRegression { r.params.Set(Tol, v); return r }

// GetTol returns the convergence tolerance on the mean loss.
func (r *LinearRegression) GetTol() float64 { return r.params.getFloat(Tol) }

// SetPredictionCol sets the prediction column. It panics on an invalid value.
func (r *LinearRegression) SetPredictionCol(v string) *LinearRegression {
	r.params.Set(PredictionCol, v)
	return r
}

// GetPredictionCol returns the prediction column.
func (r *LinearRegression) GetPredictionCol() string { return r.params.getString(PredictionCol) }

// SetFeaturesCol sets the features column. It panics on an invalid value.
func (m *LinearRegressionModel) SetFeaturesCol(v string) *LinearRegressionModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *LinearRegressionModel) GetFeaturesCol() string { return m.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column. It panics on an invalid value.
func (m *LinearRegressionModel) SetPredictionCol(v string) *LinearRegressionModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *LinearRegressionModel) GetPredictionCol() string { return m.params.getString(PredictionCol) }

// SetFeaturesCol sets the features column. It panics on an invalid value.
func (r *LogisticRegression) SetFeaturesCol(v string) *LogisticRegression {
	r.params.Set(FeaturesCol, v)
	return r
}

// GetFeaturesCol returns the features column.
func (r *LogisticRegression) GetFeaturesCol() string { return r.params.getString(FeaturesCol) }

// SetLabelCol sets the label column. It panics on an invalid value.
func (r *LogisticRegression) SetLabelCol(v string) *LogisticRegression {
	r.params.Set(LabelCol, v)
	return r
}

// GetLabelCol returns the label column.
func (r *LogisticRegression) GetLabelCol() string { return r.params.getString(LabelCol) }

// SetWeightCol sets the weight column ("" or unset: every row weighs 1). It panics on an invalid value.
func (r *LogisticRegression) SetWeightCol(v string) *LogisticRegression {
	r.params.Set(WeightCol, v)
	return r
}

// GetWeightCol returns the weight column.
func (r *LogisticRegression) GetWeightCol() string { return r.params.getString(WeightCol) }

// SetMaxIter sets the most epochs (> 0). It panics on an invalid value.
func (r *LogisticRegression) SetMaxIter(v int) *LogisticRegression {
	r.params.Set(MaxIter, v)
	return r
}

// GetMaxIter returns the most epochs.
func (r *LogisticRegression) GetMaxIter() int { return r.params.getInt(MaxIter) }

// SetReg sets the regularization parameter (>= 0). It panics on an invalid value.
func (r *LogisticRegression) SetReg(v float64) *LogisticRegression { r.params.Set(Reg, v); return r }

// GetReg returns the regularization parameter.
func (r *LogisticRegression) GetReg() float64 { return r.params.getFloat(Reg) }

// SetElasticNet sets the elastic net mix in [0, 1]: 0 is L2, 1 is L1. It panics on an invalid value.
func (r *LogisticRegression) SetElasticNet(v float64) *LogisticRegression {
	r.params.Set(ElasticNet, v)
	return r
}

// GetElasticNet returns the elastic net mix in [0, 1]: 0 is L2, 1 is L1.
func (r *LogisticRegression) GetElasticNet() float64 { return r.params.getFloat(ElasticNet) }

// SetLearningRate sets the learning rate (> 0). It panics on an invalid value.
func (r *LogisticRegression) SetLearningRate(v float64) *LogisticRegression {
	r.params.Set(LearningRate, v)
	return r
}

// GetLearningRate returns the learning rate.
func (r *LogisticRegression) GetLearningRate() float64 { return r.params.getFloat(LearningRate) }

// SetGlobalBatchSize sets the global mini-batch size (> 0). It panics on an invalid value.
func (r *LogisticRegression) SetGlobalBatchSize(v int) *LogisticRegression {
	r.params.Set(GlobalBatchSize, v)
	return r
}

// GetGlobalBatchSize returns the global mini-batch size.
func (r *LogisticRegression) GetGlobalBatchSize() int { return r.params.getInt(GlobalBatchSize) }

// SetTol sets the convergence tolerance on the mean loss (>= 0). It panics on an invalid value.
func (r *LogisticRegression) SetTol(v float64) *LogisticRegression { r.params.Set(Tol, v); return r }

// GetTol returns the convergence tolerance on the mean loss.
func (r *LogisticRegression) GetTol() float64 { return r.params.getFloat(Tol) }

// SetPredictionCol sets the prediction column. It panics on an invalid value.
func (r *LogisticRegression) SetPredictionCol(v string) *LogisticRegression {
	r.params.Set(PredictionCol, v)
	return r
}

// GetPredictionCol returns the prediction column.
func (r *LogisticRegression) GetPredictionCol() string { return r.params.getString(PredictionCol) }

// SetRawPredictionCol sets the raw prediction column (the probabilities of 0 and 1). It panics on an invalid value.
func (r *LogisticRegression) SetRawPredictionCol(v string) *LogisticRegression {
	r.params.Set(RawPredictionCol, v)
	return r
}

// GetRawPredictionCol returns the raw prediction column.
func (r *LogisticRegression) GetRawPredictionCol() string {
	return r.params.getString(RawPredictionCol)
}

// SetMultiClass sets the classification type: "auto" (the default: binomial when every label is 0 or 1,
// multinomial otherwise), "binomial" or "multinomial" (softmax, which Flink ML refuses and Weir fits as Spark
// ML does). It panics on an invalid value.
func (r *LogisticRegression) SetMultiClass(v string) *LogisticRegression {
	r.params.Set(MultiClass, v)
	return r
}

// GetMultiClass returns the classification type: "auto", "binomial" or "multinomial".
func (r *LogisticRegression) GetMultiClass() string { return r.params.getString(MultiClass) }

// SetFeaturesCol sets the features column. It panics on an invalid value.
func (m *LogisticRegressionModel) SetFeaturesCol(v string) *LogisticRegressionModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *LogisticRegressionModel) GetFeaturesCol() string { return m.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column. It panics on an invalid value.
func (m *LogisticRegressionModel) SetPredictionCol(v string) *LogisticRegressionModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *LogisticRegressionModel) GetPredictionCol() string { return m.params.getString(PredictionCol) }

// SetRawPredictionCol sets the raw prediction column (the probabilities of 0 and 1). It panics on an invalid value.
func (m *LogisticRegressionModel) SetRawPredictionCol(v string) *LogisticRegressionModel {
	m.params.Set(RawPredictionCol, v)
	return m
}

// GetRawPredictionCol returns the raw prediction column.
func (m *LogisticRegressionModel) GetRawPredictionCol() string {
	return m.params.getString(RawPredictionCol)
}
