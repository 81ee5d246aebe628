package interp

import (
	"testing"

	"github.com/de4e/weir/interp/exports"
)

// The online stages of package ml run from a cell: OnlineKMeans fitted on a stream, its model (a single-value
// type assertion from the Model that Fit returns), the model data stream and the predictions read with
// ml.ToDataStream and a sink, and LatestVersion polled after the run; the same for OnlineLogisticRegression
// and OnlineStandardScaler. It needs interp/exports regenerated with engine/ml (go generate ./interp/exports)
// and is skipped until then.
func TestOnlineMLFromACell(t *testing.T) {
	if _, ok := exports.Symbols["github.com/de4e/weir/engine/ml/ml"]["NewOnlineKMeans"]; !ok {
		t.Skip("interp/exports predates engine/ml's online stages: run go generate ./interp/exports")
	}
	k := New(Options{})
	ex := mustRun(t, k, "kmeans", `import "github.com/de4e/weir/engine/ml"
env := engine.NewEnvironment(engine.Config{Parallelism: 2})
k := ml.NewOnlineKMeans().SetGlobalBatchSize(6).SetDecayFactor(0.5)
err := k.SetInitialModelData(ml.RandomKMeansModelData(env, 2, 2, 0, 0))
if err != nil {
	panic(err)
}
pts := []any{}
for i := 0; i < 60; i++ {
	x := float64(i%2) * 10
	pts = append(pts, ml.NewRow("features", ml.Dense(x, x+float64(i%3)/10)))
}
model, err := k.Fit(ml.FromDataStream(env, env.FromSlice(pts)))
if err != nil {
	panic(err)
}
om := model.(*ml.OnlineKMeansModel)
versions := ml.ToDataStream(om.GetModelData()[0]).Collect()
outputs, err := om.Transform(ml.FromDataStream(env, env.FromSlice(pts[:4])))
if err != nil {
	panic(err)
}
preds := ml.ToDataStream(outputs[0]).Collect()
if _, err := env.Execute("online kmeans"); err != nil {
	panic(err)
}
v, ok := om.LatestVersion()
fmt.Println(len(versions.Values()), len(preds.Values()), v.Version, ok)`)
	if got := ex.Output(); got != "11 4 10 true\n" {
		t.Errorf("kmeans output %q", got)
	}
	ex = mustRun(t, k, "lr", `lr := ml.NewOnlineLogisticRegression().SetGlobalBatchSize(10).SetReg(0.2).SetElasticNet(0.5)
env2 := engine.NewEnvironment(engine.Config{Parallelism: 2})
err = lr.SetInitialModelData(ml.FromRows(env2, []ml.Row{ml.NewRow("coefficient", ml.Dense(0.4, -0.2))}))
if err != nil {
	panic(err)
}
rows := []any{}
for i := 0; i < 40; i++ {
	rows = append(rows, ml.NewRow("features", ml.Dense(float64(i%2)*10, 2), "label", float64(i%2)))
}
lm, err := lr.Fit(ml.FromDataStream(env2, env2.FromSlice(rows)))
if err != nil {
	panic(err)
}
olm := lm.(*ml.OnlineLogisticRegressionModel)
c := ml.ToDataStream(olm.GetModelData()[0]).Collect()
if _, err := env2.Execute("lr"); err != nil {
	panic(err)
}
lv, _ := olm.LatestVersion()
fmt.Println(len(c.Values()), lv.Version)`)
	if got := ex.Output(); got != "4 4\n" {
		t.Errorf("lr output %q", got)
	}
	ex = mustRun(t, k, "scaler", `sc := ml.NewOnlineStandardScaler().SetWindows(ml.CountTumblingWindows(3))
env3 := engine.NewEnvironment(engine.Config{Parallelism: 1})
in := []any{ml.NewRow("input", ml.Dense(1, 2)), ml.NewRow("input", ml.Dense(3, 4)), ml.NewRow("input", ml.Dense(5, 0))}
sm, err := sc.Fit(ml.FromDataStream(env3, env3.FromSlice(in)))
if err != nil {
	panic(err)
}
sOut, err := sm.Transform(ml.FromDataStream(env3, env3.FromSlice(in)))
if err != nil {
	panic(err)
}
rs := ml.ToDataStream(sOut[0]).Collect()
if _, err := env3.Execute("scaler"); err != nil {
	panic(err)
}
fmt.Println(rs.Values())`)
	if got := ex.Output(); got != "[(input=[1.0, 2.0], output=[0.5, 1.0], version=0) (input=[3.0, 4.0], output=[1.5, 2.0], version=0) (input=[5.0, 0.0], output=[2.5, 0.0], version=0)]\n" {
		t.Errorf("scaler output %q", got)
	}
}
