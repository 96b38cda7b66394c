import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { ConfigError, describeError } from '../errors.ts';
import { httpsGet } from './https-get.ts';
import type { SnsTestTrust } from './sns-trust.ts';

/**
 * Signing certificates by URL. SNS signs with a handful of certificates that change rarely, so each is
 * fetched once and kept; concurrent requests for the same URL share one fetch. A failed fetch is kept
 * too, for a short while, so a flood of forged requests naming one certificate URL costs one outbound
 * request, not one each. The cache key is scheme, host and path: a query string is no part of a
 * certificate's identity, and letting it vary would defeat both caches.
 *
 * With a pinned directory (`--sns-cert-dir`, for VPCs without internet egress) nothing is fetched at all:
 * the certificates are the PEM files in that directory, named as the last part of their SigningCertURL
 * (`SimpleNotificationService-<id>.pem`), read and checked once at start-up.
 */
export type CertificatePemFetcher = (url: URL) => Promise<string>;

export interface CertificateStoreOptions {
  /** How the PEM text is fetched; the default is a bounded HTTPS GET. */
  fetchPem?: CertificatePemFetcher;
  /** Serve certificates only from this directory; see above. */
  pinnedDir?: string;
  maxEntries?: number;
  ttlMs?: number;
  /** How long a failed fetch is remembered before the next request may try again. */
  failureTtlMs?: number;
  timeoutMs?: number;
  testTrust?: SnsTestTrust;
}

export interface CertificateStore {
  /** Rejects with CertificateRejectedError or CertificateUnavailableError. */
  get(url: URL): Promise<X509Certificate>;
}

/** The URL names no certificate (the host answered 4xx, or with something that is not one): forged. */
export class CertificateRejectedError extends Error {
  override name = 'CertificateRejectedError';
}

/** The certificate could not be had right now (network, timeout, 5xx, not pinned): SNS may retry. */
export class CertificateUnavailableError extends Error {
  override name = 'CertificateUnavailableError';
  /** True when this is a remembered failure, not a fresh attempt. */
  fromCache = false;
}

const MAX_CERTIFICATE_BYTES = 64 * 1024;
export const DEFAULT_CERTIFICATE_FAILURE_TTL_MS = 60_000;

/** Exactly one PEM certificate and nothing around it; X509Certificate alone tolerates surrounding text. */
const SINGLE_PEM_CERTIFICATE =
  /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;

export function parsePemCertificate(pem: string, name: string): X509Certificate {
  if (!SINGLE_PEM_CERTIFICATE.test(pem.trimStart())) {
    throw new CertificateRejectedError(`${name}: not a single PEM X.509 certificate`);
  }
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new CertificateRejectedError(`${name}: not a PEM X.509 certificate (${describeError(error)})`);
  }
}

export function certificateCacheKey(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function defaultPemFetcher(timeoutMs: number, testTrust?: SnsTestTrust): CertificatePemFetcher {
  return async (url) => {
    let response: Awaited<ReturnType<typeof httpsGet>>;
    try {
      response = await httpsGet(url, {
        timeoutMs,
        maxBytes: MAX_CERTIFICATE_BYTES,
        ...(testTrust?.ca === undefined ? {} : { ca: testTrust.ca }),
      });
    } catch (error) {
      throw new CertificateUnavailableError(`signing certificate ${url.pathname}: ${describeError(error)}`);
    }
    if (response.status >= 400 && response.status < 500) {
      throw new CertificateRejectedError(`signing certificate ${url.pathname}: HTTP ${response.status}`);
    }
    if (response.status !== 200) {
      throw new CertificateUnavailableError(`signing certificate ${url.pathname}: HTTP ${response.status}`);
    }
    return response.body;
  };
}

/** Reads every `*.pem` in the directory; a file that is not one certificate stops start-up. */
export function loadPinnedCertificates(dir: string, key = '--sns-cert-dir'): Map<string, X509Certificate> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.pem'));
  } catch (error) {
    throw new ConfigError(key, `cannot read directory ${dir} (${describeError(error)})`);
  }
  if (names.length === 0) {
    throw new ConfigError(
      key,
      `${dir} holds no .pem file; download each SigningCertURL into it (SimpleNotificationService-<id>.pem)`,
    );
  }
  const pinned = new Map<string, X509Certificate>();
  for (const name of names) {
    try {
      pinned.set(name, parsePemCertificate(readFileSync(join(dir, name), 'utf8'), name));
    } catch (error) {
      throw new ConfigError(key, `${join(dir, name)}: ${describeError(error)}`);
    }
  }
  return pinned;
}

function pinnedStore(dir: string): CertificateStore {
  const pinned = loadPinnedCertificates(dir);
  return {
    async get(url) {
      const name = url.pathname.split('/').pop() ?? '';
      const certificate = pinned.get(name);
      if (certificate === undefined) {
        throw new CertificateUnavailableError(
          `signing certificate ${name} is not pinned in --sns-cert-dir ${dir}; if it is genuine, download ${certificateCacheKey(url)} into that directory and restart`,
        );
      }
      return certificate;
    },
  };
}

interface CacheEntry {
  promise: Promise<X509Certificate>;
  failed: boolean;
}

export function createCertificateStore(options: CertificateStoreOptions = {}): CertificateStore {
  if (options.pinnedDir !== undefined) return pinnedStore(options.pinnedDir);
  const fetchPem = options.fetchPem ?? defaultPemFetcher(options.timeoutMs ?? 5_000, options.testTrust);
  const failureTtlMs = options.failureTtlMs ?? DEFAULT_CERTIFICATE_FAILURE_TTL_MS;
  const cache = new LRUCache<string, CacheEntry>({
    max: options.maxEntries ?? 64,
    ttl: options.ttlMs ?? 24 * 60 * 60 * 1000,
  });

  async function load(key: string): Promise<X509Certificate> {
    const url = new URL(key);
    let pem: string;
    try {
      pem = await fetchPem(url);
    } catch (error) {
      if (error instanceof CertificateRejectedError || error instanceof CertificateUnavailableError) {
        throw error;
      }
      throw new CertificateUnavailableError(`signing certificate ${url.pathname}: ${describeError(error)}`);
    }
    return parsePemCertificate(pem, `signing certificate ${url.pathname}`);
  }

  return {
    get(url) {
      const key = certificateCacheKey(url);
      const cached = cache.get(key);
      if (cached !== undefined) {
        if (!cached.failed) return cached.promise;
        return cached.promise.catch((error: unknown) => {
          if (error instanceof CertificateUnavailableError) {
            const again = new CertificateUnavailableError(error.message);
            again.fromCache = true;
            throw again;
          }
          throw error;
        });
      }
      const entry: CacheEntry = { promise: load(key), failed: false };
      cache.set(key, entry);
      entry.promise.catch(() => {
        entry.failed = true;
        if (cache.peek(key) === entry) cache.set(key, entry, { ttl: failureTtlMs });
      });
      return entry.promise;
    },
  };
}
