import {
  type Metadata,
  ServerInterceptingCall,
  type ServerInterceptor,
  ServerListenerBuilder,
  status,
} from '@grpc/grpc-js';
import type { AccessControl } from './access-control.js';
import type { AccessNeed } from './authorize.js';
import type { AccessGrant } from './http-access.js';

/** Grants by the call's request metadata (the object the handler gets as `call.metadata`). */
const grants = new WeakMap<Metadata, AccessGrant>();

/**
 * The grant of a gRPC call that passed the `--auth` interceptor:
 * `grpcAccessGrantOf(call.metadata)` in a handler. Undefined when auth is
 * off. Kept beside the metadata, not in it, so a client cannot send one.
 */
export function grpcAccessGrantOf(metadata: Metadata): AccessGrant | undefined {
  return grants.get(metadata);
}

const firstString = (metadata: Metadata, key: string): string | undefined => {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
};

/**
 * A server interceptor that checks `authorization` (and `x-scope-orgid`)
 * metadata before the call reaches its handler: refused calls end with
 * UNAUTHENTICATED or PERMISSION_DENIED, and their message is never read, so
 * an unauthenticated client costs no decoding and stores nothing.
 */
export function grpcAccessInterceptor(access: AccessControl, listener: string, need: AccessNeed): ServerInterceptor {
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) => {
        next(
          new ServerListenerBuilder()
            .withOnReceiveMetadata((metadata, pass) => {
              const decision = access.check(
                listener,
                {
                  authorization: firstString(metadata, 'authorization'),
                  scopeOrgId: firstString(metadata, 'x-scope-orgid'),
                },
                need,
              );
              if (!decision.allowed) {
                call.sendStatus({
                  code: decision.status === 401 ? status.UNAUTHENTICATED : status.PERMISSION_DENIED,
                  details: decision.message,
                });
                return;
              }
              grants.set(metadata, { tenant: decision.tenant, tenants: decision.entry.tenants });
              pass(metadata);
            })
            .build(),
        );
      },
    });
}
