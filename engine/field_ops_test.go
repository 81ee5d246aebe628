package engine

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

type fieldOpsRide struct {
	ID     int64
	Driver string
	Fare   float64
	Night  bool
}

var fieldOpsRides = []any{
	fieldOpsRide{1, "ann", 12.5, false},
	fieldOpsRide{2, "bob", 3, true},
	fieldOpsRide{3, "ann", 40, true},
	map[string]any{"ID": int64(4), "Driver": "cid", "Fare": 7.25, "Night": false},
	&fieldOpsRide{5, "dee", 7.25, false},
}

// Each filter keeps exactly the records its comparison holds for, over structs, pointers and maps, with
// constants of another numeric kind than the field, at parallelism 1 and 4.
func TestFieldFilters(t *testing.T) {
	for _, c := range []struct {
		name string
		f    FilterFunc
		want []int64
	}{
		{"equals string", FieldEquals("Driver", "ann"), []int64{1, 3}},
		{"equals number of another kind", FieldEquals("Fare", 3), []int64{2}},
		{"equals int field with float", FieldEquals("ID", 4.0), []int64{4}},
		{"equals bool", FieldEquals("Night", true), []int64{2, 3}},
		{"not equals", FieldNotEquals("Driver", "ann"), []int64{2, 4, 5}},
		{"less", FieldLess("Fare", 7.25), []int64{2}},
		{"greater", FieldGreater("Fare", 7), []int64{1, 3, 4, 5}},
		{"greater string", FieldGreater("Driver", "bob"), []int64{4, 5}},
		{"in", FieldIn("Driver", "bob", "dee", "eve"), []int64{2, 5}},
		{"in nothing", FieldIn("Driver"), nil},
	} {
		for _, par := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", c.name, par), func(t *testing.T) {
				env := NewEnvironment(Config{Parallelism: par})
				got := env.FromSlice(fieldOpsRides).Rebalance().Filter(c.f).Map(func(v any) any { return Field(v, "ID") }).Collect()
				if _, err := env.Execute("field filter"); err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, v := range got.Values() {
					ids = append(ids, v.(int64))
				}
				sortInt64s(ids)
				if fmt.Sprint(ids) != fmt.Sprint(c.want) {
					t.Fatalf("kept %v, want %v", ids, c.want)
				}
			})
		}
	}
}

func sortInt64s(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// A missing field or a constant of a type the field cannot be compared with fails the job with an error
// naming the helper and the field.
func TestFieldFilterErrors(t *testing.T) {
	for _, c := range []struct {
		f    FilterFunc
		want string
	}{
		{FieldEquals("Tip", 1), `engine.FieldEquals("Tip"): engine.Field: engine.fieldOpsRide has no field "Tip"`},
		{FieldLess("Driver", 3), `engine.FieldLess("Driver"): field is string, constant is int: cannot compare`},
		{FieldGreater("Night", false), `engine.FieldGreater("Night"): field is bool, constant is bool: has no order`},
		{FieldEquals("Night", "yes"), `engine.FieldEquals("Night"): field is bool, constant is string: cannot compare`},
		{FieldIn("Fare", "cheap"), `engine.FieldIn("Fare"): field is float64, constant is string: cannot compare`},
	} {
		env := NewEnvironment(Config{Parallelism: 1})
		env.FromSlice(fieldOpsRides[:1]).Filter(c.f).Collect()
		_, err := env.Execute("bad filter")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want one containing %q", err, c.want)
		}
	}
}

// KeepFields projects onto the named fields (renaming with "from:to"); RenameField keeps every field and
// renames one.
func TestFieldProjections(t *testing.T) {
	for _, c := range []struct {
		name string
		f    MapFunc
		in   any
		want any
	}{
		{"keep from struct", KeepFields("Driver", "Fare"), fieldOpsRides[0], map[string]any{"Driver": "ann", "Fare": 12.5}},
		{"keep and rename from map", KeepFields("ID:ride", "Night"), fieldOpsRides[3], map[string]any{"ride": int64(4), "Night": false}},
		{"keep nothing", KeepFields(), fieldOpsRides[0], map[string]any{}},
		{"rename in struct", RenameField("Fare", "fare"), fieldOpsRides[1],
			map[string]any{"ID": int64(2), "Driver": "bob", "fare": 3.0, "Night": true}},
		{"rename in pointer", RenameField("ID", "ride"), fieldOpsRides[4],
			map[string]any{"ride": int64(5), "Driver": "dee", "Fare": 7.25, "Night": false}},
		{"rename in map", RenameField("Driver", "who"), fieldOpsRides[3],
			map[string]any{"ID": int64(4), "who": "cid", "Fare": 7.25, "Night": false}},
	} {
		env := NewEnvironment(Config{Parallelism: 1})
		got := env.FromElements(c.in).Map(c.f).Collect()
		if _, err := env.Execute("projection"); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if vals := got.Values(); len(vals) != 1 || !reflect.DeepEqual(vals[0], c.want) {
			t.Errorf("%s: got %v, want %v", c.name, vals, c.want)
		}
	}
	if m := fieldOpsRides[3].(map[string]any); m["Driver"] != "cid" {
		t.Fatalf("RenameField changed its input map: %v", m)
	}
	for _, c := range []struct {
		f    MapFunc
		want string
	}{
		{KeepFields("Driver", "Tip"), `engine.KeepFields(["Driver" "Tip"]): engine.Field: engine.fieldOpsRide has no field "Tip"`},
		{RenameField("Tip", "tip"), `engine.RenameField("Tip", "tip"): engine.fieldOpsRide has no field "Tip"`},
	} {
		env := NewEnvironment(Config{Parallelism: 1})
		env.FromElements(fieldOpsRides[0]).Map(c.f).Collect()
		_, err := env.Execute("bad projection")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want one containing %q", err, c.want)
		}
	}
}
