// `reviews-api` on port 8081 (REVIEWS_PORT overrides).
import { exportersForCli, processorFromEnv } from '../shared/exporters-for-cli.js';
import { portFromEnv, runMain } from '../shared/run-main.js';
import { startReviewsApi } from './reviews-api.js';

await runMain('reviews-api', () =>
  startReviewsApi({
    port: portFromEnv('REVIEWS_PORT', 8081),
    exporters: exportersForCli('otlp-http'),
    processor: processorFromEnv(),
  }),
);
