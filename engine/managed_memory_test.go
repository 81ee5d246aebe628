package engine

import (
	"errors"
	"strings"
	"testing"
)

// The managed memory defaults are Flink's: 128 MiB per TaskManager in local execution, or
// taskmanager.memory.managed.fraction (0.4) of a stated TaskManager memory, in 32 KiB segments; an explicit
// size wins over the fraction (Flink: TaskExecutorFlinkMemoryUtils, managed memory derived from the fraction
// only when taskmanager.memory.managed.size is not set).
func TestManagedMemoryDefaults(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Config
		want int64
	}{
		{"local default", Config{}, 128 << 20},
		{"fraction of the TaskManager memory", Config{TaskManagerMemory: 1 << 30}, 429496729},
		{"stated fraction", Config{TaskManagerMemory: 1000 << 20, ManagedMemoryFraction: 0.25}, 250 << 20},
		{"explicit size wins", Config{TaskManagerMemory: 1 << 30, ManagedMemorySize: 10 << 20}, 10 << 20},
	} {
		if got := c.in.withDefaults().ManagedMemorySize; got != c.want {
			t.Errorf("%s: ManagedMemorySize %d, want %d", c.name, got, c.want)
		}
	}
}

// Each slot gets an even share of its TaskManager's managed memory (Flink divides a TaskManager's managed
// memory evenly among its slots), in whole pages.
func TestManagedMemoryIsDividedAmongSlots(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 4, TaskManagers: 2, SlotsPerTaskManager: 2, ManagedMemorySize: 10 << 20, MemorySegmentSize: 4096})
	env.FromSlice([]any{1, 2, 3}).SinkTo("Out", func(any, int64) error { return nil })
	j, err := env.Execute("slots")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := j.ManagedMemoryPerSlot(), int64(5<<20); got != want {
		t.Fatalf("ManagedMemoryPerSlot %d, want %d", got, want)
	}
	if f := j.managedMemory(3).Figures(); f.BudgetBytes != 5<<20 || f.PageSize != 4096 {
		t.Fatalf("slot 4's manager: %+v", f)
	}
}

// Settings the runtime cannot use are refused when the job starts, with an error naming the field.
func TestInvalidManagedMemoryIsRefused(t *testing.T) {
	for _, c := range []struct {
		cfg   Config
		field string
	}{
		{Config{ManagedMemorySize: -1}, "Config.ManagedMemorySize"},
		{Config{TaskManagerMemory: -5}, "Config.TaskManagerMemory"},
		{Config{ManagedMemoryFraction: 1.5}, "Config.ManagedMemoryFraction"},
		{Config{ManagedMemoryFraction: -0.1}, "Config.ManagedMemoryFraction"},
		{Config{MemorySegmentSize: 10}, "Config.MemorySegmentSize"},
		{Config{MemorySegmentSize: -1}, "Config.MemorySegmentSize"},
		{Config{Parallelism: 4, ManagedMemorySize: 64 << 10}, "Config.ManagedMemorySize"}, // 16 KiB a slot, pages of 32 KiB
	} {
		env := NewEnvironment(c.cfg)
		env.FromSlice([]any{1}).SinkTo("Out", func(any, int64) error { return nil })
		_, err := env.Execute("bad")
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: got %v, want ErrInvalidConfig naming %s", c.cfg, err, c.field)
		}
	}
}
