// Package ml is machine learning on Weir's engine in the shape of Flink ML 2.x, the successor of the
// DataSet-based FlinkML that "Data Engineering for Everyone" 6.5 describes (Flink retired that library with
// the DataSet API). Estimators fit Models, Models and other AlgoOperators transform tables, a Pipeline chains
// them into a PipelineModel, and every stage has Flink ML's parameters, read and set the way Flink ML's are
// (SetK, GetK, SetSeed, SetMaxIter, SetFeaturesCol, SetLearningRate, SetReg, SetElasticNet, ... or
// GetParams().Set(ml.K, 3)), with Flink ML's names, defaults and validators: an invalid value panics with an
// error wrapping ErrParam that names the parameter. Any stage can be saved to a folder (JSON metadata with
// Flink ML's class name and paramMap, and a model's data) and loaded back with Load.
//
// The book's example, as a notebook cell:
//
//	env := engine.NewEnvironment(engine.Config{Parallelism: 1, RuntimeMode: engine.Batch})
//	inputData := ml.FromRows(env, []ml.Row{
//		ml.NewRow("features", ml.Dense(0.0, 0.0)),
//		ml.NewRow("features", ml.Dense(0.0, 0.3)),
//		ml.NewRow("features", ml.Dense(0.3, 3.0)),
//		ml.NewRow("features", ml.Dense(9.0, 0.0)),
//		ml.NewRow("features", ml.Dense(9.0, 0.6)),
//		ml.NewRow("features", ml.Dense(9.6, 0.0)),
//	})
//	kmeans := ml.NewKMeans().SetK(2).SetSeed(1)
//	model, err := kmeans.Fit(inputData)
//	...
//	outputs, err := model.Transform(inputData)
//	rows, err := ml.Collect(outputs[0])
//	for _, r := range rows {
//		fmt.Printf("features: %v \tcluster id: %v\n", r.Get(kmeans.GetFeaturesCol()), r.Get(kmeans.GetPredictionCol()))
//	}
//
// Weir has no Table API yet: a Table here is a bounded slice (FromRows) or bounded DataStream
// (FromDataStream) of Rows, values under named columns, which will map onto the Table API's tables and rows
// when it lands. Vectors are DenseVector and SparseVector with Flink ML's BLAS operations (Dot, Axpy, Scal,
// Norm2, ...).
//
// Stages: KMeans (random or k-means|| initialization, Euclidean, Manhattan and cosine distances),
// LinearRegression and LogisticRegression, binomial or multinomial (softmax, which Flink ML lacks) (Flink ML's
// mini-batch SGD with learningRate, globalBatchSize, reg, elasticNet, maxIter and tol; its L1 step stops at
// zero, where Flink ML's overshoots, so an elastic-net fit reaches scikit-learn's optimum), StandardScaler,
// MinMaxScaler, VectorAssembler, StringIndexer, OneHotEncoder, RandomSplitter and
// BinaryClassificationEvaluator (areaUnderROC, areaUnderPR, ks, areaUnderLorenz);
// NaiveBayes and Knn (Flink ML's), DecisionTreeClassifier and DecisionTreeRegressor (Spark ML's parameters and
// training, scikit-learn's split rule), Tokenizer, HashingTF and IDF (Flink ML's), LDA (online variational
// Bayes: topics, per-document mixtures, perplexity); with Accuracy, RMSE, PrecisionRecall, Silhouette and
// Sample as functions.
//
// Online stages on unbounded streams: OnlineKMeans, OnlineLogisticRegression (FTRL) and OnlineStandardScaler,
// whose fitted models take their model data as a stream of versions (GetModelData, SetModelData) and predict
// with the latest; read an online model's output or model data with ToDataStream and a sink, not Collect.
// Their training operator publishes a ModelProgress (latest version, rows learnt, the centroids' movement or
// the mini-batch loss per version, the latest vectors) through the engine's gauge hook as ProgressGauge, which
// the workbench's live view draws while the job runs. The iterative batch fits publish one too, from every
// job of the fit: KMeans each round's largest centroid shift and the centroids, LinearRegression and
// LogisticRegression each epoch's loss and the coefficient, LDA each mini-batch's topic change; the workbench
// shows it beside the iteration's progress while the fit runs.
//
// Everything runs on the engine as bounded jobs with the input table's Environment's Config (parallelism,
// runtime mode): a statistic (scalers, indexers, evaluator, sample) is one job in which each subtask
// summarizes its block of rows and one subtask merges the summaries; KMeans and the SGD are bulk
// iterations (engine.Environment.IterateBulk), one bounded job a superstep, each subtask computing its
// block's partial sums (Flink ML's per-subtask accumulators) before one reduce; a Transform maps rows in
// parallel (a lazy table's Transform only adds the map to its stream). Every job, superstep or not, reaches
// the input table's Environment's Observer (JobStarted) as the Environment's own jobs do, and fitted models
// keep each round's centroid movement (KMeansModel) or loss (regressions). Randomness is Flink ML's: the same java.util.Random sequences from the same seed, so
// KMeans's initial centroids, Sample and RandomSplitter equal Flink ML's at parallelism 1, and Weir's are
// reproducible at any parallelism.
//
// The API has no generics, so notebook cells interpreted by yaegi can call all of it.
package ml
