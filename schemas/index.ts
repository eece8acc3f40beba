import imageGenerationRequest from './image-generation-request.schema.json';
import imageEditFields from './image-edit-fields.schema.json';
import transcriptionFields from './transcription-fields.schema.json';
import speechRequest from './speech-request.schema.json';
import voiceGenerationRequest from './voice-generation-request.schema.json';
import musicGenerationRequest from './music-generation-request.schema.json';
import videoGenerationRequest from './video-generation-request.schema.json';
import meshGenerationRequest from './mesh-generation-request.schema.json';
import voiceSampleFields from './voice-sample-fields.schema.json';
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
  ImageGenerationRequest: imageGenerationRequest,
  ImageEditFields: imageEditFields,
  TranscriptionFields: transcriptionFields,
  SpeechRequest: speechRequest,
  VoiceGenerationRequest: voiceGenerationRequest,
  MusicGenerationRequest: musicGenerationRequest,
  VideoGenerationRequest: videoGenerationRequest,
  MeshGenerationRequest: meshGenerationRequest,
  VoiceSampleFields: voiceSampleFields,
} as const;

export type SchemaId = keyof typeof SCHEMAS;
