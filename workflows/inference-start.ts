import { type RequestKind, REQUEST_KINDS, workflowIdFor } from './inference-contract';
import { SEARCH_ATTRIBUTE_KEYS } from './search-attributes';

export interface InferenceStartFacts {
  kind: RequestKind;
  requestId: string;
  model: string;
  memberName: string;
  streaming?: boolean;
}

/**
 * Id, search attributes, memo and summary of an inference workflow, built in one place for the
 * API's starts and for parent workflows starting children, so both look the same in the UI.
 */
export function inferenceStartOptions(facts: InferenceStartFacts) {
  const { kind, model, memberName } = facts;
  return {
    workflowId: workflowIdFor(kind, facts.requestId),
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTE_KEYS.member, value: memberName },
      { key: SEARCH_ATTRIBUTE_KEYS.model, value: model },
      { key: SEARCH_ATTRIBUTE_KEYS.serviceType, value: REQUEST_KINDS[kind].serviceType },
      { key: SEARCH_ATTRIBUTE_KEYS.kind, value: kind },
    ],
    memo: { title: `${kind} ${model} for ${memberName}` },
    staticSummary: `${kind} · ${model} · ${memberName}${facts.streaming ? ' · stream' : ''}`,
  };
}
