import { X509Certificate } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { httpsGet } from './https-get.ts';
import type { SnsTestTrust } from './sns-trust.ts';

/**
 * Signing certificates by URL. SNS signs with a handful of certificates that change rarely, so each is
 * fetched once and kept; concurrent requests for the same URL share one fetch, and a failed fetch is not
 * cached, so the next message tries again.
 */
export type CertificatePemFetcher = (url: URL) => Promise<string>;

export interface CertificateStoreOptions {
  /** How the PEM text is fetched; the default is a bounded HTTPS GET. */
  fetchPem?: CertificatePemFetcher;
  maxEntries?: number;
  ttlMs?: number;
  timeoutMs?: number;
  testTrust?: SnsTestTrust;
}

export interface CertificateStore {
  get(url: URL): Promise<X509Certificate>;
}

const MAX_CERTIFICATE_BYTES = 64 * 1024;

export function defaultPemFetcher(timeoutMs: number, testTrust?: SnsTestTrust): CertificatePemFetcher {
  return async (url) => {
    const response = await httpsGet(url, {
      timeoutMs,
      maxBytes: MAX_CERTIFICATE_BYTES,
      ...(testTrust?.ca === undefined ? {} : { ca: testTrust.ca }),
    });
    if (response.status !== 200) {
      throw new Error(`signing certificate ${url.pathname}: HTTP ${response.status}`);
    }
    return response.body;
  };
}

export function createCertificateStore(options: CertificateStoreOptions = {}): CertificateStore {
  const fetchPem = options.fetchPem ?? defaultPemFetcher(options.timeoutMs ?? 5_000, options.testTrust);
  const cache = new LRUCache<string, X509Certificate>({
    max: options.maxEntries ?? 64,
    ttl: options.ttlMs ?? 24 * 60 * 60 * 1000,
    fetchMethod: async (href) => {
      const pem = await fetchPem(new URL(href));
      try {
        return new X509Certificate(pem);
      } catch (error) {
        throw new Error(`signing certificate ${new URL(href).pathname}: not a PEM X.509 certificate`, {
          cause: error,
        });
      }
    },
  });
  return {
    async get(url) {
      const certificate = await cache.fetch(url.href);
      if (certificate === undefined)
        throw new Error(`signing certificate ${url.pathname}: fetch returned nothing`);
      return certificate;
    },
  };
}
