/**
 * `JSON.parse` that keeps integers past 2^53 exact, as `bigint`. The server
 * writes int64 tags with every digit (as Jaeger's Go encoder does), and
 * `JSON.parse` alone would silently round them: an id-like attribute would
 * then show a value that was never sent.
 *
 * Integer literals outside strings that do not fit a double exactly are
 * rewritten to marked strings, then turned into `bigint` by a reviver. The
 * marker starts with NUL, which JSON can only write as `\u0000`, so when the
 * text contains that escape followed by the marker, the rewrite is skipped
 * rather than risk a clash. Texts without any large integer (the usual case)
 * take the plain `JSON.parse` path.
 */
export function parseJson(text: string): unknown {
  if (!MAYBE_BIG.test(text) || text.includes(ESCAPED_MARKER)) return JSON.parse(text);
  const rewritten = markBigIntegers(text);
  if (rewritten === text) return JSON.parse(text);
  return JSON.parse(rewritten, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(MARKER) ? BigInt(value.slice(MARKER.length)) : value,
  );
}

const MARKER = '\u0000ariadne-int64:';
const ESCAPED_MARKER = '\\u0000ariadne-int64:';
/**
 * 16 digits starting with 9 or 17+ digits: the only integers that can exceed
 * 2^53. A JSON number can only follow `:`, `[`, `,` or whitespace, which keeps
 * digit-only ids inside strings ("9194006787726435", common in big traces)
 * from sending every large trace down the slow path.
 */
const MAYBE_BIG = /(?:^|[:[,\s])-?(?:9\d{15}|\d{17,})/;

function markBigIntegers(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i += 2;
        else if (s === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      let integer = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) i++;
        else if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) {
          integer = false;
          i++;
        } else break;
      }
      const literal = text.slice(start, i);
      if (integer && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(copiedUpTo, start)}"${ESCAPED_MARKER}${literal}"`;
        copiedUpTo = i;
      }
    } else i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}
