/**
 * Service colours are picked by hashing the name, not by order of appearance,
 * so a service keeps its colour across traces, pages and reloads. The colours
 * themselves are CSS variables (`--service-0` ...) so a theme can change them.
 */
export const SERVICE_COLOR_COUNT = 16;

/** FNV-1a over UTF-16 code units: tiny, fast, and spreads similar names apart. */
export function serviceColorIndex(serviceName: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < serviceName.length; i++) {
    hash ^= serviceName.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SERVICE_COLOR_COUNT;
}

/** A CSS colour value for the service. */
export function serviceColor(serviceName: string): string {
  return `var(--service-${serviceColorIndex(serviceName)})`;
}
