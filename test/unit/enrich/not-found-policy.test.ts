import assert from 'node:assert/strict';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import { applyNotFoundPolicy, NotFoundPolicyStore } from '../../../src/enrich/not-found-policy.ts';
import type { MetadataRequest, MetadataResult, MetadataStore } from '../../../src/enrich/store.ts';
import { PipelineError } from '../../../src/errors.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const notFound: EmailMetadata = { status: 'NOT_FOUND', attributes: {}, source: 'dynamodb:t:query-prefix' };

function sentSecondsAgo(seconds: number): MetadataRequest {
  return {
    requestId: 'r',
    messageId: 'm',
    sourceAddress: 'a@b.c',
    timestamp: new Date(NOW - seconds * 1000),
  };
}

describe('not-found policy', () => {
  const retry = { policy: 'retry' as const, maxAgeMs: 600_000, now: () => NOW };

  it('publish: NOT_FOUND goes out unchanged', () => {
    assert.equal(applyNotFoundPolicy(sentSecondsAgo(1), notFound, { ...retry, policy: 'publish' }), notFound);
  });

  it('retry: a young email yields a retriable METADATA_NOT_FOUND_YET error', () => {
    const result = applyNotFoundPolicy(sentSecondsAgo(30), notFound, retry);
    assert.ok(result instanceof PipelineError);
    assert.equal(result.code, 'METADATA_NOT_FOUND_YET');
    assert.equal(result.stage, 'enrich');
    assert.equal(result.retriable, true);
  });

  it('retry: once the email is older than the max age it is published as NOT_FOUND with a reason', () => {
    const justBefore = applyNotFoundPolicy(sentSecondsAgo(599), notFound, retry);
    assert.ok(justBefore instanceof PipelineError);
    const atCutOff = applyNotFoundPolicy(sentSecondsAgo(600), notFound, retry) as EmailMetadata;
    assert.equal(atCutOff.status, 'NOT_FOUND');
    assert.match(atCutOff.reason ?? '', /600 s retry window/);
  });

  it('retry: an invalid timestamp cannot wait and is published as NOT_FOUND', () => {
    const request = { ...sentSecondsAgo(0), timestamp: new Date('garbage') };
    const result = applyNotFoundPolicy(request, notFound, retry) as EmailMetadata;
    assert.equal(result.status, 'NOT_FOUND');
  });

  it('leaves FOUND, SKIPPED and errors alone', async () => {
    const answers: Record<string, MetadataResult> = {
      found: { status: 'FOUND', attributes: { a: '1' } },
      skipped: { status: 'SKIPPED', attributes: {}, reason: 'x' },
      error: new PipelineError('enrich', 'METADATA_THROTTLED', 'slow down', { retriable: true }),
      missing: notFound,
    };
    const inner: MetadataStore = {
      async lookupMany(requests) {
        return new Map(requests.map((r) => [r.requestId, answers[r.requestId] as MetadataResult]));
      },
    };
    const store = new NotFoundPolicyStore(inner, retry);
    const requests = Object.keys(answers).map((requestId) => ({ ...sentSecondsAgo(5), requestId }));
    const results = await store.lookupMany(requests);
    assert.equal(results.get('found'), answers.found);
    assert.equal(results.get('skipped'), answers.skipped);
    assert.equal(results.get('error'), answers.error);
    assert.equal((results.get('missing') as PipelineError).code, 'METADATA_NOT_FOUND_YET');
  });
});
