// Package emitbridge lets engine/cep stamp what its operator emits with the time of each match, as Flink's
// CepOperator does through its TimestampedCollector (setAbsoluteTimestamp) and context, without package
// engine exporting a way for user functions to forge timestamps: package engine sets SetTimestamp from an
// init function and engine/cep calls it. Nothing here is part of Weir's API.
package emitbridge

// SetTimestamp makes what the function running with ctx (an *engine.Context) and out (the engine.Collector
// it was handed) emits from now on, through out and through ctx's side outputs, carry timestamp ts; the
// context's Timestamp reports ts too. It lasts until the engine calls the function again.
var SetTimestamp func(ctx, out any, ts int64)
