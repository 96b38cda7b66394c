import { type BearerToken, RefreshingTokenCache, type TokenCacheOptions } from './token-cache.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Temporary credentials expire; the token is then refreshed before they do. */
  expiration?: Date;
}

export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export interface MskIamTokenOptions extends TokenCacheOptions {
  region: string;
  /**
   * Where credentials come from. Left out, the default AWS chain is used (in Lambda: the execution
   * role's keys from the environment), as the signer's own `generateAuthToken` would. Signing is local.
   */
  credentials?: AwsCredentials | AwsCredentialsProvider;
}

// The signer and the credential chain (with the STS client) are imported when the first token is signed:
// loaded eagerly they cost every cold start ~65 ms, even with MSK IAM switched off (bench/cold-start.ts).
async function defaultCredentials(region: string): Promise<AwsCredentialsProvider> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain({ clientConfig: { region }, roleSessionName: 'ses-kafka-producer' });
}

/**
 * Signs a fresh `kafka-cluster:Connect` token: a base64url presigned URL, valid for 15 minutes or until
 * the credentials expire, whichever is sooner.
 */
export async function signMskIamToken(options: MskIamTokenOptions): Promise<BearerToken> {
  const { region } = options;
  const supplied = options.credentials;
  const provider: AwsCredentialsProvider =
    supplied === undefined
      ? await defaultCredentials(region)
      : typeof supplied === 'function'
        ? supplied
        : async () => supplied;
  let expiration: Date | undefined;
  // The signer derives X-Amz-Expires from `expiration` as fractional seconds ("99.997"), which is not a
  // valid SigV4 expiry. We sign for the full 15 minutes and cap the token's lifetime ourselves, so the
  // cache re-signs with fresh credentials before the old ones lapse.
  const withoutExpiration = async () => {
    const { expiration: expires, ...credentials } = await provider();
    expiration = expires;
    return credentials;
  };
  const { generateAuthTokenFromCredentialsProvider } = await import('aws-msk-iam-sasl-signer-js');
  // awsDebugCreds stays off: it would call STS GetCallerIdentity, the one network call the signer makes.
  const response = await generateAuthTokenFromCredentialsProvider({
    region,
    awsCredentialsProvider: withoutExpiration,
  });
  const expiresAt =
    expiration === undefined ? response.expiryTime : Math.min(response.expiryTime, expiration.getTime());
  return { value: response.token, expiresAt };
}

/** An OAUTHBEARER token source for MSK IAM that signs once and re-signs before expiry. */
export function mskIamTokenCache(options: MskIamTokenOptions): RefreshingTokenCache {
  return new RefreshingTokenCache(() => signMskIamToken(options), options);
}
