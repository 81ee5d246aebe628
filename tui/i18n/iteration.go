package i18n

// The strings of the iteration view (tui/live's Iteration), kept beside the others' tables and added to them
// when the package starts.
func init() {
	for k, v := range map[string]string{
		"it.title":                     "Iteration",
		"it.bulk":                      "bulk",
		"it.delta":                     "delta",
		"it.of":                        "superstep %d of %d",
		"it.running":                   "running",
		"it.finished":                  "finished",
		"it.failed":                    "failed",
		"it.ended":                     "ended: %s after %d supersteps",
		"it.partial":                   "partial solution",
		"it.workset":                   "workset",
		"it.solution":                  "solution set",
		"it.in":                        "in",
		"it.out":                       "out",
		"it.criterion":                 "criterion",
		"it.time":                      "time",
		"it.end.max-iterations":        "maximum supersteps reached",
		"it.end.termination-criterion": "termination criterion empty",
		"it.end.empty-workset":         "workset empty",
		"it.end.convergence-criterion": "converged on %s",
	} {
		en[k] = v
	}
	for k, v := range map[string]string{
		"it.title":                     "반복",
		"it.bulk":                      "벌크",
		"it.delta":                     "델타",
		"it.of":                        "슈퍼스텝 %d / %d",
		"it.running":                   "실행 중",
		"it.finished":                  "완료",
		"it.failed":                    "실패",
		"it.ended":                     "종료: %s (슈퍼스텝 %d번)",
		"it.partial":                   "부분 해",
		"it.workset":                   "워크셋",
		"it.solution":                  "솔루션 셋",
		"it.in":                        "입력",
		"it.out":                       "출력",
		"it.criterion":                 "종료 조건",
		"it.time":                      "시간",
		"it.end.max-iterations":        "최대 슈퍼스텝 도달",
		"it.end.termination-criterion": "종료 조건이 비었음",
		"it.end.empty-workset":         "워크셋이 비었음",
		"it.end.convergence-criterion": "%s 수렴",
	} {
		ko[k] = v
	}
}
