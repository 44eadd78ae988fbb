import { type experimental, experimental as grpcExperimental, type ServerCredentials } from '@grpc/grpc-js';
import type { ServerTls, TlsMaterial } from './server-tls.js';

type CertificateProvider = experimental.CertificateProvider;
type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/**
 * gRPC server credentials that follow `ServerTls`: grpc-js calls a
 * certificate provider's listeners whenever the certificates change and sets
 * the new secure context on its HTTP/2 server, so a reload reaches new
 * connections without a new server, and open ones stay. `mutual`: require a
 * client certificate signed by the client CA.
 */
export function grpcServerCredentials(
  tls: ServerTls,
  mutual: boolean,
): { credentials: ServerCredentials; close: () => void } {
  const caListeners = new Set<CaListener>();
  const identityListeners = new Set<IdentityListener>();
  const tell = (material: TlsMaterial) => {
    if (mutual && material.clientCa) for (const listener of caListeners) listener({ caCertificate: material.clientCa });
    for (const listener of identityListeners) listener({ certificate: material.cert, privateKey: material.key });
  };
  const provider: CertificateProvider = {
    // A listener learns the current certificates just after it is added: grpc-js adds its own watcher of
    // the credentials only once the provider's listeners are in, and an update told before that is not seen
    // by the server (whose connections would be dropped until a reload). The port binds later still.
    addCaCertificateListener: (listener) => {
      caListeners.add(listener);
      queueMicrotask(() => {
        const { clientCa } = tls.current;
        if (mutual && clientCa && caListeners.has(listener)) listener({ caCertificate: clientCa });
      });
    },
    removeCaCertificateListener: (listener) => caListeners.delete(listener),
    addIdentityCertificateListener: (listener) => {
      identityListeners.add(listener);
      queueMicrotask(() => {
        if (identityListeners.has(listener)) listener({ certificate: tls.current.cert, privateKey: tls.current.key });
      });
    },
    removeIdentityCertificateListener: (listener) => identityListeners.delete(listener),
  };
  const unsubscribe = tls.subscribe(tell);
  // grpc-js 1.14 names this function's parameters (ca, identity, ...) but passes them on as (identity, ca, ...);
  // one provider serves both, so only which one may be null matters: the second, a CA for client certificates.
  const credentials = grpcExperimental.createCertificateProviderServerCredentials(
    provider,
    mutual ? provider : null,
    mutual,
  );
  return { credentials, close: unsubscribe };
}
