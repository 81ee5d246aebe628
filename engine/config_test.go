package engine

import (
	"bytes"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestWithDefaultsAppliesEveryDefault checks each default stated on Config, CheckpointConfig and
// RestartStrategy against the value the runtime then reads, and that set values are kept.
func TestWithDefaultsAppliesEveryDefault(t *testing.T) {
	vc := NewVirtualClock(5)
	var out bytes.Buffer
	for _, c := range []struct {
		name string
		in   Config
		want func(Config) Config // the expected result, from the zero-valued defaults
	}{
		{"zero", Config{}, func(c Config) Config { return c }},
		{"set values are kept", Config{Parallelism: 3, MaxParallelism: 64, TaskManagers: 2, SlotsPerTaskManager: 4,
			Clock: vc, AutoWatermarkInterval: time.Second, BufferSize: 10, BuffersPerChannel: 2, Stdout: &out,
			StateBackend: PebbleState, BlockingPartitionRecords: -1, BlockingPartitionMemory: -1,
			Checkpointing: CheckpointConfig{Interval: time.Minute, MinPause: time.Second, Timeout: time.Hour, Dir: "d",
				Retained: 5, Guarantee: AtMostOnce, RestoreFrom: "r"},
			Restart: RestartStrategy{Attempts: 3, Delay: 0}},
			func(c Config) Config {
				c.Parallelism, c.MaxParallelism, c.TaskManagers, c.SlotsPerTaskManager = 3, 64, 2, 4
				c.Clock, c.AutoWatermarkInterval, c.BufferSize, c.BuffersPerChannel, c.Stdout = vc, time.Second, 10, 2, &out
				c.StateBackend, c.BlockingPartitionRecords, c.BlockingPartitionMemory = PebbleState, -1, -1
				c.Checkpointing = CheckpointConfig{Interval: time.Minute, MinPause: time.Second, Timeout: time.Hour, Dir: "d",
					Retained: 5, Guarantee: AtMostOnce, RestoreFrom: "r"}
				c.Restart = RestartStrategy{Attempts: 3, Delay: 0} // a set Attempts keeps its zero Delay: restart at once
				return c
			}},
		{"explicit exactly-once", Config{Checkpointing: CheckpointConfig{Guarantee: ExactlyOnce}}, func(c Config) Config { return c }},
		{"periodic checkpoints restart 10 times 1s apart", Config{Checkpointing: CheckpointConfig{Interval: time.Second}},
			func(c Config) Config {
				c.Checkpointing.Interval = time.Second
				c.Restart = RestartStrategy{Attempts: 10, Delay: time.Second}
				return c
			}},
		{"periodic checkpoints keep a set delay", Config{Checkpointing: CheckpointConfig{Interval: time.Second}, Restart: RestartStrategy{Delay: 5 * time.Second}},
			func(c Config) Config {
				c.Checkpointing.Interval = time.Second
				c.Restart = RestartStrategy{Attempts: 10, Delay: 5 * time.Second}
				return c
			}},
		{"negative attempts disable restarts", Config{Checkpointing: CheckpointConfig{Interval: time.Second}, Restart: RestartStrategy{Attempts: -1}},
			func(c Config) Config {
				c.Checkpointing.Interval = time.Second
				c.Restart = RestartStrategy{Attempts: -1}
				return c
			}},
		{"negative durations and slots are zero", Config{SlotsPerTaskManager: -2, Checkpointing: CheckpointConfig{Interval: -time.Second, MinPause: -1}, Restart: RestartStrategy{Attempts: 2, Delay: -time.Second}},
			func(c Config) Config {
				c.Restart = RestartStrategy{Attempts: 2}
				return c
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			zero := Config{Parallelism: runtime.NumCPU(), MaxParallelism: 128, TaskManagers: 1, Clock: RealClock{},
				AutoWatermarkInterval: 200 * time.Millisecond, BufferSize: 256, BuffersPerChannel: 4, Stdout: os.Stdout,
				BlockingPartitionRecords: 65536, BlockingPartitionMemory: 4 << 20,
				StateBackend:      HeapState,
				Checkpointing:     CheckpointConfig{Timeout: 10 * time.Minute, Retained: 2, Guarantee: ExactlyOnce},
				Restart:           RestartStrategy{Attempts: -1},
				ManagedMemorySize: 128 << 20, ManagedMemoryFraction: 0.4, MemorySegmentSize: 32 << 10, TempDir: os.TempDir()}
			got, want := c.in.withDefaults(), c.want(zero)
			if got != want {
				t.Errorf("withDefaults(%+v)\n got %+v\nwant %+v", c.in, got, want)
			}
			if again := got.withDefaults(); again != got {
				t.Errorf("withDefaults is not idempotent:\n%+v\n%+v", got, again)
			}
		})
	}
}

func TestWithDefaultsGivesDeterministicTimeAVirtualClock(t *testing.T) {
	c := Config{DeterministicTime: true}.withDefaults()
	vc, ok := c.Clock.(*VirtualClock)
	if !ok || vc.NowMillis() != 0 {
		t.Fatalf("clock %#v, want a VirtualClock at 0", c.Clock)
	}
}

// TestMergeTakesTheFieldsTheOtherConfigSets is how the workbench combines its defaults (c) with a cell's
// own Config (other): a set field of other wins, an unset one keeps c's.
func TestMergeTakesTheFieldsTheOtherConfigSets(t *testing.T) {
	vc, vc2 := NewVirtualClock(0), NewVirtualClock(7)
	var out bytes.Buffer
	base := Config{Parallelism: 2, TaskManagers: 2, Clock: vc, StateBackend: PebbleState, BufferSize: 32,
		Checkpointing: CheckpointConfig{Interval: time.Second, Dir: "/ckpt", Guarantee: AtLeastOnce, Retained: 3},
		Restart:       RestartStrategy{Attempts: 4, Delay: time.Millisecond}}
	for _, c := range []struct {
		name  string
		other Config
		want  func(Config) Config
	}{
		{"empty other keeps everything", Config{}, func(c Config) Config { return c }},
		{"explicit exactly-once wins over the default", Config{Checkpointing: CheckpointConfig{Guarantee: ExactlyOnce}},
			func(c Config) Config { c.Checkpointing.Guarantee = ExactlyOnce; return c }},
		{"unset guarantee takes the default", Config{Checkpointing: CheckpointConfig{Interval: time.Minute}},
			func(c Config) Config { c.Checkpointing.Interval = time.Minute; return c }},
		{"heap state chosen explicitly", Config{StateBackend: HeapState},
			func(c Config) Config { c.StateBackend = HeapState; return c }},
		{"every field", Config{Parallelism: 3, MaxParallelism: 256, TaskManagers: 3, SlotsPerTaskManager: 1, Clock: vc2,
			AutoWatermarkInterval: time.Second, BufferSize: 8, BuffersPerChannel: 1, Stdout: &out, StateBackend: HeapState,
			Checkpointing: CheckpointConfig{Interval: time.Hour, MinPause: 2, Timeout: 3, Dir: "/mine", Retained: 1,
				Guarantee: AtMostOnce, RestoreFrom: "/sp"},
			Restart: RestartStrategy{Attempts: -1, Delay: 9}},
			func(c Config) Config {
				return Config{Parallelism: 3, MaxParallelism: 256, TaskManagers: 3, SlotsPerTaskManager: 1, Clock: vc2,
					AutoWatermarkInterval: time.Second, BufferSize: 8, BuffersPerChannel: 1, Stdout: &out, StateBackend: HeapState,
					Checkpointing: CheckpointConfig{Interval: time.Hour, MinPause: 2, Timeout: 3, Dir: "/mine", Retained: 1,
						Guarantee: AtMostOnce, RestoreFrom: "/sp"},
					Restart: RestartStrategy{Attempts: -1, Delay: 9}}
			}},
		{"deterministic time drops the default clock", Config{DeterministicTime: true},
			func(c Config) Config { c.DeterministicTime, c.Clock = true, nil; return c }},
		{"deterministic time with its own clock", Config{DeterministicTime: true, Clock: vc2},
			func(c Config) Config { c.DeterministicTime, c.Clock = true, vc2; return c }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, want := base.Merge(c.other), c.want(base); got != want {
				t.Errorf("Merge(%+v)\n got %+v\nwant %+v", c.other, got, want)
			}
		})
	}
}
