export { inferenceWorkflow } from './inference.workflow';
export { batchWorkflow } from './batch.workflow';
export { runWorkflow } from './runs/run.workflow';
