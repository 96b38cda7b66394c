/**
 * Threat: a field the pseudonymising chain forgot. The strict example chain runs over every SES fixture
 * (all 13 shapes and the edge cases, with display names, subjects, links, IPs and diagnostic codes
 * that quote addresses) through the real record builder; nothing that names or identifies a person may
 * come out readable. The default example chain is checked to leave exactly what it documents.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadBaseSchema, parseAnyInput, recordSource, toEnrichedValue } from '../../src/ses/index.ts';
import { TransformChain } from '../../src/transforms/chain.ts';
import { loadConfigFile } from '../../src/transforms/config-source.ts';
import type { AvroSchema } from '../../src/transforms/schema.ts';
import { fixturesIn } from '../unit/ses/helpers.ts';

const KEY = 'strict-chain-test-key-0123456789abcdef';
const fixtures = ['event-publishing', 'notification', 'edge'].flatMap((dir) => fixturesIn(dir));

/** Every string in a JSON value, with where it sits, so a failure names the field. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, path ? `${path}.${key}` : key));
  }
  return [];
}

/** What must not come out: local parts of addresses, display names, subjects, IPs and links of the input. */
function secretsOf(text: string): string[] {
  const found = new Set<string>();
  const all = strings(JSON.parse(text));
  // A Message-ID (<id@sender-domain>) names a message of the sender's, not a person.
  const messageIds = new Set(all.filter(([path]) => /messageId$/.test(path)).map(([, value]) => value));
  for (const [, value] of all) {
    if (messageIds.has(value)) continue;
    for (const match of value.matchAll(/([A-Za-z0-9._%+-]+)@[A-Za-z0-9.-]+/g)) found.add(`${match[1]}@`);
    const displayName = /^\s*"?([^"<]+?)"?\s*<[^>]*@[^>]*>/.exec(value)?.[1];
    if (displayName) found.add(displayName);
  }
  const json = JSON.parse(text) as Record<string, Record<string, unknown>>;
  const subject = (json.mail?.commonHeaders as { subject?: string } | undefined)?.subject;
  if (subject) found.add(subject);
  for (const detail of [json.open, json.click]) {
    if (typeof detail?.ipAddress === 'string') found.add(detail.ipAddress);
    if (typeof detail?.link === 'string') found.add(detail.link);
  }
  return [...found];
}

function run(configFile: string) {
  const chain = TransformChain.build(loadConfigFile(configFile), {
    valueSchema: loadBaseSchema('v2') as unknown as AvroSchema,
    env: { SES_KAFKA_HMAC_KEY: KEY },
  });
  return fixtures.map((fixture) => {
    const [parsed] = parseAnyInput(fixture.text);
    assert.ok(parsed?.ok, fixture.name);
    const value = toEnrichedValue(
      parsed.event,
      { status: 'SKIPPED', attributes: {} },
      recordSource(parsed.envelope, { processedAt: new Date(0), producerVersion: 'test' }),
      { schemaVersion: 'v2' },
    );
    const outcome = chain.apply({ topic: 't', key: 'k', value, headers: [], timestamp: 0 });
    assert.equal(outcome.kind, 'ok', fixture.name);
    return { fixture, output: outcome.kind === 'ok' ? outcome.record.value : null };
  });
}

describe('security: the strict example chain leaves nothing readable that identifies a person', () => {
  it('covers every SES shape: no address, display name, subject, IP or link survives', () => {
    let checked = 0;
    for (const { fixture, output } of run('schemas/transforms.strict.properties')) {
      const outputs = strings(output);
      for (const secret of secretsOf(fixture.text)) {
        const leak = outputs.find(([, value]) => value.includes(secret));
        assert.equal(leak, undefined, `${fixture.name}: ${JSON.stringify(secret)} readable at ${leak?.[0]}`);
        checked++;
      }
    }
    assert.ok(checked > 50, `only ${checked} secrets checked`);
  });

  it('the default example chain leaves readable exactly the fields its comments list', () => {
    const documented = readFileSync('schemas/transforms.example.properties', 'utf8');
    for (const field of ['mail.source', 'commonHeaders.from', 'commonHeaders.subject', 'click.link']) {
      assert.ok(documented.includes(field), `the example chain's comments must name ${field}`);
    }
    const click = run('schemas/transforms.example.properties').find(({ fixture }) =>
      fixture.name.endsWith('click.json'),
    );
    const output = click?.output as {
      mail: { source: string; destination: string[] };
      click: { link: string };
    };
    assert.match(output.mail.source, /@/);
    assert.match(output.click.link, /^https:/);
    assert.match(output.mail.destination[0] ?? '', /^[0-9a-f]{64}@/);
  });
});
