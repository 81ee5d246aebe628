package ml

import (
	"fmt"
	"math"
	"sort"

	"github.com/de4e/weir/engine"
)

// sgd is Flink ML's mini-batch SGD optimizer (org.apache.flink.ml.common.optimizer.SGD) as a bulk
// iteration: each superstep (Flink ML's epoch) every subtask takes its next local mini-batch (globalBatchSize
// split over the subtasks, the first globalBatchSize mod p taking one more) from its block of the training
// data, wrapping to the block's start, and emits the summed gradient, loss and weight at the current
// coefficient; one reduce sums them, steps the coefficient by -learningRate/totalWeight times the gradient,
// and applies the regularization (RegularizationUtils: L2 for elasticNet 0, L1 for 1, both between, the L1
// part as a proximal step that stops at zero, see regularize). The
// iteration ends after maxIter epochs, or after the first epoch whose mean loss (loss/weight, at the
// coefficient before that epoch's step) is at most tol. The updateModel operator publishes the fit's
// ModelProgress (each epoch's mean loss and the coefficient, see ProgressGauge).
type sgd struct {
	maxIter, globalBatchSize           int
	learningRate, tol, reg, elasticNet float64
	loss                               lossFunc
	// coefSize is the coefficient's size when it is not the features' (a multinomial loss's matrix), and
	// numClasses its number of rows (0 for one coefficient vector).
	coefSize, numClasses int
}

// lossFunc is Flink ML's LossFunc: the loss of one point and its gradient added into grad.
type lossFunc struct {
	name     string
	loss     func(x []float64, label, weight float64, coef []float64) float64
	gradient func(x []float64, label, weight float64, coef []float64, grad []float64)
}

// leastSquareLoss is Flink ML's LeastSquareLoss: weight * (x.coef - label)^2 / 2.
var leastSquareLoss = lossFunc{
	name: "LeastSquareLoss",
	loss: func(x []float64, label, w float64, coef []float64) float64 {
		d := dotDense(x, coef) - label
		return w * 0.5 * d * d
	},
	gradient: func(x []float64, label, w float64, coef, grad []float64) {
		m := (dotDense(x, coef) - label) * w
		for i, v := range x {
			grad[i] += m * v
		}
	},
}

// binaryLogisticLoss is Flink ML's BinaryLogisticLoss for labels 0 and 1: weight * log(1 + exp(-dot*y))
// with y = 2*label - 1, computed as softplus does so that a margin beyond about 709 (unscaled features) gives
// its large finite loss where Flink ML's exp overflows to +Inf.
var binaryLogisticLoss = lossFunc{
	name: "BinaryLogisticLoss",
	loss: func(x []float64, label, w float64, coef []float64) float64 {
		y := 2*label - 1
		return w * softplus(-dotDense(x, coef)*y)
	},
	gradient: func(x []float64, label, w float64, coef, grad []float64) {
		y := 2*label - 1
		m := w * (-y / (math.Exp(dotDense(x, coef)*y) + 1))
		for i, v := range x {
			grad[i] += m * v
		}
	},
}

// softplus is log(1 + exp(z)), without overflow: max(z, 0) + log1p(exp(-|z|)).
func softplus(z float64) float64 { return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) }

// labeledBlock is one subtask's share of the training data.
type labeledBlock struct {
	Index    int
	Features [][]float64
	Labels   []float64
	Weights  []float64
}

// sgdState is the partial solution: the coefficient, each block's next mini-batch offset, the epochs run and
// the last epoch's mean loss.
type sgdState struct {
	Coef    []float64
	Offsets []int
	Epoch   int
	Loss    float64
	// Losses is every epoch's mean loss.
	Losses []float64
}

// sgdFeedback is one block's sums for an epoch (Flink ML's feedback array).
type sgdFeedback struct {
	Block        int
	Grad         []float64
	Loss, Weight float64
	NextOffset   int
	// Offsets is every block's next offset, in the summed feedback.
	Offsets []int
}

func init() {
	engine.RegisterType(labeledBlock{})
	engine.RegisterType(sgdState{})
	engine.RegisterType(sgdFeedback{})
}

// optimize runs the iteration from a zero coefficient on env's Config and returns the final coefficient and
// every epoch's mean loss.
func (o sgd) optimize(env *engine.Environment, name string, x [][]float64, y, w []float64) ([]float64, []float64, error) {
	if len(x) == 0 {
		return nil, nil, fmt.Errorf("%w: %s: the input table is empty", ErrParam, name)
	}
	p := parallelismOf(env)
	blocks := make([]labeledBlock, p)
	for b := range blocks {
		size := len(x)/p + 1
		blocks[b] = labeledBlock{Index: b, Features: make([][]float64, 0, size), Labels: make([]float64, 0, size),
			Weights: make([]float64, 0, size)}
	}
	for i := range x {
		b := &blocks[i%p]
		b.Features = append(b.Features, x[i])
		b.Labels = append(b.Labels, y[i])
		b.Weights = append(b.Weights, w[i])
	}
	in := make([]any, p)
	for b := range blocks {
		in[b] = blocks[b]
	}
	size := len(x[0])
	if o.coefSize > 0 {
		size = o.coefSize
	}
	init := sgdState{Coef: make([]float64, size), Offsets: make([]int, p)}
	live := newFitRecorder(name, "loss", o.maxIter, len(x))
	live.record(0, int64(len(x)), 0, coefficientVectors(init.Coef, o.numClasses))
	res, err := env.IterateBulk([]any{init}, engine.BulkIteration{
		Name:          name + " (SGD)",
		MaxIterations: o.maxIter,
		Step: func(env *engine.Environment, partial *engine.DataStream) *engine.DataStream {
			return env.FromSlice(in).Name("train data").Rebalance().
				FlatMapWithBroadcastSet(partial, func(v any, bc []any, out engine.Collector) {
					out.Collect(o.miniBatch(v.(labeledBlock), bc[0].(sgdState), p))
				}).Name("CacheDataAndDoTrain").
				KeyBy(func(any) any { return 0 }).
				ReduceGroup(func(_ any, fs []any, out engine.Collector) { out.Collect(sumFeedback(fs)) }).
				Name("allReduceSum").
				FlatMapWithBroadcastSet(partial, func(v any, bc []any, out engine.Collector) {
					next := o.update(bc[0].(sgdState), v.(sgdFeedback))
					live.recordIteration(next.Epoch, next.Loss, coefficientVectors(next.Coef, o.numClasses))
					out.Collect(next)
				}).Name("updateModel").SetParallelism(1).Gauge(ProgressGauge, live.progress)
		},
		Termination: func(env *engine.Environment, partial, next *engine.DataStream) *engine.DataStream {
			return next.Filter(func(v any) bool {
				st := v.(sgdState)
				return st.Epoch < o.maxIter && st.Loss > o.tol
			}).Name("TerminateOnMaxIterOrTol")
		},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("ml: %s.Fit: %w", name, err)
	}
	st := res.Result[0].(sgdState)
	return st.Coef, st.Losses, nil
}

// miniBatch computes one block's feedback at the state's coefficient.
func (o sgd) miniBatch(b labeledBlock, st sgdState, p int) sgdFeedback {
	local := o.globalBatchSize / p
	if o.globalBatchSize%p > b.Index {
		local++
	}
	f := sgdFeedback{Block: b.Index, Grad: make([]float64, len(st.Coef))}
	n := len(b.Features)
	if n == 0 {
		return f
	}
	off := st.Offsets[b.Index]
	for i := off; i < min(off+local, n); i++ {
		f.Loss += o.loss.loss(b.Features[i], b.Labels[i], b.Weights[i], st.Coef)
		o.loss.gradient(b.Features[i], b.Labels[i], b.Weights[i], st.Coef, f.Grad)
		f.Weight += b.Weights[i]
	}
	f.NextOffset = off + local
	if f.NextOffset >= n {
		f.NextOffset = 0
	}
	return f
}

// sumFeedback sums the blocks' feedback in block order (the same float sums at every parallelism) and keeps
// each block's next offset in Offsets order.
func sumFeedback(fs []any) sgdFeedback {
	sort.Slice(fs, func(i, j int) bool { return fs[i].(sgdFeedback).Block < fs[j].(sgdFeedback).Block })
	total := sgdFeedback{Grad: make([]float64, len(fs[0].(sgdFeedback).Grad)), Block: -1}
	total.Offsets = make([]int, len(fs))
	for i, v := range fs {
		f := v.(sgdFeedback)
		for d, g := range f.Grad {
			total.Grad[d] += g
		}
		total.Loss += f.Loss
		total.Weight += f.Weight
		total.Offsets[i] = f.NextOffset
	}
	return total
}

// update steps the coefficient as Flink ML's CacheDataAndDoTrain.updateModel and regularize do.
func (o sgd) update(st sgdState, f sgdFeedback) sgdState {
	next := sgdState{Coef: append([]float64(nil), st.Coef...), Offsets: f.Offsets, Epoch: st.Epoch + 1,
		Loss: f.Loss / f.Weight}
	next.Losses = append(append([]float64(nil), st.Losses...), next.Loss)
	if f.Weight > 0 {
		for d := range next.Coef {
			next.Coef[d] -= o.learningRate / f.Weight * f.Grad[d]
		}
		regularize(next.Coef, o.reg, o.elasticNet, o.learningRate)
	}
	return next
}

// regularize is Flink ML's RegularizationUtils.regularize (the loss it returns is not used by SGD) with one
// deliberate difference: the L1 part never carries a coefficient across zero. Flink ML subtracts
// lr*(elasticNet*reg*sign(c) + (1-elasticNet)*reg*c) from every coefficient c, a subgradient step that
// overshoots zero, so a coefficient the L1 penalty should make zero keeps jumping by about
// lr*elasticNet*reg around it, and the fit never reaches the elastic-net optimum. Here a coefficient that
// step would carry across zero (or that is zero) becomes zero: c <- sign(c) * max((1-a)|c| - b, 0) with
// a = lr*(1-elasticNet)*reg and b = lr*elasticNet*reg, the proximal step of the L1 term, whose fixed point is
// the minimizer of the mean loss + reg/(1-a) * ((1-elasticNet)/2 * ||c||^2 + elasticNet * ||c||_1). A step
// that does not reach zero is Flink ML's exactly, and L2 alone (elasticNet 0) is unchanged.
func regularize(coef []float64, reg, elasticNet, lr float64) {
	switch {
	case reg == 0:
	case elasticNet == 0:
		for i := range coef {
			coef[i] *= 1 - lr*reg
		}
	default:
		a, b := lr*(1-elasticNet)*reg, lr*elasticNet*reg
		for i, c := range coef {
			coef[i] = sign(c) * math.Max((1-a)*math.Abs(c)-b, 0)
		}
	}
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}
