import { selectProviders } from '../../db/repositories/provider.repository';
import { dispatchSettings, type DispatchPlan } from '../../workflows/inference-contract';
import { refusalFor, type Refusal } from '../../workflows/refusal';
import type { ApiDeps } from '../deps';

/**
 * One registry read for a new request: the providers that may take it, least busy first, as the
 * plan its workflow dispatches with; or, when none may, why (unknown model, wrong kind, missing
 * feature), in the words the workflow would use.
 */
export async function readDispatchPlan(
  deps: Pick<ApiDeps, 'db' | 'config'>,
  q: { memberId: string; model: string; serviceType: string; requiredFeatures: readonly string[] },
): Promise<{ plan: DispatchPlan } | { refusal: Refusal }> {
  const { all, ofType, matching } = await selectProviders(deps.db, {
    ...q,
    exclude: [],
    onlineSeconds: deps.config.dispatch.onlineSeconds,
    inFlightSeconds: deps.config.dispatch.inFlightSeconds,
  });
  if (matching.length === 0) {
    return { refusal: refusalFor({ ...q, servedAs: all[0]?.serviceType, rightType: ofType.length > 0 }) };
  }
  return { plan: { providerIds: matching.map((c) => c.providerId), dispatch: dispatchSettings(deps.config.dispatch) } };
}
