/**
 * Duel: a Deno-native research framework for adversarial training.
 *
 * Load an experiment file, train it, and read the run folder; or use the
 * pieces (config schema, networks, objectives, trainer, metrics) directly.
 *
 * @example
 * ```ts
 * import { loadExperiment, runExperiment } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const loaded = await loadExperiment(`${dir}/tiny.yaml`, ["train.steps=6"]);
 * const summary = await runExperiment(loaded);
 * console.log(summary.run_dir, summary.final["eval/modes"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
export { ConfigError } from "./src/fields.ts";
export { DivergedError, UserError } from "./src/errors.ts";
export type { Field } from "./src/fields.ts";
export { dataShapeOf, dataSourceOf } from "./src/data/factory.ts";
export { cacheDirFromEnv, ENV_VARS, inceptionPathFromEnv, storeFromEnv } from "./src/env.ts";
export type { EnvVar } from "./src/env.ts";
export {
  configHash,
  ExperimentFileError,
  experimentFromData,
  loadExperiment,
  parseExperiment,
  resolveExperiment,
} from "./src/config/load.ts";
export type { LoadedExperiment, ParseOptions } from "./src/config/load.ts";
export { defineExperiment } from "./src/config/define.ts";
export { train } from "./src/runs/train_api.ts";
export type {
  EvalMetricKey,
  Evaluated,
  MetricKey,
  Samples,
  StepMetricName,
  TrainOptions,
  TrainResult,
} from "./src/runs/train_api.ts";
export type { ExperimentInput, Input } from "./src/config/define.ts";
export type { Position, SourceMap } from "./src/config/source_map.ts";
export { EXPERIMENT } from "./src/config/schema.ts";
export type {
  DataConfig,
  Experiment,
  LayerConfig,
  ObjectiveConfig,
  OptimizerConfig,
  ParamsOf,
  RegularizerConfig,
  ScheduleConfig,
} from "./src/config/schema.ts";
export { boxMullerPair, Rng } from "./src/rng.ts";
export type { RngState } from "./src/rng.ts";
export { DATASETS } from "./src/data/datasets.ts";
export type { DatasetKind, Datasets } from "./src/data/datasets.ts";
export type { DataSource, Mode } from "./src/data/source.ts";
export { grid25, mixture, ring8, swissroll } from "./src/data/toy.ts";
export type { Component, ToyGeometry } from "./src/data/toy.ts";
export { LAYERS } from "./src/nn/layers.ts";
export type { ChainPart, Layer, LayerKind, LayerName, Layers, Param } from "./src/nn/layers.ts";
export type { ConvLayers, Padding } from "./src/nn/conv_layers.ts";
export type { NormLayers } from "./src/nn/norm_layers.ts";
export type { ShapeLayers } from "./src/nn/shape_layers.ts";
export { buildNetwork, layerShapes } from "./src/nn/network.ts";
export type { LayerSpec, Network } from "./src/nn/network.ts";
export { OBJECTIVES } from "./src/objectives/objectives.ts";
export type {
  DivergenceEstimate,
  LogitGradients,
  LossGradients,
  ObjectiveKind,
  ObjectiveName,
  Objectives,
  StackedGradients,
} from "./src/objectives/objectives.ts";
export { F_DIVERGENCES } from "./src/objectives/f_divergences.ts";
export { fDivergenceExact, JSD_EXACT, W1_EXACT } from "./src/objectives/exact_divergences.ts";
export type { ExactDivergence, LogDensity } from "./src/objectives/exact_divergences.ts";
export type { FDivergence, FDivergenceName } from "./src/objectives/f_divergences.ts";
export { lambertWExp } from "./src/objectives/lambert_w.ts";
export { REGULARIZERS } from "./src/objectives/regularizers.ts";
export type {
  PenaltyContext,
  RegularizerKind,
  RegularizerName,
  Regularizers,
} from "./src/objectives/regularizers.ts";
export { OPTIMIZERS } from "./src/train/optimizers.ts";
export type { Optimizer, OptimizerKind, Optimizers } from "./src/train/optimizers.ts";
export { SCHEDULES } from "./src/train/schedules.ts";
export type { ScheduleKind, ScheduleName, Schedules } from "./src/train/schedules.ts";
export { Trainer } from "./src/train/trainer.ts";
export type { StepMetrics, TrainerParts } from "./src/train/trainer.ts";
export { buildPlayers } from "./src/train/players.ts";
export type { Players, PlayersSpec } from "./src/train/players.ts";
export { STREAMS } from "./src/train/state.ts";
export type { SavedTensor, StreamName, TrainerState } from "./src/train/state.ts";
export { decodeCheckpoint, encodeCheckpoint } from "./src/train/checkpoint.ts";
export type { Checkpoint } from "./src/train/checkpoint.ts";
export { BACKENDS, numericsOf, setBuiltinThreads, useBackend } from "./src/backend/tfjs.ts";
export type { BackendInfo, BackendName } from "./src/backend/tfjs.ts";
export { enterHost } from "./src/backend/host.ts";
export type { LeaveHost } from "./src/backend/host.ts";
export {
  adapterInfo,
  isLlvmpipe,
  NO_ADAPTER,
  reproducibilityOf,
  requestGpuAdapter,
  requireSyncReads,
  webgpuAdapter,
} from "./src/backend/webgpu.ts";
export type { AdapterInfo, AdapterRequest } from "./src/backend/webgpu.ts";
export {
  activeKernelFixes,
  fixAvailable,
  KERNEL_FIXES,
  setKernelFix,
} from "./src/backend/kernels.ts";
export { FUSED_EXPORTS, GEMM_ROUNDINGS, gemmExport, SPLAT_TWINS } from "./src/backend/rust/gemm.ts";
export { hostFusesMultiplyAdd } from "./src/backend/rust/probes.ts";
export type { GemmExport, GemmRounding } from "./src/backend/rust/gemm.ts";
export type { KernelFix, KernelFixName } from "./src/backend/kernels.ts";
export type { StreamFixName } from "./src/backend/stream_fixes.ts";
export type { KernelFunc } from "./src/backend/wasm_backend.ts";
export { modeMetrics } from "./src/metrics/modes.ts";
export type { ModeMetrics } from "./src/metrics/modes.ts";
export { evaluate } from "./src/metrics/evaluate.ts";
export { METRICS, OPT_IN_METRICS } from "./src/metrics/metric_table.ts";
export type {
  MetricEstimate,
  MetricKind,
  MetricName,
  MetricParts,
  Metrics,
  OptIn,
  OptInMetricName,
} from "./src/metrics/metric_table.ts";
export { METRIC_NEEDS } from "./src/metrics/metric_needs.ts";
export type { MetricNeed, MetricNeedName } from "./src/metrics/metric_needs.ts";
export { metricRun } from "./src/metrics/metric_run.ts";
export type { MetricRun } from "./src/metrics/metric_run.ts";
export { kid } from "./src/metrics/kid.ts";
export type { KidEstimate } from "./src/metrics/kid.ts";
export { slicedWasserstein, swd } from "./src/metrics/swd.ts";
export type { SwdResult } from "./src/metrics/swd.ts";
export { PROXY_EXTRACTOR } from "./src/metrics/proxy_features.ts";
export type { ExtractorInfo, FeatureExtractor } from "./src/metrics/proxy_features.ts";
export { featureReference } from "./src/metrics/proxy_metrics.ts";
export type { FeatureContext, FeatureReference } from "./src/metrics/proxy_metrics.ts";
export { indexPth, PthError, readPth } from "./src/metrics/torch_pth.ts";
export type { PthEntry, PthTensor } from "./src/metrics/torch_pth.ts";
export { INCEPTION_NAME, loadInception } from "./src/metrics/inception/extractor.ts";
export type { InceptionExtractor } from "./src/metrics/inception/extractor.ts";
export { checkInceptionWeights, FID_WEIGHTS_FILE } from "./src/metrics/inception/weights.ts";
export {
  checkExtractor,
  chooseExtractor,
  EXTRACTOR_LOADERS,
  extractorKind,
} from "./src/metrics/extractor_choice.ts";
export type {
  ExtractorKind,
  ExtractorLoader,
  ExtractorLoaders,
  ExtractorSpec,
} from "./src/metrics/extractor_choice.ts";
export {
  cachedReferenceStats,
  decodeReferenceStats,
  encodeReferenceStats,
  referenceKey,
  referenceStats,
  referenceStatsPath,
  valuesHash,
} from "./src/metrics/feature_stats.ts";
export type {
  CachedReferenceStats,
  FeatureProtocol,
  ReferenceOrigin,
  ReferenceStats,
} from "./src/metrics/feature_stats.ts";
export { compareSets } from "./src/metrics/set_compare.ts";
export type { ComparisonProtocol, ImageSet, SetComparison } from "./src/metrics/set_compare.ts";
export type { InceptionMetricName, ProxyMetricName } from "./src/metrics/feature_records.ts";
export type { RunExtractors } from "./src/metrics/metric_run.ts";
export { facePicture } from "./src/data/faces.ts";
export { protocolLines } from "./src/runs/run_report.ts";
export type { FeatureProtocolRecord } from "./src/runs/feature_spaces.ts";
export {
  directOptimum,
  MEASURED,
  mixtureLogDensity,
  trueDivergence,
} from "./src/metrics/divergence_meter.ts";
export { nelderMead } from "./src/metrics/optimize.ts";
export { kdeDivergences } from "./src/metrics/kde.ts";
export type { KdeDivergences, KdeOptions } from "./src/metrics/kde.ts";
export type { NelderMeadOptions } from "./src/metrics/optimize.ts";
export type { Evaluation } from "./src/metrics/evaluate.ts";
export { checkWritable, OUTSIDE_VALID, outsideReason } from "./src/paths.ts";
export type { WriteRule } from "./src/paths.ts";
export { resumeRun, runExperiment } from "./src/runs/experiment.ts";
export type { MetricsRow, RunOptions, RunSummary } from "./src/runs/experiment.ts";
export { RunFolder } from "./src/runs/run_folder.ts";
export { expandSweep, loadSweep, SWEEP } from "./src/sweep/sweep_file.ts";
export type { LoadedSweep, Setting, SweepSpec, Trial } from "./src/sweep/sweep_file.ts";
export { DISTRIBUTION, sample } from "./src/sweep/distributions.ts";
export { runSweep, runWorker, submitSweep } from "./src/sweep/runner.ts";
export type { SweepEvent, SweepOptions } from "./src/sweep/runner.ts";
export { LeaseLostError, TrialStore } from "./src/sweep/store.ts";
export type {
  AttemptOutcome,
  AttemptRecord,
  Awaitable,
  Lease,
  NewTrial,
  SweepStore,
  TrialRecord,
  TrialResult,
  TrialState,
} from "./src/sweep/store.ts";
export { PostgresStore } from "./src/sweep/pg_store.ts";
export { openStore } from "./src/sweep/open_store.ts";
export { statusLines } from "./src/sweep/status.ts";
export type { Distribution } from "./src/sweep/distributions.ts";
export type { ImageClassifierRecord, Manifest } from "./src/runs/run_folder.ts";
export { progressPrinter } from "./src/runs/progress.ts";
export { profileSteps, profileTable, timeKernels } from "./src/runs/profile.ts";
export type { KernelTime, KernelTimes, StepProfile } from "./src/runs/profile.ts";
export type { ProgressOptions } from "./src/runs/progress.ts";
export type { Tensor, Variable } from "./src/tensor.ts";
export type { Infer, InferShape, Shape, TaggedOf } from "./src/fields.ts";
export type { BuildContext } from "./src/nn/layers.ts";
export { firstDifference, reproduceRun } from "./src/runs/reproduce.ts";
export type {
  EnvironmentChange,
  MetricsDifference,
  ReproduceOptions,
  Reproduction,
} from "./src/runs/reproduce.ts";
export { bootstrapDifference, bootstrapMean, mean, quantile, std } from "./src/report/stats.ts";
export type { BootstrapOptions, Difference, Interval } from "./src/report/stats.ts";
export { METRIC_INFO, metricLabel } from "./src/report/metric_info.ts";
export type { MetricInfo } from "./src/report/metric_info.ts";
export { settingsLabel, summarize } from "./src/report/summarize.ts";
export type {
  ConfigurationSummary,
  CurvePoint,
  MetricStats,
  Ranked,
  ReportData,
  ReportTrial,
  SummarizeOptions,
} from "./src/report/summarize.ts";
export { renderHtml, renderMarkdown, reportCharts, reportTables } from "./src/report/render.ts";
export type { Chart, Table } from "./src/report/render.ts";
export { lineChart, PALETTE, pointChart } from "./src/report/svg.ts";
export type { ChartText, LineSeries, PointSeries } from "./src/report/svg.ts";
export {
  folderKind,
  reportTitle,
  trialsFromRun,
  trialsFromSweep,
  writeReport,
} from "./src/report/sources.ts";
export {
  frechetDistance,
  frechetDistanceOf,
  gaussianStats,
  traceSqrtProduct,
} from "./src/metrics/frechet.ts";
export type { GaussianStats } from "./src/metrics/frechet.ts";
export { classifierScore } from "./src/metrics/classifier_score.ts";
export { prdc, prdcOf, prdcReference } from "./src/metrics/prdc.ts";
export type { Prdc, PrdcOptions, PrdcReference } from "./src/metrics/prdc.ts";
export {
  PARZEN_SIGMAS,
  parzenByCentres,
  parzenEstimate,
  parzenLogLikelihoods,
} from "./src/metrics/parzen.ts";
export type { ParzenResult, ParzenScore } from "./src/metrics/parzen.ts";
export {
  classifierLayers,
  MNIST_CLASSIFIER_RECIPE,
  MnistClassifier,
} from "./src/metrics/mnist_classifier.ts";
export { trainMnistClassifier } from "./src/metrics/train_mnist_classifier.ts";
export type {
  ClassifierRecipe,
  ImageClassifier,
  NamedWeight,
} from "./src/metrics/mnist_classifier.ts";
export {
  cachedMnistClassifier,
  CLASSIFIER_CODE_VERSION,
  classifierKey,
} from "./src/metrics/classifier_cache.ts";
export type { CachedClassifier, CachedClassifierOptions } from "./src/metrics/classifier_cache.ts";
export {
  computeImageMetrics,
  IMAGE_METRICS,
  imageMetricContext,
  imageReference,
} from "./src/metrics/image_metrics.ts";
export type {
  ImageMetricContext,
  ImageMetricKind,
  ImageMetricName,
  ImageReference,
  ParzenProtocol,
} from "./src/metrics/image_metrics.ts";
export { mnist, MNIST_HELD_OUT, MNIST_SHAPE, mnistImages } from "./src/data/mnist.ts";
export { MNIST_PIXELS, mnistSplit } from "./src/metrics/mnist_digits.ts";
export type { LabelledImages } from "./src/metrics/mnist_digits.ts";
export { imageFolder, imageFolderImages } from "./src/data/image_folder.ts";
export type { ImageFolderParams } from "./src/data/image_folder.ts";
export { heldOutMask, imageSource } from "./src/data/image_set.ts";
export {
  cachedImages,
  cacheKey,
  decodeImages,
  encodeImages,
  forgetCachedImages,
} from "./src/data/cache.ts";
export type { CacheHit, CacheOptions, RawImages } from "./src/data/cache.ts";
export type { ExampleSet } from "./src/data/source.ts";
export { decodeImage, imageFormat, toChannels } from "./src/images/decode.ts";
export type { Bitmap } from "./src/images/decode.ts";
export { resizeImage } from "./src/images/resize.ts";
export { gridPng } from "./src/images/grid.ts";
export { samplesCsv } from "./src/runs/files.ts";
export { samplesPng, samplesSvg } from "./src/views/samples.ts";
export type { SampleSet } from "./src/views/samples.ts";
export { boundChecks, estimatesOf } from "./src/views/estimates.ts";
export type { BoundCheck, Estimate } from "./src/views/estimates.ts";
export type { GridOptions } from "./src/images/grid.ts";
export { isImageData, PICTURE_IMAGES, writeSamples } from "./src/runs/experiment.ts";
export { dataManifest } from "./src/runs/run_folder.ts";
export type { DataManifest } from "./src/runs/run_folder.ts";
export { EVAL_MODE } from "./src/nn/layers.ts";
export type { ApplyMode } from "./src/nn/layers.ts";
export { networkTable } from "./src/nn/network.ts";
export { packedShape } from "./src/nn/packing.ts";
export type { LayerSummary } from "./src/nn/network.ts";
export {
  IMAGE_METRIC_SHAPE,
  measureImages,
  prepareImageMetrics,
} from "./src/metrics/image_evaluator.ts";
export type { ImageEvaluator } from "./src/metrics/image_evaluator.ts";
