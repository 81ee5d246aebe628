//go:build !benchpeers

package bench

import (
	"strings"
	"testing"
)

// TestNoPeersWithoutTag checks that without the benchpeers build tag (the weir binary) no go-streams peer or
// workbench-watching case is registered.
func TestNoPeersWithoutTag(t *testing.T) {
	for _, c := range Cases() {
		if strings.HasSuffix(c.Name, "/go-streams") || strings.HasPrefix(c.Name, "watched/") {
			t.Errorf("case %s is registered without the benchpeers tag", c.Name)
		}
	}
}
