package bench

import (
	"bytes"
	"io"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// replayData is the recording the replay case reads, made by its Setup.
var replayData []byte

func init() {
	Register(Case{Name: "replay/engine", About: "a recording (clicks, NDJSON in memory) replayed as fast as possible through a job into a sink",
		Setup: func(n int64) error {
			g, _ := sources.FindGenerator("clicks")
			var buf bytes.Buffer
			err := sources.WriteEvents(&buf, g.Generate(1, int(n), sources.Knobs{}))
			replayData = buf.Bytes()
			return err
		},
		Run: func(n int64) (int64, error) {
			data := replayData
			rec := sources.Opener{Name: "clicks", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
			env := engine.NewEnvironment(engine.Config{Parallelism: 1})
			env.FromSource(sources.Replay{Recordings: []sources.Opener{rec}, Control: sources.NewController(0)}, nil, "replay").
				SinkTo("discard", discard)
			_, err := env.Execute("replay")
			return n, err
		}, Scale: 0.5})
}
