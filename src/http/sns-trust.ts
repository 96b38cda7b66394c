import { isSnsHostname, regionOfTopicArn, snsHostForRegion } from './sns-regions.ts';

/**
 * Which URLs the endpoint will fetch from on behalf of a message: the signing certificate and the
 * subscription confirmation link. Both come from the (not yet verified) request body, so only Amazon's
 * own SNS hosts over HTTPS on the default port pass; anything else would let a sender make us fetch
 * arbitrary URLs or vouch for its own key.
 */

/**
 * TEST ONLY. Lets tests stand a local HTTPS "SNS host" with a self-signed certificate in for Amazon's.
 * Production code paths (the CLI, the environment) never build one: a process that trusts an extra host
 * accepts messages signed by whoever controls that host.
 */
export interface SnsTestTrust {
  /** `host:port` pairs accepted in addition to `sns.<region>.amazonaws.com[.cn]`. Still HTTPS only. */
  extraHosts?: readonly string[];
  /** PEM CA certificate(s) trusted for HTTPS connections to the extra hosts. */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

export type TrustedUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Checks a URL taken from a message; `field` names it in the reason. With `topicArn`, the host must be
 * the SNS endpoint of that topic's region: SNS signs and confirms from the topic's own region, so a
 * message for an allowed topic never makes us contact any other host.
 */
export function checkSnsUrl(
  raw: string,
  field: string,
  testTrust?: SnsTestTrust,
  topicArn?: string,
): TrustedUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `${field}: not a valid URL` };
  }
  if (url.protocol !== 'https:') {
    return { ok: false, reason: `${field}: must use https, got ${url.protocol.replace(/:$/, '')}` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: `${field}: must not carry credentials` };
  }
  if (testTrust?.extraHosts?.includes(url.host)) return { ok: true, url };
  if (url.port !== '') {
    return { ok: false, reason: `${field}: must use the default HTTPS port, got ${url.port}` };
  }
  if (!isSnsHostname(url.hostname)) {
    return {
      ok: false,
      reason: `${field}: host ${JSON.stringify(url.hostname)} is not an SNS host (sns.<region>.amazonaws.com[.cn] of an AWS region)`,
    };
  }
  if (topicArn !== undefined) {
    const region = regionOfTopicArn(topicArn);
    const expected = region === undefined ? undefined : snsHostForRegion(region);
    if (url.hostname !== expected) {
      return {
        ok: false,
        reason: `${field}: host ${JSON.stringify(url.hostname)} is not the SNS host of the topic's region (${expected ?? 'unknown region'})`,
      };
    }
  }
  return { ok: true, url };
}

/** The certificate URL must also name a PEM file, as every SNS signing certificate URL does. */
export function checkSigningCertUrl(
  raw: string,
  testTrust?: SnsTestTrust,
  topicArn?: string,
): TrustedUrlCheck {
  const checked = checkSnsUrl(raw, 'SigningCertURL', testTrust, topicArn);
  if (!checked.ok) return checked;
  if (!checked.url.pathname.endsWith('.pem')) {
    return { ok: false, reason: 'SigningCertURL: path must name a .pem certificate' };
  }
  return checked;
}

/** The confirmation link must be an SNS ConfirmSubscription call for the same topic the message names. */
export function checkSubscribeUrl(raw: string, topicArn: string, testTrust?: SnsTestTrust): TrustedUrlCheck {
  const checked = checkSnsUrl(raw, 'SubscribeURL', testTrust, topicArn);
  if (!checked.ok) return checked;
  const params = checked.url.searchParams;
  if (params.get('Action') !== 'ConfirmSubscription') {
    return { ok: false, reason: 'SubscribeURL: Action must be ConfirmSubscription' };
  }
  const linkTopic = params.get('TopicArn');
  if (linkTopic !== null && linkTopic !== topicArn) {
    return { ok: false, reason: 'SubscribeURL: TopicArn differs from the message TopicArn' };
  }
  return checked;
}

export { isSnsHostname };
