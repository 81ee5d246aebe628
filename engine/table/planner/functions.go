package planner

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// scalarFunc describes a built-in scalar function: how many arguments it takes, its result type from the
// argument types (or an error), and its evaluation on non-null arguments (a NULL argument gives NULL
// unless nullSafe).
type scalarFunc struct {
	minArgs, maxArgs int
	result           func(args []DataType) (DataType, error)
	eval             func(args []any) (any, error)
	nullSafe         bool // eval is called with NULL arguments too
}

func fixed(t DataType) func([]DataType) (DataType, error) {
	return func([]DataType) (DataType, error) { return t, nil }
}

func needString(i int) func([]DataType) (DataType, error) {
	return func(a []DataType) (DataType, error) {
		if i < len(a) && !a[i].isString() && a[i].Kind != KindNull {
			return DataType{}, fmt.Errorf("argument %d must be a string, not %s", i+1, a[i])
		}
		return TypeString, nil
	}
}

func numericArg(a []DataType) (DataType, error) {
	if !a[0].isNumeric() && a[0].Kind != KindNull {
		return DataType{}, fmt.Errorf("needs a number, not %s", a[0])
	}
	return a[0].plain(), nil
}

// scalarFuncs are Flink's built-in scalar functions that Weir runs, by upper-case name.
var scalarFuncs = map[string]scalarFunc{
	"UPPER": {1, 1, needString(0), func(a []any) (any, error) { return strings.ToUpper(a[0].(string)), nil }, false},
	"LOWER": {1, 1, needString(0), func(a []any) (any, error) { return strings.ToLower(a[0].(string)), nil }, false},
	"TRIM":  {1, 1, needString(0), func(a []any) (any, error) { return strings.TrimSpace(a[0].(string)), nil }, false},
	"CHAR_LENGTH": {1, 1, func(a []DataType) (DataType, error) {
		if _, err := needString(0)(a); err != nil {
			return DataType{}, err
		}
		return TypeInt, nil
	}, func(a []any) (any, error) { return int64(utf8.RuneCountInString(a[0].(string))), nil }, false},
	"CONCAT": {1, 1 << 10, func(a []DataType) (DataType, error) {
		for i := range a {
			if _, err := needString(i)(a); err != nil {
				return DataType{}, err
			}
		}
		return TypeString, nil
	}, func(a []any) (any, error) {
		var sb strings.Builder
		for _, s := range a {
			sb.WriteString(s.(string))
		}
		return sb.String(), nil
	}, false},
	"SUBSTRING": {2, 3, needString(0), func(a []any) (any, error) {
		r := []rune(a[0].(string))
		start := a[1].(int64) // 1-based; 0 and negatives as Flink: from the start
		n := int64(len(r)) + 1
		if len(a) == 3 {
			n = a[2].(int64)
			if n < 0 {
				return nil, fmt.Errorf("SUBSTRING length must not be negative, not %d", n)
			}
		}
		from := start - 1
		if start <= 0 {
			from = 0
			if start < 0 {
				from = max(int64(len(r))+start, 0)
			}
		}
		if from >= int64(len(r)) {
			return "", nil
		}
		to := min(from+n, int64(len(r)))
		return string(r[from:to]), nil
	}, false},
	"REPLACE": {3, 3, needString(0), func(a []any) (any, error) {
		return strings.ReplaceAll(a[0].(string), a[1].(string), a[2].(string)), nil
	}, false},
	"ABS": {1, 1, numericArg, func(a []any) (any, error) {
		switch x := a[0].(type) {
		case int64:
			if x < 0 {
				return -x, nil
			}
			return x, nil
		case float64:
			return math.Abs(x), nil
		}
		return nil, nil
	}, false},
	"FLOOR": {1, 1, numericArg, roundWith(math.Floor), false},
	"CEIL":  {1, 1, numericArg, roundWith(math.Ceil), false},
	"ROUND": {1, 2, numericArg, func(a []any) (any, error) {
		d := int64(0)
		if len(a) == 2 {
			d = a[1].(int64)
		}
		switch x := a[0].(type) {
		case int64:
			if d >= 0 {
				return x, nil
			}
			p := int64(math.Pow10(int(-d)))
			return int64(math.Round(float64(x)/float64(p))) * p, nil
		case float64:
			p := math.Pow10(int(d))
			return math.Round(x*p) / p, nil // HALF_UP for positive values, as Java's BigDecimal
		}
		return nil, nil
	}, false},
	"MOD": {2, 2, func(a []DataType) (DataType, error) {
		if !a[0].isInteger() || !a[1].isInteger() {
			if a[0].isNumeric() && a[1].isNumeric() {
				return numericResult("%", a[0], a[1]), nil
			}
			return DataType{}, fmt.Errorf("MOD needs numbers, not %s and %s", a[0], a[1])
		}
		return a[1].plain(), nil
	}, func(a []any) (any, error) {
		x, xi := a[0].(int64)
		y, yi := a[1].(int64)
		if xi && yi {
			if y == 0 {
				return nil, fmt.Errorf("division by zero in MOD")
			}
			return x % y, nil
		}
		return math.Mod(toFloat(a[0]), toFloat(a[1])), nil
	}, false},
	"POWER": {2, 2, fixed(TypeDouble), func(a []any) (any, error) { return math.Pow(toFloat(a[0]), toFloat(a[1])), nil }, false},
	"SQRT":  {1, 1, fixed(TypeDouble), func(a []any) (any, error) { return math.Sqrt(toFloat(a[0])), nil }, false},
	"COALESCE": {1, 1 << 10, func(a []DataType) (DataType, error) {
		t := a[0]
		for _, b := range a[1:] {
			w, ok := commonType(t, b)
			if !ok {
				return DataType{}, fmt.Errorf("COALESCE arguments have incompatible types %s and %s", t, b)
			}
			t = w
		}
		t.NotNull = false
		for _, b := range a {
			t.NotNull = t.NotNull || b.NotNull
		}
		return t.plain(), nil
	}, func(a []any) (any, error) {
		for _, v := range a {
			if v != nil {
				return v, nil
			}
		}
		return nil, nil
	}, true},
	"IF": {3, 3, func(a []DataType) (DataType, error) {
		if a[0].Kind != KindBoolean {
			return DataType{}, fmt.Errorf("IF needs a BOOLEAN condition, not %s", a[0])
		}
		t, ok := commonType(a[1], a[2])
		if !ok {
			return DataType{}, fmt.Errorf("IF branches have incompatible types %s and %s", a[1], a[2])
		}
		return t, nil
	}, func(a []any) (any, error) {
		if a[0] == true {
			return a[1], nil
		}
		return a[2], nil
	}, true},
	"TO_TIMESTAMP": {1, 2, func(a []DataType) (DataType, error) {
		if _, err := needString(0)(a); err != nil {
			return DataType{}, err
		}
		return TypeTimestamp, nil
	}, func(a []any) (any, error) {
		// Flink's TO_TIMESTAMP gives NULL for a string it cannot parse.
		if len(a) == 2 {
			t, err := time.ParseInLocation(javaLayout(a[1].(string)), a[0].(string), time.UTC)
			if err != nil {
				return nil, nil
			}
			return t, nil
		}
		t, err := parseTimestamp(a[0].(string))
		if err != nil {
			return nil, nil
		}
		return t.Truncate(time.Millisecond), nil
	}, false},
	"TO_TIMESTAMP_LTZ": {1, 2, func(a []DataType) (DataType, error) {
		if !a[0].isNumeric() {
			return DataType{}, fmt.Errorf("TO_TIMESTAMP_LTZ needs epoch numbers, not %s", a[0])
		}
		return DataType{Kind: KindTimestampLTZ, Precision: 3}, nil
	}, func(a []any) (any, error) {
		p := int64(3)
		if len(a) == 2 {
			p = a[1].(int64)
		}
		n := toFloat(a[0])
		switch p {
		case 0:
			return time.UnixMilli(int64(n * 1000)).UTC(), nil
		case 3:
			return time.UnixMilli(int64(n)).UTC(), nil
		}
		return nil, fmt.Errorf("TO_TIMESTAMP_LTZ precision must be 0 or 3, not %d", p)
	}, false},
	"DATE_FORMAT": {2, 2, func(a []DataType) (DataType, error) {
		if !a[0].isTime() && !a[0].isString() {
			return DataType{}, fmt.Errorf("DATE_FORMAT needs a timestamp, not %s", a[0])
		}
		return TypeString, nil
	}, func(a []any) (any, error) {
		t, ok := a[0].(time.Time)
		if !ok {
			var err error
			if t, err = parseTimestamp(a[0].(string)); err != nil {
				return nil, nil
			}
		}
		return t.Format(javaLayout(a[1].(string))), nil
	}, false},
	"TIMESTAMPDIFF": {3, 3, fixed(TypeInt), func(a []any) (any, error) {
		unit := a[0].(string)
		x, y := a[1].(time.Time), a[2].(time.Time)
		switch unit {
		case "YEAR", "MONTH":
			months := (y.Year()-x.Year())*12 + int(y.Month()) - int(x.Month())
			// a month counts only when complete, as Calcite's SqlFunctions.subtractMonths
			if months > 0 && y.AddDate(0, -months, 0).Before(x) {
				months--
			} else if months < 0 && y.AddDate(0, -months, 0).After(x) {
				months++
			}
			if unit == "YEAR" {
				return int64(months / 12), nil
			}
			return int64(months), nil
		}
		ms := unitMillis[unit]
		if unit == "WEEK" {
			ms = 7 * unitMillis["DAY"]
		}
		return y.Sub(x).Milliseconds() / ms, nil
	}, false},
}

func roundWith(f func(float64) float64) func([]any) (any, error) {
	return func(a []any) (any, error) {
		switch x := a[0].(type) {
		case int64:
			return x, nil
		case float64:
			return f(x), nil
		}
		return nil, nil
	}
}

// javaLayout converts a Java DateTimeFormatter/SimpleDateFormat pattern (yyyy-MM-dd HH:mm:ss.SSS) into
// a Go time layout.
func javaLayout(p string) string {
	repl := []struct{ java, goLayout string }{
		{"yyyy", "2006"}, {"yy", "06"}, {"MM", "01"}, {"dd", "02"}, {"HH", "15"}, {"hh", "03"},
		{"mm", "04"}, {"ss", "05"}, {"SSS", "000"}, {"SS", "00"}, {"S", "0"}, {"a", "PM"}, {"EEE", "Mon"},
	}
	var sb strings.Builder
	for i := 0; i < len(p); {
		matched := false
		for _, r := range repl {
			if strings.HasPrefix(p[i:], r.java) {
				if r.java[0] == 'S' && sb.Len() > 0 && !strings.HasSuffix(sb.String(), ".") {
					sb.WriteString(".")
				}
				sb.WriteString(r.goLayout)
				i += len(r.java)
				matched = true
				break
			}
		}
		if !matched {
			if p[i] == '\'' {
				j := strings.IndexByte(p[i+1:], '\'')
				if j >= 0 {
					sb.WriteString(p[i+1 : i+1+j])
					i += j + 2
					continue
				}
			}
			sb.WriteByte(p[i])
			i++
		}
	}
	return strings.ReplaceAll(sb.String(), "..", ".")
}

// funcSigs are the argument kinds of the scalar functions, one letter per argument, the last repeated for
// more arguments: S a string, I an integer, N a number, T a timestamp or date, B a boolean, U a time unit
// (TIMESTAMPDIFF's first argument), * anything. NULL fits every kind.
var funcSigs = map[string]string{
	"UPPER": "S", "LOWER": "S", "TRIM": "S", "CHAR_LENGTH": "S", "CONCAT": "S", "SUBSTRING": "SII",
	"REPLACE": "SSS", "ABS": "N", "FLOOR": "N", "CEIL": "N", "ROUND": "NI", "MOD": "NN", "POWER": "NN",
	"SQRT": "N", "COALESCE": "*", "IF": "B**", "TO_TIMESTAMP": "SS", "TO_TIMESTAMP_LTZ": "NI",
	"DATE_FORMAT": "*S", "TIMESTAMPDIFF": "UTT",
}

func fitsKind(t DataType, k byte) bool {
	if t.Kind == KindNull {
		return true
	}
	switch k {
	case 'S':
		return t.isString()
	case 'I':
		return t.isInteger()
	case 'N':
		return t.isNumeric()
	case 'T':
		return t.isTime()
	case 'B':
		return t.Kind == KindBoolean
	}
	return true
}

var kindNames = map[byte]string{'S': "a string", 'I': "an integer", 'N': "a number", 'T': "a timestamp", 'B': "a BOOLEAN", 'U': "a time unit"}

var timeUnits = map[string]bool{"SECOND": true, "MINUTE": true, "HOUR": true, "DAY": true, "WEEK": true, "MONTH": true, "YEAR": true, "MILLISECOND": true}

func (b *binder) bindCall(x *sqlparse.Call) (*cexpr, error) {
	name := x.Name
	switch name {
	case "CEILING":
		name = "CEIL"
	case "SUBSTR":
		name = "SUBSTRING"
	case "CHARACTER_LENGTH":
		name = "CHAR_LENGTH"
	case "NULLIF":
		if len(x.Args) != 2 {
			return nil, errAt(x.Pos, ErrValidation, "NULLIF takes 2 arguments")
		}
		// NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END
		c := &sqlparse.Case{Pos: x.Pos, Whens: []sqlparse.When{{Cond: &sqlparse.Binary{Pos: x.Pos, Op: "=", L: x.Args[0], R: x.Args[1]},
			Result: &sqlparse.Literal{Pos: x.Pos, Kind: sqlparse.LitNull}}}, Else: x.Args[0]}
		return b.bindCase(c)
	}
	f, ok := scalarFuncs[name]
	if !ok {
		var names []string
		for n := range scalarFuncs {
			names = append(names, n)
		}
		names = append(names, "COUNT", "SUM", "MIN", "MAX", "AVG")
		return nil, errAt(x.Pos, ErrValidation, "No match found for function signature %s(...)%s", x.Name, suggest(x.Name, names))
	}
	if x.Star || x.Distinct {
		return nil, errAt(x.Pos, ErrValidation, "%s is not an aggregate function", x.Name)
	}
	if len(x.Args) < f.minArgs || len(x.Args) > f.maxArgs {
		return nil, errAt(x.Pos, ErrValidation, "Invalid number of arguments to function '%s': %d", x.Name, len(x.Args))
	}
	var args []*cexpr
	var types []DataType
	for i, a := range x.Args {
		if name == "TIMESTAMPDIFF" && i == 0 {
			id, ok := a.(*sqlparse.Ident)
			u := ""
			if ok && len(id.Parts) == 1 {
				u = strings.ToUpper(id.Parts[0])
			}
			if !timeUnits[u] {
				return nil, errAt(a.ExprPos(), ErrValidation, "TIMESTAMPDIFF needs a time unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR) first")
			}
			args = append(args, constant(u, TypeString, u))
			types = append(types, TypeString)
			continue
		}
		c, err := b.bind(a)
		if err != nil {
			return nil, err
		}
		if name == "TIMESTAMPDIFF" && !c.typ.isTime() && c.typ.Kind != KindNull {
			return nil, errAt(a.ExprPos(), ErrValidation, "TIMESTAMPDIFF needs timestamps, not %s", c.typ)
		}
		args = append(args, c)
		types = append(types, c.typ)
	}
	sig := funcSigs[name]
	for i, ty := range types {
		k := sig[min(i, len(sig)-1)]
		if k != 'U' && !fitsKind(ty, k) {
			return nil, errAt(x.Args[i].ExprPos(), ErrValidation, "argument %d of %s must be %s, not %s", i+1, x.Name, kindNames[k], ty.plain())
		}
	}
	rt, err := f.result(types)
	if err != nil {
		return nil, errAt(x.Pos, ErrValidation, "%s: %v", x.Name, err)
	}
	if !f.nullSafe {
		rt.NotNull = true
		for _, t := range types {
			rt.NotNull = rt.NotNull && t.NotNull
		}
		if name == "TO_TIMESTAMP" {
			rt.NotNull = false
		}
	}
	if rt.Kind == KindDecimal {
		// FLOOR and CEIL of a DECIMAL have scale 0; ROUND(x, d) has scale d (Calcite's return type rules).
		switch name {
		case "FLOOR", "CEIL":
			rt.Scale = 0
		case "ROUND":
			d := int64(0)
			if len(x.Args) == 2 {
				if _, lit := x.Args[1].(*sqlparse.Literal); lit {
					if v, err := args[1].eval(nil); err == nil {
						d, _ = v.(int64)
					}
				}
			}
			rt.Scale = int(max(0, min(d, int64(rt.Scale))))
		}
	}
	texts := make([]string, len(args))
	for i, a := range args {
		texts[i] = a.text
	}
	pos := x.Pos
	text := x.Name + "(" + strings.Join(texts, ", ") + ")"
	if name == "MOD" && rt.isInteger() && args[0].evalInt != nil && args[1].evalInt != nil {
		return intExpr(rt, text, intCall("%", args[0].evalInt, args[1].evalInt, func() error {
			return fmt.Errorf("%w at %s: division by zero in MOD", ErrRuntime, pos)
		})), nil
	}
	return &cexpr{typ: rt, text: text, eval: func(r []any) (any, error) {
		vals := make([]any, len(args))
		for i, a := range args {
			v, err := a.eval(r)
			if err != nil {
				return nil, err
			}
			if v == nil && !f.nullSafe {
				return nil, nil
			}
			vals[i] = v
		}
		v, err := f.eval(vals)
		if err != nil {
			return nil, fmt.Errorf("%w at %s: %v", ErrRuntime, pos, err)
		}
		return coerce(v, rt), nil
	}}, nil
}

// bindProctime binds PROCTIME(), Flink's processing-time attribute: TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*.
// Its value is the processing time at which the operator that computes it (the table's scan for a computed
// column, the Calc for a select item) processes the row, which is why it must be a whole computed column or
// select item: Weir materializes it there, where Flink materializes it where it is first read.
func (b *binder) bindProctime(x *sqlparse.Call) (*cexpr, error) {
	if len(x.Args) != 0 || x.Star || x.Distinct {
		return nil, errAt(x.Pos, ErrValidation, "PROCTIME() takes no arguments")
	}
	if b.depth != 1 || b.agg != nil {
		return nil, errAt(x.Pos, ErrUnsupported, "Weir computes PROCTIME() only as a whole computed column or select item (p AS PROCTIME()), not inside another expression")
	}
	return &cexpr{typ: DataType{Kind: KindTimestampLTZ, Precision: 3, NotNull: true, Proctime: true}, text: "PROCTIME()", proctime: true,
		eval: func([]any) (any, error) {
			return nil, fmt.Errorf("%w: PROCTIME() is computed by its operator", ErrRuntime)
		}}, nil
}
