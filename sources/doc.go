// Package sources provides the streams Weir's lessons run on: recordings replayed at any speed, seeded
// generators that produce the same stream on every machine, and bounded CSV and NDJSON files read and
// written by jobs.
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
// # Bounded files
//
// FileSource reads CSV or NDJSON files, one record a line, as a bounded stream: a file, a list of files, a
// directory or a glob, each file a split read by one reader (round robin over at most as many readers as
// files), into map[string]any or into the struct type of a prototype value (CSV columns matched to fields by
// csv or json tag or name, cells parsed by the field's type). TimestampField makes a column the records'
// event time. Its position, file and line, is checkpointed, so a restored job reads on from the line after
// the checkpoint. A malformed line fails the job with its file and line, like a recording's, or, with the
// Skip policy, is counted in Skips (each line once, across restarts) and passed over. In a notebook cell:
//
//	strategy := engine.ForBoundedOutOfOrderness(5 * time.Second)
//	visits := env.FromSource(sources.FileSource{Paths: []string{"data/visits-*.csv"}, Format: sources.CSV,
//		Prototype: Visit{}, TimestampField: "at"}, &strategy, "visits")
//
// FileSink writes a stream back in either format, to a file or (parallelism above 1) a directory of part
// files; with ExactlyOnce it writes through engine.FileSink's two-phase commit, committed by checkpoints:
//
//	sources.FileSink{Path: "out/counts", Format: sources.NDJSON, ExactlyOnce: true}.Sink(counts)
//
// On the command line, weir convert --from csv --to ndjson -o OUT IN... runs such a job: it converts files
// and names the file and line of the first malformed one (--skip-bad counts them instead).
//
// # Generators
//
// Generators (Generators, Generate) produce events from a seed following documented rules: page clicks
// (6 pages, exactly 1000 events per page per 15 s window), taxi rides and fares, fraud transactions, spend
// reports, MovieFlix's main log of releases, feedback and ratings (an A/A then an A/B test of groups A and B)
// with its late log, Nexmark persons, auctions and bids, and the DE4E book's words. Knobs add disorder, late
// events, duplicates and drops. The bundled recordings (Recordings) are generated from frozen seeds by weir
// record, and their known answers, computed in plain Go (ComputeAnswers), are stored beside them; Answers
// reads them for the lessons' checks, and notebook cells other than check cells cannot call it.
package sources
