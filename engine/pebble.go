package engine

import (
	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

func init() {
	newPebbleBackend = func(dir string, r keygroup.Range) (state.Backend, error) { return state.NewPebble(dir, r) }
}
