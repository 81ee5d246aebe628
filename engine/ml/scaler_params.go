// The scalers' parameter setters and getters, Flink ML's HasXxx and scaler params interfaces.

package ml

// SetInputCol sets the input column. It panics on an invalid value.
func (s *StandardScaler) SetInputCol(v string) *StandardScaler { s.params.Set(InputCol, v); return s }

// GetInputCol returns the input column.
func (s *StandardScaler) GetInputCol() string { return s.params.getString(InputCol) }

// SetOutputCol sets the output column. It panics on an invalid value.
func (s *StandardScaler) SetOutputCol(v string) *StandardScaler { s.params.Set(OutputCol, v); return s }

// GetOutputCol returns the output column.
func (s *StandardScaler) GetOutputCol() string { return s.params.getString(OutputCol) }

// SetWithMean sets whether to subtract the mean. It panics on an invalid value.
func (s *StandardScaler) SetWithMean(v bool) *StandardScaler { s.params.Set(WithMean, v); return s }

// GetWithMean returns whether to subtract the mean.
func (s *StandardScaler) GetWithMean() bool { return s.params.getBool(WithMean) }

// SetWithStd sets whether to divide by the standard deviation. It panics on an invalid value.
func (s *StandardScaler) SetWithStd(v bool) *StandardScaler { s.params.Set(WithStd, v); return s }

// GetWithStd returns whether to divide by the standard deviation.
func (s *StandardScaler) GetWithStd() bool { return s.params.getBool(WithStd) }

// SetInputCol sets the input column. It panics on an invalid value.
func (m *StandardScalerModel) SetInputCol(v string) *StandardScalerModel {
	m.params.Set(InputCol, v)
	return m
}

// GetInputCol returns the input column.
func (m *StandardScalerModel) GetInputCol() string { return m.params.getString(InputCol) }

// SetOutputCol sets the output column. It panics on an invalid value.
func (m *StandardScalerModel) SetOutputCol(v string) *StandardScalerModel {
	m.params.Set(OutputCol, v)
	return m
}

// GetOutputCol returns the output column.
func (m *StandardScalerModel) GetOutputCol() string { return m.params.getString(OutputCol) }

// SetWithMean sets whether to subtract the mean. It panics on an invalid value.
func (m *StandardScalerModel) SetWithMean(v bool) *StandardScalerModel {
	m.params.Set(WithMean, v)
	return m
}

// GetWithMean returns whether to subtract the mean.
func (m *StandardScalerModel) GetWithMean() bool { return m.params.getBool(WithMean) }

// SetWithStd sets whether to divide by the standard deviation. It panics on an invalid value.
func (m *StandardScalerModel) SetWithStd(v bool) *StandardScalerModel {
	m.params.Set(WithStd, v)
	return m
}

// GetWithStd returns whether to divide by the standard deviation.
func (m *StandardScalerModel) GetWithStd() bool { return m.params.getBool(WithStd) }

// SetInputCol sets the input column. It panics on an invalid value.
func (s *MinMaxScaler) SetInputCol(v string) *MinMaxScaler { s.params.Set(InputCol, v); return s }

// GetInputCol returns the input column.
func (s *MinMaxScaler) GetInputCol() string { return s.params.getString(InputCol) }

// SetOutputCol sets the output column. It panics on an invalid value.
func (s *MinMaxScaler) SetOutputCol(v string) *MinMaxScaler { s.params.Set(OutputCol, v); return s }

// GetOutputCol returns the output column.
func (s *MinMaxScaler) GetOutputCol() string { return s.params.getString(OutputCol) }

// SetMin sets the lower bound of the output range. It panics on an invalid value.
func (s *MinMaxScaler) SetMin(v float64) *MinMaxScaler { s.params.Set(Min, v); return s }

// GetMin returns the lower bound of the output range.
func (s *MinMaxScaler) GetMin() float64 { return s.params.getFloat(Min) }

// SetMax sets the upper bound of the output range. It panics on an invalid value.
func (s *MinMaxScaler) SetMax(v float64) *MinMaxScaler { s.params.Set(Max, v); return s }

// GetMax returns the upper bound of the output range.
func (s *MinMaxScaler) GetMax() float64 { return s.params.getFloat(Max) }

// SetInputCol sets the input column. It panics on an invalid value.
func (m *MinMaxScalerModel) SetInputCol(v string) *MinMaxScalerModel {
	m.params.Set(InputCol, v)
	return m
}

// GetInputCol returns the input column.
func (m *MinMaxScalerModel) GetInputCol() string { return m.params.getString(InputCol) }

// SetOutputCol sets the output column. It panics on an invalid value.
func (m *MinMaxScalerModel) SetOutputCol(v string) *MinMaxScalerModel {
	m.params.Set(OutputCol, v)
	return m
}

// GetOutputCol returns the output column.
func (m *MinMaxScalerModel) GetOutputCol() string { return m.params.getString(OutputCol) }

// SetMin sets the lower bound of the output range. It panics on an invalid value.
func (m *MinMaxScalerModel) SetMin(v float64) *MinMaxScalerModel { m.params.Set(Min, v); return m }

// GetMin returns the lower bound of the output range.
func (m *MinMaxScalerModel) GetMin() float64 { return m.params.getFloat(Min) }

// SetMax sets the upper bound of the output range. It panics on an invalid value.
func (m *MinMaxScalerModel) SetMax(v float64) *MinMaxScalerModel { m.params.Set(Max, v); return m }

// GetMax returns the upper bound of the output range.
func (m *MinMaxScalerModel) GetMax() float64 { return m.params.getFloat(Max) }
