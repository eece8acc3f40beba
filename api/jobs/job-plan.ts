import { selectProviders } from '../../db/repositories/provider.repository';
import { dispatchSettings, type DispatchPlan } from '../../workflows/inference-contract';
import { refusalFor } from '../../workflows/refusal';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';

/**
 * The providers that may take a new job, least busy first (one registry read); refuses at once
 * what no provider could ever take (unknown model, wrong kind, missing feature). The job's row is
 * written on the first of them and its workflow dispatches at its first task, so jobs reach a
 * provider's queue in the order they arrived.
 */
export async function planJob(
  deps: Pick<ApiDeps, 'db' | 'config'>,
  q: { memberId: string; model: string; serviceType: string; requiredFeatures: readonly string[] },
): Promise<DispatchPlan> {
  const { all, ofType, matching } = await selectProviders(deps.db, {
    ...q,
    exclude: [],
    onlineSeconds: deps.config.dispatch.onlineSeconds,
    inFlightSeconds: deps.config.dispatch.inFlightSeconds,
  });
  if (matching.length > 0) {
    return { providerIds: matching.map((c) => c.providerId), dispatch: dispatchSettings(deps.config.dispatch) };
  }
  const why = refusalFor({
    model: q.model,
    serviceType: q.serviceType,
    requiredFeatures: [...q.requiredFeatures],
    servedAs: all[0]?.serviceType,
    rightType: ofType.length > 0,
  });
  throw new ApiError(why.type, why.message);
}
