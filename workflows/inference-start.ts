import { type RequestKind, REQUEST_KINDS, workflowIdFor } from './inference-contract';
import { SEARCH_ATTRIBUTE_KEYS } from './search-attributes';

export interface InferenceStartFacts {
  kind: RequestKind;
  requestId: string;
  model: string;
  memberName: string;
  streaming?: boolean;
  /** An async job: workflow `job-<id>`, kind `job` in the search attributes. */
  job?: boolean;
}

/**
 * Id, search attributes, memo and summary of an inference workflow, built in one place for the
 * API's starts and for parent workflows starting children, so both look the same in the UI.
 */
export function inferenceStartOptions(facts: InferenceStartFacts) {
  const { kind, model, memberName } = facts;
  const label = facts.job ? `job ${kind}` : kind;
  return {
    workflowId: facts.job ? jobWorkflowId(facts.requestId) : workflowIdFor(kind, facts.requestId),
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTE_KEYS.member, value: memberName },
      { key: SEARCH_ATTRIBUTE_KEYS.model, value: model },
      { key: SEARCH_ATTRIBUTE_KEYS.serviceType, value: REQUEST_KINDS[kind].serviceType },
      { key: SEARCH_ATTRIBUTE_KEYS.kind, value: facts.job ? 'job' : kind },
    ],
    memo: { title: `${label} ${model} for ${memberName}` },
    staticSummary: `${label} · ${model} · ${memberName}${facts.streaming ? ' · stream' : ''}`,
  };
}

/** Async jobs, batch items included: `job-<jobId>`. */
export function jobWorkflowId(jobId: string): string {
  return `job-${jobId}`;
}
