import type { Context } from 'koa';
import { inputKey } from '../../activities/storage-keys';
import type { InferenceInput, InferenceOutput, RequestKind } from '../../workflows/definitions';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError, fromWorkflowFailure } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { cancelWhenClientLeaves } from './client-cancel';
import { newRequestId, startInference, stripPlatformFields, workflowResult } from './start-inference';

/** An upload that passed every check; it is written to the bucket only when the request starts. */
export interface AcceptedUpload {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface MediaRequest {
  body: Record<string, unknown>;
  uploads?: AcceptedUpload[];
  /** Extra inputs already in the bucket (voice samples), by body path. */
  stored?: NonNullable<InferenceInput['files']>;
  encoding?: InferenceInput['encoding'];
  outputs?: InferenceInput['outputs'];
  requiredFeatures?: string[];
}

/**
 * Runs one media request synchronously: stores its uploads, starts its workflow and waits for
 * the outputs to be in the bucket. Callers have validated everything before calling, so a
 * rejected request stores nothing.
 */
export async function runMedia(
  deps: ApiDeps,
  ctx: Context & { state: AuthState },
  kind: RequestKind,
  request: MediaRequest,
): Promise<InferenceOutput> {
  if (request.body.async === true) {
    throw new ApiError(
      ErrorType.AsyncDisabled,
      'Async jobs are not enabled on this server yet; send the request without "async".',
    );
  }
  const { member } = ctx.state;
  const requestId = newRequestId();
  const { client, bucket } = deps.storage;
  const uploads = request.uploads ?? [];
  const files = [
    ...uploads.map((u) => ({
      field: u.field,
      key: inputKey(requestId, u.field),
      filename: u.filename,
      contentType: u.contentType,
    })),
    ...(request.stored ?? []),
  ];
  await Promise.all(
    uploads.map((u) =>
      client.putObject(bucket, inputKey(requestId, u.field), u.bytes, u.bytes.length, {
        'Content-Type': u.contentType,
      }),
    ),
  );

  const leaving = cancelWhenClientLeaves(deps, ctx, requestId);
  const { handle } = await startInference(deps, {
    requestId,
    memberId: member.id,
    memberName: member.name,
    kind,
    body: stripPlatformFields(request.body),
    stream: null,
    files,
    encoding: request.encoding,
    outputs: request.outputs,
    requiredFeatures: request.requiredFeatures,
  });
  leaving.watch(handle);
  ctx.set('x-request-id', requestId);
  return workflowResult(deps.temporal, handle, leaving.signal).catch((err: unknown) => {
    throw fromWorkflowFailure(err);
  });
}
