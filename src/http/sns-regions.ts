/**
 * Which hosts can be SNS: `sns.<region>.amazonaws.com` (and `.amazonaws.com.cn` in China) for AWS
 * regions that exist. A pattern such as `sns.[a-z-]+-\d.amazonaws.com` would also pass made-up regions,
 * and every forged request naming one would make us look up a host that does not exist.
 *
 * The region list is the AWS SDK's own partition data (`@aws-sdk/core`), kept current with each SDK
 * release, rather than a copy here that would go stale: a region AWS opens after the installed SDK is
 * refused until the dependency is updated (or its certificates are pinned with --sns-cert-dir).
 */
import { partition } from '@aws-sdk/core/client';

/** Partitions whose SNS endpoints sign messages with certificates on the public internet. */
const SNS_DNS_SUFFIXES = new Set(['amazonaws.com', 'amazonaws.com.cn']);
const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * The SNS host of a real AWS region, or undefined for a name that is not one. `partition()` answers for
 * any string (it falls back to a partition by pattern); only regions it knows by name carry a
 * `description`, which is how a listed region is told from a guessed one.
 */
export function snsHostForRegion(region: string): string | undefined {
  if (!REGION_NAME.test(region)) return undefined;
  const info = partition(region) as { dnsSuffix: string; description?: string };
  if (info.description === undefined || !SNS_DNS_SUFFIXES.has(info.dnsSuffix)) return undefined;
  return `sns.${region}.${info.dnsSuffix}`;
}

const SNS_HOSTNAME = /^sns\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** True for the SNS host of a real region, e.g. `sns.eu-west-1.amazonaws.com`. */
export function isSnsHostname(hostname: string): boolean {
  const region = SNS_HOSTNAME.exec(hostname)?.[1];
  return region !== undefined && snsHostForRegion(region) === hostname;
}

/** The region of an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`), if it has that shape. */
export function regionOfTopicArn(topicArn: string): string | undefined {
  const parts = topicArn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[2] === 'sns' ? parts[3] : undefined;
}
