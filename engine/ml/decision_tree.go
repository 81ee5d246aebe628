package ml

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/de4e/weir/engine"
)

// A decision tree is trained as Spark ML's DecisionTree is (Flink ML 2.x has none): level by level, one
// bounded job a level, in which each subtask sums its block's label statistics per open node, feature and bin
// and one subtask merges them; the driver then splits every open node at the threshold of largest impurity
// decrease. Continuous features are cut into at most maxBins bins by a first job: a feature with at most
// maxBins distinct values gets a threshold midway between each two neighbouring values (scikit-learn's split
// rule, so the tree equals scikit-learn's up to ties between equally good splits), one with more gets
// maxBins-1 thresholds at its quantiles (Spark's rule). A row goes left when its value is <= the threshold.

// treeNode is one node of a fitted tree: a leaf when Left is -1.
type treeNode struct {
	Feature     int       `json:"feature"`
	Threshold   float64   `json:"threshold"`
	Left        int       `json:"left"`
	Right       int       `json:"right"`
	Prediction  float64   `json:"prediction"`
	Impurity    float64   `json:"impurity"`
	Instances   float64   `json:"instances"`
	ClassCounts []float64 `json:"classCounts,omitempty"`
}

// treeData is a fitted tree: nodes (the root first), the class labels of a classifier, and the feature count.
type treeData struct {
	Nodes       []treeNode `json:"nodes"`
	Labels      []float64  `json:"labels,omitempty"`
	NumFeatures int        `json:"numFeatures"`
}

// predictNode returns the leaf x falls in.
func (d *treeData) predictNode(x []float64) *treeNode {
	n := &d.Nodes[0]
	for n.Left >= 0 {
		if x[n.Feature] <= n.Threshold {
			n = &d.Nodes[n.Left]
		} else {
			n = &d.Nodes[n.Right]
		}
	}
	return n
}

func (d *treeData) check() error {
	if len(d.Nodes) == 0 || d.NumFeatures <= 0 {
		return fmt.Errorf("%w: a decision tree needs nodes and features", ErrParam)
	}
	for i, n := range d.Nodes {
		if n.Left >= 0 && (n.Left >= len(d.Nodes) || n.Right < 0 || n.Right >= len(d.Nodes) || n.Left <= i || n.Right <= i ||
			n.Feature < 0 || n.Feature >= d.NumFeatures) {
			return fmt.Errorf("%w: decision tree node %d is malformed", ErrParam, i)
		}
	}
	return nil
}

// treeConfig is what training needs of a stage's parameters.
type treeConfig struct {
	featuresCol, labelCol, impurity string
	maxDepth, minInstances, maxBins int
	minInfoGain                     float64
	classify                        bool
}

// binSummary is one block's distinct values per feature with their counts, and its labels.
type binSummary struct {
	Values []map[float64]float64
	Labels map[float64]bool
}

type treeStats struct{ S []float64 }

func init() {
	engine.RegisterType(binSummary{})
	engine.RegisterType(treeStats{})
}

// features reads a row's features and label.
func (c treeConfig) read(r Row) ([]float64, float64, error) {
	v, err := r.Vector(c.featuresCol)
	if err != nil {
		return nil, 0, err
	}
	l, err := r.Float(c.labelCol)
	if err != nil {
		return nil, 0, err
	}
	return v.ToArray(), l, nil
}

// fitTree trains a tree on one table.
func fitTree(inputs []*Table, c treeConfig, stage string) (*treeData, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: %s.Fit takes one table, got %d", ErrParam, stage, len(inputs))
	}
	t := inputs[0]
	// 1. Distinct values, for the thresholds, and the class labels.
	v, err := aggregateRows(t, stage+" bins", func(rows []Row) (any, error) {
		s := binSummary{Labels: map[float64]bool{}}
		for i, r := range rows {
			x, l, err := c.read(r)
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
			if s.Values == nil {
				s.Values = make([]map[float64]float64, len(x))
				for j := range s.Values {
					s.Values[j] = map[float64]float64{}
				}
			} else if len(x) != len(s.Values) {
				return nil, fmt.Errorf("%w: row %d has %d features, the block's first %d", ErrColumnType, i, len(x), len(s.Values))
			}
			for j, xj := range x {
				s.Values[j][xj]++
			}
			if c.classify {
				s.Labels[l] = true
			}
		}
		return s, nil
	}, func(parts []any) any {
		t := binSummary{Labels: map[float64]bool{}}
		for _, p := range parts {
			s := p.(binSummary)
			if s.Values == nil {
				continue
			}
			if t.Values == nil {
				t.Values = make([]map[float64]float64, len(s.Values))
				for j := range t.Values {
					t.Values[j] = map[float64]float64{}
				}
			}
			if len(s.Values) != len(t.Values) {
				return binSummary{}
			}
			for j, m := range s.Values {
				for x, n := range m {
					t.Values[j][x] += n
				}
			}
			for l := range s.Labels {
				t.Labels[l] = true
			}
		}
		return t
	})
	if err != nil {
		return nil, err
	}
	sum := v.(binSummary)
	if sum.Values == nil {
		return nil, fmt.Errorf("%w: %s.Fit: the input table is empty or its feature vectors differ in size", ErrParam, stage)
	}
	thresholds := make([][]float64, len(sum.Values))
	exact := make([][]float64, len(sum.Values)) // a feature's values, one a bin, when it has at most maxBins
	for j, m := range sum.Values {
		thresholds[j] = splitThresholds(m, c.maxBins)
		if len(m) <= c.maxBins {
			for x := range m {
				exact[j] = append(exact[j], x)
			}
			sort.Float64s(exact[j])
		}
	}
	d := &treeData{NumFeatures: len(thresholds)}
	labelIndex := map[float64]int{}
	if c.classify {
		for l := range sum.Labels {
			d.Labels = append(d.Labels, l)
		}
		sort.Float64s(d.Labels)
		for i, l := range d.Labels {
			labelIndex[l] = i
		}
	}
	width := 3 // count, sum, sum of squares
	if c.classify {
		width = len(d.Labels)
	}
	// binOf is the bin of value x of feature j: the number of thresholds below x.
	binOf := func(j int, x float64) int { return sort.SearchFloat64s(thresholds[j], x) }
	offsets := make([]int, len(thresholds)+1) // feature j's bins start at offsets[j]
	for j, th := range thresholds {
		offsets[j+1] = offsets[j] + len(th) + 1
	}
	perNode := offsets[len(thresholds)] * width

	// 2. Level by level: open maps a node to its slot in the level's statistics.
	d.Nodes = []treeNode{{Left: -1, Right: -1}}
	open := map[int]int{0: 0}
	for depth := 0; len(open) > 0; depth++ {
		level := open
		v, err := aggregateRows(t, fmt.Sprintf("%s level %d", stage, depth), func(rows []Row) (any, error) {
			s := make([]float64, len(level)*perNode)
			for i, r := range rows {
				x, l, err := c.read(r)
				if err != nil {
					return nil, fmt.Errorf("row %d: %w", i, err)
				}
				if len(x) != d.NumFeatures {
					return nil, fmt.Errorf("%w: row %d has %d features, want %d", ErrColumnType, i, len(x), d.NumFeatures)
				}
				slot, ok := level[d.nodeIndex(x)]
				if !ok {
					continue
				}
				base := slot * perNode
				for j, xj := range x {
					at := base + (offsets[j]+binOf(j, xj))*width
					if c.classify {
						s[at+labelIndex[l]]++
					} else {
						s[at]++
						s[at+1] += l
						s[at+2] += l * l
					}
				}
			}
			return treeStats{s}, nil
		}, func(parts []any) any {
			var t []float64
			for _, p := range parts {
				s := p.(treeStats).S
				if t == nil {
					t = append([]float64(nil), s...)
					continue
				}
				for i := range t {
					t[i] += s[i]
				}
			}
			return treeStats{t}
		})
		if err != nil {
			return nil, err
		}
		stats := v.(treeStats).S
		ids := make([]int, 0, len(level))
		for id := range level {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		open = map[int]int{}
		for _, id := range ids {
			s := stats[level[id]*perNode : (level[id]+1)*perNode]
			// The node's own statistics are the sum of feature 0's bins.
			total := make([]float64, width)
			for b := 0; b < offsets[1]; b++ {
				for k := range total {
					total[k] += s[b*width+k]
				}
			}
			node := &d.Nodes[id]
			node.Instances, node.Impurity, node.Prediction = leafOf(total, c, d.Labels)
			if c.classify {
				node.ClassCounts = total
			}
			if depth >= c.maxDepth || node.Impurity <= 0 || node.Instances < float64(2*c.minInstances) {
				continue
			}
			feature, bin, gain := bestSplit(s, total, offsets, width, c)
			if feature < 0 || gain < c.minInfoGain {
				continue
			}
			node.Feature, node.Threshold = feature, thresholds[feature][bin]
			if exact[feature] != nil {
				// scikit-learn's threshold: midway between the node's own neighbouring values.
				lo, hi := bin, bin+1
				for lo > 0 && binEmpty(s, offsets[feature]+lo, width, c) {
					lo--
				}
				for binEmpty(s, offsets[feature]+hi, width, c) {
					hi++
				}
				node.Threshold = midpoint(exact[feature][lo], exact[feature][hi])
			}
			node.Left, node.Right = len(d.Nodes), len(d.Nodes)+1
			d.Nodes = append(d.Nodes, treeNode{Left: -1, Right: -1}, treeNode{Left: -1, Right: -1})
			open[node.Left], open[node.Right] = len(open), len(open)+1
		}
	}
	return d, nil
}

// binEmpty reports whether no row of a node is in bin b (counted over all features' bins).
func binEmpty(s []float64, b, width int, c treeConfig) bool {
	if !c.classify {
		return s[b*width] == 0
	}
	for _, x := range s[b*width : (b+1)*width] {
		if x != 0 {
			return false
		}
	}
	return true
}

// nodeIndex is the index of the node x reaches in a tree being grown (a leaf or an open node).
func (d *treeData) nodeIndex(x []float64) int {
	i := 0
	for d.Nodes[i].Left >= 0 {
		if x[d.Nodes[i].Feature] <= d.Nodes[i].Threshold {
			i = d.Nodes[i].Left
		} else {
			i = d.Nodes[i].Right
		}
	}
	return i
}

// splitThresholds returns a feature's thresholds from its values' counts (see the comment at the top).
func splitThresholds(counts map[float64]float64, maxBins int) []float64 {
	values := make([]float64, 0, len(counts))
	var n float64
	for x, k := range counts {
		values = append(values, x)
		n += k
	}
	sort.Float64s(values)
	var out []float64
	if len(values) <= maxBins {
		for i := 1; i < len(values); i++ {
			out = append(out, midpoint(values[i-1], values[i]))
		}
		return out
	}
	// Quantiles: a threshold after the value at which the running count first reaches i*n/maxBins.
	next, cum := 1, 0.0
	for i := 0; i < len(values)-1 && next < maxBins; i++ {
		cum += counts[values[i]]
		if cum >= float64(next)*n/float64(maxBins) {
			out = append(out, midpoint(values[i], values[i+1]))
			for next < maxBins && cum >= float64(next)*n/float64(maxBins) {
				next++
			}
		}
	}
	return out
}

// midpoint is scikit-learn's threshold between neighbouring values a < b: a/2 + b/2, or a where that rounds
// to b.
func midpoint(a, b float64) float64 {
	m := a/2 + b/2
	if m == b || math.IsInf(m, 0) {
		return a
	}
	return m
}

// leafOf returns a node's instances, impurity and prediction from its statistics.
func leafOf(s []float64, c treeConfig, labels []float64) (n, impurity, prediction float64) {
	if !c.classify {
		n = s[0]
		if n == 0 {
			return 0, 0, 0
		}
		mean := s[1] / n
		return n, math.Max(s[2]/n-mean*mean, 0), mean
	}
	best := 0
	for k, x := range s {
		n += x
		if x > s[best] {
			best = k
		}
	}
	return n, classImpurity(s, n, c.impurity), labels[best]
}

func classImpurity(counts []float64, n float64, impurity string) float64 {
	if n == 0 {
		return 0
	}
	var out float64
	for _, x := range counts {
		p := x / n
		if impurity == "entropy" {
			if p > 0 {
				out -= p * math.Log2(p)
			}
		} else {
			out -= p * p
		}
	}
	if impurity != "entropy" {
		out++
	}
	return out
}

func impurityOf(s []float64, c treeConfig) (float64, float64) {
	if !c.classify {
		n := s[0]
		if n == 0 {
			return 0, 0
		}
		mean := s[1] / n
		return n, math.Max(s[2]/n-mean*mean, 0)
	}
	var n float64
	for _, x := range s {
		n += x
	}
	return n, classImpurity(s, n, c.impurity)
}

// bestSplit returns the feature and bin (a threshold index) of the largest impurity decrease whose children
// both have minInstances rows, the first of equal ones in feature then threshold order, or -1.
func bestSplit(s, total []float64, offsets []int, width int, c treeConfig) (int, int, float64) {
	n, parent := impurityOf(total, c)
	bestF, bestB, bestGain := -1, -1, math.Inf(-1)
	left, right := make([]float64, width), make([]float64, width)
	for j := 0; j+1 < len(offsets); j++ {
		clear(left)
		bins := offsets[j+1] - offsets[j]
		for b := 0; b+1 < bins; b++ { // split after bin b: threshold b
			at := (offsets[j] + b) * width
			for k := range left {
				left[k] += s[at+k]
				right[k] = total[k] - left[k]
			}
			nl, il := impurityOf(left, c)
			nr, ir := impurityOf(right, c)
			if nl < float64(c.minInstances) || nr < float64(c.minInstances) || nl == 0 || nr == 0 {
				continue
			}
			gain := parent - nl/n*il - nr/n*ir
			if gain > bestGain+1e-12 {
				bestF, bestB, bestGain = j, b, gain
			}
		}
	}
	return bestF, bestB, bestGain
}

// treeRows is a tree's model data as a table, one row a node.
func treeRows(env *engine.Environment, d *treeData) *Table {
	rows := make([]Row, len(d.Nodes))
	for i, n := range d.Nodes {
		rows[i] = NewRow("id", i, "feature", n.Feature, "threshold", n.Threshold, "left", n.Left, "right", n.Right,
			"prediction", n.Prediction, "impurity", n.Impurity, "instances", n.Instances)
		rows[i] = rows[i].With("numFeatures", d.NumFeatures)
		if d.Labels != nil {
			rows[i] = rows[i].With("classCounts", Dense(n.ClassCounts...)).With("labels", Dense(d.Labels...))
		}
	}
	return FromRows(env, rows)
}

// treeFromTable reads treeRows' table back.
func treeFromTable(inputs []*Table) (*treeData, *engine.Environment, error) {
	if len(inputs) != 1 {
		return nil, nil, fmt.Errorf("%w: SetModelData takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return nil, nil, err
	}
	d := &treeData{Nodes: make([]treeNode, len(rows))}
	for _, r := range rows {
		var f [8]float64
		for k, col := range []string{"id", "feature", "threshold", "left", "right", "prediction", "impurity", "instances"} {
			if f[k], err = r.Float(col); err != nil {
				return nil, nil, err
			}
		}
		id := int(f[0])
		if id < 0 || id >= len(rows) {
			return nil, nil, fmt.Errorf("%w: decision tree node id %d of %d nodes", ErrParam, id, len(rows))
		}
		d.Nodes[id] = treeNode{Feature: int(f[1]), Threshold: f[2], Left: int(f[3]), Right: int(f[4]), Prediction: f[5],
			Impurity: f[6], Instances: f[7]}
		if cc, err := r.Vector("classCounts"); err == nil {
			d.Nodes[id].ClassCounts = cc.ToArray()
		}
		if nf, err := r.Float("numFeatures"); err == nil {
			d.NumFeatures = int(nf)
		}
		if ls, err := r.Vector("labels"); err == nil {
			d.Labels = ls.ToArray()
		}
	}
	if err := d.check(); err != nil {
		return nil, nil, err
	}
	return d, inputs[0].Environment(), nil
}

func (d *treeData) json() ([]byte, error) { return json.Marshal(d) }

func treeFromJSON(b []byte) (*treeData, error) {
	d := &treeData{}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, err
	}
	return d, d.check()
}

// transformTree adds the leaf's prediction of every row.
func transformTree(inputs []*Table, d *treeData, featuresCol, predictionCol, stage string) ([]*Table, error) {
	if err := checkTransform(inputs, d != nil, stage); err != nil {
		return nil, err
	}
	t, err := mapRows(inputs[0], stage, func(r Row) (Row, error) {
		v, err := r.Vector(featuresCol)
		if err != nil {
			return Row{}, err
		}
		if v.Size() != d.NumFeatures {
			return Row{}, fmt.Errorf("%w: %d features, the model has %d", ErrColumnType, v.Size(), d.NumFeatures)
		}
		return r.With(predictionCol, d.predictNode(v.ToArray()).Prediction), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}
