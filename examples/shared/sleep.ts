import { setTimeout as delay } from 'node:timers/promises';

export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

/** A whole number of milliseconds in [min, max], both included. */
export function randomMillis(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
