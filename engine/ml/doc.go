// Package ml is machine learning on Weir's engine in the shape of Flink ML 2.x (the successor of the
// DataSet-based FlinkML that "Data Engineering for Everyone" 6.5 describes, which Flink retired): Estimators fit
// Models, Models and other AlgoOperators transform tables, Pipelines chain them, and every stage has Flink ML's
// parameters (SetK, SetSeed, SetMaxIter, SetFeaturesCol, ...) and can be saved to a folder and loaded back.
//
// Weir has no Table API yet: a Table here is a bounded stream or slice of Rows with named columns, which will
// map onto the Table API when it lands. Training runs on the engine as bounded jobs: KMeans and the SGD of
// LinearRegression and LogisticRegression are bulk iterations (engine.Environment.IterateBulk) whose
// supersteps each run one bounded job, the training data split into one block per subtask and each subtask
// computing its block's partial sums (Flink ML's per-subtask accumulators) before one reduce, with the
// caller's Environment's Config (parallelism, runtime mode). Randomness follows Flink ML's: the same
// java.util.Random sequence from the same seed, so KMeans picks Flink ML's initial centroids at parallelism 1.
//
// The API has no generics, so notebook cells interpreted by yaegi can call all of it.
package ml
