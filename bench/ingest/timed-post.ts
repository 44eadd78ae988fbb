import { type Agent, request } from 'node:http';

/** How a POST ended: an answer, a network error, or no answer within the timeout. */
export type PostOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly retryAfter: string | undefined; readonly body: string }
  | { readonly kind: 'network-error'; readonly message: string }
  | { readonly kind: 'timeout' };

/**
 * POSTs one body with node:http and never rejects: a hang is given up after
 * `timeoutMs` and reported as a timeout, so a load run records it instead of
 * waiting it out. Resolves only once the body is fully written and the answer
 * fully read, so the caller may reuse the body's buffer afterwards (a server
 * may answer 429 before it has read the body). The answer's body is kept only
 * for non-2xx answers (first 200 characters), to name what went wrong.
 */
export function timedPost(
  url: URL,
  body: Uint8Array,
  contentType: string,
  agent: Agent,
  timeoutMs: number,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let written = false;
    let answer: PostOutcome | undefined;
    const settle = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': body.length } },
      (res) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        let text = '';
        res.on('data', (chunk: Buffer) => {
          if (!ok && text.length < 200) text += chunk.toString('latin1');
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          answer = { kind: 'answer', status, retryAfter, body: text.slice(0, 200) };
          if (written) settle(answer);
        });
        res.on('error', (error) => settle({ kind: 'network-error', message: String(error) }));
      },
    );
    const timer = setTimeout(() => {
      // An answer whose body never finished going out still counts as the answer.
      settle(answer ?? { kind: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('finish', () => {
      written = true;
      if (answer !== undefined) settle(answer);
    });
    req.on('error', (error) => {
      // An early answer can be followed by a reset while the rest of the body is still going out.
      if (answer !== undefined) settle(answer);
      else settle({ kind: 'network-error', message: String(error) });
    });
    req.end(body);
  });
}
