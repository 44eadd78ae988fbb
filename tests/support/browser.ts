import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export { CHROMIUM_PATH, launchChromium } from '../../bench/ui/chromium.js';

/** Screenshots and other files a person may want to look at after a test run. */
export const ARTIFACTS_DIR = join(new URL('../..', import.meta.url).pathname, 'test-artifacts');

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
