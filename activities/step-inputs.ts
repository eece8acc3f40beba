import { shareRequest } from '../domain/request-sharing';
import { stripPlatformFields } from '../domain/platform-fields';
import { ApplicationFailure } from '@temporalio/common';
import type { Storage } from '../clients/storage';
import { inlineOrStored } from '../clients/payload-store';
import { payloadKey } from '../clients/storage-keys';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { isAssetId } from '../db/ids';
import { reachableModels } from '../db/repositories/provider.repository';
import { CALL_SHAPES } from '../domain/call-shapes';
import { pickModel } from '../domain/pick-model';
import { checkSchema } from '../domain/schema-validate';
import { signedAssetUrl } from '../domain/signed-url';
import { ErrorType } from '../workflows/errors';
import { REQUEST_KINDS, type InferenceInput, type InputFile, type RequestKind } from '../workflows/inference-contract';
import { STEP_TYPES, type StepType } from '../workflows/runs/spec';

export interface PrepareStepInput {
  runId: string;
  memberId: string;
  stepId: string;
  /** A map's item; null for an inference step. */
  index: number | null;
  requestId: string;
  type: StepType;
  /** The step's body with its references resolved. */
  body: Record<string, unknown>;
  timeoutMs: number;
}

export interface PreparedStep {
  input: InferenceInput;
  /** The output is one asset (an image step asking for one image), not a list. */
  single: boolean;
}

/**
 * Body fields whose value is a file, per kind: an asset from an earlier step (its value, or its
 * link), handed to the agent as a presigned URL like an upload. `multipart`: sent as that form
 * field (several images as `image[]`); `json`: its URL put at that path of the JSON body.
 */
const FILE_FIELDS: Partial<
  Record<RequestKind, { field: string; encoding: 'multipart' | 'json'; accepts: string; many?: boolean }[]>
> = {
  'image-edit': [
    { field: 'image', encoding: 'multipart', accepts: 'image/', many: true },
    { field: 'mask', encoding: 'multipart', accepts: 'image/' },
  ],
  transcription: [{ field: 'file', encoding: 'multipart', accepts: 'audio/' }],
  video: [{ field: 'image', encoding: 'json', accepts: 'image/' }],
};

/** The kinds whose outputs are assets: one per output, and a list when several were asked for. */
const LISTED_OUTPUT_KINDS: ReadonlySet<RequestKind> = new Set(['image', 'image-edit', 'mesh']);

const ASSET_LINK = /\/api\/inference\/assets\/([A-Za-z0-9_-]{24})\/?(?:\?.*)?$/;

/** The asset a value stands for: an asset value (`{asset_id, ...}`) or the platform's link to one. */
export function assetIdOf(value: unknown): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const id = (value as { asset_id?: unknown }).asset_id;
    return isAssetId(id) ? id : undefined;
  }
  if (typeof value === 'string') return ASSET_LINK.exec(value)?.[1];
  return undefined;
}

const fail = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * A step's resolved body as the inference workflow's input: file fields become inputs the agent
 * fetches, other assets signed links, a missing model the best one online for the member, and the
 * body is checked against the endpoint's schema as a client's would be. Refusals fail the step
 * with the field at fault.
 */
export async function prepareStep(
  deps: { db: Db; storage: Storage; config: Pick<Config, 'api' | 'dispatch'> },
  input: PrepareStepInput,
): Promise<PreparedStep> {
  const { db, storage, config } = deps;
  const kind = STEP_TYPES[input.type];
  const label = input.index === null ? 'body' : `body (item ${input.index})`;
  const sharing = sharingFields(label, input.body);
  // Steps never stream nor run as jobs of their own; the sharing fields are the platform's, not the provider's.
  const body = stripPlatformFields(input.body);
  delete body.stream;
  if (kind === 'transcription' && body.response_format !== 'verbose_json') body.response_format = 'json';

  const pending: { assetId: string; field: string; accepts: string; many: boolean; index: number }[] = [];
  let encoding: 'json' | 'multipart' | undefined;
  for (const spec of FILE_FIELDS[kind] ?? []) {
    const value = body[spec.field];
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) && spec.many ? value : [value];
    values.forEach((item, index) => {
      const assetId = assetIdOf(item);
      if (!assetId) {
        throw fail(
          ErrorType.InvalidRequest,
          `${label}.${spec.field} must be an output of an earlier step (an asset, or its url), like {{steps.<id>.output}}.`,
        );
      }
      pending.push({ assetId, field: spec.field, accepts: spec.accepts, many: values.length > 1, index });
    });
    delete body[spec.field];
    if (spec.encoding === 'multipart') encoding = 'multipart';
  }
  // Any other asset in the body (a vision message's image, say) travels as a signed link.
  const linked = new Set<string>();
  const linkedBody = replaceAssets(body, (id) => {
    linked.add(id);
    return signedAssetUrl(config, id);
  }) as Record<string, unknown>;
  const assetIds = [...new Set([...pending.map((p) => p.assetId), ...linked])];
  const owned = assetIds.length
    ? await db
        .selectFrom('assets')
        .select(['id', 'key', 'content_type'])
        .where('id', 'in', assetIds)
        .where('member_id', '=', input.memberId)
        .execute()
    : [];
  const byId = new Map(owned.map((a) => [a.id, a]));
  for (const id of assetIds) {
    if (!byId.has(id))
      throw fail(ErrorType.InvalidRequest, `${label} refers to an asset '${id}' that is not yours or does not exist.`);
  }
  const files: InputFile[] = pending.map((p) => {
    const asset = byId.get(p.assetId) as { key: string; content_type: string };
    if (!asset.content_type.startsWith(p.accepts)) {
      throw fail(
        ErrorType.InvalidRequest,
        `${label}.${p.field} must be ${p.accepts.replace('/', '')} but the asset is ${asset.content_type}.`,
      );
    }
    return {
      field: p.many ? `${p.field}[]` : p.field,
      key: asset.key,
      filename: `${p.field}-${p.index}.${extensionOf(asset.content_type)}`,
      contentType: asset.content_type,
    };
  });

  const shape = CALL_SHAPES[kind];
  if (linkedBody.model === undefined) {
    const features = shape.shape({ ...linkedBody, model: '' }).requiredFeatures ?? [];
    const models = await reachableModels(
      db,
      input.memberId,
      REQUEST_KINDS[kind].serviceType,
      config.dispatch.onlineSeconds,
    );
    const voice = typeof linkedBody.voice === 'string' ? linkedBody.voice : undefined;
    const model = pickModel(models, features, voice);
    if (!model) {
      throw fail(
        ErrorType.NoProvider,
        `No ${input.type} model${features.length ? ` with ${features.join(', ')}` : ''} is online for you; name one in ${label}.model or start a provider.`,
      );
    }
    linkedBody.model = model;
  }
  const checked = checkSchema<Record<string, unknown>>(shape.schema, linkedBody);
  if (!checked.ok) {
    throw fail(ErrorType.InvalidRequest, `${label}${checked.param ? `.${checked.param}` : ''}: ${checked.message}`);
  }
  const call = shape.shape(checked.value);
  const owner = await db
    .selectFrom('members')
    .select(['id', 'default_request_visibility', 'default_collection_name'])
    .where('id', '=', input.memberId)
    .executeTakeFirstOrThrow();
  const [stored, history] = await Promise.all([
    inlineOrStored(storage, payloadKey(input.requestId, 'request'), call.body),
    shareRequest(db, owner, { ...call.body, ...sharing }, input.requestId),
  ]);
  const inference: InferenceInput = {
    requestId: input.requestId,
    memberId: input.memberId,
    kind,
    model: String(call.body.model),
    ...(stored.ref ? { bodyRef: stored.ref } : { body: stored.inline }),
    stream: null,
    requiredFeatures: call.requiredFeatures,
    files,
    encoding: call.encoding ?? encoding,
    outputs: call.outputs,
    queueMs: config.dispatch.jobQueueMs,
    job: true,
    parent: { runId: input.runId, stepId: input.stepId },
    timeoutMs: input.timeoutMs,
    history,
  };
  return { input: inference, single: !LISTED_OUTPUT_KINDS.has(kind) || (call.outputs?.count ?? 1) === 1 };
}

/** A step body's own `visibility` and `collection`, checked by the schema every endpoint checks them with. */
function sharingFields(label: string, body: Record<string, unknown>): Record<string, unknown> {
  const fields = { visibility: body.visibility, collection: body.collection };
  const checked = checkSchema<Record<string, unknown>>('PlatformFields', fields);
  if (!checked.ok) {
    throw fail(ErrorType.InvalidRequest, `${label}${checked.param ? `.${checked.param}` : ''}: ${checked.message}`);
  }
  return checked.value;
}

/** `value` with every asset value, or link to one, replaced by `link(id)`. */
function replaceAssets(value: unknown, link: (id: string) => string): unknown {
  const id = assetIdOf(value);
  if (id) return link(id);
  if (Array.isArray(value)) return value.map((v) => replaceAssets(v, link));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceAssets(v, link)]));
  }
  return value;
}

function extensionOf(contentType: string): string {
  const sub = contentType.split('/')[1]?.split(';')[0] ?? 'bin';
  return { jpeg: 'jpg', mpeg: 'mp3', 'x-wav': 'wav', wave: 'wav', 'gltf-binary': 'glb' }[sub] ?? sub;
}
