package sources

import (
	"testing"

	"github.com/de4e/weir/engine"
)

// Flink (Source#getBoundedness; FileSource is BOUNDED unless monitoring continuously): files and replays of
// recordings end, so engine.Automatic runs their jobs in Batch mode.
func TestSourcesAreBounded(t *testing.T) {
	for name, s := range map[string]engine.Source{"FileSource": FileSource{}, "Replay": Replay{}} {
		b, ok := s.(engine.Bounded)
		if !ok || b.Boundedness() != engine.BoundedInput {
			t.Errorf("%s does not say it is bounded", name)
		}
	}
}
