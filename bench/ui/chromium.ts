import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; tests and benchmarks never download a browser of their own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium as the browser tests (`tests/support/browser.ts`) and the
 * UI benchmark drive it: no sandbox (CI runs as root), no GPU, and nothing
 * that reaches the network on its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
