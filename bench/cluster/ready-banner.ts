/**
 * The listeners an `ariadne` process announced, read from what it wrote on
 * stdout so far: its banner, written at once, is a line "Ariadne <role> is
 * ready (...)" then a "  <label>  <url>" line per listener. Undefined until
 * the banner is there. (Shared by the cluster bench and tests/support.)
 */
export function readyBannerEndpoints(stdout: string): Map<string, string> | undefined {
  const banner = /Ariadne.* is ready .*\n((?: {2}.*\n)*)/.exec(stdout);
  if (banner === null) return undefined;
  const found = new Map<string, string>();
  for (const match of banner[1]!.matchAll(/^ {2}(.+?)\s+(\S+:\/\/\S+)$/gm)) found.set(match[1]!, match[2]!);
  return found;
}
