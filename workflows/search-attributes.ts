import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes workflows carry, so an operator finds a member's request in the
 * Temporal UI by member, model, service type, kind or a run's template. The one registry: the dev
 * server registers these names (scripts/services/temporal.ts), starts set them, and
 * docker-compose's setup is tested against them.
 */
export const SEARCH_ATTRIBUTES = {
  member: 'InferenceMember',
  model: 'InferenceModel',
  serviceType: 'InferenceServiceType',
  kind: 'InferenceKind',
  /** A workflow run's template (`illustrated-story`, ...); `inline` for a run of its own spec. */
  template: 'InferenceTemplate',
} as const;

/** Every attribute is a Keyword: exact match, filterable in the UI. */
export const SEARCH_ATTRIBUTE_KEYS = {
  member: defineSearchAttributeKey(SEARCH_ATTRIBUTES.member, SearchAttributeType.KEYWORD),
  model: defineSearchAttributeKey(SEARCH_ATTRIBUTES.model, SearchAttributeType.KEYWORD),
  serviceType: defineSearchAttributeKey(SEARCH_ATTRIBUTES.serviceType, SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey(SEARCH_ATTRIBUTES.kind, SearchAttributeType.KEYWORD),
  template: defineSearchAttributeKey(SEARCH_ATTRIBUTES.template, SearchAttributeType.KEYWORD),
} as const;
