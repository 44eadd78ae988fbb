// One service of the chain per process: `main.ts <proxy|uservice1|uservice2|uservice3|uservice4>`.
// Ports 8090 (proxy) and 8091–8094, overridden by PROXY_PORT, USERVICE1_PORT, …;
// upstreams from USERVICE1_URL … USERVICE4_URL. uservice1–4 export OTLP/gRPC
// (OTEL_EXPORTER_OTLP_ENDPOINT, default localhost:4317), the proxy Jaeger Thrift
// over HTTP (OTEL_EXPORTER_JAEGER_ENDPOINT, default localhost:14268);
// DEMO_EXPORTER=console prints spans instead, DEMO_SPAN_PROCESSOR=simple|batch.
import { ConsoleSpanExporter, JaegerHttpExporter } from '@ariadne/sdk';
import { exportersForCli, processorFromEnv } from '../shared/exporters-for-cli.js';
import { portFromEnv, runMain } from '../shared/run-main.js';
import { startProxy } from './proxy.js';
import { startUservice1 } from './uservice1.js';
import { startUservice2 } from './uservice2.js';
import { startUservice3 } from './uservice3.js';
import { startUservice4 } from './uservice4.js';

const name = process.argv[2] ?? '';
const urlOf = (service: string, port: number) =>
  process.env[`${service.toUpperCase()}_URL`] || `http://127.0.0.1:${port}`;
const common = () => ({ exporters: exportersForCli('otlp-grpc'), processor: processorFromEnv() });

switch (name) {
  case 'proxy':
    await runMain(name, () =>
      startProxy({
        port: portFromEnv('PROXY_PORT', 8090),
        exporters: [process.env.DEMO_EXPORTER === 'console' ? new ConsoleSpanExporter() : new JaegerHttpExporter()],
        processor: processorFromEnv(),
        upstreams: { uservice1: urlOf('uservice1', 8091), uservice3: urlOf('uservice3', 8093) },
      }),
    );
    break;
  case 'uservice1':
    await runMain(name, () =>
      startUservice1({
        port: portFromEnv('USERVICE1_PORT', 8091),
        uservice2Url: urlOf('uservice2', 8092),
        ...common(),
      }),
    );
    break;
  case 'uservice2':
    await runMain(name, () => startUservice2({ port: portFromEnv('USERVICE2_PORT', 8092) }));
    break;
  case 'uservice3':
    await runMain(name, () =>
      startUservice3({
        port: portFromEnv('USERVICE3_PORT', 8093),
        uservice4Url: urlOf('uservice4', 8094),
        ...common(),
      }),
    );
    break;
  case 'uservice4':
    await runMain(name, () => startUservice4({ port: portFromEnv('USERVICE4_PORT', 8094), ...common() }));
    break;
  default:
    process.stderr.write('usage: main.ts <proxy|uservice1|uservice2|uservice3|uservice4>\n');
    process.exitCode = 2;
}
