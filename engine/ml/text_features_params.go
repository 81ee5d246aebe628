package ml

// SetInputCol sets the input column.
func (t *Tokenizer) SetInputCol(v string) *Tokenizer {
	t.params.Set(InputCol, v)
	return t
}

// GetInputCol returns the input column.
func (t *Tokenizer) GetInputCol() string { return t.params.getString(InputCol) }

// SetOutputCol sets the output column.
func (t *Tokenizer) SetOutputCol(v string) *Tokenizer {
	t.params.Set(OutputCol, v)
	return t
}

// GetOutputCol returns the output column.
func (t *Tokenizer) GetOutputCol() string { return t.params.getString(OutputCol) }

// SetInputCol sets the input column.
func (h *HashingTF) SetInputCol(v string) *HashingTF {
	h.params.Set(InputCol, v)
	return h
}

// GetInputCol returns the input column.
func (h *HashingTF) GetInputCol() string { return h.params.getString(InputCol) }

// SetOutputCol sets the output column.
func (h *HashingTF) SetOutputCol(v string) *HashingTF {
	h.params.Set(OutputCol, v)
	return h
}

// GetOutputCol returns the output column.
func (h *HashingTF) GetOutputCol() string { return h.params.getString(OutputCol) }

// SetNumFeatures sets the number of features.
func (h *HashingTF) SetNumFeatures(v int) *HashingTF {
	h.params.Set(NumFeatures, v)
	return h
}

// GetNumFeatures returns the number of features.
func (h *HashingTF) GetNumFeatures() int { return h.params.getInt(NumFeatures) }

// SetBinary sets the binary flag.
func (h *HashingTF) SetBinary(v bool) *HashingTF {
	h.params.Set(Binary, v)
	return h
}

// GetBinary returns the binary flag.
func (h *HashingTF) GetBinary() bool { return h.params.getBool(Binary) }

// SetInputCol sets the input column.
func (f *IDF) SetInputCol(v string) *IDF {
	f.params.Set(InputCol, v)
	return f
}

// GetInputCol returns the input column.
func (f *IDF) GetInputCol() string { return f.params.getString(InputCol) }

// SetOutputCol sets the output column.
func (f *IDF) SetOutputCol(v string) *IDF {
	f.params.Set(OutputCol, v)
	return f
}

// GetOutputCol returns the output column.
func (f *IDF) GetOutputCol() string { return f.params.getString(OutputCol) }

// SetMinDocFreq sets the minimum document frequency.
func (f *IDF) SetMinDocFreq(v int) *IDF {
	f.params.Set(MinDocFreq, v)
	return f
}

// GetMinDocFreq returns the minimum document frequency.
func (f *IDF) GetMinDocFreq() int { return f.params.getInt(MinDocFreq) }

// SetInputCol sets the input column.
func (m *IDFModel) SetInputCol(v string) *IDFModel {
	m.params.Set(InputCol, v)
	return m
}

// GetInputCol returns the input column.
func (m *IDFModel) GetInputCol() string { return m.params.getString(InputCol) }

// SetOutputCol sets the output column.
func (m *IDFModel) SetOutputCol(v string) *IDFModel {
	m.params.Set(OutputCol, v)
	return m
}

// GetOutputCol returns the output column.
func (m *IDFModel) GetOutputCol() string { return m.params.getString(OutputCol) }

// SetMinDocFreq sets the minimum document frequency.
func (m *IDFModel) SetMinDocFreq(v int) *IDFModel {
	m.params.Set(MinDocFreq, v)
	return m
}

// GetMinDocFreq returns the minimum document frequency.
func (m *IDFModel) GetMinDocFreq() int { return m.params.getInt(MinDocFreq) }
