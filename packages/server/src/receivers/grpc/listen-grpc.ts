import {
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Listener, ListenerTls } from '../../http/listen.js';
import { grpcServerCredentials } from '../../tls/grpc-certificate-provider.js';

export interface GrpcService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface GrpcListenOptions {
  /** Largest request message accepted, after decompression; past it grpc-js answers RESOURCE_EXHAUSTED. */
  readonly maxMessageBytes: number;
  /** Run on every call before its handler, in order (the `--auth` check). */
  readonly interceptors?: readonly ServerInterceptor[];
  /** Serve over TLS; certificates follow `tls.reload()`, on open connections too. */
  readonly tls?: ListenerTls;
}

/** How long calls in flight may take to finish on close before they are cut. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Starts a gRPC server (gzip understood), plaintext or TLS, for `services`; resolves once it is bound. */
export function listenGrpc(
  name: string,
  host: string,
  port: number,
  services: readonly GrpcService[],
  options: GrpcListenOptions,
): Promise<Listener> {
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    // Exporters keep one connection for hours; these keep it healthy without extra chatter.
    'grpc.keepalive_permit_without_calls': 1,
    interceptors: [...(options.interceptors ?? [])],
  });
  for (const service of services) server.addService(service.definition, service.implementation);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const secure =
    options.tls === undefined
      ? undefined
      : grpcServerCredentials(options.tls.tls, options.tls.requireClientCertificate && options.tls.tls.mutual);
  return new Promise((resolve, reject) => {
    server.bindAsync(
      `${shownHost}:${port}`,
      secure?.credentials ?? ServerCredentials.createInsecure(),
      (error, bound) => {
        if (error) {
          secure?.close();
          server.forceShutdown();
          reject(new Error(`${name}: cannot listen on ${host}:${port}: ${error.message}`));
          return;
        }
        let closed: Promise<void> | undefined;
        resolve({
          name,
          host,
          port: bound,
          url: `${secure ? 'grpcs' : 'grpc'}://${shownHost}:${bound}`,
          close: () => {
            closed ??= new Promise<void>((done) => {
              secure?.close();
              const timer = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
              timer.unref();
              server.tryShutdown(() => {
                clearTimeout(timer);
                done();
              });
            });
            return closed;
          },
        });
      },
    );
  });
}
