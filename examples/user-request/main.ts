// `user-request-demo` on port 8082 (USER_REQUEST_PORT overrides): each GET runs one user request.
import { exportersForCli, processorFromEnv } from '../shared/exporters-for-cli.js';
import { portFromEnv, runMain } from '../shared/run-main.js';
import { startUserRequestService } from './user-request.js';

await runMain('user-request-demo', () =>
  startUserRequestService({
    port: portFromEnv('USER_REQUEST_PORT', 8082),
    exporters: exportersForCli('otlp-http'),
    processor: processorFromEnv(),
  }),
);
