/**
 * Literals for SQL text. ClickHouse 18.16 has no query parameters, so every
 * value a user typed goes through these and nowhere else.
 */
export function sqlString(text: string): string {
  let out = "'";
  for (const char of text) {
    switch (char) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\0':
        out += '\\0';
        break;
      default:
        out += char;
    }
  }
  return `${out}'`;
}

/** An unsigned or signed integer literal; throws on anything else so no text slips in. */
export function sqlInteger(value: bigint | number): string {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`${value} is not an integer`);
  return BigInt(value).toString();
}

/** A Float64 literal that ClickHouse reads back as the same double (infinities included). */
export function sqlFloat(value: number): string {
  if (Number.isNaN(value)) throw new RangeError('NaN is not a bound');
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return `toFloat64(${JSON.stringify(value)})`;
}

/** A database or table name: plain identifiers only, quoted with backticks. */
export function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`"${name}" is not a plain identifier`);
  return `\`${name}\``;
}

/** The two UInt64 halves of a 32-hex-character trace id. */
export function traceIdHalves(traceId: string): [bigint, bigint] {
  return [BigInt(`0x${traceId.slice(0, 16)}`), BigInt(`0x${traceId.slice(16, 32)}`)];
}

export function traceIdFromHalves(hi: bigint, lo: bigint): string {
  return hi.toString(16).padStart(16, '0') + lo.toString(16).padStart(16, '0');
}
