package planner

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// TypeKind is a SQL type's root: Flink's LogicalTypeRoot for the types Weir runs.
type TypeKind uint8

// The type kinds. At run time BOOLEAN is a bool; TINYINT, SMALLINT, INT and BIGINT are int64; FLOAT,
// DOUBLE and DECIMAL are float64 (DECIMAL keeps its scale for printing and rounding, not exact
// arithmetic); CHAR, VARCHAR and STRING are string; TIMESTAMP, TIMESTAMP_LTZ and DATE are time.Time in
// UTC; NULL is nil.
const (
	KindNull TypeKind = iota
	KindBoolean
	KindTinyInt
	KindSmallInt
	KindInt
	KindBigInt
	KindFloat
	KindDouble
	KindDecimal
	KindChar
	KindVarchar
	KindTimestamp
	KindTimestampLTZ
	KindDate
	KindInterval // an INTERVAL literal: int64 milliseconds; no column has this type
)

// DataType is a column's or expression's SQL type.
type DataType struct {
	Kind      TypeKind
	Precision int  // VARCHAR/CHAR length (math.MaxInt32 for STRING), DECIMAL precision, TIMESTAMP precision
	Scale     int  // DECIMAL scale
	NotNull   bool // NOT NULL
	Rowtime   bool // the table's event-time attribute (WATERMARK FOR), printed *ROWTIME*
	Proctime  bool // a processing-time attribute (PROCTIME()), printed *PROCTIME*
}

// The types most used, with Flink's default parameters.
var (
	TypeBoolean   = DataType{Kind: KindBoolean}
	TypeInt       = DataType{Kind: KindInt}
	TypeBigInt    = DataType{Kind: KindBigInt}
	TypeDouble    = DataType{Kind: KindDouble}
	TypeString    = DataType{Kind: KindVarchar, Precision: math.MaxInt32}
	TypeTimestamp = DataType{Kind: KindTimestamp, Precision: 3}
	TypeDate      = DataType{Kind: KindDate}
	typeNull      = DataType{Kind: KindNull}
	typeInterval  = DataType{Kind: KindInterval, NotNull: true}
)

// String formats the type as Flink's DESCRIBE does: BIGINT, STRING, VARCHAR(10), DECIMAL(10, 2),
// TIMESTAMP(3) *ROWTIME*, with NOT NULL when it applies.
func (t DataType) String() string {
	var s string
	switch t.Kind {
	case KindNull:
		s = "NULL"
	case KindBoolean:
		s = "BOOLEAN"
	case KindTinyInt:
		s = "TINYINT"
	case KindSmallInt:
		s = "SMALLINT"
	case KindInt:
		s = "INT"
	case KindBigInt:
		s = "BIGINT"
	case KindFloat:
		s = "FLOAT"
	case KindDouble:
		s = "DOUBLE"
	case KindDecimal:
		s = fmt.Sprintf("DECIMAL(%d, %d)", t.Precision, t.Scale)
	case KindChar:
		s = fmt.Sprintf("CHAR(%d)", t.Precision)
	case KindVarchar:
		if t.Precision == math.MaxInt32 {
			s = "STRING"
		} else {
			s = fmt.Sprintf("VARCHAR(%d)", t.Precision)
		}
	case KindTimestamp:
		s = fmt.Sprintf("TIMESTAMP(%d)", t.Precision)
	case KindTimestampLTZ:
		s = fmt.Sprintf("TIMESTAMP_LTZ(%d)", t.Precision)
	case KindDate:
		s = "DATE"
	case KindInterval:
		s = "INTERVAL"
	}
	if t.NotNull {
		s += " NOT NULL"
	}
	if t.Rowtime {
		s += " *ROWTIME*"
	}
	if t.Proctime {
		s += " *PROCTIME*"
	}
	return s
}

func (t DataType) isNumeric() bool { return t.Kind >= KindTinyInt && t.Kind <= KindDecimal }
func (t DataType) isInteger() bool { return t.Kind >= KindTinyInt && t.Kind <= KindBigInt }
func (t DataType) isString() bool  { return t.Kind == KindChar || t.Kind == KindVarchar }
func (t DataType) isTime() bool {
	return t.Kind == KindTimestamp || t.Kind == KindTimestampLTZ || t.Kind == KindDate
}

// nullable returns t without NOT NULL and without the time attribute marks.
func (t DataType) nullable() DataType {
	t.NotNull = false
	t.Rowtime = false
	t.Proctime = false
	return t
}

// plain returns t without the time attribute marks (an expression over a time attribute is no time
// attribute).
func (t DataType) plain() DataType { t.Rowtime = false; t.Proctime = false; return t }

// isTimeAttribute reports whether t is an event-time or processing-time attribute.
func (t DataType) isTimeAttribute() bool { return t.Rowtime || t.Proctime }

// typeFromAST converts a parsed type.
func typeFromAST(t sqlparse.DataType) (DataType, error) {
	p := func(i, def int) int {
		if i < len(t.Params) {
			return t.Params[i]
		}
		return def
	}
	var d DataType
	switch t.Name {
	case "BOOLEAN":
		d = DataType{Kind: KindBoolean}
	case "TINYINT":
		d = DataType{Kind: KindTinyInt}
	case "SMALLINT":
		d = DataType{Kind: KindSmallInt}
	case "INT":
		d = DataType{Kind: KindInt}
	case "BIGINT":
		d = DataType{Kind: KindBigInt}
	case "FLOAT", "REAL":
		d = DataType{Kind: KindFloat}
	case "DOUBLE":
		d = DataType{Kind: KindDouble}
	case "DECIMAL":
		d = DataType{Kind: KindDecimal, Precision: p(0, 10), Scale: p(1, 0)}
		if d.Precision < 1 || d.Precision > 38 || d.Scale > d.Precision {
			return d, fmt.Errorf("DECIMAL precision must be 1 to 38 and scale at most the precision, not (%d, %d)", d.Precision, d.Scale)
		}
	case "CHAR":
		d = DataType{Kind: KindChar, Precision: p(0, 1)}
	case "VARCHAR":
		d = DataType{Kind: KindVarchar, Precision: p(0, 1)}
	case "STRING":
		d = TypeString
	case "TIMESTAMP":
		d = DataType{Kind: KindTimestamp, Precision: p(0, 6)}
	case "TIMESTAMP_LTZ":
		d = DataType{Kind: KindTimestampLTZ, Precision: p(0, 6)}
	case "DATE":
		d = DataType{Kind: KindDate}
	default:
		return d, fmt.Errorf("type %s is not supported by Weir", t.Name)
	}
	if (d.Kind == KindTimestamp || d.Kind == KindTimestampLTZ) && d.Precision > 9 {
		return d, fmt.Errorf("TIMESTAMP precision must be 0 to 9, not %d", d.Precision)
	}
	d.NotNull = t.NotNull
	return d, nil
}

// FormatValue formats a value of type t as Flink's SQL client prints it: NULL as <NULL>, BOOLEAN as
// TRUE/FALSE, DOUBLE as Java prints it (1.0, 0.25), DECIMAL with its scale, TIMESTAMP(p) as
// "2020-10-10 00:00:05.000" with p fraction digits, DATE as "2020-10-10".
func FormatValue(v any, t DataType) string {
	if v == nil {
		return "<NULL>"
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if t.Kind == KindDecimal {
			return strconv.FormatFloat(roundScale(x, t.Scale), 'f', t.Scale, 64)
		}
		return javaDouble(x)
	case string:
		return x
	case time.Time:
		switch t.Kind {
		case KindDate:
			return x.Format("2006-01-02")
		}
		s := x.UTC().Format("2006-01-02 15:04:05")
		if t.Precision > 0 {
			frac := fmt.Sprintf("%09d", x.Nanosecond())
			s += "." + frac[:t.Precision]
		}
		return s
	}
	return fmt.Sprint(v)
}

// javaDouble formats a float as Java's Double.toString does for the usual magnitudes: 5.0, 0.25, 1.0E10.
func javaDouble(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	a := math.Abs(x)
	if a != 0 && (a < 1e-3 || a >= 1e7) {
		s := strconv.FormatFloat(x, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		if exp[0] == '+' {
			exp = exp[1:]
		}
		return mant + "E" + strings.TrimLeft(exp, "0")
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func roundScale(x float64, scale int) float64 {
	p := math.Pow(10, float64(scale))
	return math.Round(x*p) / p
}
