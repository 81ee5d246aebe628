package ml

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/de4e/weir/engine"
)

// Tokenizer is Flink ML's Tokenizer (org.apache.flink.ml.feature.tokenizer): it lower-cases inputCol (a
// string) and splits it at every whitespace character, as Java's input.toLowerCase().split("\\s") does
// (consecutive whitespace gives empty tokens, trailing empty tokens are dropped), into outputCol ([]string).
// inputCol defaults to "input", outputCol to "output".
type Tokenizer struct{ params *Params }

// HashingTF is Flink ML's HashingTF (org.apache.flink.ml.feature.hashingtf): it maps a sequence of terms in
// inputCol ([]string, or []any of strings, booleans and numbers) to their term frequencies in a
// *SparseVector of numFeatures elements in outputCol, a term's index being the non-negative remainder of its
// MurmurHash3 (Guava's murmur3_32 with seed 0, as Flink ML hashes: a string's UTF-16 code units, a boolean or
// int as an int, an int64 as a long, a float32's and float64's bits) by numFeatures. With binary, every
// non-zero frequency is 1. inputCol defaults to "input", outputCol to "output", numFeatures to 262144 and
// binary to false.
type HashingTF struct{ params *Params }

// IDF is Flink ML's IDF estimator (org.apache.flink.ml.feature.idf): it counts, for each index of inputCol's
// vectors, the documents (rows) where it is non-zero, and its model multiplies every row's vector element-wise
// by idf = log((numDocs + 1) / (docFreq + 1)), 0 where docFreq < minDocFreq, into outputCol (sparse stays
// sparse). inputCol defaults to "input", outputCol to "output" and minDocFreq to 0. Fit is one bounded job:
// per-subtask document frequencies, then one merge.
type IDF struct{ params *Params }

// IDFModel is Flink ML's IDFModel; its data is idf (*DenseVector), docFreq ([]int64) and numDocs (int64).
type IDFModel struct {
	params  *Params
	idf     []float64
	docFreq []int64
	numDocs int64
	env     *engine.Environment
}

var (
	// NumFeatures is HashingTF's "numFeatures", default 262144, > 0.
	NumFeatures = NewParam("numFeatures", "The number of features.", IntKind, 262144, Gt(0))
	// Binary is HashingTF's "binary", default false.
	Binary = NewParam("binary", "Whether each dimension of the output vector is binary or not.", BoolKind, false,
		ParamValidator{})
	// MinDocFreq is IDF's "minDocFreq", default 0, >= 0.
	MinDocFreq = NewParam("minDocFreq", "Minimum number of documents that a term should appear for filtering.",
		IntKind, 0, GtEq(0))
)

const (
	tokenizerClass = "org.apache.flink.ml.feature.tokenizer.Tokenizer"
	hashingTFClass = "org.apache.flink.ml.feature.hashingtf.HashingTF"
	idfClass       = "org.apache.flink.ml.feature.idf.IDF"
	idfModelClass  = "org.apache.flink.ml.feature.idf.IDFModel"
)

// NewTokenizer returns a Tokenizer with Flink ML's defaults.
func NewTokenizer() *Tokenizer { return &Tokenizer{params: newParams(InputCol, OutputCol)} }

// NewHashingTF returns a HashingTF with Flink ML's defaults.
func NewHashingTF() *HashingTF {
	return &HashingTF{params: newParams(InputCol, OutputCol, NumFeatures, Binary)}
}

// NewIDF returns an IDF with Flink ML's defaults.
func NewIDF() *IDF { return &IDF{params: newParams(InputCol, OutputCol, MinDocFreq)} }

// NewIDFModel returns a model without data.
func NewIDFModel() *IDFModel { return &IDFModel{params: newParams(InputCol, OutputCol, MinDocFreq)} }

func init() {
	RegisterStage(tokenizerClass, func() Stage { return NewTokenizer() })
	RegisterStage(hashingTFClass, func() Stage { return NewHashingTF() })
	RegisterStage(idfClass, func() Stage { return NewIDF() })
	RegisterStage(idfModelClass, func() Stage { return NewIDFModel() })
	engine.RegisterType(docFreqs{})
}

// GetParams returns the parameters.
func (t *Tokenizer) GetParams() *Params { return t.params }

// ClassName is Flink ML's class name.
func (t *Tokenizer) ClassName() string { return tokenizerClass }

// Save writes the parameters to path.
func (t *Tokenizer) Save(path string) error { return saveStage(t, path, 0) }

// Transform adds outputCol, inputCol's tokens, to every row of one table.
func (t *Tokenizer) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, true, "Tokenizer"); err != nil {
		return nil, err
	}
	in, out := t.GetInputCol(), t.GetOutputCol()
	tab, err := mapRows(inputs[0], "Tokenizer", func(r Row) (Row, error) {
		v, err := r.Field(in)
		if err != nil {
			return Row{}, err
		}
		s, ok := v.(string)
		if !ok {
			return Row{}, fmt.Errorf("column %q: %w: got %T, want a string", in, ErrColumnType, v)
		}
		return r.With(out, javaSplitWhitespace(strings.ToLower(s))), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{tab}, nil
}

// javaSplitWhitespace is Java's s.split("\\s"): a token between every two whitespace characters
// ([ \t\n\x0B\f\r]), trailing empty tokens removed; "" gives [""].
func javaSplitWhitespace(s string) []string {
	if s == "" {
		return []string{""}
	}
	var tokens []string
	start := 0
	for i, c := range s {
		switch c {
		case ' ', '\t', '\n', '\x0B', '\f', '\r':
			tokens = append(tokens, s[start:i])
			start = i + 1
		}
	}
	tokens = append(tokens, s[start:])
	for len(tokens) > 0 && tokens[len(tokens)-1] == "" {
		tokens = tokens[:len(tokens)-1]
	}
	return tokens
}

// GetParams returns the parameters.
func (h *HashingTF) GetParams() *Params { return h.params }

// ClassName is Flink ML's class name.
func (h *HashingTF) ClassName() string { return hashingTFClass }

// Save writes the parameters to path.
func (h *HashingTF) Save(path string) error { return saveStage(h, path, 0) }

// Transform adds outputCol, the term frequencies of inputCol, to every row of one table.
func (h *HashingTF) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, true, "HashingTF"); err != nil {
		return nil, err
	}
	in, out, n, binary := h.GetInputCol(), h.GetOutputCol(), h.GetNumFeatures(), h.GetBinary()
	tab, err := mapRows(inputs[0], "HashingTF", func(r Row) (Row, error) {
		v, err := r.Field(in)
		if err != nil {
			return Row{}, err
		}
		var terms []any
		switch x := v.(type) {
		case []string:
			terms = make([]any, len(x))
			for i, s := range x {
				terms[i] = s
			}
		case []any:
			terms = x
		default:
			return Row{}, fmt.Errorf("column %q: %w: got %T, want []string or []any", in, ErrColumnType, v)
		}
		counts := map[int]float64{}
		for _, term := range terms {
			hv, err := hashTerm(term)
			if err != nil {
				return Row{}, fmt.Errorf("column %q: %w", in, err)
			}
			i := int(hv % int32(n))
			if i < 0 {
				i += n
			}
			if binary {
				counts[i] = 1
			} else {
				counts[i]++
			}
		}
		idx := make([]int, 0, len(counts))
		for i := range counts {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		vals := make([]float64, len(idx))
		for k, i := range idx {
			vals[k] = counts[i]
		}
		return r.With(out, &SparseVector{N: n, Indices: idx, Values: vals}), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{tab}, nil
}

// hashTerm is Flink ML's HashingTF.hash.
func hashTerm(term any) (int32, error) {
	const h = murmur3(0)
	switch x := term.(type) {
	case nil:
		return 0, nil
	case string:
		return h.hashUnencodedChars(x), nil
	case bool:
		if x {
			return h.hashInt(1), nil
		}
		return h.hashInt(0), nil
	case int8:
		return h.hashInt(int32(x)), nil
	case int16:
		return h.hashInt(int32(x)), nil
	case int32:
		return h.hashInt(x), nil
	case int:
		return h.hashInt(int32(x)), nil
	case int64:
		return h.hashLong(x), nil
	case float32:
		return h.hashInt(int32(math.Float32bits(x))), nil
	case float64:
		return h.hashLong(int64(math.Float64bits(x))), nil
	}
	return 0, fmt.Errorf("%w: HashingTF does not support a term of type %T", ErrColumnType, term)
}

// docFreqs are one block's document count and per-index document frequencies.
type docFreqs struct {
	N    int64
	Freq []int64
}

// GetParams returns the parameters.
func (f *IDF) GetParams() *Params { return f.params }

// ClassName is Flink ML's class name.
func (f *IDF) ClassName() string { return idfClass }

// Save writes the parameters to path.
func (f *IDF) Save(path string) error { return saveStage(f, path, 0) }

// Fit counts the document frequencies of one table's inputCol. An empty table fails with Flink ML's "The
// training set is empty.".
func (f *IDF) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: IDF.Fit takes one table, got %d", ErrParam, len(inputs))
	}
	in := f.GetInputCol()
	v, err := aggregateRows(inputs[0], "IDF", func(rows []Row) (any, error) {
		var d docFreqs
		for i, r := range rows {
			vec, err := r.Vector(in)
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
			if d.N == 0 {
				d.Freq = make([]int64, vec.Size())
			} else if vec.Size() != len(d.Freq) {
				return nil, fmt.Errorf("%w: row %d has %d elements, the block's first %d", ErrColumnType, i, vec.Size(), len(d.Freq))
			}
			d.N++
			switch x := vec.(type) {
			case *SparseVector:
				for k, j := range x.Indices {
					if x.Values[k] > 0 {
						d.Freq[j]++
					}
				}
			default:
				for j, e := range vec.ToArray() {
					if e > 0 {
						d.Freq[j]++
					}
				}
			}
		}
		return d, nil
	}, func(parts []any) any {
		var t docFreqs
		for _, p := range parts {
			d := p.(docFreqs)
			if d.N == 0 {
				continue
			}
			if t.N == 0 {
				t.Freq = make([]int64, len(d.Freq))
			}
			if len(d.Freq) != len(t.Freq) {
				return docFreqs{N: -1}
			}
			t.N += d.N
			for j, k := range d.Freq {
				t.Freq[j] += k
			}
		}
		return t
	})
	if err != nil {
		return nil, err
	}
	d := v.(docFreqs)
	switch {
	case d.N < 0:
		return nil, fmt.Errorf("%w: IDF.Fit: vectors of different sizes", ErrColumnType)
	case d.N == 0:
		//lint:ignore ST1005 Flink ML's message, word for word
		return nil, fmt.Errorf("%w: IDF.Fit: The training set is empty.", ErrParam)
	}
	m := NewIDFModel()
	m.params.UpdateExisting(f.params)
	m.docFreq, m.numDocs, m.env = d.Freq, d.N, inputs[0].Environment()
	m.idf = idfOf(d.Freq, d.N, f.GetMinDocFreq())
	return m, nil
}

func idfOf(docFreq []int64, numDocs int64, minDocFreq int) []float64 {
	idf := make([]float64, len(docFreq))
	for j, df := range docFreq {
		if df >= int64(minDocFreq) {
			idf[j] = math.Log(float64(numDocs+1) / float64(df+1))
		}
	}
	return idf
}

// GetParams returns the parameters.
func (m *IDFModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *IDFModel) ClassName() string { return idfModelClass }

// Save writes the parameters and model data to path.
func (m *IDFModel) Save(path string) error { return saveStage(m, path, 0) }

// GetModelData returns one table of one row with Flink ML's IDFModelData columns "idf" (*DenseVector),
// "docFreq" ([]int64) and "numDocs" (int64).
func (m *IDFModel) GetModelData() []*Table {
	if m.idf == nil {
		return nil
	}
	return []*Table{FromRows(m.env, []Row{NewRow("idf", Dense(m.idf...), "docFreq", append([]int64(nil), m.docFreq...),
		"numDocs", m.numDocs)})}
}

// SetModelData takes "idf", "docFreq" and "numDocs" from the first row of one table.
func (m *IDFModel) SetModelData(inputs ...*Table) error {
	vs, env, err := vectorsFromModelData(inputs, "idf")
	if err != nil {
		return err
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return err
	}
	df, ok1 := rows[0].Get("docFreq").([]int64)
	n, ok2 := rows[0].Get("numDocs").(int64)
	if !ok1 || !ok2 || len(df) != len(vs[0]) {
		return fmt.Errorf("%w: IDFModel.SetModelData: want docFreq []int64 of the idf's size and numDocs int64, got %T and %T",
			ErrColumnType, rows[0].Get("docFreq"), rows[0].Get("numDocs"))
	}
	m.idf, m.docFreq, m.numDocs, m.env = vs[0], df, n, env
	return nil
}

// Transform adds outputCol, inputCol scaled by idf, to every row of one table.
func (m *IDFModel) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, m.idf != nil, "IDFModel"); err != nil {
		return nil, err
	}
	in, out, idf := m.GetInputCol(), m.GetOutputCol(), m.idf
	t, err := mapRows(inputs[0], "IDFModel", func(r Row) (Row, error) {
		v, err := r.Vector(in)
		if err != nil {
			return Row{}, err
		}
		if v.Size() != len(idf) {
			return Row{}, fmt.Errorf("%w: %d elements, the model has %d", ErrColumnType, v.Size(), len(idf))
		}
		if s, ok := v.(*SparseVector); ok {
			o := &SparseVector{N: s.N, Indices: append([]int(nil), s.Indices...), Values: make([]float64, len(s.Values))}
			for k, j := range s.Indices {
				o.Values[k] = s.Values[k] * idf[j]
			}
			return r.With(out, o), nil
		}
		a := v.ToArray()
		for j := range a {
			a[j] *= idf[j]
		}
		return r.With(out, &DenseVector{Values: a}), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

type idfJSON struct {
	IDF     []float64 `json:"idf"`
	DocFreq []int64   `json:"docFreq"`
	NumDocs int64     `json:"numDocs"`
}

func (m *IDFModel) dataJSON() ([]byte, error) {
	return json.Marshal(idfJSON{m.idf, m.docFreq, m.numDocs})
}

func (m *IDFModel) setDataJSON(env *engine.Environment, b []byte) error {
	var j idfJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if len(j.IDF) != len(j.DocFreq) {
		return fmt.Errorf("%w: IDF model data: %d idf values, %d document frequencies", ErrParam, len(j.IDF), len(j.DocFreq))
	}
	m.idf, m.docFreq, m.numDocs, m.env = j.IDF, j.DocFreq, j.NumDocs, env
	return nil
}
