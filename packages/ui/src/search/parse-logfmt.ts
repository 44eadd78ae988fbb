export type LogfmtResult =
  | { readonly ok: true; readonly tags: Record<string, string> }
  | { readonly ok: false; readonly error: string };

/**
 * Reads the tag filter people type: logfmt pairs such as
 * `http.status_code=200 error=true message="card declined"`. Values may be
 * double-quoted (with `\"` and `\\` escapes) to hold spaces; a bare key means
 * `true`, as in logfmt and Jaeger UI. A repeated key keeps its last value.
 */
export function parseLogfmt(text: string): LogfmtResult {
  const tags: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text[i] as string)) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && text[i] !== '=' && !isSpace(text[i] as string)) {
      if (text[i] === '"') return { ok: false, error: `Unexpected quote in a key at position ${i + 1}.` };
      i++;
    }
    const key = text.slice(keyStart, i);
    if (key === '') return { ok: false, error: `A value without a key at position ${i + 1}: write key=value.` };
    if (i >= n || text[i] !== '=') {
      tags[key] = 'true';
      continue;
    }
    i++;
    if (text[i] === '"') {
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i] as string;
        if (c === '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          closed = true;
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return { ok: false, error: `The quoted value of "${key}" has no closing quote.` };
      if (i < n && !isSpace(text[i] as string)) {
        return { ok: false, error: `Put a space after the quoted value of "${key}".` };
      }
      tags[key] = value;
    } else {
      const valueStart = i;
      while (i < n && !isSpace(text[i] as string)) i++;
      tags[key] = text.slice(valueStart, i);
    }
  }
  return { ok: true, tags };
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}
