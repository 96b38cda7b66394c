import { verify } from 'node:crypto';
import { type CertificateStore, CertificateUnavailableError } from './certificate-store.ts';
import type { SnsHttpMessage } from './sns-message.ts';
import { checkSigningCertUrl, type SnsTestTrust } from './sns-trust.ts';
import { snsStringToSign } from './string-to-sign.ts';

/**
 * SNS message signature check: a trusted certificate URL, a certificate valid now, and an RSA signature
 * over the canonical string with SHA1 (SignatureVersion 1) or SHA256 (SignatureVersion 2).
 */
export type SignatureCheck =
  | { ok: true }
  /** The message is not provably from SNS: reject it. */
  | { ok: false; kind: 'forged'; reason: string }
  /** The certificate could not be fetched; SNS should try again later. `repeated`: a remembered failure. */
  | { ok: false; kind: 'unavailable'; reason: string; repeated: boolean };

const DIGEST_BY_SIGNATURE_VERSION: Readonly<Record<string, string>> = { '1': 'sha1', '2': 'sha256' };
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export async function verifySnsSignature(
  message: SnsHttpMessage,
  certificates: CertificateStore,
  testTrust?: SnsTestTrust,
  now: Date = new Date(),
): Promise<SignatureCheck> {
  const digest = DIGEST_BY_SIGNATURE_VERSION[message.SignatureVersion];
  if (digest === undefined) {
    return {
      ok: false,
      kind: 'forged',
      reason: `SignatureVersion: expected "1" or "2", got ${JSON.stringify(message.SignatureVersion.slice(0, 10))}`,
    };
  }
  if (!BASE64.test(message.Signature)) {
    return { ok: false, kind: 'forged', reason: 'Signature: not base64' };
  }
  const certUrl = checkSigningCertUrl(message.SigningCertURL, testTrust, message.TopicArn);
  if (!certUrl.ok) return { ok: false, kind: 'forged', reason: certUrl.reason };

  let certificate: Awaited<ReturnType<CertificateStore['get']>>;
  try {
    certificate = await certificates.get(certUrl.url);
  } catch (error) {
    const reason = (error as Error).message;
    if (error instanceof CertificateUnavailableError) {
      return { ok: false, kind: 'unavailable', reason, repeated: error.fromCache };
    }
    return { ok: false, kind: 'forged', reason: `SigningCertURL: ${reason}` };
  }
  const validFrom = Date.parse(certificate.validFrom);
  const validTo = Date.parse(certificate.validTo);
  if (!(validFrom <= now.getTime() && now.getTime() <= validTo)) {
    return {
      ok: false,
      kind: 'forged',
      reason: `SigningCertURL: certificate not valid now (valid ${certificate.validFrom} to ${certificate.validTo})`,
    };
  }
  let valid: boolean;
  try {
    valid = verify(
      digest,
      Buffer.from(snsStringToSign(message), 'utf8'),
      certificate.publicKey,
      Buffer.from(message.Signature, 'base64'),
    );
  } catch (error) {
    return {
      ok: false,
      kind: 'forged',
      reason: `Signature: cannot be checked (${(error as Error).message})`,
    };
  }
  return valid
    ? { ok: true }
    : { ok: false, kind: 'forged', reason: 'Signature: does not match the message' };
}
