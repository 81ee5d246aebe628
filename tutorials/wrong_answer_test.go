package tutorials

import (
	"context"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/interp"
)

// requireCheckRejects runs lesson with the solution of exercise changed into a plausible wrong answer (old
// replaced by wrong) and fails unless the check named failing fails: the tests of the tests.
func requireCheckRejects(t *testing.T, lesson, exercise, old, wrong, failing string) {
	t.Helper()
	nb, err := Open(lesson)
	if err != nil {
		t.Fatal(err)
	}
	_, solutions := nb.Exercises()
	sol := solutions[exercise]
	if sol == nil || !strings.Contains(sol.Text, old) {
		t.Fatalf("the solution of exercise %s no longer contains %q", exercise, old)
	}
	sol.Text = strings.Replace(sol.Text, old, wrong, 1)
	s := interp.NewSession(nb, interp.Options{})
	defer s.Kernel.Restart()
	rep := s.RunAll(context.Background(), interp.RunOptions{Solutions: true, Checks: true, CellTimeout: time.Minute})
	var failed []string
	for _, r := range rep.Checks {
		if !r.OK {
			failed = append(failed, r.Name)
		}
	}
	if !slices.Contains(failed, failing) {
		t.Fatalf("the wrong answer passes %q (failed checks: %q)", failing, failed)
	}
}

// wrongAnswer is a plausible wrong answer to an exercise: its solution with old replaced by wrong, which must
// fail the check named failing (in English and in Korean: the twin lessons have the same code and checks).
type wrongAnswer struct {
	lesson   string // the file name, such as "03-keyed-state-and-connected-streams.md"
	exercise string
	name     string // the mistake
	old      string
	wrong    string
	failing  [2]string // the check it fails, in en and ko
}

// wrongAnswers are the mistakes each exercise's checks must catch (issue 20): at least two per exercise.
var wrongAnswers = []wrongAnswer{
	// Lesson 1: word count.
	{"01-batch-and-stream.md", "final", "keys every word alike (the starter's mistake)",
		"KeyByField(\"Word\")", "KeyBy(func(v any) any { return \"all\" })",
		[2]string{"each word's final count", "단어별 최종 개수"}},
	{"01-batch-and-stream.md", "final", "keys by the word's length",
		"KeyByField(\"Word\")", "KeyBy(func(v any) any { return len(v.(WordCount).Word) })",
		[2]string{"each word's final count", "단어별 최종 개수"}},
	{"01-batch-and-stream.md", "final", "keeps the largest count instead of adding",
		"Sum(\"Count\")", "Max(\"Count\")",
		[2]string{"each word's updates count up by one from 1: one update per word read", "단어마다 갱신이 1부터 하나씩 늘어남: 읽은 단어마다 갱신 하나"}},
	// Lesson 2: ride cleansing.
	{"02-filters-and-lazy-evaluation.md", "clean", "forgets that a ride must end in the city",
		"sources.InNYC(e.Float(\"startLon\"), e.Float(\"startLat\")) &&\n\t\t\tsources.InNYC(e.Float(\"endLon\"), e.Float(\"endLat\"))", "sources.InNYC(e.Float(\"startLon\"), e.Float(\"startLat\"))",
		[2]string{"every kept ride is a start inside the city", "남긴 운행은 모두 시내의 start"}},
	{"02-filters-and-lazy-evaluation.md", "clean", "keeps the end events too",
		"return e.Kind == \"start\" &&", "return e.Kind != \"\" &&",
		[2]string{"every kept ride is a start inside the city", "남긴 운행은 모두 시내의 start"}},
	{"02-filters-and-lazy-evaluation.md", "clean", "either end in the city is enough",
		"sources.InNYC(e.Float(\"startLon\"), e.Float(\"startLat\")) &&\n\t\t\tsources.InNYC(e.Float(\"endLon\"), e.Float(\"endLat\"))",
		"(sources.InNYC(e.Float(\"startLon\"), e.Float(\"startLat\")) ||\n\t\t\tsources.InNYC(e.Float(\"endLon\"), e.Float(\"endLat\")))",
		[2]string{"every kept ride is a start inside the city", "남긴 운행은 모두 시내의 start"}},
	{"04-event-time-and-watermarks.md", "bound", "one second too small (off by one)",
		"bound := 5 * time.Second", "bound := 4 * time.Second",
		[2]string{"no event is late", "늦은 이벤트가 없음"}},
	{"04-event-time-and-watermarks.md", "bound", "one second too large",
		"bound := 5 * time.Second", "bound := 6 * time.Second",
		[2]string{"the bound is the smallest without late events", "늦은 이벤트가 없는 가장 작은 한도"}},
	{"04-event-time-and-watermarks.md", "bound", "milliseconds for seconds",
		"bound := 5 * time.Second", "bound := 5 * time.Millisecond",
		[2]string{"all 15 events are sorted", "15개 이벤트가 모두 정렬됨"}},
	{"04-event-time-and-watermarks.md", "generator", "forgets the 1 ms (off by one)",
		"out.EmitWatermark(highest - bound.Milliseconds() - 1)", "out.EmitWatermark(highest - bound.Milliseconds())",
		[2]string{"an event exactly the bound behind the newest is not late; 1 ms more and it is", "가장 새 이벤트보다 정확히 한도만큼 뒤인 이벤트는 늦지 않고, 1 ms 더 뒤면 늦음"}},
	{"04-event-time-and-watermarks.md", "generator", "takes the bound's seconds for milliseconds",
		"out.EmitWatermark(highest - bound.Milliseconds() - 1)", "out.EmitWatermark(highest - int64(bound.Seconds()) - 1)",
		[2]string{"over the recording, with bounds of 1 s and 3 s, the same late events as Flink's generator", "녹화 전체에서 한도 1초와 3초로 플링크의 생성기와 같은 이벤트가 늦음"}},
	{"04-event-time-and-watermarks.md", "generator", "starts from a highest timestamp of 0",
		"highest, seen := int64(0), false", "highest, seen := int64(0), true",
		[2]string{"events before time 0, in order, are not late", "시각 0 이전의 이벤트도 순서대로 오면 늦지 않음"}},
	{"04-event-time-and-watermarks.md", "generator", "ignores the bound",
		"out.EmitWatermark(highest - bound.Milliseconds() - 1)", "out.EmitWatermark(highest - 1)",
		[2]string{"over the recording, with bounds of 1 s and 3 s, the same late events as Flink's generator", "녹화 전체에서 한도 1초와 3초로 플링크의 생성기와 같은 이벤트가 늦음"}},
	// Lesson 5: windows.
	{"05-windows.md", "top", "keeps the smaller total",
		"if b.(engine.WindowResult).Value.(float64) > a", "if b.(engine.WindowResult).Value.(float64) < a",
		[2]string{"the top driver of every hour", "매시간 최고의 운전자"}},
	{"05-windows.md", "top", "keeps the latest result, not the largest",
		"if b.(engine.WindowResult).Value.(float64) > a.(engine.WindowResult).Value.(float64) {", "if true {",
		[2]string{"the top driver of every hour", "매시간 최고의 운전자"}},
	{"05-windows.md", "top", "a day's window over all drivers instead of an hour's",
		"WindowAll(engine.TumblingEventTimeWindows(time.Hour))", "WindowAll(engine.TumblingEventTimeWindows(24 * time.Hour))",
		[2]string{"the top driver of every hour", "매시간 최고의 운전자"}},
	{"05-windows.md", "process", "counts the fares instead of adding their tips",
		"sum += e.(sources.Event).Float(\"tip\")", "sum += 1",
		[2]string{"one driver, two fares in an hour: one result with the sum, the driver and the hour's bounds", "운전자 하나, 한 시간에 요금 둘: 합, 운전자, 그 시간의 경계를 담은 결과 하나"}},
	{"05-windows.md", "process", "stamps the window's end as its start",
		"Start: ctx.Window().Start", "Start: ctx.Window().End",
		[2]string{"one driver, two fares in an hour: one result with the sum, the driver and the hour's bounds", "운전자 하나, 한 시간에 요금 둘: 합, 운전자, 그 시간의 경계를 담은 결과 하나"}},
	{"05-windows.md", "process", "emits a result per fare",
		"\t\tsum += e.(sources.Event).Float(\"tip\")\n\t}\n\tout.Collect(engine.WindowResult{Key: key, Start: ctx.Window().Start, End: ctx.Window().End, Value: sum})", "\t\tsum += e.(sources.Event).Float(\"tip\")\n\t\tout.Collect(engine.WindowResult{Key: key, Start: ctx.Window().Start, End: ctx.Window().End, Value: sum})\n\t}",
		[2]string{"one driver, two fares in an hour: one result with the sum, the driver and the hour's bounds", "운전자 하나, 한 시간에 요금 둘: 합, 운전자, 그 시간의 경계를 담은 결과 하나"}},
	// Lesson 6: allowed lateness.
	{"06-late-data.md", "lateness", "one second too small (off by one)",
		"lateness := 4 * time.Second", "lateness := 3 * time.Second",
		[2]string{"no event goes to the side output", "사이드 출력으로 가는 이벤트가 없음"}},
	{"06-late-data.md", "lateness", "one second too large",
		"lateness := 4 * time.Second", "lateness := 5 * time.Second",
		[2]string{"the lateness is the smallest whole number of seconds", "허용 지연이 가장 작은 초 단위 정수"}},
	{"06-late-data.md", "lateness", "forgets lateness altogether",
		"lateness := 4 * time.Second", "lateness := 0 * time.Second",
		[2]string{"each window's last firing counts all its events", "윈도우마다 마지막 발화가 모든 이벤트를 셈"}},
	// Lesson 3: rides and fares.
	{"03-keyed-state-and-connected-streams.md", "join", "never clears the fare it pairs",
		"ctx.DeleteEventTimeTimer(fare.Time + hour)\n\t\t\tctx.ValueState(fareState).Clear()", "ctx.DeleteEventTimeTimer(fare.Time + hour)",
		[2]string{"a fare, then its ride: one pair, and no state or timer left", "요금 뒤에 운행: 짝 하나, 남는 상태와 타이머 없음"}},
	{"03-keyed-state-and-connected-streams.md", "join", "clears the ride but leaves its timer",
		"ctx.DeleteEventTimeTimer(ride.Time + hour)\n", "\n",
		[2]string{"a ride, then its fare: one pair, and no state or timer left", "운행 뒤에 요금: 짝 하나, 남는 상태와 타이머 없음"}},
	{"03-keyed-state-and-connected-streams.md", "join", "registers no timer for a waiting ride",
		"ctx.RegisterEventTimeTimer(ride.Time + hour)", "_ = hour",
		[2]string{"a ride whose fare never comes goes to leftover an hour after it, and is cleared", "요금이 오지 않는 운행은 한 시간 뒤 leftover로 가고 지워짐"}},
	{"03-keyed-state-and-connected-streams.md", "join", "an empty OnTimer",
		"OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\tif", "OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\treturn\n\t\tif",
		[2]string{"a fare whose ride never comes goes to leftover an hour after it, and is cleared", "운행이 오지 않는 요금은 한 시간 뒤 leftover로 가고 지워짐"}},
	{"03-keyed-state-and-connected-streams.md", "join", "reports a leftover but keeps it in state",
		"ctx.Output(leftover, r)\n\t\t\tctx.ValueState(rideState).Clear()", "ctx.Output(leftover, r)",
		[2]string{"a ride whose fare never comes goes to leftover an hour after it, and is cleared", "요금이 오지 않는 운행은 한 시간 뒤 leftover로 가고 지워짐"}},
	// Lesson 7: fraud detection, the flag and the minute.
	{"07-state-and-timers-fraud.md", "flag", "alerts on every amount over $500",
		"if _, small := ctx.ValueState(flag).Get(); small && amount > 500 {", "if amount > 500 {",
		[2]string{"a large purchase with no tiny one before it: no alert", "앞에 아주 작은 결제가 없는 큰 결제: 알림 없음"}},
	{"07-state-and-timers-fraud.md", "flag", "never clears the flag",
		"} else {\n\t\t\tctx.ValueState(flag).Clear()\n\t\t}", "}",
		[2]string{"a tiny, a normal, then a large purchase: no alert (the normal one clears the flag)", "아주 작은 결제, 보통 결제, 큰 결제: 알림 없음(보통 결제가 플래그를 지움)"}},
	{"07-state-and-timers-fraud.md", "flag", "takes $1 for tiny (off by one)",
		"if amount < 1 {", "if amount <= 1 {",
		[2]string{"a purchase of exactly $1 is not tiny, and one of exactly $500 is not large: no alert", "정확히 1달러는 아주 작은 결제가 아니고, 정확히 500달러는 큰 결제가 아님: 알림 없음"}},
	{"07-state-and-timers-fraud.md", "flag", "takes $500 for large (off by one)",
		"small && amount > 500 {", "small && amount >= 500 {",
		[2]string{"a purchase of exactly $1 is not tiny, and one of exactly $500 is not large: no alert", "정확히 1달러는 아주 작은 결제가 아니고, 정확히 500달러는 큰 결제가 아님: 알림 없음"}},
	{"07-state-and-timers-fraud.md", "minute", "never deletes the timer when the flag is cleared",
		"if t, ok := ctx.ValueState(timerState).Get(); ok {", "if t, ok := ctx.ValueState(timerState).Get(); ok && false {",
		[2]string{"event time: a normal purchase after a tiny one clears the flag and deletes the timer", "이벤트 시간: 아주 작은 결제 뒤의 보통 결제는 플래그를 지우고 타이머를 삭제함"}},
	{"07-state-and-timers-fraud.md", "minute", "an OnTimer that does not clear the flag",
		"OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\t\tctx.ValueState(timerState).Clear()\n\t\t\tctx.ValueState(flag).Clear()",
		"OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\t\tctx.ValueState(timerState).Clear()",
		[2]string{"event time: a large purchase after the minute does not alert", "이벤트 시간: 1분이 지난 뒤의 큰 결제는 알림 아님"}},
	{"07-state-and-timers-fraud.md", "minute", "the clocks swapped",
		"if domain == engine.ProcessingTime {\n\t\t\t\t\tt = ", "if domain != engine.ProcessingTime {\n\t\t\t\t\tt = ",
		[2]string{"over the recording, a processing-time minute alerts on every tiny-then-large pair, an event-time minute on none", "녹화 전체에서 처리 시간 1분은 작은 결제 뒤 큰 결제마다 알림, 이벤트 시간 1분은 알림 없음"}},
	{"07-state-and-timers-fraud.md", "minute", "keeps the timer's time after the timer fired",
		"OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\t\tctx.ValueState(timerState).Clear()\n", "OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n",
		[2]string{"event time: once the minute has passed, the tiny purchase leaves nothing", "이벤트 시간: 1분이 지나면 아주 작은 결제는 아무것도 남기지 않음"}},
	// Lesson 9: checkpoints and exactly-once; the data shows each wrong mode's own mistake.
	{"09-checkpoints-and-exactly-once.md", "exact", "at-least-once (its log repeats what followed the last checkpoint)",
		"runWith(engine.ExactlyOnce)", "runWith(engine.AtLeastOnce)", [2]string{"the committed click log has every click once: none repeated, none missing", "커밋된 클릭 로그에 모든 클릭이 한 번씩: 반복도 누락도 없음"}},
	{"09-checkpoints-and-exactly-once.md", "exact", "at-most-once (its log misses the clicks read since the last checkpoint)",
		"runWith(engine.ExactlyOnce)", "runWith(engine.AtMostOnce)", [2]string{"the committed click log has every click once: none repeated, none missing", "커밋된 클릭 로그에 모든 클릭이 한 번씩: 반복도 누락도 없음"}},
	{"09-checkpoints-and-exactly-once.md", "exact", "at-most-once (its windows miss those clicks too)",
		"runWith(engine.ExactlyOnce)", "runWith(engine.AtMostOnce)",
		[2]string{"every committed window counts exactly 1000 clicks", "커밋된 윈도우마다 클릭이 정확히 1000개"}},
	{"09-checkpoints-and-exactly-once.md", "exact", "no checkpoints (right only by redoing everything)",
		"runWith(engine.ExactlyOnce)", "run(\"no checkpoints\", engine.CheckpointConfig{})",
		[2]string{"the job kept its checkpoints, crashed once and recovered", "잡이 체크포인트를 유지한 채 한 번 장애를 겪고 복구됨"}},
	// Lesson 10: rescaling from a savepoint.
	{"10-jobmanager-taskmanagers-rescaling.md", "rescale", "forgets RestoreFrom (the first half is counted twice)",
		"RestoreFrom: savepoint", "RestoreFrom: \"\"",
		[2]string{"every account's hourly spend is exact across the two runs", "두 실행에 걸쳐 계좌별 시간당 지출이 정확함"}},
	{"10-jobmanager-taskmanagers-rescaling.md", "rescale", "restores at the old parallelism",
		"Parallelism: 3,", "Parallelism: 2,",
		[2]string{"the window runs at parallelism 3 after the restore", "복구 뒤 윈도우가 병렬도 3으로 실행됨"}},
	// Lesson 8: long rides, and leaving nothing behind (lesson 8's leak test has more cases in English).
	{"08-long-ride-alerts.md", "long", "keeps the start after the timer fired, so its late end alerts again",
		"\t\tout.Collect(ctx.CurrentKey())\n\t\tctx.ValueState(startState).Clear()\n\t},\n}\nlong :=", "\t\tout.Collect(ctx.CurrentKey())\n\t},\n}\nlong :=",
		[2]string{"every ride over two hours is reported once, from the timer at start + 2 h whenever the watermark gets there first", "두 시간 넘는 운행을 모두 한 번씩 알리고, 워터마크가 먼저 이르면 시작 + 2시간에 타이머에서 알림"}},
	{"08-long-ride-alerts.md", "long", "registers no timer, so alerts wait for the end",
		"\t\t\tctx.ValueState(startState).Update(e.Time)\n\t\t\tctx.RegisterEventTimeTimer(e.Time + twoHours)\n\t\t\treturn\n\t\t}\n\t\tif s, ok := ctx.ValueState(startState).Get(); ok {\n\t\t\tif e.Time-s.(int64) > twoHours {", "\t\t\tctx.ValueState(startState).Update(e.Time)\n\t\t\treturn\n\t\t}\n\t\tif s, ok := ctx.ValueState(startState).Get(); ok {\n\t\t\tif e.Time-s.(int64) > twoHours {",
		[2]string{"every ride over two hours is reported once, from the timer at start + 2 h whenever the watermark gets there first", "두 시간 넘는 운행을 모두 한 번씩 알리고, 워터마크가 먼저 이르면 시작 + 2시간에 타이머에서 알림"}},
	{"08-long-ride-alerts.md", "long", "does not delete the timer when the end comes first",
		"\t\t\tctx.DeleteEventTimeTimer(s.(int64) + twoHours)\n\t\t\tctx.ValueState(startState).Clear()\n\t\t\treturn\n\t\t}\n\t\tctx.ValueState(endState).Update(e.Time)\n\t},", "\t\t\tctx.ValueState(startState).Clear()\n\t\t\treturn\n\t\t}\n\t\tctx.ValueState(endState).Update(e.Time)\n\t},",
		[2]string{"every ride over two hours is reported once, from the timer at start + 2 h whenever the watermark gets there first", "두 시간 넘는 운행을 모두 한 번씩 알리고, 워터마크가 먼저 이르면 시작 + 2시간에 타이머에서 알림"}},
	{"08-long-ride-alerts.md", "tidy", "forgets to delete the two-hour timer when the end comes",
		"ctx.DeleteEventTimeTimer(s.(int64) + twoHours)\n", "\n",
		[2]string{"a short ride leaves no state and no timer once it has ended", "짧은 운행은 끝난 뒤 상태도 타이머도 남기지 않음"}},
	{"08-long-ride-alerts.md", "tidy", "never clears an end stored alone (the leak)",
		"\t\tctx.ValueState(endState).Clear() //", "\t\t_ = 0 //",
		[2]string{"an end whose start never comes is cleared once the watermark passes it", "시작이 오지 않는 끝은 워터마크가 지나면 지워짐"}},
	// Lesson 11: the capstone's speed layer, batch layer and comparison.
	{"11-capstone-movieflix.md", "speed", "forgets the side output, so late feedback vanishes",
		"\t\tSideOutputLateData(tooLate).\n", "",
		[2]string{"a feedback too late for its minute goes to tooLate and is not counted; the next minute's is", "자기 분에 너무 늦은 피드백은 tooLate로 가고 세지 않음, 다음 분의 피드백은 셈"}},
	{"11-capstone-movieflix.md", "speed", "stamps the minute's end as its start",
		"Minute: ctx.Window().Start", "Minute: ctx.Window().End",
		[2]string{"two feedbacks of a group in a minute: one row with their sum and number, once the watermark passes the minute", "한 그룹의 1분 안 피드백 둘: 워터마크가 그 분을 지나면 합과 개수를 담은 행 하나"}},
	{"11-capstone-movieflix.md", "speed", "counts each window as one feedback",
		"s.N++", "s.N = 1",
		[2]string{"two feedbacks of a group in a minute: one row with their sum and number, once the watermark passes the minute", "한 그룹의 1분 안 피드백 둘: 워터마크가 그 분을 지나면 합과 개수를 담은 행 하나"}},
	{"11-capstone-movieflix.md", "speed", "processing-time windows",
		"TumblingEventTimeWindows(time.Minute)", "TumblingProcessingTimeWindows(time.Minute)",
		[2]string{"two feedbacks of a group in a minute: one row with their sum and number, once the watermark passes the minute", "한 그룹의 1분 안 피드백 둘: 워터마크가 그 분을 지나면 합과 개수를 담은 행 하나"}},
	{"11-capstone-movieflix.md", "batch", "reads only the main log",
		"sources.Replay{Recordings: logs}", "sources.Replay{Recordings: logs[:1]}",
		[2]string{"a feedback in the late log counts with the main log's of its minute", "늦은 로그의 피드백도 메인 로그의 같은 분 피드백과 함께 셈"}},
	{"11-capstone-movieflix.md", "batch", "runs in streaming mode, so every feedback updates its row",
		"engine.Config{Parallelism: 2, RuntimeMode: engine.Batch}", "engine.Config{Parallelism: 2}",
		[2]string{"releases and ratings are not counted, and each group and minute has one final row", "개봉과 평점은 세지 않고, 그룹과 분마다 최종 행 하나"}},
	{"11-capstone-movieflix.md", "batch", "keys by group only, so the minutes run together",
		"return fmt.Sprint(s.Group, \"@\", s.Minute)", "return s.Group",
		[2]string{"nothing is late in batch: a feedback arriving after a later minute's counts in its own minute", "배치에서는 늦은 것이 없음: 뒤의 분보다 늦게 도착한 피드백도 자기 분에서 셈"}},
	{"11-capstone-movieflix.md", "missed", "subtracts the wrong way",
		"out[k] = b.N - s.N", "out[k] = s.N - b.N",
		[2]string{"a minute with fewer feedback in the speed layer: the difference", "Speed Layer에서 피드백이 더 적은 분: 그 차이"}},
	{"11-capstone-movieflix.md", "missed", "keeps the minutes the speed layer got right",
		"if b.N != s.N {", "if true {",
		[2]string{"the same rows: nothing missed", "같은 행: 놓친 것 없음"}},
	{"11-capstone-movieflix.md", "missed", "leaves out the minutes the speed layer has no row for",
		"s := speed[k]\n\t\tif b.N != s.N {", "s, ok := speed[k]\n\t\tif ok && b.N != s.N {",
		[2]string{"a minute the speed layer has no row for: all of its feedback", "Speed Layer에 행이 없는 분: 그 분의 피드백 전부"}},
	// Lesson 12: the DataSet-style batch job.
	{"12-dataset-and-batch-mode.md", "hourly", "runs in streaming mode",
		"engine.Config{Parallelism: 2, RuntimeMode: engine.Batch}", "engine.Config{Parallelism: 2}",
		[2]string{"the job ran in batch mode", "잡이 배치 모드로 실행됨"}},
	{"12-dataset-and-batch-mode.md", "hourly", "keys by the event's time, not its hour",
		"e.Time-e.Time%hourMs)", "e.Time)",
		[2]string{"each account's spending per hour", "계좌별 시간당 지출"}},
	{"12-dataset-and-batch-mode.md", "hourly", "keys by the account alone",
		"return fmt.Sprintf(\"%d@%d\", e.Int(\"accountId\"), e.Time-e.Time%hourMs)", "return fmt.Sprintf(\"%d@%d\", e.Int(\"accountId\"), 0)",
		[2]string{"each account's spending per hour", "계좌별 시간당 지출"}},
	{"12-dataset-and-batch-mode.md", "hourly", "sums only the group's first value",
		"for _, v := range values {", "for _, v := range values[:1] {",
		[2]string{"two reports of an account in one hour: one row with their sum", "한 계좌의 한 시간 안 보고 둘: 합을 담은 행 하나"}},
	{"12-dataset-and-batch-mode.md", "hourly", "rounds down to the minute, not the hour",
		"e.Time-e.Time%hourMs)", "e.Time-e.Time%time.Minute.Milliseconds())",
		[2]string{"two reports of an account in one hour: one row with their sum", "한 계좌의 한 시간 안 보고 둘: 합을 담은 행 하나"}},
	{"12-dataset-and-batch-mode.md", "hourly", "keys by the hour alone",
		"fmt.Sprintf(\"%d@%d\", e.Int(\"accountId\"), e.Time-e.Time%hourMs)", "fmt.Sprintf(\"%d@%d\", 1, e.Time-e.Time%hourMs)",
		[2]string{"two accounts in the same hour: one row each", "같은 시간의 두 계좌: 계좌마다 행 하나"}},
	// Lesson 13: joins and iterations.
	{"13-joins-and-iterations.md", "tips", "runs in streaming mode",
		"engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})\nstarts", "engine.Config{Parallelism: 2})\nstarts",
		[2]string{"the job ran in batch mode", "잡이 배치 모드로 실행됨"}},
	{"13-joins-and-iterations.md", "tips", "keeps the largest tip instead of adding",
		"Sum(\"Tip\")", "Max(\"Tip\")",
		[2]string{"the tips per number of passengers", "승객 수별 팁 합계"}},
	{"13-joins-and-iterations.md", "tips", "joins by driver (the starter's key)",
		"joinKey := byRide", "joinKey := func(v any) any { return v.(sources.Event).Int(\"driverId\") }",
		[2]string{"two rides of one driver: each with its own fare, once", "한 운전자의 두 운행: 저마다 자기 요금과 한 번씩"}},
	{"13-joins-and-iterations.md", "tips", "takes the fare's total for its tip",
		"fare.(sources.Event).Float(\"tip\")}", "fare.(sources.Event).Float(\"totalFare\")}",
		[2]string{"a ride and its fare: the ride's passengers with the fare's tip", "운행과 그 요금: 운행의 승객 수와 요금의 팁"}},
	{"13-joins-and-iterations.md", "components", "keeps the largest component id",
		"engine.AggMin", "engine.AggMax",
		[2]string{"every vertex's component", "정점마다의 컴포넌트"}},
	{"13-joins-and-iterations.md", "components", "sends a candidate that is no smaller, so the workset never empties",
		"if candidate.(Vertex).Component < current.(Vertex).Component {", "if candidate.(Vertex).Component <= current.(Vertex).Component {",
		[2]string{"the iteration ended because the workset emptied", "워크셋이 비어서 반복이 끝남"}},
	// Lesson 14: fraud as a pattern.
	{"14-fraud-as-a-pattern.md", "pattern", "relaxed contiguity (FollowedBy) instead of strict (Next)",
		"Next(\"large\")", "FollowedBy(\"large\")",
		[2]string{"only a tiny purchase immediately followed by one over $500 alerts", "1달러 미만 결제 바로 뒤에 500달러 넘는 결제가 올 때만 알림"}},
	{"14-fraud-as-a-pattern.md", "pattern", "$500 counts as large (off by one)",
		"return amount(v) > 500", "return amount(v) >= 500",
		[2]string{"only a tiny purchase immediately followed by one over $500 alerts", "1달러 미만 결제 바로 뒤에 500달러 넘는 결제가 올 때만 알림"}},
	{"14-fraud-as-a-pattern.md", "pattern", "$1 counts as tiny (off by one)",
		"return amount(v) < 1", "return amount(v) <= 1",
		[2]string{"only a tiny purchase immediately followed by one over $500 alerts", "1달러 미만 결제 바로 뒤에 500달러 넘는 결제가 올 때만 알림"}},
	{"14-fraud-as-a-pattern.md", "pattern", "no Within, so pairs 30 minutes apart match in event time",
		".\n\tWithin(time.Minute)", "",
		[2]string{"the same pattern finds every pair within a processing-time minute and none within an event-time minute (they are 30 minutes apart)", "같은 패턴이 처리 시간 1분 안에서는 모든 쌍을, 이벤트 시간 1분 안에서는 한 쌍도 찾지 않음(30분 떨어져 있으니까)"}},
	// Lesson 15: login attacks and skip strategies.
	{"15-login-attacks-and-skip-strategies.md", "alarms", "drops the timed-out partial matches",
		"ctx.Output(timedOut, ", "fmt.Sprint(timedOut, ",
		[2]string{"the timed-out partial matches", "타임아웃된 부분 매치 수"}},
	{"15-login-attacks-and-skip-strategies.md", "alarms", "alarms only on more than three failures",
		"\t\tout.Collect(Alarm{ctx.CurrentKey().(string), len(m[\"fails\"])})", "\t\tif len(m[\"fails\"]) > 3 {\n\t\t\tout.Collect(Alarm{ctx.CurrentKey().(string), len(m[\"fails\"])})\n\t\t}",
		[2]string{"the alarms per user", "사용자별 알림 수"}},
	{"15-login-attacks-and-skip-strategies.md", "predict", "thinks SkipToNext drops matches",
		"\"SkipToNext\":         \"same\"", "\"SkipToNext\":         \"fewer\"",
		[2]string{"your predictions", "예측"}},
	{"15-login-attacks-and-skip-strategies.md", "predict", "thinks SkipToLast keeps them all",
		"\"SkipToLast(fails)\":  \"fewer\"", "\"SkipToLast(fails)\":  \"same\"",
		[2]string{"your predictions", "예측"}},
	// Lesson 16: managed memory.
	{"16-managed-memory.md", "budget", "a budget below the three pages a slot needs",
		"budget := int64(256 << 10)", "budget := int64(128 << 10)",
		[2]string{"the job succeeds", "잡이 성공함"}},
	{"16-managed-memory.md", "budget", "a budget so large nothing spills",
		"budget := int64(256 << 10)", "budget := int64(64 << 20)",
		[2]string{"the sort spilled at least 15 runs", "정렬이 런을 적어도 15개 스필함"}},
	// Lesson 17: graphs (graph_check_test.go has more cases in English).
	{"17-graphs.md", "maxvalue", "keeps the smallest value",
		"if m.(int) > largest {", "if m.(int) < largest {",
		[2]string{"every vertex's value is the largest of its component", "정점마다 값이 자기 연결 요소의 최댓값임"}},
	{"17-graphs.md", "maxvalue", "sends every superstep, so it never converges",
		"if ctx.Superstep() == 1 || largest != v.Value.(int) {\n\t\tctx.SendMessageToAllNeighbors(largest)\n\t}", "ctx.SendMessageToAllNeighbors(largest)",
		[2]string{"the iteration ended because no vertex sent a message", "어떤 정점도 메시지를 보내지 않아 반복이 끝남"}},
	// Checks that pass with the starter code: each is failed by a wrong answer (TestChecksThatPassWithTheStarterCatchAWrongAnswer).
	{"07-state-and-timers-fraud.md", "minute", "an OnTimer that does not clear the flag, on the processing-time clock",
		"OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\t\tctx.ValueState(timerState).Clear()\n\t\t\tctx.ValueState(flag).Clear()", "OnTimer: func(ctx *engine.Context, ts int64, out engine.Collector) {\n\t\t\tctx.ValueState(timerState).Clear()",
		[2]string{"processing time: a large purchase a minute after a tiny one, by the clock, does not alert", "처리 시간: 시계로 1분 뒤에 온 큰 결제는 알림 아님"}},
	{"08-long-ride-alerts.md", "tidy", "forgets to delete the end's timer when the start comes",
		"ctx.DeleteEventTimeTimer(end.(int64))\n", "\n",
		[2]string{"a ride whose end comes first leaves no state and no timer once its start arrives", "끝이 먼저 온 운행은 시작이 도착하면 상태도 타이머도 남기지 않음"}},
	{"08-long-ride-alerts.md", "tidy", "alerts from every timer",
		"if _, ok := ctx.ValueState(startState).Get(); ok {", "if true {",
		[2]string{"over the recording, every ride over two hours is reported once", "녹화 전체에서 두 시간 넘는 운행을 모두 한 번씩 알림"}},
	{"13-joins-and-iterations.md", "tips", "runs in streaming mode, so rows are updated",
		"engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})\nstarts", "engine.Config{Parallelism: 2})\nstarts",
		[2]string{"one final row per number of passengers", "승객 수마다 최종 행 하나"}},
	{"16-managed-memory.md", "budget", "a budget below the three pages a slot needs, so no answer",
		"budget := int64(256 << 10)", "budget := int64(128 << 10)",
		[2]string{"each auction's bids and highest price", "경매마다 입찰 수와 최고가"}},
	{"16-managed-memory.md", "budget", "a budget below the three pages a slot needs, unlike 64 MiB",
		"budget := int64(256 << 10)", "budget := int64(128 << 10)",
		[2]string{"the same answer as with 64 MiB", "64 MiB로 돌린 것과 같은 답"}},
}

// TestChecksRejectPlausibleWrongAnswers runs each wrong answer in both languages.
func TestChecksRejectPlausibleWrongAnswers(t *testing.T) {
	for _, w := range wrongAnswers {
		for i, lang := range []string{"en", "ko"} {
			t.Run(lang+"/"+w.lesson+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				requireCheckRejects(t, lang+"/"+w.lesson, w.exercise, w.old, w.wrong, w.failing[i])
			})
		}
	}
}

// TestRescaleExercisePassesAfterAWrongTry runs lesson 10 as a learner might: the exercise first with its
// starter code (a job that restores nothing and commits every result again), then with the solution, in the
// same kernel. The checks must pass: each try writes into a fresh copy of the first job's output (issue 20:
// the earlier attempt's commits stayed and failed the correct answer).
func TestRescaleExercisePassesAfterAWrongTry(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			nb, err := Open(lang + "/10-jobmanager-taskmanagers-rescaling.md")
			if err != nil {
				t.Fatal(err)
			}
			_, solutions := nb.Exercises()
			s := interp.NewSession(nb, interp.Options{})
			defer s.Kernel.Restart()
			run := func(id, src string) {
				t.Helper()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				ex, err := s.Start(ctx, id, src)
				if err != nil {
					t.Fatal(err)
				}
				<-ex.Done()
				if ex.Err() != nil && id != "exercise-rescale" {
					t.Fatalf("cell %s: %v", id, ex.Err())
				}
			}
			for _, c := range nb.Cells() {
				switch {
				case c.Meta.Solution != "":
				case c.Meta.Exercise == "rescale":
					run(c.Meta.ID, c.Text) // the wrong try
					run(c.Meta.ID, solutions["rescale"].Text)
				default:
					run(c.Meta.ID, c.Text)
				}
			}
			checks := s.Kernel.Checks()
			if len(checks) == 0 {
				t.Fatal("no check ran")
			}
			for _, r := range checks {
				if !r.OK {
					t.Errorf("after a wrong try and the solution: %s", r)
				}
			}
		})
	}
}

// withOwnWrongAnswers are the lessons whose exercises are tested for wrong answers elsewhere: lesson 18's
// belong with that lesson's own test.
var withOwnWrongAnswers = map[string]bool{"18-machine-learning.md": true}

// TestEveryExerciseHasWrongAnswers requires at least two wrong answers in the table for every exercise of
// every lesson (the table runs each in both languages; TestTwinLessonsHaveTheSameCellsAndChecks keeps the
// twins' exercises the same).
func TestEveryExerciseHasWrongAnswers(t *testing.T) {
	count := map[string]int{}
	for _, w := range wrongAnswers {
		count[w.lesson+" "+w.exercise]++
	}
	lessons, _ := Lessons("en")
	for _, l := range lessons {
		file := strings.TrimPrefix(l.Path, "en/")
		if withOwnWrongAnswers[file] {
			continue
		}
		nb, err := Open(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		names, _ := nb.Exercises()
		for _, ex := range names {
			if n := count[file+" "+ex]; n < 2 {
				t.Errorf("%s: exercise %q has %d wrong answers in the table; want at least 2", file, ex, n)
			}
		}
	}
}

// requireStarterPassesAreTested fails for a check that passes with the lesson's starter code unless a wrong
// answer in the table fails it: such a check (a case that must not alert, a scenario the starter already gets
// right) counts only because it catches a mistake a learner can make (issue 20).
func requireStarterPassesAreTested(t *testing.T, l Lesson, starter []interp.CheckResult) {
	t.Helper()
	file := path.Base(l.Path)
	if withOwnWrongAnswers[file] {
		return
	}
	lang := 0
	if l.Lang == "ko" {
		lang = 1
	}
	caught := map[string]bool{}
	for _, w := range wrongAnswers {
		if w.lesson == file {
			caught[w.failing[lang]] = true
		}
	}
	for _, r := range starter {
		if r.OK && !caught[r.Name] {
			t.Errorf("%q passes with the starter code and no wrong answer in the table fails it", r.Name)
		}
	}
}
