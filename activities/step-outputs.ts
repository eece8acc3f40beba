import { ApplicationFailure } from '@temporalio/common';
import { getPayload } from '../clients/payload-store';
import type { Storage } from '../clients/storage';
import type { Config } from '../config/config';
import { ErrorType } from '../workflows/errors';
import type { InferenceOutput, RequestKind, StoredAsset } from '../workflows/inference-contract';
import { extractJson } from '../workflows/runs/extract-json';
import type { AssetValue } from '../workflows/runs/run-contract';

export interface StepOutputInput {
  kind: RequestKind;
  /** What the step's inference workflow returned: references only (its answer is stored). */
  output: InferenceOutput;
  extract?: 'json';
  /** One asset rather than a list (see PreparedStep). */
  single: boolean;
}

/** The largest output one step (or one map item) may have, as JSON: it lives in the run's history. */
export const MAX_STEP_OUTPUT_BYTES = 256 * 1024;

/** The kinds whose output is text (and so may be extracted as JSON). */
export const TEXT_KINDS: ReadonlySet<RequestKind> = new Set(['chat', 'completion', 'transcription']);

const fail = (message: string) =>
  ApplicationFailure.create({ type: ErrorType.UpstreamError, message, nonRetryable: true });

/** An asset as a step's output holds it; its `url` needs a key (the API signs it when shown). */
export function assetValue(config: Pick<Config, 'api'>, asset: StoredAsset): AssetValue {
  return {
    asset_id: asset.id,
    url: `${config.api.publicBaseUrl}/api/inference/assets/${asset.id}/`,
    content_type: asset.contentType,
    bytes: asset.bytes,
  };
}

/**
 * A step's output from its request's answer: the text of a chat, completion or transcription (or
 * the JSON in it, with `extract: "json"`), else the stored assets.
 */
export async function stepOutput(
  deps: { storage: Storage; config: Pick<Config, 'api'> },
  input: StepOutputInput,
): Promise<unknown> {
  const { kind, output } = input;
  let value: unknown;
  if (TEXT_KINDS.has(kind)) {
    const body = output.bodyRef ? await getPayload(deps.storage, output.bodyRef) : output.body;
    const text = textOf(kind, body);
    if (input.extract === 'json') {
      const parsed = extractJson(text);
      if (!parsed.ok) throw fail(`The model's answer is not JSON: ${parsed.message}`);
      value = parsed.value;
    } else {
      value = text;
    }
  } else {
    const assets = (output.assets ?? []).map((a) => assetValue(deps.config, a));
    if (assets.length === 0) throw fail('The provider returned no output.');
    value = input.single ? assets[0] : assets;
  }
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? 'null');
  if (bytes > MAX_STEP_OUTPUT_BYTES) {
    throw fail(`The output is ${bytes} bytes as JSON; a step's output may be at most ${MAX_STEP_OUTPUT_BYTES}.`);
  }
  return value;
}

function textOf(kind: RequestKind, body: unknown): string {
  const answer = (body ?? {}) as {
    choices?: { message?: { content?: unknown }; text?: unknown }[];
    text?: unknown;
  };
  const text =
    kind === 'chat'
      ? answer.choices?.[0]?.message?.content
      : kind === 'completion'
        ? answer.choices?.[0]?.text
        : answer.text;
  return typeof text === 'string' ? text : '';
}
