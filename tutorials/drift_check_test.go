package tutorials

import "testing"

// TestDriftCheckRejectsPlausibleWrongAnswers runs lesson 18 with plausible wrong answers to its "drift"
// exercise (an OnlineKMeans that must follow a redesign of the page within three batches, and the batches it
// took) in place of the solution: each must fail the check that names its mistake.
func TestDriftCheckRejectsPlausibleWrongAnswers(t *testing.T) {
	const decay = "SetDecayFactor(0.5)"
	const follows = "three batches after the redesign each new button has a centroid within 0.5"
	const counted = "followedAt counts the batches until both new buttons had a centroid within 0.5"
	cases := []struct {
		name, old, new, failing string
	}{
		{"keeps the starter's decay factor", decay, "SetDecayFactor(0.95)", follows},
		{"remembers 90% of the past", decay, "SetDecayFactor(0.9)", follows},
		{"remembers everything", decay, "SetDecayFactor(1)", follows},
		{"batches of the default size", "SetGlobalBatchSize(20)", "SetGlobalBatchSize(32)", "a model version for every batch of 20 clicks"},
		{"counts the version, not the batches after the redesign", "followedAt = v - 10", "followedAt = v", counted},
		{"compares centroid i with button i", "if farthest(versions[v], spotsAfter) <= 0.5 {",
			"c := versions[v].Get(\"centroids\").([]*ml.DenseVector)\n\tif math.Hypot(c[0].Get(0)-spotsAfter[0][0], c[0].Get(1)-spotsAfter[0][1]) <= 0.5 &&\n\t\tmath.Hypot(c[1].Get(0)-spotsAfter[1][0], c[1].Get(1)-spotsAfter[1][1]) <= 0.5 {",
			counted},
	}
	for _, lesson := range []string{"en/18-machine-learning.md", "ko/18-machine-learning.md"} {
		for _, c := range cases {
			t.Run(lesson+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				failing := c.failing
				if lesson[:2] == "ko" {
					failing = driftChecksKO[failing]
				}
				requireCheckRejects(t, lesson, "drift", c.old, c.new, failing)
			})
		}
	}
}

// driftChecksKO names the drift exercise's checks in the Korean lesson.
var driftChecksKO = map[string]string{
	"three batches after the redesign each new button has a centroid within 0.5":     "개편 뒤 세 배치 만에 새 버튼마다 0.5 안에 중심점이 있음",
	"followedAt counts the batches until both new buttons had a centroid within 0.5": "followedAt은 두 새 버튼 모두 0.5 안에 중심점이 생길 때까지의 배치 수",
	"a model version for every batch of 20 clicks":                                   "클릭 20개 배치마다 모델 버전 하나",
}
