//go:build benchpeers

package bench

import "testing"

// TestPeersRun runs the cases built only with the benchpeers tag (the go-streams peers and the workbench
// watcher) on a few events: go test -tags benchpeers -run TestPeersRun ./bench.
func TestPeersRun(t *testing.T) {
	rs := Run(Options{Only: []string{"map-chain/go-streams", "window-count-1k/go-streams", "window-count-100k/go-streams", "watched/"}, Events: 20_000}, nil)
	seen := map[string]bool{}
	for _, r := range rs {
		seen[r.Name] = true
		if r.Error != "" || r.Events == 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	for _, name := range []string{"map-chain/go-streams", "window-count-1k/go-streams", "window-count-100k/go-streams", "watched/on", "watched/off"} {
		if !seen[name] {
			t.Errorf("case %s is not registered with the benchpeers tag", name)
		}
	}
}
