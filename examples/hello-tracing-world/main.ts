// `TracingExample` on port 8080 (HELLO_PORT overrides), exporting OTLP/HTTP.
import { exportersForCli, processorFromEnv } from '../shared/exporters-for-cli.js';
import { portFromEnv, runMain } from '../shared/run-main.js';
import { startHelloService } from './hello-service.js';

await runMain('TracingExample', () =>
  startHelloService({
    port: portFromEnv('HELLO_PORT', 8080),
    exporters: exportersForCli('otlp-http'),
    processor: processorFromEnv(),
  }),
);
