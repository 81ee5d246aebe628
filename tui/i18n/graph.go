package i18n

// The strings of the graph iteration view (tui/live's GraphIteration).
func init() {
	for k, v := range map[string]string{
		"gi.title":    "Graph",
		"gi.vertices": "%d vertices",
		"gi.active":   "active",
		"gi.messages": "messages",
		"gi.updated":  "updated",
		"gi.top":      "highest scores (vertex, score)",
		"gi.groups":   "largest groups (value, vertices)",
		"gi.none":     "no vertex yet",
	} {
		en[k] = v
	}
	for k, v := range map[string]string{
		"gi.title":    "그래프",
		"gi.vertices": "정점 %d개",
		"gi.active":   "활성 정점",
		"gi.messages": "메시지",
		"gi.updated":  "갱신",
		"gi.top":      "점수가 가장 높은 정점 (정점, 점수)",
		"gi.groups":   "가장 큰 그룹 (값, 정점 수)",
		"gi.none":     "아직 정점 없음",
	} {
		ko[k] = v
	}
}
