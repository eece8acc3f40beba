import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import {
  InterceptingCall,
  ListenerBuilder,
  Metadata,
  RequesterBuilder,
  status,
  type InterceptingListener,
  type Interceptor,
} from '@grpc/grpc-js';

/** What an interceptor's next step returns (grpc-js does not export the interface by name). */
type NextCallInterface = ConstructorParameters<typeof InterceptingCall>[0];

const CLOSED = 'the Temporal connection was closed';

/**
 * Lets a grpc-js Temporal connection close with calls in flight without an uncaught exception.
 *
 * Closing a channel fails the calls still waiting for a transport with UNAVAILABLE, and the client's
 * retry interceptor retries those after a backoff timer; the retry then asks the closed channel for a
 * call, and grpc-js throws "Channel has been shut down" from inside that timer. Long-polls, on the
 * other hand, outlive a close until their deadline. So the guard sits on both sides of the retry
 * interceptor: the outer side tracks every call so that `close()` cancels them first (CANCELLED is
 * never retried), and the inner side ends any call begun after the close (a retry whose timer was
 * already set) with CANCELLED instead of reaching the channel.
 */
export class GrpcCloseGuard {
  private closed = false;
  private readonly inFlight = new Set<InterceptingCall>();

  /** The connection's interceptors: this guard around the Temporal client's default retry interceptor. */
  interceptors(): Interceptor[] {
    return [this.track, makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), this.refuseAfterClose];
  }

  /** How many calls are in flight (for tests). */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Cancels every call in flight and refuses new ones; call before closing the channel. */
  close(): void {
    this.closed = true;
    for (const call of [...this.inFlight]) call.cancelWithStatus(status.CANCELLED, CLOSED);
  }

  private readonly track: Interceptor = (options, nextCall) => {
    if (this.closed) return cancelledCall();
    const call: InterceptingCall = new InterceptingCall(
      nextCall(options),
      new RequesterBuilder()
        .withStart((metadata, _listener, next) => {
          const settle = new ListenerBuilder()
            .withOnReceiveStatus((callStatus, nextStatus) => {
              this.inFlight.delete(call);
              nextStatus(callStatus);
            })
            .build();
          next(metadata, settle);
        })
        .build(),
    );
    this.inFlight.add(call);
    return call;
  };

  private readonly refuseAfterClose: Interceptor = (options, nextCall) =>
    this.closed ? cancelledCall() : new InterceptingCall(nextCall(options));
}

/** A call that never reaches a channel and ends with CANCELLED once started. */
function cancelledCall(): InterceptingCall {
  let listener: Partial<InterceptingListener> | undefined;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    listener?.onReceiveStatus?.({ code: status.CANCELLED, details: CLOSED, metadata: new Metadata() });
  };
  const detached: NextCallInterface = {
    start(_metadata: Metadata, startListener?: Partial<InterceptingListener>) {
      listener = startListener;
      // Asynchronously, as a real call reports its status.
      setImmediate(end);
    },
    cancelWithStatus: () => undefined,
    getPeer: () => '',
    sendMessageWithContext: () => undefined,
    sendMessage: () => undefined,
    startRead: () => undefined,
    halfClose: () => undefined,
    getAuthContext: () => null,
  };
  return new InterceptingCall(detached);
}
