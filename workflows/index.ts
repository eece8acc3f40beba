export { inferenceWorkflow } from './inference.workflow';
