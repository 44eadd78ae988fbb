// `traced-on-demand` on port 8083 (ON_DEMAND_PORT overrides), configured by the
// environment only, e.g.:
//   TRACES_EXPORTER=jaeger TRACES_EXPORTER_JAEGER_AGENT_HOST=localhost TRACES_EXPORTER_JAEGER_AGENT_PORT=6831
// Then `curl -H 'jaeger-debug-id: tracing-is-a-great-idea' localhost:8083/` is traced, plain requests are not.
import { portFromEnv, runMain } from '../shared/run-main.js';
import { startOnDemandService } from './on-demand-service.js';

await runMain('traced-on-demand', () => startOnDemandService({ port: portFromEnv('ON_DEMAND_PORT', 8083) }));
