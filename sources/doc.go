// Package sources provides the streams Weir's lessons run on: recordings replayed at any speed, and seeded
// generators that produce the same stream on every machine.
//
// # Recordings
//
// A recording is NDJSON, one event a line:
//
//	{"arrival":1000,"time":950,"key":"/shop","kind":"click","payload":{"user":7}}
//
// arrival is when the event reaches the job (milliseconds, processing time), time is when it happened (event
// time), key and kind are strings, payload is any JSON object. Marker lines script a demonstration:
//
//	{"marker":"watermark","time":5000}   an explicit watermark
//	{"marker":"idle"}                    the replay is idle (engine.Idle) until its next event or watermark
//	{"marker":"crash","reason":"demo"}   the source fails once, to show recovery
//	{"marker":"pause"}                   the replay pauses until resumed
//
// A Reader reads a recording lazily, line by line, and reports a bad line with its file and line number;
// with the Skip policy it counts bad lines and goes on instead.
//
// # Replays
//
// Replay is an engine.Source over one or more recordings, merged by arrival time (ties: the recording given
// first, then the earlier line). It replays as fast as possible, in real time, or N times real time, and can
// be paused and stepped through its Controller while the job runs. Its position is its offset in checkpoints,
// so a replay is exactly-once. Replayed as fast as possible on a job with an engine.VirtualClock, the replay
// moves the clock to each event's arrival, so processing time follows the recording.
//
// # Generators
//
// Generators (Generators, Generate) produce events from a seed following documented rules: page clicks
// (6 pages, exactly 1000 events per page per 15 s window), taxi rides and fares, fraud transactions, spend
// reports, MovieFlix-like releases and feedback, Nexmark persons, auctions and bids, and the DE4E book's
// words. Knobs add disorder, late events, duplicates and drops. The bundled recordings (Recordings) are
// generated from frozen seeds by weir record, and their known answers are stored beside them.
package sources
