import assert from 'node:assert/strict';
import { CachedMetadataStore } from '../../../src/enrich/cached-store.ts';
import type { EmailMetadata } from '../../../src/enrich/metadata.ts';
import type { MetadataRequest, MetadataResult, MetadataStore } from '../../../src/enrich/store.ts';
import { PipelineError } from '../../../src/errors.ts';

/** An inner store that answers from a script and records which message ids it was asked for. */
class ScriptedStore implements MetadataStore {
  readonly asked: string[][] = [];
  constructor(readonly answer: (request: MetadataRequest) => MetadataResult) {}
  async lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    this.asked.push(requests.map((request) => request.messageId));
    return new Map(requests.map((request) => [request.requestId, this.answer(request)]));
  }
}

const found = (id: string): EmailMetadata => ({ status: 'FOUND', attributes: { campaign: `c-${id}` } });
const notFound: EmailMetadata = { status: 'NOT_FOUND', attributes: {} };

function request(requestId: string, messageId: string): MetadataRequest {
  return { requestId, messageId, sourceAddress: 'sender@example.com', timestamp: new Date(0) };
}

describe('CachedMetadataStore', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  function cached(
    inner: MetadataStore,
    overrides: Partial<ConstructorParameters<typeof CachedMetadataStore>[1]> = {},
  ) {
    return new CachedMetadataStore(inner, {
      maxEntries: 100,
      ttlMs: 60_000,
      notFoundTtlMs: 0,
      keyOf: (r) => r.messageId,
      now,
      ...overrides,
    });
  }

  it('answers a FOUND lookup from the cache until its TTL passes', async () => {
    const inner = new ScriptedStore((r) => found(r.messageId));
    const store = cached(inner);
    assert.deepEqual((await store.lookupMany([request('a', 'm1')])).get('a'), found('m1'));
    clock += 59_000;
    assert.deepEqual((await store.lookupMany([request('b', 'm1')])).get('b'), found('m1'));
    assert.deepEqual(inner.asked, [['m1']]);
    clock += 2_000;
    await store.lookupMany([request('c', 'm1')]);
    assert.deepEqual(inner.asked, [['m1'], ['m1']]);
  });

  it('evicts the least recently used entry beyond the size bound', async () => {
    const inner = new ScriptedStore((r) => found(r.messageId));
    const store = cached(inner, { maxEntries: 2 });
    await store.lookupMany([request('1', 'm1'), request('2', 'm2')]);
    await store.lookupMany([request('3', 'm1')]); // m1 is now the most recently used
    await store.lookupMany([request('4', 'm3')]); // evicts m2
    assert.equal(store.size, 2);
    inner.asked.length = 0;
    await store.lookupMany([request('5', 'm1'), request('6', 'm2'), request('7', 'm3')]);
    assert.deepEqual(inner.asked, [['m2']]);
  });

  it('does not cache NOT_FOUND by default, so a row written later is seen', async () => {
    let rowWritten = false;
    const inner = new ScriptedStore((r) => (rowWritten ? found(r.messageId) : notFound));
    const store = cached(inner);
    assert.equal(
      ((await store.lookupMany([request('a', 'm1')])).get('a') as EmailMetadata).status,
      'NOT_FOUND',
    );
    rowWritten = true;
    assert.equal(((await store.lookupMany([request('b', 'm1')])).get('b') as EmailMetadata).status, 'FOUND');
  });

  it('caches NOT_FOUND only for its own short TTL when asked to', async () => {
    const inner = new ScriptedStore(() => notFound);
    const store = cached(inner, { notFoundTtlMs: 5_000 });
    await store.lookupMany([request('a', 'm1')]);
    clock += 4_000;
    await store.lookupMany([request('b', 'm1')]);
    assert.equal(inner.asked.length, 1);
    clock += 2_000;
    await store.lookupMany([request('c', 'm1')]);
    assert.equal(inner.asked.length, 2);
  });

  it('never caches errors or requests without a key', async () => {
    const inner = new ScriptedStore((r) =>
      r.messageId === 'bad'
        ? new PipelineError('enrich', 'X', 'boom', { retriable: true })
        : found(r.messageId),
    );
    const store = cached(inner, { keyOf: (r) => (r.messageId === 'nokey' ? undefined : r.messageId) });
    await store.lookupMany([request('a', 'bad'), request('b', 'nokey')]);
    await store.lookupMany([request('c', 'bad'), request('d', 'nokey')]);
    assert.deepEqual(inner.asked, [
      ['bad', 'nokey'],
      ['bad', 'nokey'],
    ]);
  });

  it('hands each caller its own copy, so one event cannot change another', async () => {
    const store = cached(new ScriptedStore((r) => found(r.messageId)));
    const first = (await store.lookupMany([request('a', 'm1')])).get('a') as EmailMetadata;
    first.attributes.campaign = 'tampered';
    const second = (await store.lookupMany([request('b', 'm1')])).get('b') as EmailMetadata;
    assert.equal(second.attributes.campaign, 'c-m1');
  });

  it('passes everything through when the cache is off', async () => {
    const inner = new ScriptedStore((r) => found(r.messageId));
    const store = cached(inner, { maxEntries: 0 });
    await store.lookupMany([request('a', 'm1')]);
    await store.lookupMany([request('b', 'm1')]);
    assert.equal(inner.asked.length, 2);
    assert.equal(store.size, 0);
  });
});
