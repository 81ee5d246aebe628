package interp

import "github.com/de4e/weir/engine"

func engineConfig() engine.Config { return engine.Config{Parallelism: 2} }
