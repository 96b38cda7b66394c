import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SETTINGS } from '../config/settings.ts';
import { ConfigError, describeError } from '../errors.ts';
import { logger as sharedLogger } from '../observability/logger.ts';
import { createSnsEndpoint, type EndpointResponse, type SnsEndpointOptions } from './sns-endpoint.ts';

/**
 * The HTTP(S) door of the pipeline: an SNS HTTP/HTTPS subscription endpoint for running in a container.
 * It takes POSTs only, of at most `maxBodyBytes`, and leaves everything about the message itself to the
 * SNS endpoint (signature, topic allow-list, confirmation, dispatch). `GET /healthz` answers 200 for
 * container health checks.
 */

/** SNS messages are at most 256 KiB. */
export const DEFAULT_MAX_BODY_BYTES: number = SETTINGS.serveMaxBodyBytes.fallback;

/** SNS sends `text/plain; charset=UTF-8` unless the delivery policy says otherwise. */
const ACCEPTED_CONTENT_TYPES = new Set(['text/plain', 'application/json']);

export interface SnsHttpServerOptions extends SnsEndpointOptions {
  maxBodyBytes?: number;
  /** PEM certificate and key to serve HTTPS directly; plain HTTP (TLS ends at a load balancer) without. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Longest time a client may take to send one request, headers and body (default 30 s). */
  requestTimeoutMs?: number;
  /** Most open connections at once; further ones are closed on arrival (default: no limit). */
  maxConnections?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS: number = SETTINGS.snsRequestTimeoutSeconds.fallback * 1000;

class BodyTooLargeError extends Error {}
class BodyTimeoutError extends Error {}

/**
 * Reads the body against the request's own deadline. Node's `requestTimeout` is only checked every
 * `connectionsCheckingInterval`, and a body trickled one byte a second survived 90 s against a 30 s
 * setting (measured); this timer fires at the configured time.
 */
function readBody(req: IncomingMessage, maxBytes: number, deadline: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(
      () => {
        req.pause();
        reject(new BodyTimeoutError());
      },
      Math.max(0, deadline - Date.now()),
    );
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function isClientAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (error as Error | null)?.message === 'aborted' ||
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE'
  );
}

function send(
  res: ServerResponse,
  response: EndpointResponse,
  extraHeaders: Record<string, string> = {},
): void {
  const body = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

function refuse(
  res: ServerResponse,
  status: number,
  reason: string,
  extraHeaders: Record<string, string> = {},
) {
  send(res, { status, body: { outcome: 'refused', reason } }, extraHeaders);
}

export function validateMaxBodyBytes(value: number, key = 'maxBodyBytes'): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(key, `expected a positive whole number of bytes, got ${String(value)}`);
  }
  return value;
}

export function createSnsHttpServer(options: SnsHttpServerOptions): Server {
  if (options.allowedTopicArns.length === 0) {
    throw new ConfigError(
      'allowedTopicArns',
      'at least one SNS TopicArn must be allowed (--topic-arn or SES_KAFKA_SNS_ALLOWED_TOPIC_ARNS)',
    );
  }
  const maxBodyBytes = validateMaxBodyBytes(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const endpoint = createSnsEndpoint(options);
  const log = options.logger ?? sharedLogger;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const deadline = Date.now() + requestTimeoutMs;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      send(res, { status: 200, body: { outcome: 'healthy' } });
      return;
    }
    // Refusals before the body is read close the connection, so an unread body cannot linger on it.
    const close = { connection: 'close' };
    if (req.method !== 'POST') {
      refuse(res, 405, `method ${req.method ?? '?'} not allowed; SNS delivers with POST`, {
        allow: 'POST',
        ...close,
      });
      return;
    }
    const contentType =
      (req.headers['content-type'] ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!ACCEPTED_CONTENT_TYPES.has(contentType)) {
      refuse(
        res,
        415,
        `content-type ${contentType} not accepted; send text/plain or application/json`,
        close,
      );
      return;
    }
    const declaredLength = Number(req.headers['content-length'] ?? 0);
    if (declaredLength > maxBodyBytes) {
      refuse(res, 413, `body of ${declaredLength} bytes exceeds the ${maxBodyBytes}-byte limit`, close);
      return;
    }
    let body: string;
    try {
      body = await readBody(req, maxBodyBytes, deadline);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        refuse(res, 413, `body exceeds the ${maxBodyBytes}-byte limit`, close);
        return;
      }
      if (error instanceof BodyTimeoutError) {
        log.warn('SNS HTTP request refused: body not received in time', { timeoutMs: requestTimeoutMs });
        refuse(res, 408, `body not received within ${requestTimeoutMs} ms`, close);
        res.once('finish', () => req.socket.destroy());
        return;
      }
      throw error;
    }
    send(res, await endpoint(body, req.headers));
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (isClientAbort(error)) {
        // The client went away mid-request: nothing of ours failed.
        log.warn('SNS HTTP request aborted by the client', { error: describeError(error) });
        res.destroy();
        return;
      }
      log.error('SNS HTTP request failed', { error: describeError(error) });
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  };
  // Node's own limits as a backstop for slow headers, checked every second rather than every 30 s.
  const timeouts = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(requestTimeoutMs, 60_000),
    connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs),
  };
  const server: Server = options.tls
    ? (createHttpsServer(
        { cert: options.tls.cert, key: options.tls.key, ...timeouts },
        listener,
      ) as unknown as Server)
    : createHttpServer(timeouts, listener);
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  return server;
}

export interface RunningSnsServer {
  server: Server;
  /** e.g. `http://127.0.0.1:8080`, with the port actually bound (useful with port 0). */
  url: string;
  /** Stops accepting connections and resolves once in-flight requests have been answered. */
  close(): Promise<void>;
}

export interface StartServerOptions extends SnsHttpServerOptions {
  port?: number;
  host?: string;
}

export async function startServer(options: StartServerOptions): Promise<RunningSnsServer> {
  const server = createSnsHttpServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
