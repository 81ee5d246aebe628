// Package kafka connects Weir jobs to Apache Kafka with the franz-go client: a Source that reads a topic,
// a Sink that writes one (plainly or in Kafka transactions), and helpers that publish a recording or a
// generator's output into a topic, so that a lesson can move from a replayed file to a real log.
//
// # Reading
//
// Source is an engine.Source. A topic is split into partitions, each an ordered log of records numbered by
// offset; partition p is read by source subtask p % parallelism, as Flink's KafkaSource assigns them, so a
// source with more subtasks than partitions has idle subtasks. Each record's value goes through Decode
// (default DecodeEvent: a line of a Weir recording becomes a sources.Event, timestamped with its event
// time; any other value is timestamped with the Kafka record's timestamp).
//
//	src := kafka.Source{Brokers: []string{"localhost:9092"}, Topic: "clicks", PartitionOutOfOrderness: time.Second}
//	env.FromSource(src, nil, "clicks").KeyByField("Key")...
//
// The records of one partition arrive in order, but a subtask reading several partitions interleaves them
// as the brokers answer. PartitionOutOfOrderness gives each partition its own watermark and the subtask the
// smallest of them, as Flink's KafkaSource does; a single WatermarkStrategy over the subtask's mixed
// stream would see the partition fetched later as late data.
//
// # Offsets and checkpoints
//
// A subtask's position is the next offset of each of its partitions. That position, not the consumer
// group, is what a checkpoint stores: when the job restarts after a failure it seeks every partition back
// to the checkpoint's offsets and reads the records after them again, and since the checkpoint also holds
// the operators' state as it was at those offsets, every record counts exactly once. A Group, if set, only
// receives a copy of the positions at each checkpoint, so that Kafka's tools show the job's lag and a new
// job can start from them (StartOffsets Committed); it is never read on recovery. Without a checkpoint to
// restore, a job starts at StartOffsets: Earliest (the default), Latest or Committed.
//
// Bounded sources stop at the end offsets each subtask saw when it started (kept in checkpoints too), which
// makes a topic behave like a recording in tests and tutorials; unbounded ones, the default, wait for new
// records forever.
//
// A record Decode rejects fails the job with an error naming its topic, partition and offset (wrapping
// ErrMalformed); with Policy sources.Skip it is counted in Skips instead.
//
// # Writing
//
// Sink is an engine.TwoPhaseCommitSink: end a stream in it with DataStream.SinkToTransactional. Plain, it
// produces every record at once and waits at each checkpoint until the brokers hold all of them, which is
// at-least-once: after a restart the records written since the last completed checkpoint are written
// again. Transactional, each engine transaction is a Kafka transaction, flushed at the checkpoint barrier
// and committed when the checkpoint completes; readers with isolation read_committed (the Source's
// default) see every record exactly once. Each subtask takes its transactional ids in turn from a pool of
// PoolSize (TransactionalIDPrefix, subtask, index: "weir-out-0-3"), as Flink's KafkaSink does, so a job
// uses a fixed set of ids however long it runs. A transaction pre-committed before a crash is committed on
// restore, by a new process too (the sink looks up its producer id and epoch with DescribeTransactions);
// one the brokers aborted meanwhile (its TransactionTimeout expired) fails the commit or the restore with
// an error saying its records are lost, never a silent "nothing to commit". When an attempt starts (the
// engine calls AbortLingering after the restore) the sink fences every id of its subtasks' pools, which
// aborts what a crashed process left open, and probes the pools of subtasks beyond its parallelism (left by
// a run at a higher parallelism) until one the brokers do not know, aborting their open transactions, so
// read_committed readers do not wait for the transaction timeout. Its TransactionTimeout must outlast a
// checkpoint interval plus a restart.
//
// # A real broker
//
// Point Brokers at the cluster's bootstrap servers ("host:9092") and pass TLS, SASL and other client
// settings in Options (kgo.DialTLSConfig, kgo.SASL, ...). Topics must exist: CreateTopic makes one, and
// PublishRecording fills it from a bundled recording, for example
//
//	cl, _ := kafka.NewClient([]string{"localhost:9092"})
//	defer cl.Close()
//	kafka.CreateTopic(ctx, cl, "clicks", 4, -1)
//	b, _ := sources.FindRecording("clicks")
//	kafka.PublishRecording(ctx, cl, "clicks", b.Opener(), sources.Fail)
//
// The tests run against franz-go's kfake, an in-process Kafka cluster, so they need no broker.
package kafka
