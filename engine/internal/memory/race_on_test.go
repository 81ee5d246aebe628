//go:build race

package memory

// raceEnabled is true when the race detector is on (its instrumentation allocates).
const raceEnabled = true
