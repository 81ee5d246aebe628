package bench

import "testing"

// BenchmarkWindowCount100k is the keyed tumbling-window count with 100,000 keys (profile it with -cpuprofile).
func BenchmarkWindowCount100k(b *testing.B) {
	for b.Loop() {
		if err := windowJob(1_000_000, 100_000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWindowCount1k is the same with 1,000 keys.
func BenchmarkWindowCount1k(b *testing.B) {
	for b.Loop() {
		if err := windowJob(1_000_000, 1_000); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCasesRun runs every registered case on a few events, so that a broken case fails make test.
func TestCasesRun(t *testing.T) {
	for _, r := range Run(Options{Events: 20_000}, nil) {
		if r.Error != "" || r.Events == 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
}

// BenchmarkNexmarkSQL runs each Nexmark query in SQL over 200,000 events (profile one with -run '^$'
// -bench 'NexmarkSQL/q4$' -cpuprofile).
func BenchmarkNexmarkSQL(b *testing.B) {
	for _, q := range nexSQLQueries {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := runNexmarkSQL(q, 200_000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
