import { generateAuthToken, generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { type BearerToken, RefreshingTokenCache, type TokenCacheOptions } from './token-cache.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Temporary credentials expire; the signer then shortens the token to match. */
  expiration?: Date;
}

export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export interface MskIamTokenOptions extends TokenCacheOptions {
  region: string;
  /**
   * Where credentials come from. Left out, the signer uses the default AWS chain (in Lambda: the
   * execution role's keys from the environment). Signing is local; no AWS call is made either way.
   */
  credentials?: AwsCredentials | AwsCredentialsProvider;
}

/** Signs a fresh `kafka-cluster:Connect` token: a base64url presigned URL, valid for up to 15 minutes. */
export async function signMskIamToken(options: MskIamTokenOptions): Promise<BearerToken> {
  const { region, credentials } = options;
  // awsDebugCreds stays off: it would call STS GetCallerIdentity, the one network call the signer can make.
  const response =
    credentials === undefined
      ? await generateAuthToken({ region })
      : await generateAuthTokenFromCredentialsProvider({
          region,
          awsCredentialsProvider: typeof credentials === 'function' ? credentials : async () => credentials,
        });
  return { value: response.token, expiresAt: response.expiryTime };
}

/** An OAUTHBEARER token source for MSK IAM that signs once and re-signs before expiry. */
export function mskIamTokenCache(options: MskIamTokenOptions): RefreshingTokenCache {
  return new RefreshingTokenCache(() => signMskIamToken(options), options);
}
