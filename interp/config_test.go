package interp

import (
	"testing"

	"github.com/de4e/weir/engine"
)

// TestCellGuaranteeWinsOverTheWorkbenchDefault is the workbench's "delivery guarantee of the next run"
// control: it sets the kernel's default guarantee, which a cell that does not choose one runs with, while a
// cell that says ExactlyOnce keeps it (the control used to override an explicit ExactlyOnce, the zero value).
func TestCellGuaranteeWinsOverTheWorkbenchDefault(t *testing.T) {
	k := New(Options{Config: engine.Config{Parallelism: 2, StateBackend: engine.PebbleState}})
	cfg := k.Config()
	cfg.Checkpointing.Guarantee = engine.AtLeastOnce // what pressing g once does in the workbench
	k.SetConfig(cfg)
	for _, c := range []struct{ name, cfg, want string }{
		{"unset", "engine.Config{}", "at-least-once pebble 2\n"},
		{"explicit-exactly-once", "engine.Config{Checkpointing: engine.CheckpointConfig{Guarantee: engine.ExactlyOnce}}", "exactly-once pebble 2\n"},
		{"explicit-at-most-once", "engine.Config{Parallelism: 1, Checkpointing: engine.CheckpointConfig{Guarantee: engine.AtMostOnce}}", "at-most-once pebble 1\n"},
	} {
		ex := mustRun(t, k, c.name, "c := engine.NewEnvironment("+c.cfg+").Config()\nfmt.Println(c.Checkpointing.Guarantee, c.StateBackend, c.Parallelism)")
		if got := ex.Output(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
