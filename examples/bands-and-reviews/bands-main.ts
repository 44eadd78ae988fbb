// `bands-api` on port 8000 (BANDS_PORT overrides), calling reviews-api at REVIEWS_URL
// (default http://127.0.0.1:8081); BANDS_BATCH_REVIEWS=1 fixes the one-request-per-review bug.
import { exportersForCli, processorFromEnv } from '../shared/exporters-for-cli.js';
import { portFromEnv, runMain } from '../shared/run-main.js';
import { startBandsApi } from './bands-api.js';

await runMain('bands-api', () =>
  startBandsApi({
    port: portFromEnv('BANDS_PORT', 8000),
    reviewsUrl: process.env.REVIEWS_URL || 'http://127.0.0.1:8081',
    batchReviews: process.env.BANDS_BATCH_REVIEWS === '1' || process.env.BANDS_BATCH_REVIEWS === 'true',
    exporters: exportersForCli('otlp-http'),
    processor: processorFromEnv(),
  }),
);
