import agentHeartbeat from './agent-heartbeat.schema.json';
import agentTaskFailure from './agent-task-failure.schema.json';
import agentTaskResult from './agent-task-result.schema.json';
import chatCompletionRequest from './chat-completion-request.schema.json';
import completionRequest from './completion-request.schema.json';
import error from './error.schema.json';
import model from './model.schema.json';
import sharingFields from './sharing-fields.schema.json';

/** Every JSON Schema, by `$id`: ajv validates bodies with them and the OpenAPI document embeds them. */
export const SCHEMAS = {
  SharingFields: sharingFields,
  ChatCompletionRequest: chatCompletionRequest,
  CompletionRequest: completionRequest,
  Model: model,
  Error: error,
  AgentHeartbeat: agentHeartbeat,
  AgentTaskResult: agentTaskResult,
  AgentTaskFailure: agentTaskFailure,
} as const;

export type SchemaId = keyof typeof SCHEMAS;
