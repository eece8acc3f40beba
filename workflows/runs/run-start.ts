import { SEARCH_ATTRIBUTE_KEYS } from '../search-attributes';
import { runWorkflowId } from './run-contract';

/** Id, search attributes, memo and summary of a run's workflow, as the Temporal UI shows them. */
export function runStartOptions(facts: { runId: string; memberName: string; template: string | null; steps: number }) {
  const template = facts.template ?? 'inline';
  return {
    workflowId: runWorkflowId(facts.runId),
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTE_KEYS.member, value: facts.memberName },
      { key: SEARCH_ATTRIBUTE_KEYS.kind, value: 'run' },
      { key: SEARCH_ATTRIBUTE_KEYS.template, value: template },
    ],
    memo: { title: `run ${template} for ${facts.memberName}` },
    staticSummary: `run · ${template} · ${facts.steps} steps · ${facts.memberName}`,
  };
}
