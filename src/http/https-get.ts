import { request } from 'node:https';

/** One bounded HTTPS GET: no redirects, a deadline for the whole exchange and a cap on the response size. */
export interface HttpsGetOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Extra CA certificates to trust (test trust only); the system store is used when absent. */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

export interface HttpsGetResult {
  status: number;
  body: string;
}

export function httpsGet(url: URL, options: HttpsGetOptions): Promise<HttpsGetResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(options.ca === undefined ? {} : { ca: options.ca as string | Buffer | (string | Buffer)[] }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            req.destroy(new Error(`response from ${url.host} exceeds ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      reject(
        error.name === 'AbortError'
          ? new Error(`GET ${url.host}${url.pathname} timed out after ${options.timeoutMs} ms`)
          : error,
      );
    });
    req.end();
  });
}
