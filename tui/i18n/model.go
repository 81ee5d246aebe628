package i18n

// The strings of the model view (tui/live's Model).
func init() {
	for k, v := range map[string]string{
		"ml.title":           "Model",
		"ml.version":         "version %d · %d rows learnt",
		"ml.iteration":       "iteration %d of %d · %d rows",
		"ml.metric.movement": "centroid movement",
		"ml.metric.shift":    "largest centroid shift",
		"ml.metric.topics":   "topic change",
		"ml.metric.loss":     "batch loss",
		"ml.vector":          "vector",
		"ml.weight":          "weight",
		"ml.moved":           "moved",
		"ml.values":          "values",
	} {
		en[k] = v
	}
	for k, v := range map[string]string{
		"ml.title":           "모델",
		"ml.version":         "버전 %d · 학습한 행 %d개",
		"ml.iteration":       "반복 %d / %d · 행 %d개",
		"ml.metric.movement": "중심점 이동",
		"ml.metric.shift":    "가장 큰 중심점 이동",
		"ml.metric.topics":   "주제 변화",
		"ml.metric.loss":     "배치 손실",
		"ml.vector":          "벡터",
		"ml.weight":          "가중치",
		"ml.moved":           "이동",
		"ml.values":          "값",
	} {
		ko[k] = v
	}
}
