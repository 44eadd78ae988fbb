import { SERVICE_COLOR_COUNT, serviceColorIndex } from './service-colors.js';

/**
 * Canvases cannot use CSS variables, so the service palette of the current
 * theme is read once per draw. Falls back to grey outside a browser.
 */
export function resolveServiceColors(): (serviceName: string) => string {
  const style = typeof document === 'undefined' ? undefined : getComputedStyle(document.documentElement);
  const palette = Array.from(
    { length: SERVICE_COLOR_COUNT },
    (_, i) => style?.getPropertyValue(`--service-${i}`).trim() || '#888',
  );
  return (name) => palette[serviceColorIndex(name)] as string;
}

export function resolveCssColor(variable: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(variable).trim() || fallback;
}
