import type { BearerToken } from '../../src/kafka/token-cache.ts';

export interface UnsecuredJwsOptions {
  subject: string;
  lifetimeSeconds?: number;
  now?: () => number;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * An unsigned JWS (`alg: none`) accepted by Kafka's OAuthBearerUnsecuredValidatorCallbackHandler. Only
 * the local stack's OAUTHBEARER listener trusts such tokens; they prove nothing and are for tests.
 */
export function unsecuredJwsToken(options: UnsecuredJwsOptions): BearerToken {
  const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
  const expiresAt = issuedAt + (options.lifetimeSeconds ?? 3600);
  const header = base64url({ alg: 'none' });
  const claims = base64url({ sub: options.subject, iat: issuedAt, exp: expiresAt, scope: '' });
  return { value: `${header}.${claims}.`, expiresAt: expiresAt * 1000 };
}
