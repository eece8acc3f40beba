export { inferenceWorkflow } from './inference.workflow';
export { batchWorkflow } from './batch.workflow';
