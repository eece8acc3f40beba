import imageGenerationRequest from './image-generation-request.schema.json';
import imageEditFields from './image-edit-fields.schema.json';
import transcriptionFields from './transcription-fields.schema.json';
import speechRequest from './speech-request.schema.json';
import voiceGenerationRequest from './voice-generation-request.schema.json';
import musicGenerationRequest from './music-generation-request.schema.json';
import videoGenerationRequest from './video-generation-request.schema.json';
import meshGenerationRequest from './mesh-generation-request.schema.json';
import voiceSampleFields from './voice-sample-fields.schema.json';
import fileUploadFields from './file-upload-fields.schema.json';
import fileObject from './file-object.schema.json';
import fileList from './file-list.schema.json';
import fileDeleted from './file-deleted.schema.json';
import agentHeartbeat from './agent-heartbeat.schema.json';
import agentTaskFailure from './agent-task-failure.schema.json';
import agentTaskResult from './agent-task-result.schema.json';
import chatCompletionRequest from './chat-completion-request.schema.json';
import completionRequest from './completion-request.schema.json';
import error from './error.schema.json';
import model from './model.schema.json';
import platformFields from './platform-fields.schema.json';
import job from './job.schema.json';
import batch from './batch.schema.json';
import batchList from './batch-list.schema.json';
import batchRequest from './batch-request.schema.json';
import jobList from './job-list.schema.json';
import modelId from './model-id.schema.json';
import chatCompletion from './chat-completion.schema.json';
import completion from './completion.schema.json';
import tokenUsage from './token-usage.schema.json';
import imageResponse from './image-response.schema.json';
import transcription from './transcription.schema.json';
import voiceList from './voice-list.schema.json';
import meshResponse from './mesh-response.schema.json';
import voiceSample from './voice-sample.schema.json';
import voiceSampleList from './voice-sample-list.schema.json';
import heartbeatAnswer from './heartbeat-answer.schema.json';
import polledTask from './polled-task.schema.json';
import modelList from './model-list.schema.json';
import webhookSecret from './webhook-secret.schema.json';
import workflowSpec from './workflow-spec.schema.json';
import workflowRunRequest from './workflow-run-request.schema.json';
import gateApproval from './gate-approval.schema.json';
import gateRejection from './gate-rejection.schema.json';
import workflowRun from './workflow-run.schema.json';
import workflowRunList from './workflow-run-list.schema.json';
import workflowTemplate from './workflow-template.schema.json';
import workflowTemplateList from './workflow-template-list.schema.json';
import visibility from './visibility.schema.json';
import historyEntry from './history-entry.schema.json';
import historyList from './history-list.schema.json';
import requestPatch from './request-patch.schema.json';
import requestDeleted from './request-deleted.schema.json';
import account from './account.schema.json';
import accountPatch from './account-patch.schema.json';
import collection from './collection.schema.json';
import collectionDetail from './collection-detail.schema.json';
import collectionList from './collection-list.schema.json';
import collectionCreate from './collection-create.schema.json';
import collectionPatch from './collection-patch.schema.json';
import collectionItems from './collection-items.schema.json';
import collectionDeleted from './collection-deleted.schema.json';
import profile from './profile.schema.json';

/** Every JSON Schema, by `$id`: ajv validates bodies with them and the OpenAPI document embeds them. */
export const SCHEMAS = {
  ModelId: modelId,
  PlatformFields: platformFields,
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
  FileUploadFields: fileUploadFields,
  // Responses: documented in the OpenAPI document, checked against live answers by the fuzzer.
  ChatCompletion: chatCompletion,
  Completion: completion,
  TokenUsage: tokenUsage,
  ImageResponse: imageResponse,
  Transcription: transcription,
  VoiceList: voiceList,
  MeshResponse: meshResponse,
  VoiceSample: voiceSample,
  VoiceSampleList: voiceSampleList,
  FileObject: fileObject,
  FileList: fileList,
  FileDeleted: fileDeleted,
  HeartbeatAnswer: heartbeatAnswer,
  PolledTask: polledTask,
  ModelList: modelList,
  WebhookSecret: webhookSecret,
  Job: job,
  JobList: jobList,
  BatchRequest: batchRequest,
  Batch: batch,
  BatchList: batchList,
  WorkflowSpec: workflowSpec,
  WorkflowRunRequest: workflowRunRequest,
  GateApproval: gateApproval,
  GateRejection: gateRejection,
  WorkflowRun: workflowRun,
  WorkflowRunList: workflowRunList,
  WorkflowTemplate: workflowTemplate,
  WorkflowTemplateList: workflowTemplateList,
  Visibility: visibility,
  HistoryEntry: historyEntry,
  HistoryList: historyList,
  RequestPatch: requestPatch,
  RequestDeleted: requestDeleted,
  Account: account,
  AccountPatch: accountPatch,
  Collection: collection,
  CollectionDetail: collectionDetail,
  CollectionList: collectionList,
  CollectionCreate: collectionCreate,
  CollectionPatch: collectionPatch,
  CollectionItems: collectionItems,
  CollectionDeleted: collectionDeleted,
  Profile: profile,
} as const;

export type SchemaId = keyof typeof SCHEMAS;
