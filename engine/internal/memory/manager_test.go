package memory

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// Flink: MemoryManagerTest#allocateTooMuch — asking for more pages than are free fails and takes nothing;
// releasing an owner returns its pages (MemoryManagerTest#releaseAll-style accounting).
func TestManagerBudget(t *testing.T) {
	m, err := NewManager(10*1024+100, 1024) // rounds down to 10 pages
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Allocate("sort-a", 6)
	if err != nil || len(a) != 6 || len(a[0]) != 1024 {
		t.Fatalf("Allocate(6) = %d pages, %v", len(a), err)
	}
	if _, err := m.Allocate("hash-b", 3); err != nil {
		t.Fatal(err)
	}
	_, err = m.Allocate("hash-b", 2)
	if !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("Allocate beyond budget: err = %v, want ErrBudgetExhausted", err)
	}
	for _, want := range []string{"hash-b", "2 pages", "1 of 10 pages", "1024 of 10240 bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	f := m.Figures()
	want := Figures{PageSize: 1024, BudgetBytes: 10240, UsedBytes: 9216, PeakBytes: 9216,
		Owners: []OwnerFigures{{"hash-b", 3072}, {"sort-a", 6144}}}
	if !equalFigures(f, want) {
		t.Fatalf("figures %+v, want %+v", f, want)
	}
	m.ReleasePages("sort-a", a[:2])
	m.Release("hash-b")
	f = m.Figures()
	want = Figures{PageSize: 1024, BudgetBytes: 10240, UsedBytes: 4096, PeakBytes: 9216,
		Owners: []OwnerFigures{{"sort-a", 4096}}}
	if !equalFigures(f, want) {
		t.Fatalf("after release: figures %+v, want %+v", f, want)
	}
	// The freed pages can be taken again, up to the budget and no further.
	if _, err := m.Allocate("hash-c", 6); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Allocate("hash-c", 1); !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("err = %v, want ErrBudgetExhausted", err)
	}
	m.Release("sort-a")
	m.Release("sort-a") // releasing twice returns the pages once (MemoryManagerTest#doubleReleaseReturnsMemoryOnlyOnce)
	if got := m.Figures().UsedBytes; got != 6144 {
		t.Fatalf("used %d after releasing sort-a twice, want 6144", got)
	}
}

func TestManagerRefusesBadArguments(t *testing.T) {
	if _, err := NewManager(100, 1024); err == nil {
		t.Error("a budget smaller than a page was accepted")
	}
	if _, err := NewManager(1<<20, 8); err == nil {
		t.Error("a page of 8 bytes was accepted")
	}
	m, _ := NewManager(1<<20, 0)
	if m.PageSize() != DefaultPageSize || m.Figures().BudgetBytes != 1<<20 {
		t.Errorf("defaults: page %d budget %d", m.PageSize(), m.Figures().BudgetBytes)
	}
	if _, err := m.Allocate("x", 0); err == nil {
		t.Error("Allocate of 0 pages was accepted")
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("releasing pages an owner does not hold did not panic")
		}
	}()
	p, _ := m.Allocate("x", 1)
	m.ReleasePages("y", p)
}

// Owners allocate and release concurrently while the live view reads the figures: used never exceeds the
// budget, peak never falls below used, and everything is returned at the end (run with -race).
func TestManagerConcurrentFigures(t *testing.T) {
	m, _ := NewManager(64*256, 256)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var bad []string
	var badMu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			f := m.Figures()
			var sum int64
			for _, o := range f.Owners {
				sum += o.Bytes
			}
			if f.UsedBytes > f.BudgetBytes || f.PeakBytes < f.UsedBytes || sum != f.UsedBytes {
				badMu.Lock()
				bad = append(bad, "inconsistent figures")
				badMu.Unlock()
			}
		}
	}()
	var owners sync.WaitGroup
	for w := range 4 {
		owners.Add(1)
		go func() {
			defer owners.Done()
			owner := string(rune('a' + w))
			for i := range 500 {
				p, err := m.Allocate(owner, 1+i%20)
				if err != nil && !errors.Is(err, ErrBudgetExhausted) {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					m.ReleasePages(owner, p)
				} else {
					m.Release(owner)
				}
			}
		}()
	}
	owners.Wait()
	close(stop)
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d inconsistent readings", len(bad))
	}
	f := m.Figures()
	if f.UsedBytes != 0 || len(f.Owners) != 0 || f.PeakBytes > f.BudgetBytes || f.PeakBytes == 0 {
		t.Fatalf("after all releases: %+v", f)
	}
}

func equalFigures(a, b Figures) bool {
	if a.PageSize != b.PageSize || a.BudgetBytes != b.BudgetBytes || a.UsedBytes != b.UsedBytes || a.PeakBytes != b.PeakBytes || len(a.Owners) != len(b.Owners) {
		return false
	}
	for i := range a.Owners {
		if a.Owners[i] != b.Owners[i] {
			return false
		}
	}
	return true
}

// Reserve counts pages against the budget without handing any out (Flink: MemoryManagerTest
// #testMemoryReservation and #testMemoryTooBigReservation): pages reserved cannot be allocated, a reservation
// beyond what is free fails and takes nothing, and Release returns the reservation.
func TestManagerReserve(t *testing.T) {
	m, err := NewManager(8*256, 256)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reserve("state cache", 5); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Allocate("sort", 4); !errors.Is(err, ErrBudgetExhausted) {
		t.Fatalf("Allocate over a reservation: err = %v, want ErrBudgetExhausted", err)
	}
	if err := m.Reserve("other cache", 4); !errors.Is(err, ErrBudgetExhausted) || !strings.Contains(err.Error(), "other cache") {
		t.Fatalf("Reserve beyond the budget: err = %v, want ErrBudgetExhausted naming the owner", err)
	}
	if err := m.Reserve("other cache", 0); err == nil {
		t.Fatal("Reserve(0) succeeded")
	}
	want := Figures{PageSize: 256, BudgetBytes: 2048, UsedBytes: 1280, PeakBytes: 1280, Owners: []OwnerFigures{{"state cache", 1280}}}
	if f := m.Figures(); !equalFigures(f, want) {
		t.Fatalf("figures %+v, want %+v", f, want)
	}
	m.Release("state cache")
	if _, err := m.Allocate("sort", 8); err != nil {
		t.Fatalf("after releasing the reservation: %v", err)
	}
}
