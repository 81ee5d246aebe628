package ml_test

import (
	"math"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// The batch estimators publish their fit's progress (ml.ModelProgress through ml.ProgressGauge) from every
// superstep's job. The figures are checked against plain loops written here from the algorithms' definitions
// (Lloyd's rounds; Flink ML's mini-batch SGD with its regularization step), not through the package's code,
// and a few are pinned as literals so that a change to both sides cannot go unnoticed.

// fitPoints are 30 points spread over [0, 10)², none equidistant from two of the centroids the fits meet.
func fitPoints() [][]float64 {
	pts := make([][]float64, 30)
	for i := range pts {
		f := float64(i)
		pts[i] = []float64{math.Mod(f*3.7, 10), math.Mod(f*f*1.9, 10)}
	}
	return pts
}

// lloydShifts runs rounds of Lloyd's algorithm (Euclidean) from init and returns each round's largest
// centroid shift and the final centroids; a centroid no point is closest to stays where it is.
func lloydShifts(pts, init [][]float64, rounds int) ([]float64, [][]float64) {
	cs := make([][]float64, len(init))
	for i, c := range init {
		cs[i] = append([]float64(nil), c...)
	}
	var shifts []float64
	for range rounds {
		sums := make([][]float64, len(cs))
		counts := make([]int, len(cs))
		for i := range sums {
			sums[i] = make([]float64, len(cs[i]))
		}
		for _, p := range pts {
			best, bestD := 0, math.Inf(1)
			for i, c := range cs {
				d := 0.0
				for j := range p {
					d += (p[j] - c[j]) * (p[j] - c[j])
				}
				if d < bestD {
					best, bestD = i, d
				}
			}
			counts[best]++
			for j := range p {
				sums[best][j] += p[j]
			}
		}
		shift := 0.0
		for i := range cs {
			if counts[i] == 0 {
				continue
			}
			d := 0.0
			for j := range cs[i] {
				m := sums[i][j] / float64(counts[i])
				d += (m - cs[i][j]) * (m - cs[i][j])
				cs[i][j] = m
			}
			shift = math.Max(shift, math.Sqrt(d))
		}
		shifts = append(shifts, shift)
	}
	return shifts, cs
}

// fitProgress fits est on rows at parallelism p and returns the ModelProgress the last superstep's job
// publishes, with every job the fit ran.
func fitProgress(t *testing.T, p int, rows []ml.Row, est ml.Estimator) (ml.ModelProgress, ml.Model, []*engine.Job) {
	t.Helper()
	env := batchEnv(p)
	jobs := observe(env)
	m, err := est.Fit(ml.FromRows(env, rows))
	if err != nil {
		t.Fatal(err)
	}
	return modelProgress(t, *jobs), m, *jobs
}

func closeTo(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// KMeans publishes every round's largest centroid shift and the centroids with their weights; the shifts
// are Lloyd's from the same initial centroids (Sample with the seed), at parallelism 1 and 3.
func TestKMeansFitProgress(t *testing.T) {
	pts := fitPoints()
	rows := featureRows(pts)
	const rounds = 6
	for _, p := range []int{1, 3} {
		init, err := ml.Sample(ml.FromRows(batchEnv(p), rows), 3, 7)
		if err != nil {
			t.Fatal(err)
		}
		start := make([][]float64, len(init))
		for i, r := range init {
			v, _ := r.Vector("features")
			start[i] = v.ToArray()
		}
		want, cs := lloydShifts(pts, start, rounds)
		prog, m, jobs := fitProgress(t, p, rows, ml.NewKMeans().SetK(3).SetSeed(7).SetMaxIter(rounds))
		if prog.Estimator != "KMeans" || prog.Metric != "shift" || prog.MaxIterations != rounds || prog.Version != rounds ||
			prog.Rows != int64(len(pts)) || len(prog.History) != rounds {
			t.Fatalf("p=%d: progress %+v", p, prog)
		}
		for i, h := range prog.History {
			if h.Version != int64(i+1) || !closeTo(h.Value, want[i], 1e-12) {
				t.Errorf("p=%d: iteration %d: shift %v (version %d), Lloyd's loop %v", p, i+1, h.Value, h.Version, want[i])
			}
		}
		if got := m.(*ml.KMeansModel).CentroidMovements(); len(got) != rounds || got[0] != prog.History[0].Value {
			t.Errorf("p=%d: CentroidMovements %v, progress %+v", p, got, prog.History)
		}
		for i, v := range prog.Vectors {
			for j, x := range v.Values {
				if !closeTo(x, cs[i][j], 1e-12) {
					t.Errorf("p=%d: centroid %d = %v, Lloyd's loop %v", p, i, v.Values, cs[i])
				}
			}
		}
		// Every superstep's job publishes the gauge; the sampling job before them does not.
		supersteps := 0
		for _, j := range jobs {
			if j.Iteration() != nil {
				supersteps++
			}
		}
		if supersteps != rounds {
			t.Errorf("p=%d: %d superstep jobs, want %d", p, supersteps, rounds)
		}
	}
	// Pinned: every round's shift at parallelism 1; Lloyd's converges in the sixth.
	prog, _, _ := fitProgress(t, 1, rows, ml.NewKMeans().SetK(3).SetSeed(7).SetMaxIter(rounds))
	pinned := []float64{1.7430218013553078, 1.2022512895669133, 1.4502638746526137, 1.2529231127769214, 0.52442281617360342, 0}
	for i, want := range pinned {
		if !closeTo(prog.History[i].Value, want, 1e-12) {
			t.Errorf("pinned: iteration %d: shift %v, want %v", i+1, prog.History[i].Value, want)
		}
	}
}

// sgdCase is a regression fit for sgdLoop.
type sgdCase struct {
	name       string
	loss       string // "squared", "logistic" or "softmax"
	classes    int    // softmax's
	batch      int
	maxIter    int
	lr, reg    float64
	elasticNet float64
	tol        float64
}

// sgdLoop is Flink ML's mini-batch SGD as a plain loop: the rows dealt to p blocks (row i to block i mod
// p), each epoch every block's next globalBatchSize/p rows (the first globalBatchSize mod p blocks one more,
// a block starting again from its first row once it has reached its end), the summed loss and gradient at
// the coefficient, a step of -lr/weight times the gradient, then the regularization step (L2: scale by
// 1-lr*reg; L1 and elastic net: minus lr times elasticNet*reg*sign(c) + (1-elasticNet)*reg*c, but zero where
// that would cross zero).
// It stops after maxIter epochs or after the first whose mean loss is at most tol, and returns every epoch's
// mean loss and the coefficient.
func sgdLoop(c sgdCase, x [][]float64, y []float64, p int) ([]float64, []float64) {
	d := len(x[0])
	size := d
	if c.loss == "softmax" {
		size = c.classes * d
	}
	coef := make([]float64, size)
	blocks := make([][]int, p)
	for i := range x {
		blocks[i%p] = append(blocks[i%p], i)
	}
	offsets := make([]int, p)
	var losses []float64
	for epoch := 1; epoch <= c.maxIter; epoch++ {
		grad := make([]float64, size)
		loss, weight := 0.0, 0.0
		for b, rowsOf := range blocks {
			local := c.batch / p
			if c.batch%p > b {
				local++
			}
			end := min(offsets[b]+local, len(rowsOf))
			for _, i := range rowsOf[offsets[b]:end] {
				switch c.loss {
				case "squared":
					r := -y[i]
					for j := range d {
						r += x[i][j] * coef[j]
					}
					loss += r * r / 2
					for j := range d {
						grad[j] += r * x[i][j]
					}
				case "logistic":
					m := 0.0
					for j := range d {
						m += x[i][j] * coef[j]
					}
					s := 2*y[i] - 1
					loss += math.Log1p(math.Exp(-s * m))
					g := -s / (1 + math.Exp(s*m))
					for j := range d {
						grad[j] += g * x[i][j]
					}
				case "softmax":
					z := make([]float64, c.classes)
					zmax := math.Inf(-1)
					for k := range z {
						for j := range d {
							z[k] += x[i][j] * coef[k*d+j]
						}
						zmax = math.Max(zmax, z[k])
					}
					sum := 0.0
					for _, v := range z {
						sum += math.Exp(v - zmax)
					}
					loss += zmax + math.Log(sum) - z[int(y[i])]
					for k := range z {
						g := math.Exp(z[k]-zmax) / sum
						if k == int(y[i]) {
							g--
						}
						for j := range d {
							grad[k*d+j] += g * x[i][j]
						}
					}
				}
				weight++
			}
			offsets[b] = end
			if offsets[b] >= len(rowsOf) {
				offsets[b] = 0
			}
		}
		losses = append(losses, loss/weight)
		for j := range coef {
			coef[j] -= c.lr / weight * grad[j]
			if c.reg == 0 {
				continue
			}
			shrunk := coef[j] - c.lr*(c.elasticNet*c.reg*math.Copysign(1, coef[j])+(1-c.elasticNet)*c.reg*coef[j])
			if c.elasticNet != 0 && (coef[j] == 0 || (shrunk > 0) != (coef[j] > 0)) {
				shrunk = 0 // the L1 step stops at zero
			}
			coef[j] = shrunk
		}
		if loss/weight <= c.tol {
			break
		}
	}
	return losses, coef
}

// LinearRegression and LogisticRegression (binomial and multinomial, with L2, L1 and elastic net) publish
// every epoch's mean loss and the coefficient (a multinomial model's one row per class); the losses and the
// coefficient are sgdLoop's, at parallelism 1 and 2, and a fit that reaches tol stops there.
func TestRegressionFitProgress(t *testing.T) {
	pts := fitPoints()
	x := make([][]float64, len(pts))
	linear, binary, multi := make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		x[i] = []float64{p[0] / 10, p[1] / 10, 1}
		linear[i] = 2*x[i][0] - x[i][1] + 0.5
		if x[i][0]-x[i][1]+0.1 > 0 {
			binary[i] = 1
		}
		multi[i] = float64(i / 2 % 3)
	}
	cases := []struct {
		sgdCase
		labels []float64
		est    func() ml.Estimator
		pinned []float64 // epochs 2 and 3's losses at parallelism 1 (the first is at the zero coefficient)
	}{
		{sgdCase{name: "linear", loss: "squared", batch: 5, maxIter: 15, lr: 0.3, tol: 1e-6}, linear,
			func() ml.Estimator {
				return ml.NewLinearRegression().SetGlobalBatchSize(5).SetMaxIter(15).SetLearningRate(0.3)
			}, []float64{0.59473528785330276, 0.40462337071443405}},
		{sgdCase{name: "linear reaches tol", loss: "squared", batch: 30, maxIter: 60, lr: 1, tol: 1e-3}, linear,
			func() ml.Estimator {
				return ml.NewLinearRegression().SetGlobalBatchSize(30).SetMaxIter(60).SetLearningRate(1).SetTol(1e-3)
			}, []float64{0.33376924944947994, 0.19478420021418466}},
		{sgdCase{name: "binomial L2", loss: "logistic", batch: 7, maxIter: 12, lr: 0.5, reg: 0.05, tol: 1e-6}, binary,
			func() ml.Estimator {
				return ml.NewLogisticRegression().SetGlobalBatchSize(7).SetMaxIter(12).SetLearningRate(0.5).SetReg(0.05)
			}, []float64{0.63870992376695923, 0.67319510969315866}},
		{sgdCase{name: "binomial L1", loss: "logistic", batch: 12, maxIter: 10, lr: 0.5, reg: 0.02, elasticNet: 1, tol: 1e-6}, binary,
			func() ml.Estimator {
				return ml.NewLogisticRegression().SetGlobalBatchSize(12).SetMaxIter(10).SetLearningRate(0.5).SetReg(0.02).SetElasticNet(1)
			}, []float64{0.663860739500085, 0.6425285264361089}},
		{sgdCase{name: "multinomial elastic net", loss: "softmax", classes: 3, batch: 8, maxIter: 10, lr: 0.8, reg: 0.05, elasticNet: 0.4, tol: 1e-6}, multi,
			func() ml.Estimator {
				return ml.NewLogisticRegression().SetGlobalBatchSize(8).SetMaxIter(10).SetLearningRate(0.8).SetReg(0.05).SetElasticNet(0.4)
			}, []float64{1.1158597099373753, 1.128824673006115}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := make([]ml.Row, len(x))
			for i := range x {
				rows[i] = ml.NewRow("features", ml.Dense(x[i]...), "label", tc.labels[i])
			}
			for _, p := range []int{1, 2} {
				wantLoss, wantCoef := sgdLoop(tc.sgdCase, x, tc.labels, p)
				prog, m, _ := fitProgress(t, p, rows, tc.est())
				if p == 1 {
					if n := len(prog.History); tc.tol > 1e-6 && (n != 28 || prog.History[n-1].Value > tc.tol || prog.History[n-2].Value <= tc.tol) {
						t.Errorf("the fit to tol %v ran %d epochs (losses %+v), want 28, the first at most tol", tc.tol, n, prog.History)
					}
					for i, want := range tc.pinned {
						if !closeTo(prog.History[i+1].Value, want, 1e-12) {
							t.Errorf("pinned: epoch %d: loss %v, want %v", i+2, prog.History[i+1].Value, want)
						}
					}
				}
				estimator := "LinearRegression"
				if tc.loss != "squared" {
					estimator = "LogisticRegression"
				}
				if prog.Estimator != estimator || prog.Metric != "loss" || prog.MaxIterations != tc.maxIter ||
					prog.Version != int64(len(wantLoss)) || prog.Rows != int64(len(x)) || len(prog.History) != len(wantLoss) {
					t.Fatalf("p=%d: progress %+v, want %d epochs", p, prog, len(wantLoss))
				}
				for i, h := range prog.History {
					if h.Version != int64(i+1) || !closeTo(h.Value, wantLoss[i], 1e-12) {
						t.Errorf("p=%d: epoch %d: loss %v, plain loop %v", p, i+1, h.Value, wantLoss[i])
					}
				}
				if got := m.(interface{ Losses() []float64 }).Losses(); len(got) != len(wantLoss) || got[len(got)-1] != prog.History[len(got)-1].Value {
					t.Errorf("p=%d: Losses %v, progress %+v", p, got, prog.History)
				}
				var coef []float64
				for i, v := range prog.Vectors {
					name := "coefficient"
					if tc.loss == "softmax" {
						name = "class " + string(rune('0'+i))
					}
					if v.Name != name {
						t.Errorf("p=%d: vector %d is %q, want %q", p, i, v.Name, name)
					}
					coef = append(coef, v.Values...)
				}
				if len(coef) != len(wantCoef) {
					t.Fatalf("p=%d: coefficient %v, plain loop %v", p, coef, wantCoef)
				}
				for j := range coef {
					if !closeTo(coef[j], wantCoef[j], 1e-12) {
						t.Errorf("p=%d: coefficient %v, plain loop %v", p, coef, wantCoef)
						break
					}
				}
			}
		})
	}
}

// The binomial loss of a margin far beyond exp's range is its large finite value (log(1+exp(z)) is z there),
// not +Inf: unscaled features (a payment's amount in the hundreds) reach such margins in a few epochs.
func TestLogisticRegressionLossOfLargeMargins(t *testing.T) {
	rows := []ml.Row{ml.NewRow("features", ml.Dense(1000), "label", 0.0), ml.NewRow("features", ml.Dense(1000), "label", 0.0),
		ml.NewRow("features", ml.Dense(1000), "label", 1.0)}
	// Epoch 1 at the zero coefficient: log 2, and a summed gradient of 500+500-500 over a weight of 3, so the
	// coefficient becomes -500/3 (learning rate 1). Epoch 2's margins are -5e5/3: the label-1 row's loss is
	// 5e5/3 (the others' about exp(-166667), nothing), a mean of 5e5/9.
	prog, _, _ := fitProgress(t, 1, rows, ml.NewLogisticRegression().SetLearningRate(1).SetMaxIter(2).SetTol(0))
	if len(prog.History) != 2 || !closeTo(prog.History[0].Value, math.Ln2, 1e-15) || !closeTo(prog.History[1].Value, 5e5/9, 1e-12) {
		t.Fatalf("losses %+v, want log 2 then 5e5/9", prog.History)
	}
}

// LDA publishes each mini-batch's topic change: the mean over topics of the L1 distance between the word
// distributions before and after the update. With one mini-batch per pass, the fit of n passes (seeded)
// continues the fit of n-1, so the last figure is the distance between the two fitted models' Topics, and the
// figures before it are the shorter fit's.
func TestLDAFitProgress(t *testing.T) {
	_, rows := loadLDAReference(t)
	fit := func(passes int) (ml.ModelProgress, [][]float64) {
		prog, m, _ := fitProgress(t, 2, rows, ml.NewLDA().SetK(3).SetMaxIter(passes).SetBatchSize(len(rows)).SetSeed(5))
		return prog, m.(*ml.LDAModel).Topics()
	}
	short, before := fit(3)
	long, after := fit(4)
	if long.Estimator != "LDA" || long.Metric != "topics" || long.MaxIterations != 4 || long.Version != 4 ||
		long.Rows != int64(len(rows)) || len(long.History) != 4 || len(long.Vectors) != 0 {
		t.Fatalf("progress %+v", long)
	}
	want := 0.0
	for k := range before {
		for w, x := range before[k] {
			want += math.Abs(after[k][w] - x)
		}
	}
	want /= float64(len(before))
	if !closeTo(long.History[3].Value, want, 1e-12) || !(want > 0) {
		t.Errorf("pass 4's topic change %v, the fitted topics moved %v", long.History[3].Value, want)
	}
	for i, h := range short.History {
		if long.History[i] != h {
			t.Errorf("pass %d: %+v, the 3-pass fit's %+v", i+1, long.History[i], h)
		}
	}
	// Two mini-batches per pass: maxIter 2 is four updates.
	prog, _, _ := fitProgress(t, 1, rows, ml.NewLDA().SetK(3).SetMaxIter(2).SetBatchSize((len(rows)+1)/2).SetSeed(5))
	if prog.MaxIterations != 4 || prog.Version != 4 || len(prog.History) != 4 {
		t.Errorf("two mini-batches a pass: progress %+v", prog)
	}
}
