package ml

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/de4e/weir/engine"
)

// LDA is latent Dirichlet allocation trained by online variational Bayes (Hoffman, Blei and Bach, "Online
// Learning for Latent Dirichlet Allocation", 2010), the algorithm of scikit-learn's
// LatentDirichletAllocation(learning_method="online") and Spark ML's LDA with its OnlineLDAOptimizer (Flink ML
// 2.x has no LDA). featuresCol holds each document's term counts (a vector over the vocabulary, as HashingTF or
// a count vectorizer makes). Each of maxIter epochs passes over the documents in mini-batches of batchSize
// rows (in table order); a mini-batch is one bounded job in which each subtask runs the E-step on its share of
// the batch's documents (each document's topic mixture gamma starts at Gamma(100, 1/100) draws and is
// updated until its mean change is below meanChangeTol, at most maxDocUpdateIter times) and one subtask sums
// their sufficient statistics; the M-step then moves the topics lambda towards topicConcentration +
// (documents / batch size) * statistics with weight (learningOffset + t)^-learningDecay, t counting the
// mini-batches so far. The topics start at Gamma(100, 1/100) draws from seed.
//
// Parameters and defaults (scikit-learn's, under Spark ML's names): k 10, maxIter 10, batchSize 128,
// learningOffset 10, learningDecay 0.7, docConcentration and topicConcentration 1/k when not set (null),
// meanChangeTol 0.001, maxDocUpdateIter 100, seed (default: the hash of the class name, as Flink ML's
// seeds), featuresCol "features" and topicDistributionCol "topicDistribution". scikit-learn's total_samples
// is the table's row count here (Spark's rule). The random draws are Go's PCG, not numpy's, so a model of
// the same seed is not scikit-learn's; the tests compare topics and perplexity within tolerances.
type LDA struct{ params *Params }

// LDAModel is a fitted LDA: Transform adds each row's topic mixture (the normalized variational gamma,
// starting from ones as scikit-learn's transform does) in topicDistributionCol; Topics returns each topic's
// word distribution, DescribeTopics its heaviest terms and Perplexity scikit-learn's perplexity of a table.
type LDAModel struct {
	params *Params
	data   *ldaData
	env    *engine.Environment
}

// ldaData is a fitted LDA's variational topic parameters lambda (k rows of the vocabulary's size) and its
// priors.
type ldaData struct {
	Lambda [][]float64 `json:"lambda"`
	Alpha  float64     `json:"docConcentration"`
	Eta    float64     `json:"topicConcentration"`
}

var (
	// LDAK is LDA's "k", the number of topics, default 10, > 1.
	LDAK = NewParam("k", "The number of topics.", IntKind, 10, Gt(1))
	// LDAMaxIter is LDA's "maxIter", the number of passes over the data, default 10, > 0.
	LDAMaxIter = NewParam("maxIter", "Maximum number of passes over the data.", IntKind, 10, Gt(0))
	// BatchSize is LDA's "batchSize", documents a mini-batch, default 128, > 0.
	BatchSize = NewParam("batchSize", "Number of documents in each mini-batch.", IntKind, 128, Gt(0))
	// LearningOffset is LDA's "learningOffset" (tau0), default 10, > 0.
	LearningOffset = NewParam("learningOffset", "A parameter that downweights early iterations.", DoubleKind, 10.0, Gt(0))
	// LearningDecay is LDA's "learningDecay" (kappa), default 0.7, in (0.5, 1] for convergence.
	LearningDecay = NewParam("learningDecay", "The exponential decay rate of the learning rate.", DoubleKind, 0.7, InRange(0, 1))
	// DocConcentration is LDA's "docConcentration" (alpha), default null: 1/k.
	DocConcentration = NewParam("docConcentration", "Prior of the document topic distribution.", DoubleKind, nil, GtEq(0))
	// TopicConcentration is LDA's "topicConcentration" (eta), default null: 1/k.
	TopicConcentration = NewParam("topicConcentration", "Prior of the topic word distribution.", DoubleKind, nil, GtEq(0))
	// MeanChangeTol is LDA's "meanChangeTol", default 0.001, >= 0.
	MeanChangeTol = NewParam("meanChangeTol", "Stopping tolerance of a document's E-step.", DoubleKind, 1e-3, GtEq(0))
	// MaxDocUpdateIter is LDA's "maxDocUpdateIter", default 100, > 0.
	MaxDocUpdateIter = NewParam("maxDocUpdateIter", "Maximum iterations of a document's E-step.", IntKind, 100, Gt(0))
	// TopicDistributionCol is LDA's "topicDistributionCol", default "topicDistribution".
	TopicDistributionCol = NewParam("topicDistributionCol", "Output column of each document's topic mixture.", StringKind,
		"topicDistribution", NotNull())
)

const (
	ldaClass      = "weir.ml.clustering.LDA"
	ldaModelClass = "weir.ml.clustering.LDAModel"
)

// NewLDA returns an LDA with the defaults above.
func NewLDA() *LDA {
	return &LDA{params: newParams(FeaturesCol, TopicDistributionCol, LDAK, LDAMaxIter, BatchSize, LearningOffset,
		LearningDecay, DocConcentration, TopicConcentration, MeanChangeTol, MaxDocUpdateIter, Seed)}
}

// NewLDAModel returns a model without data.
func NewLDAModel() *LDAModel {
	return &LDAModel{params: newParams(FeaturesCol, TopicDistributionCol, LDAK, MeanChangeTol, MaxDocUpdateIter)}
}

func init() {
	RegisterStage(ldaClass, func() Stage { return NewLDA() })
	RegisterStage(ldaModelClass, func() Stage { return NewLDAModel() })
	engine.RegisterType(ldaBatch{})
	engine.RegisterType(ldaStats{})
}

// ldaDoc is a document's non-zero term ids and counts.
type ldaDoc struct {
	IDs    []int
	Counts []float64
	Index  int
}

type ldaBatch struct {
	Docs []ldaDoc
}

type ldaStats struct{ S [][]float64 }

func docOf(r Row, col string, vocab int) (ldaDoc, error) {
	v, err := r.Vector(col)
	if err != nil {
		return ldaDoc{}, err
	}
	if vocab >= 0 && v.Size() != vocab {
		return ldaDoc{}, fmt.Errorf("%w: a vector of %d terms, the vocabulary has %d", ErrColumnType, v.Size(), vocab)
	}
	var d ldaDoc
	switch x := v.(type) {
	case *SparseVector:
		for k, i := range x.Indices {
			if x.Values[k] != 0 {
				d.IDs, d.Counts = append(d.IDs, i), append(d.Counts, x.Values[k])
			}
		}
	default:
		for i, c := range v.ToArray() {
			if c != 0 {
				d.IDs, d.Counts = append(d.IDs, i), append(d.Counts, c)
			}
		}
	}
	for _, c := range d.Counts {
		if c < 0 {
			return ldaDoc{}, fmt.Errorf("%w: a negative term count %v", ErrColumnType, c)
		}
	}
	return d, nil
}

// GetParams returns the parameters.
func (l *LDA) GetParams() *Params { return l.params }

// ClassName is Weir's class name (Flink ML has no LDA).
func (l *LDA) ClassName() string { return ldaClass }

// Save writes the parameters to path.
func (l *LDA) Save(path string) error { return saveStage(l, path, 0) }

// Fit learns k topics from one table of term-count vectors.
func (l *LDA) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: LDA.Fit takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := collectRows(inputs[0], "LDA")
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: LDA.Fit: the input table is empty", ErrParam)
	}
	fc := l.params.getString(FeaturesCol)
	first, err := rows[0].Vector(fc)
	if err != nil {
		return nil, fmt.Errorf("ml: LDA: row 0: %w", err)
	}
	vocab := first.Size()
	docs := make([]ldaDoc, len(rows))
	for i, r := range rows {
		if docs[i], err = docOf(r, fc, vocab); err != nil {
			return nil, fmt.Errorf("ml: LDA: row %d: %w", i, err)
		}
		docs[i].Index = i
	}
	k, alpha, eta := l.GetK(), l.GetDocConcentration(), l.GetTopicConcentration()
	seed := l.GetSeed()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	d := &ldaData{Lambda: make([][]float64, k), Alpha: alpha, Eta: eta}
	for t := range d.Lambda {
		d.Lambda[t] = make([]float64, vocab)
		for w := range d.Lambda[t] {
			d.Lambda[t][w] = gammaDraw(rng, 100) / 100
		}
	}
	batchSize, tau0, kappa := l.params.getInt(BatchSize), l.params.getFloat(LearningOffset), l.params.getFloat(LearningDecay)
	tol, maxDocIter := l.params.getFloat(MeanChangeTol), l.params.getInt(MaxDocUpdateIter)
	p := parallelismOf(inputs[0].Environment())
	batches := (len(docs) + batchSize - 1) / batchSize
	live := newFitRecorder("LDA", "topics", l.params.getInt(LDAMaxIter)*batches, len(docs))
	batchIter := 0
	for epoch := 0; epoch < l.params.getInt(LDAMaxIter); epoch++ {
		for start := 0; start < len(docs); start += batchSize {
			batch := docs[start:min(start+batchSize, len(docs))]
			expElogBeta := expDirichletExpectation(d.Lambda)
			// The E-step: each subtask takes every p-th document of the batch.
			blocks := make([]Row, p)
			for b := range blocks {
				var mine []ldaDoc
				for i := b; i < len(batch); i += p {
					mine = append(mine, batch[i])
				}
				blocks[b] = NewRow("docs", ldaBatch{mine})
			}
			it := batchIter
			v, err := aggregateRowsLive(materialized(inputs[0].Environment(), blocks), fmt.Sprintf("LDA mini-batch %d", batchIter),
				func(rs []Row) (any, error) {
					s := make([][]float64, k)
					for t := range s {
						s[t] = make([]float64, vocab)
					}
					for _, r := range rs {
						for _, doc := range r.Get("docs").(ldaBatch).Docs {
							drng := rand.New(rand.NewPCG(uint64(seed), uint64(it)<<32|uint64(doc.Index)))
							gamma := make([]float64, k)
							for t := range gamma {
								gamma[t] = gammaDraw(drng, 100) / 100
							}
							eStep(doc, gamma, expElogBeta, alpha, tol, maxDocIter, s)
						}
					}
					return ldaStats{s}, nil
				}, func(parts []any) any {
					var t [][]float64
					for _, p := range parts {
						s := p.(ldaStats).S
						if t == nil {
							t = s
							continue
						}
						for i := range t {
							for j := range t[i] {
								t[i][j] += s[i][j]
							}
						}
					}
					return ldaStats{t}
				}, live)
			if err != nil {
				return nil, err
			}
			stats := v.(ldaStats).S
			// The M-step.
			before := normalizedRows(d.Lambda)
			weight := math.Pow(tau0+float64(batchIter), -kappa)
			ratio := float64(len(docs)) / float64(len(batch))
			for t := range d.Lambda {
				for w := range d.Lambda[t] {
					d.Lambda[t][w] = (1-weight)*d.Lambda[t][w] + weight*(eta+ratio*stats[t][w]*expElogBeta[t][w])
				}
			}
			batchIter++
			live.recordIteration(batchIter, topicChange(before, normalizedRows(d.Lambda)), nil)
		}
	}
	m := NewLDAModel()
	m.params.UpdateExisting(l.params)
	m.data, m.env = d, inputs[0].Environment()
	return m, nil
}

// eStep updates one document's gamma until its mean change is below tol (at most maxIter times) and, when
// stats is not nil, adds its sufficient statistics (before the factor expElogBeta, applied by the caller).
// It returns gamma.
func eStep(doc ldaDoc, gamma []float64, expElogBeta [][]float64, alpha, tol float64, maxIter int, stats [][]float64) []float64 {
	k := len(gamma)
	expElogTheta := make([]float64, k)
	norm := make([]float64, len(doc.IDs))
	update := func() {
		dirichletExpectationInto(gamma, expElogTheta)
		for i, w := range doc.IDs {
			var s float64
			for t := 0; t < k; t++ {
				s += expElogTheta[t] * expElogBeta[t][w]
			}
			norm[i] = s + 0x1p-52 // scikit-learn's EPS, the float64 epsilon
		}
	}
	update()
	for range maxIter {
		var change float64
		for t := 0; t < k; t++ {
			var s float64
			for i, w := range doc.IDs {
				s += doc.Counts[i] / norm[i] * expElogBeta[t][w]
			}
			g := alpha + expElogTheta[t]*s
			change += math.Abs(g - gamma[t])
			gamma[t] = g
		}
		update()
		if change/float64(k) < tol {
			break
		}
	}
	if stats != nil {
		for t := 0; t < k; t++ {
			for i, w := range doc.IDs {
				stats[t][w] += expElogTheta[t] * doc.Counts[i] / norm[i]
			}
		}
	}
	return gamma
}

// dirichletExpectationInto sets out to exp(E[log x]) for x ~ Dirichlet(a): exp(psi(a_i) - psi(sum a)).
func dirichletExpectationInto(a, out []float64) {
	var sum float64
	for _, x := range a {
		sum += x
	}
	ps := digamma(sum)
	for i, x := range a {
		out[i] = math.Exp(digamma(x) - ps)
	}
}

func expDirichletExpectation(lambda [][]float64) [][]float64 {
	out := make([][]float64, len(lambda))
	for t, row := range lambda {
		out[t] = make([]float64, len(row))
		dirichletExpectationInto(row, out[t])
	}
	return out
}

// digamma is psi(x) for x > 0: the recurrence up to 6, then the asymptotic series.
func digamma(x float64) float64 {
	var r float64
	for x < 6 {
		r -= 1 / x
		x++
	}
	f := 1 / (x * x)
	return r + math.Log(x) - 0.5/x - f*(1.0/12-f*(1.0/120-f*(1.0/252-f*(1.0/240-f*(1.0/132)))))
}

// gammaDraw draws from Gamma(shape, 1) for shape >= 1 (Marsaglia and Tsang's method).
func gammaDraw(r *rand.Rand, shape float64) float64 {
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// GetParams returns the parameters.
func (m *LDAModel) GetParams() *Params { return m.params }

// ClassName is Weir's class name.
func (m *LDAModel) ClassName() string { return ldaModelClass }

// Save writes the parameters and model data to path.
func (m *LDAModel) Save(path string) error { return saveStage(m, path, 0) }

// GetModelData returns one table of one row: "lambda" ([][]float64, k rows of the vocabulary's size),
// "docConcentration" and "topicConcentration" (float64).
func (m *LDAModel) GetModelData() []*Table {
	if m.data == nil {
		return nil
	}
	return []*Table{FromRows(m.env, []Row{NewRow("lambda", m.data.Lambda, "docConcentration", m.data.Alpha,
		"topicConcentration", m.data.Eta)})}
}

// SetModelData takes "lambda", "docConcentration" and "topicConcentration" from the first row of one table.
func (m *LDAModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 {
		return fmt.Errorf("%w: SetModelData takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%w: SetModelData: the table is empty", ErrParam)
	}
	lambda, ok := rows[0].Get("lambda").([][]float64)
	if !ok {
		return fmt.Errorf("%w: LDAModel.SetModelData: column \"lambda\" is %T, want [][]float64", ErrColumnType, rows[0].Get("lambda"))
	}
	alpha, err := rows[0].Float("docConcentration")
	if err != nil {
		return err
	}
	eta, err := rows[0].Float("topicConcentration")
	if err != nil {
		return err
	}
	d := &ldaData{Lambda: lambda, Alpha: alpha, Eta: eta}
	if err := d.check(); err != nil {
		return err
	}
	m.data, m.env = d, inputs[0].Environment()
	return nil
}

func (d *ldaData) check() error {
	if len(d.Lambda) < 2 || len(d.Lambda[0]) == 0 {
		return fmt.Errorf("%w: LDA model data needs at least 2 topics over a vocabulary", ErrParam)
	}
	for t, row := range d.Lambda {
		if len(row) != len(d.Lambda[0]) {
			return fmt.Errorf("%w: LDA topic %d has %d terms, topic 0 %d", ErrParam, t, len(row), len(d.Lambda[0]))
		}
	}
	return nil
}

// docGamma is a document's variational gamma after an E-step from ones (scikit-learn's transform).
func (m *LDAModel) docGamma(doc ldaDoc, expElogBeta [][]float64) []float64 {
	gamma := make([]float64, len(m.data.Lambda))
	for t := range gamma {
		gamma[t] = 1
	}
	return eStep(doc, gamma, expElogBeta, m.data.Alpha, m.params.getFloat(MeanChangeTol), m.params.getInt(MaxDocUpdateIter), nil)
}

// Transform adds topicDistributionCol, each row's topic mixture (a *DenseVector summing to 1), to every row of
// one table.
func (m *LDAModel) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, m.data != nil, "LDAModel"); err != nil {
		return nil, err
	}
	fc, out := m.params.getString(FeaturesCol), m.params.getString(TopicDistributionCol)
	expElogBeta := expDirichletExpectation(m.data.Lambda)
	vocab := len(m.data.Lambda[0])
	t, err := mapRows(inputs[0], "LDAModel", func(r Row) (Row, error) {
		doc, err := docOf(r, fc, vocab)
		if err != nil {
			return Row{}, err
		}
		g := m.docGamma(doc, expElogBeta)
		var s float64
		for _, x := range g {
			s += x
		}
		for i := range g {
			g[i] /= s
		}
		return r.With(out, &DenseVector{Values: g}), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

// Topics returns each topic's word distribution, lambda's rows normalized to sum to 1 (scikit-learn's
// components_ / components_.sum(axis=1)), or nil without data.
func (m *LDAModel) Topics() [][]float64 {
	if m.data == nil {
		return nil
	}
	return normalizedRows(m.data.Lambda)
}

// normalizedRows returns the rows of a scaled to sum to 1.
func normalizedRows(a [][]float64) [][]float64 {
	out := make([][]float64, len(a))
	for t, row := range a {
		var s float64
		for _, x := range row {
			s += x
		}
		out[t] = make([]float64, len(row))
		for w, x := range row {
			out[t][w] = x / s
		}
	}
	return out
}

// topicChange is the mean over topics of the L1 distance between a topic's word distribution before and after
// (rows of normalizedRows).
func topicChange(before, after [][]float64) float64 {
	var sum float64
	for t := range before {
		for w, x := range before[t] {
			sum += math.Abs(after[t][w] - x)
		}
	}
	return sum / float64(len(before))
}

// DescribeTopics returns, for each topic, the indices of its maxTerms heaviest terms, heaviest first (Spark
// ML's LDAModel.describeTopics; ties by smaller index).
func (m *LDAModel) DescribeTopics(maxTerms int) [][]int {
	topics := m.Topics()
	out := make([][]int, len(topics))
	for t, row := range topics {
		idx := make([]int, len(row))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return row[idx[a]] > row[idx[b]] })
		out[t] = idx[:min(maxTerms, len(idx))]
	}
	return out
}

// Perplexity returns scikit-learn's LatentDirichletAllocation.perplexity of one table's documents:
// exp(-bound / word count), bound being the variational lower bound of the log-likelihood with each
// document's gamma from Transform's E-step.
func (m *LDAModel) Perplexity(t *Table) (float64, error) {
	if m.data == nil {
		return 0, fmt.Errorf("%w: LDAModel has no model data (Fit or SetModelData)", ErrParam)
	}
	rows, err := collectRows(t, "LDAModel.Perplexity")
	if err != nil {
		return 0, err
	}
	d := m.data
	k, vocab := len(d.Lambda), len(d.Lambda[0])
	expElogBeta := expDirichletExpectation(d.Lambda)
	elogBeta := make([][]float64, k)
	for i := range elogBeta {
		elogBeta[i] = make([]float64, vocab)
		for w := range elogBeta[i] {
			elogBeta[i][w] = math.Log(expElogBeta[i][w])
		}
	}
	fc := m.params.getString(FeaturesCol)
	var score, words float64
	lgAlpha, _ := math.Lgamma(d.Alpha)
	lgAlphaK, _ := math.Lgamma(d.Alpha * float64(k))
	for i, r := range rows {
		doc, err := docOf(r, fc, vocab)
		if err != nil {
			return 0, fmt.Errorf("ml: LDAModel.Perplexity: row %d: %w", i, err)
		}
		g := m.docGamma(doc, expElogBeta)
		elogTheta := make([]float64, k)
		dirichletExpectationInto(g, elogTheta)
		var gsum float64
		for t := range elogTheta {
			elogTheta[t] = math.Log(elogTheta[t])
			gsum += g[t]
		}
		for j, w := range doc.IDs {
			mx := math.Inf(-1)
			for t := 0; t < k; t++ {
				mx = math.Max(mx, elogTheta[t]+elogBeta[t][w])
			}
			var s float64
			for t := 0; t < k; t++ {
				s += math.Exp(elogTheta[t] + elogBeta[t][w] - mx)
			}
			score += doc.Counts[j] * (mx + math.Log(s))
			words += doc.Counts[j]
		}
		for t := 0; t < k; t++ {
			lg, _ := math.Lgamma(g[t])
			score += (d.Alpha-g[t])*elogTheta[t] + lg - lgAlpha
		}
		lg, _ := math.Lgamma(gsum)
		score += lgAlphaK - lg
	}
	lgEta, _ := math.Lgamma(d.Eta)
	lgEtaV, _ := math.Lgamma(d.Eta * float64(vocab))
	for t := 0; t < k; t++ {
		var lsum float64
		for w, l := range d.Lambda[t] {
			lg, _ := math.Lgamma(l)
			score += (d.Eta-l)*elogBeta[t][w] + lg - lgEta
			lsum += l
		}
		lg, _ := math.Lgamma(lsum)
		score += lgEtaV - lg
	}
	if words == 0 {
		return 0, fmt.Errorf("%w: LDAModel.Perplexity: the table has no words", ErrParam)
	}
	return math.Exp(-score / words), nil
}

func (m *LDAModel) dataJSON() ([]byte, error) { return json.Marshal(m.data) }

func (m *LDAModel) setDataJSON(env *engine.Environment, b []byte) error {
	d := &ldaData{}
	if err := json.Unmarshal(b, d); err != nil {
		return err
	}
	if err := d.check(); err != nil {
		return err
	}
	m.data, m.env = d, env
	return nil
}
