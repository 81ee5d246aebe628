package ml_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// symmetricClusters returns batches batches of 20 points, 10 around each of two centres taken in turn,
// each point off its centre by 0.5 along one axis so that a batch's points around a centre average exactly
// to it. centres(b) gives the two centres of batch b (counted from 0).
func symmetricClusters(batches int, centres func(b int) [2][2]float64) []any {
	offsets := [][2]float64{{0.5, 0}, {-0.5, 0}, {0, 0.5}, {0, -0.5}}
	var rows []any
	for b := 0; b < batches; b++ {
		cs := centres(b)
		for i := 0; i < 20; i++ {
			c, o := cs[i%2], offsets[(i/2)%4] // 10 points a centre: offsets 0-3 twice, then 0 and 1, which cancel
			rows = append(rows, ml.NewRow("features", ml.Dense(c[0]+o[0], c[1]+o[1])))
		}
	}
	return rows
}

// driftVersions trains OnlineKMeans (batches of 20, decay factor decay) from centroids (1, 1) and (2, 2) of
// weight 0 on rows at parallelism 1 (the stream's order is kept, so each batch is what symmetricClusters
// made it), and returns the centroids of every version, index = version.
func driftVersions(t *testing.T, decay float64, rows []any) [][]*ml.DenseVector {
	t.Helper()
	env := streamEnv(1)
	k := ml.NewOnlineKMeans().SetGlobalBatchSize(20).SetDecayFactor(decay)
	if err := k.SetInitialModelData(ml.FromRows(env, []ml.Row{ml.NewRow("centroids",
		[]*ml.DenseVector{ml.Dense(1, 1), ml.Dense(2, 2)}, "weights", ml.Dense(0, 0))})); err != nil {
		t.Fatal(err)
	}
	m, err := k.Fit(ml.FromDataStream(env, env.FromSlice(rows)))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]*ml.DenseVector
	for _, v := range modelVersions(t, env, m.(*ml.OnlineKMeansModel).GetModelData()[0]) {
		out = append(out, v.Get("centroids").([]*ml.DenseVector))
	}
	return out
}

func distanceTo(c *ml.DenseVector, centre [2]float64) float64 {
	return math.Hypot(c.Values[0]-centre[0], c.Values[1]-centre[1])
}

// OnlineKMeans converges on a stationary stream and then follows a jump, as fast as its decay factor lets it
// (Flink ML's OnlineKMeans update: w' = w·decay + n, c' = c·(1 - n/w') + mean·n/w'). Ten batches around (0, 0)
// and (10, 10) put each centroid exactly on its centre (the first batch already: the initial weight is 0);
// then the centres jump to (5, -5) and (15, 5), √50 ≈ 7.071 away. Pinned distances of each centroid to its
// new centre in the ten batches after the jump, computed by hand from the update rule:
//   - decay 0 forgets the past at once: on the new centre after one batch;
//   - decay 0.5: the weight has settled at 20 - 20/2^10, so each batch moves a centroid about half of the
//     way (3.534, 1.766, 0.883, ...): within 0.01 of the new centre 10 batches after the jump;
//   - decay 1 remembers every point: the weight is 100 at the jump and a batch of 10 moves the centroid by
//     10/(100 + 10j) of the way, leaving √50 · 100/(100 + 10j): still half of the jump after 10 batches.
func TestOnlineKMeansFollowsJump(t *testing.T) {
	before, after := [2][2]float64{{0, 0}, {10, 10}}, [2][2]float64{{5, -5}, {15, 5}}
	rows := symmetricClusters(20, func(b int) [2][2]float64 {
		if b < 10 {
			return before
		}
		return after
	})
	for _, c := range []struct {
		decay float64
		want  []float64 // versions 11 to 20
	}{
		{0, []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{0.5, []float64{3.533806728, 1.766471886, 0.883128113, 0.441537104, 0.220761814, 0.110379223, 0.05518919, 0.02759449, 0.013797219, 0.006898603}},
		{1, []float64{6.428243465, 5.89255651, 5.439282932, 5.050762723, 4.714045208, 4.419417382, 4.159451654, 3.928371007, 3.721614638, 3.535533906}},
	} {
		vs := driftVersions(t, c.decay, rows)
		if len(vs) != 21 {
			t.Fatalf("decay %v: %d versions, want 21", c.decay, len(vs))
		}
		for v := 1; v <= 10; v++ { // stationary: on the centres from the first batch on
			for i, centre := range before {
				if d := distanceTo(vs[v][i], centre); d > 1e-9 {
					t.Errorf("decay %v, version %d: centroid %d is %v, %.3g from %v", c.decay, v, i, vs[v][i], d, centre)
				}
			}
		}
		for j, want := range c.want {
			v := 11 + j
			for i, centre := range after {
				if d := distanceTo(vs[v][i], centre); math.Abs(d-want) > 1e-6 {
					t.Errorf("decay %v, version %d (%d batches after the jump): centroid %d is %.9f from %v, want %.9f",
						c.decay, v, j+1, i, d, centre, want)
				}
			}
		}
	}
}

// OnlineKMeans follows a centre that keeps moving, lagging behind it by a distance its decay factor sets.
// The centres move by 0.5 along x every batch; each centroid gets 10 points a batch, so its weight settles at
// w = 10/(1 - decay) and each batch moves it by λ = 10/w = 1 - decay of the way to the batch's centre. Its
// lag e (centroid minus centre, along x) then follows e' = (1-λ)(e - 0.5), which settles at
// -0.5·decay/(1 - decay): 0 for decay 0, 0.5 (one batch's step) for 0.5, 2 for 0.8. After 80 batches the lag
// is within 5e-4 of that (decay 0.8 has settled to 0.8^80 of its start); along y the centroid stays on its centre.
func TestOnlineKMeansFollowsGradualDrift(t *testing.T) {
	const step = 0.5
	rows := symmetricClusters(80, func(b int) [2][2]float64 {
		x := step * float64(b)
		return [2][2]float64{{x, 0}, {x, 10}}
	})
	var got []string
	for _, decay := range []float64{0, 0.5, 0.8} {
		vs := driftVersions(t, decay, rows)
		last := vs[80]
		x := step * 79
		got = append(got, fmt.Sprintf("decay %v: lag %.3f %.3f, y %.3f %.3f", decay, last[0].Values[0]-x, last[1].Values[0]-x, last[0].Values[1], last[1].Values[1]))
	}
	pinned := []string{ // -0.5·decay/(1 - decay)
		"decay 0: lag 0.000 0.000, y 0.000 10.000",
		"decay 0.5: lag -0.500 -0.500, y 0.000 10.000",
		"decay 0.8: lag -2.000 -2.000, y 0.000 10.000",
	}
	if strings.Join(got, "\n") != strings.Join(pinned, "\n") {
		t.Fatalf("after 80 batches:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(pinned, "\n"))
	}
}
