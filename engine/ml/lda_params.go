package ml

// SetFeaturesCol sets the features column.
func (l *LDA) SetFeaturesCol(v string) *LDA {
	l.params.Set(FeaturesCol, v)
	return l
}

// GetFeaturesCol returns the features column.
func (l *LDA) GetFeaturesCol() string { return l.params.getString(FeaturesCol) }

// SetTopicDistributionCol sets the topic distribution column.
func (l *LDA) SetTopicDistributionCol(v string) *LDA {
	l.params.Set(TopicDistributionCol, v)
	return l
}

// GetTopicDistributionCol returns the topic distribution column.
func (l *LDA) GetTopicDistributionCol() string { return l.params.getString(TopicDistributionCol) }

// SetK sets the number of topics.
func (l *LDA) SetK(v int) *LDA {
	l.params.Set(LDAK, v)
	return l
}

// GetK returns the number of topics.
func (l *LDA) GetK() int { return l.params.getInt(LDAK) }

// SetMaxIter sets the number of passes over the data.
func (l *LDA) SetMaxIter(v int) *LDA {
	l.params.Set(LDAMaxIter, v)
	return l
}

// GetMaxIter returns the number of passes over the data.
func (l *LDA) GetMaxIter() int { return l.params.getInt(LDAMaxIter) }

// SetBatchSize sets the mini-batch size.
func (l *LDA) SetBatchSize(v int) *LDA {
	l.params.Set(BatchSize, v)
	return l
}

// GetBatchSize returns the mini-batch size.
func (l *LDA) GetBatchSize() int { return l.params.getInt(BatchSize) }

// SetLearningOffset sets the learning offset.
func (l *LDA) SetLearningOffset(v float64) *LDA {
	l.params.Set(LearningOffset, v)
	return l
}

// GetLearningOffset returns the learning offset.
func (l *LDA) GetLearningOffset() float64 { return l.params.getFloat(LearningOffset) }

// SetLearningDecay sets the learning decay.
func (l *LDA) SetLearningDecay(v float64) *LDA {
	l.params.Set(LearningDecay, v)
	return l
}

// GetLearningDecay returns the learning decay.
func (l *LDA) GetLearningDecay() float64 { return l.params.getFloat(LearningDecay) }

// SetMeanChangeTol sets the E-step tolerance.
func (l *LDA) SetMeanChangeTol(v float64) *LDA {
	l.params.Set(MeanChangeTol, v)
	return l
}

// GetMeanChangeTol returns the E-step tolerance.
func (l *LDA) GetMeanChangeTol() float64 { return l.params.getFloat(MeanChangeTol) }

// SetMaxDocUpdateIter sets the E-step iteration limit.
func (l *LDA) SetMaxDocUpdateIter(v int) *LDA {
	l.params.Set(MaxDocUpdateIter, v)
	return l
}

// GetMaxDocUpdateIter returns the E-step iteration limit.
func (l *LDA) GetMaxDocUpdateIter() int { return l.params.getInt(MaxDocUpdateIter) }

// SetFeaturesCol sets the features column.
func (m *LDAModel) SetFeaturesCol(v string) *LDAModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *LDAModel) GetFeaturesCol() string { return m.params.getString(FeaturesCol) }

// SetTopicDistributionCol sets the topic distribution column.
func (m *LDAModel) SetTopicDistributionCol(v string) *LDAModel {
	m.params.Set(TopicDistributionCol, v)
	return m
}

// GetTopicDistributionCol returns the topic distribution column.
func (m *LDAModel) GetTopicDistributionCol() string { return m.params.getString(TopicDistributionCol) }

// SetDocConcentration sets the document-topic prior alpha.
func (l *LDA) SetDocConcentration(v float64) *LDA {
	l.params.Set(DocConcentration, v)
	return l
}

// GetDocConcentration returns alpha: 1/k unless set.
func (l *LDA) GetDocConcentration() float64 {
	if v, ok := l.params.Get(DocConcentration).(float64); ok {
		return v
	}
	return 1 / float64(l.GetK())
}

// SetTopicConcentration sets the topic-word prior eta.
func (l *LDA) SetTopicConcentration(v float64) *LDA {
	l.params.Set(TopicConcentration, v)
	return l
}

// GetTopicConcentration returns eta: 1/k unless set.
func (l *LDA) GetTopicConcentration() float64 {
	if v, ok := l.params.Get(TopicConcentration).(float64); ok {
		return v
	}
	return 1 / float64(l.GetK())
}

// SetSeed sets the random seed.
func (l *LDA) SetSeed(v int64) *LDA {
	l.params.Set(Seed, v)
	return l
}

// GetSeed returns the seed: the hash code of the class name unless set.
func (l *LDA) GetSeed() int64 { return seedOf(l.params, ldaClass) }
