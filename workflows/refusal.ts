import { ErrorType } from './errors';

export interface Refusal {
  type: ErrorType;
  message: string;
}

/**
 * Why no provider can take a request, from what the registry says about its model: nobody serves
 * it for this member, it is another kind of model, or it lacks a feature the request needs. Pure,
 * so the API (refusing a job at submission) and the workflow's activity say it the same way.
 */
export function refusalFor(request: {
  model: string;
  serviceType: string;
  requiredFeatures: readonly string[];
  /** The service type the model is served as, if anyone serves it. */
  servedAs: string | undefined;
  /** Whether any provider serves it as the endpoint's service type. */
  rightType: boolean;
}): Refusal {
  const { model, serviceType, servedAs } = request;
  if (!servedAs)
    return { type: ErrorType.NoProvider, message: `No online provider serving model '${model}' for this user.` };
  if (!request.rightType) {
    return {
      type: ErrorType.WrongServiceType,
      message: `Model '${model}' is ${article(servedAs)} ${servedAs} model; this endpoint needs ${article(serviceType)} ${serviceType} model.`,
    };
  }
  const features = request.requiredFeatures.map((f) => `'${f}'`).join(', ');
  return { type: ErrorType.InvalidRequest, message: `Model '${model}' does not support ${features}.` };
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
