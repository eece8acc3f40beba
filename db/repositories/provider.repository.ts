import { sql } from 'kysely';
import type { AdvertisedModel } from '../../workflows/agent-protocol';
import type { Db } from '../database';
import type { Provider, ProviderModel, Voice } from '../tables/provider.table';
import { isModelId, isUuid } from '../ids';

/** An advertised model with every field present (the heartbeat schema's defaults fill them in). */
export type ProviderModelInput = Required<AdvertisedModel> & { voices: Voice[] };

export interface HeartbeatInput {
  memberId: string;
  name: string;
  shared: boolean;
  concurrency: number;
  models: ProviderModelInput[];
}

/** Upserts a provider and replaces its model list in one transaction. */
export async function recordHeartbeat(db: Db, input: HeartbeatInput): Promise<Provider> {
  return db.transaction().execute(async (trx) => {
    const provider = await trx
      .insertInto('providers')
      .values({
        member_id: input.memberId,
        name: input.name,
        shared: input.shared,
        concurrency: input.concurrency,
        last_heartbeat_at: sql<Date>`now()`,
      })
      .onConflict((oc) =>
        oc.columns(['member_id', 'name']).doUpdateSet({
          shared: input.shared,
          concurrency: input.concurrency,
          last_heartbeat_at: sql<Date>`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('provider_models').where('provider_id', '=', provider.id).execute();
    if (input.models.length > 0) {
      await trx
        .insertInto('provider_models')
        .values(
          input.models.map((m) => ({
            provider_id: provider.id,
            model_id: m.id,
            service_type: m.service_type,
            input_modalities: JSON.stringify(m.input_modalities),
            output_modalities: JSON.stringify(m.output_modalities),
            supported_features: JSON.stringify(m.supported_features),
            context_length: m.context_length,
            voices: JSON.stringify(m.voices),
            updated_at: sql<Date>`now()`,
          })),
        )
        .execute();
    }
    return provider;
  });
}

export async function findOwnedProvider(db: Db, memberId: string, providerId: string): Promise<Provider | undefined> {
  if (!isUuid(providerId)) return undefined;
  return db
    .selectFrom('providers')
    .selectAll()
    .where('id', '=', providerId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
}

export type VisibleModel = ProviderModel & { provider_name: string; provider_id: string };

/** Models of online providers the member may use: their own plus shared ones. */
export async function listVisibleModels(db: Db, memberId: string, onlineSeconds: number): Promise<VisibleModel[]> {
  return db
    .selectFrom('provider_models as pm')
    .innerJoin('providers as p', 'p.id', 'pm.provider_id')
    .selectAll('pm')
    .select(['p.name as provider_name', 'p.id as provider_id'])
    .where(onlineSince(onlineSeconds))
    .where((eb) => eb.or([eb('p.member_id', '=', memberId), eb('p.shared', '=', true)]))
    .orderBy('pm.model_id')
    .orderBy('p.member_id', (ob) => ob.desc())
    .execute();
}

export interface Candidate {
  providerId: string;
  serviceType: string;
  features: string[];
  inFlight: number;
  concurrency: number;
}

/**
 * Every online provider the member may use that advertises exactly `modelId`, least busy first
 * (requests waiting on it or running, per unit of advertised concurrency), the member's own
 * breaking ties. A row still open after `inFlightSeconds` (longer than any task may run) no longer
 * counts as load: whatever left it behind, it must not weigh on routing forever.
 */
export async function findCandidates(
  db: Db,
  memberId: string,
  modelId: string,
  onlineSeconds: number,
  inFlightSeconds: number,
): Promise<Candidate[]> {
  if (!isModelId(modelId)) return [];
  const rows = await db
    .selectFrom('provider_models as pm')
    .innerJoin('providers as p', 'p.id', 'pm.provider_id')
    .select((eb) => [
      'p.id as providerId',
      'pm.service_type as serviceType',
      'pm.supported_features as features',
      'p.concurrency as concurrency',
      sql<boolean>`p.member_id = ${memberId}`.as('own'),
      eb
        .selectFrom('requests as r')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('r.provider_id', '=', 'p.id')
        .where('r.status', 'in', ['QUEUED', 'PROCESSING'])
        .where(sql<boolean>`r.created_at > now() - make_interval(secs => ${inFlightSeconds})`)
        .as('inFlight'),
    ])
    .where('pm.model_id', '=', modelId)
    .where(onlineSince(onlineSeconds))
    .where((eb) => eb.or([eb('p.member_id', '=', memberId), eb('p.shared', '=', true)]))
    .execute();
  return rows
    .map((r) => ({ ...r, inFlight: Number(r.inFlight ?? 0) }))
    .sort((a, b) => a.inFlight / a.concurrency - b.inFlight / b.concurrency || Number(b.own) - Number(a.own))
    .map(({ providerId, serviceType, features, inFlight, concurrency }) => ({
      providerId,
      serviceType,
      features,
      inFlight,
      concurrency,
    }));
}

export interface ProviderSelection {
  /** Every candidate for the model, whatever its type or features (to explain a refusal). */
  all: Candidate[];
  /** Of the right service type. */
  ofType: Candidate[];
  /** Of the right type, with every required feature, not yet tried: the ones to dispatch to, in order. */
  matching: Candidate[];
}

/** The providers a request may go to, in dispatch order, from one registry read. */
export async function selectProviders(
  db: Db,
  q: {
    memberId: string;
    model: string;
    serviceType: string;
    requiredFeatures: readonly string[];
    exclude: readonly string[];
    onlineSeconds: number;
    inFlightSeconds: number;
  },
): Promise<ProviderSelection> {
  const all = await findCandidates(db, q.memberId, q.model, q.onlineSeconds, q.inFlightSeconds);
  const ofType = all.filter((c) => c.serviceType === q.serviceType);
  const matching = ofType.filter(
    (c) => q.requiredFeatures.every((f) => c.features.includes(f)) && !q.exclude.includes(c.providerId),
  );
  return { all, ofType, matching };
}

function onlineSince(seconds: number) {
  return sql<boolean>`p.last_heartbeat_at > now() - make_interval(secs => ${seconds})`;
}

export interface ServedModel {
  serviceTypes: string[];
  features: string[];
  voices: Voice[];
}

/** What the online providers the member may use say about `modelId`, merged; null when none serve it. */
export async function describeServedModel(
  db: Db,
  memberId: string,
  modelId: string,
  onlineSeconds: number,
): Promise<ServedModel | null> {
  if (!isModelId(modelId)) return null;
  const rows = await db
    .selectFrom('provider_models as pm')
    .innerJoin('providers as p', 'p.id', 'pm.provider_id')
    .select(['pm.service_type', 'pm.supported_features', 'pm.voices'])
    .where('pm.model_id', '=', modelId)
    .where(onlineSince(onlineSeconds))
    .where((eb) => eb.or([eb('p.member_id', '=', memberId), eb('p.shared', '=', true)]))
    .execute();
  if (rows.length === 0) return null;
  const voices = new Map<string, Voice>();
  for (const row of rows) for (const v of row.voices) voices.set(v.id, v);
  return {
    serviceTypes: [...new Set(rows.map((r) => r.service_type))],
    features: [...new Set(rows.flatMap((r) => r.supported_features))],
    voices: [...voices.values()],
  };
}

/**
 * The provider's agent has gone (every long-poll it had on this API closed under it): it counts as
 * offline at once, so nothing waits for it. Its next heartbeat, or its next poll, brings it back.
 */
export async function markProviderGone(db: Db, providerId: string, onlineSeconds: number): Promise<void> {
  await db
    .updateTable('providers')
    .set({ last_heartbeat_at: sql<Date>`now() - make_interval(secs => ${onlineSeconds + 1})` })
    .where('id', '=', providerId)
    .where(sql<boolean>`last_heartbeat_at > now() - make_interval(secs => ${onlineSeconds})`)
    .execute();
}

/** A poll from a provider that counted as gone (or whose heartbeat lapsed): it is here after all. */
export async function markProviderSeen(db: Db, providerId: string): Promise<void> {
  await db
    .updateTable('providers')
    .set({ last_heartbeat_at: sql<Date>`now()` })
    .where('id', '=', providerId)
    .execute();
}

/** Whether the provider counts as online now (a fresh heartbeat, not marked gone). */
export async function providerOnline(db: Db, providerId: string, onlineSeconds: number): Promise<boolean> {
  const row = await db
    .selectFrom('providers as p')
    .select('p.id')
    .where('p.id', '=', providerId)
    .where(onlineSince(onlineSeconds))
    .executeTakeFirst();
  return row !== undefined;
}

export interface ReachableModel {
  model: string;
  features: string[];
  voices: string[];
  /** Slots of every online provider serving it. */
  capacity: number;
}

/** The models of one service type the member can reach now, with what they offer. */
export async function reachableModels(
  db: Db,
  memberId: string,
  serviceType: string,
  onlineSeconds: number,
): Promise<ReachableModel[]> {
  const rows = await db
    .selectFrom('provider_models as pm')
    .innerJoin('providers as p', 'p.id', 'pm.provider_id')
    .select(['pm.model_id', 'pm.supported_features', 'pm.voices', 'p.concurrency'])
    .where('pm.service_type', '=', serviceType)
    .where(onlineSince(onlineSeconds))
    .where((eb) => eb.or([eb('p.member_id', '=', memberId), eb('p.shared', '=', true)]))
    .execute();
  const byModel = new Map<string, ReachableModel>();
  for (const row of rows) {
    const model = byModel.get(row.model_id) ?? { model: row.model_id, features: [], voices: [], capacity: 0 };
    model.features = [...new Set([...model.features, ...row.supported_features])];
    model.voices = [...new Set([...model.voices, ...row.voices.map((v) => v.id)])];
    model.capacity += row.concurrency;
    byModel.set(row.model_id, model);
  }
  return [...byModel.values()];
}
