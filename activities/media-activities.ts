import type { Storage } from '../clients/storage';
import type { Db } from '../db/database';
import { insertAssets } from '../db/repositories/asset.repository';
import type { InputFile, OutputMode, RequestKind, StoredAsset, Usage } from '../workflows/inference-contract';
import type { TaskFile, UploadedOutput } from '../workflows/agent-protocol';
import { probeDurationSeconds } from '../clients/media-probe';
import { PRESIGN_SECONDS, outputKey } from '../clients/storage-keys';

export interface PrepareInput {
  requestId: string;
  files: InputFile[];
  outputs: { count: number; mode: OutputMode } | null;
}

export interface PreparedTask {
  files: TaskFile[];
  outputs?: { urls: string[]; mode: OutputMode };
}

export interface CollectInput {
  requestId: string;
  memberId: string;
  kind: RequestKind;
  files: InputFile[];
  uploaded: UploadedOutput[];
}

export interface Collected {
  assets: StoredAsset[];
  usage: Usage;
}

/** Activities that move bytes between agents and the bucket without touching them. */
export function createMediaActivities({ db, storage }: { db: Db; storage: Storage }) {
  const { client, bucket } = storage;
  const getUrl = (key: string) => client.presignedGetObject(bucket, key, PRESIGN_SECONDS);

  /**
   * The request's uploads, kept as its input assets so its history can show them (a voice sample
   * of the member's own library stays there: it is not the request's to keep).
   */
  const keepInputs = async (input: CollectInput) => {
    const uploads = input.files.filter((f) => f.key.startsWith(`inputs/${input.requestId}/`));
    const stats = await Promise.all(uploads.map((f) => client.statObject(bucket, f.key)));
    await insertAssets(
      db,
      uploads.map((f, position) => ({
        requestId: input.requestId,
        memberId: input.memberId,
        position,
        key: f.key,
        contentType: f.contentType,
        bytes: stats[position].size,
        role: 'input' as const,
      })),
    );
  };

  return {
    /** Fresh presigned URLs for one attempt: GET for the inputs, PUT for each expected output. */
    async prepareTask(input: PrepareInput): Promise<PreparedTask> {
      const files = await Promise.all(
        input.files.map(async (f) => ({
          field: f.field,
          filename: f.filename,
          contentType: f.contentType,
          url: await getUrl(f.key),
        })),
      );
      if (!input.outputs) return { files };
      const urls = await Promise.all(
        Array.from({ length: input.outputs.count }, (_, i) =>
          client.presignedPutObject(bucket, outputKey(input.requestId, i), PRESIGN_SECONDS),
        ),
      );
      return { files, outputs: { urls, mode: input.outputs.mode } };
    },

    /**
     * Checks that every output the agent reports is really in the bucket, records the assets,
     * and meters the request from the bytes themselves (not from what the provider claims).
     */
    async collectOutputs(input: CollectInput): Promise<Collected> {
      const stored = await Promise.all(
        input.uploaded.map(async (o) => {
          const key = outputKey(input.requestId, o.index);
          const stat = await client.statObject(bucket, key);
          return { position: o.index, key, contentType: o.content_type, bytes: stat.size };
        }),
      );
      const [rows] = await Promise.all([
        insertAssets(
          db,
          stored.map((s) => ({ ...s, requestId: input.requestId, memberId: input.memberId })),
        ),
        keepInputs(input),
      ]);
      const assets = rows.map((r) => ({ id: r.id, key: r.key, contentType: r.content_type, bytes: r.bytes }));
      return { assets, usage: await meter(input.kind, input.files, assets, getUrl) };
    },
  };
}

async function meter(
  kind: RequestKind,
  files: InputFile[],
  assets: StoredAsset[],
  getUrl: (key: string) => Promise<string>,
): Promise<Usage> {
  const seconds = async (key: string) => probeDurationSeconds(await getUrl(key));
  switch (kind) {
    case 'image':
    case 'image-edit':
      return { images: assets.length };
    case 'transcription': {
      const audio = files.find((f) => f.field === 'file');
      return { type: 'duration', seconds: audio ? await seconds(audio.key) : null };
    }
    case 'speech':
    case 'voice':
    case 'music':
      return { type: 'duration', audio_seconds_out: assets[0] ? await seconds(assets[0].key) : null };
    case 'video':
      return { video_seconds: assets[0] ? await seconds(assets[0].key) : null };
    case 'mesh':
      return { meshes: assets.length };
    default:
      return {};
  }
}
