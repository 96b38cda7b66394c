/**
 * Threats against pseudonymised recipients, on records read back from Kafka after the real pipeline
 * (Apicurio, Kafka) ran the example chain:
 * - a reader of the topic guesses addresses and recomputes eventId from the published fields to
 *   confirm one (a dictionary attack): it must fail, while the same attack on the unkeyed id succeeds;
 * - the same address must get the same digest in mail.destination, in every header form SES writes
 *   (display names, quoted local parts, comma-separated lists, groups) and in the detail's recipients,
 *   or joins by recipient break; no display name and no stray `>` may survive.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { EVENT_ID_HEADER } from '../../src/pipeline.ts';
import { buildRuntime, type Runtime } from '../../src/runtime.ts';
import { eventIdFor, parseAnyInput } from '../../src/ses/index.ts';
import { localSettingsEnv } from '../../src/stack/local-settings.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';
import { collectRecords, createTopics, localDecoder, uniqueName } from '../support/pipeline.ts';

const HMAC_KEY = 'security-test-hmac-key-0123456789abcdef';
const JANE = 'jane.doe@example.com';
const JOHN = '"john smith"@example.org';

function bounceEvent(messageId: string) {
  return {
    eventType: 'Bounce',
    mail: {
      timestamp: '2026-02-01T10:00:00.000Z',
      messageId,
      source: 'Acme <orders@acme.example>',
      destination: [JANE, JOHN, 'bob@example.net'],
      commonHeaders: {
        from: ['Acme <orders@acme.example>'],
        to: ['Jane Doe <Jane.Doe@Example.com>', '"Smith, John" <"john smith"@example.org>'],
        cc: ['Friends: bob@example.net, "Doe, Jane" <jane.doe@example.com>;'],
        bcc: ['undisclosed-recipients:;'],
        subject: 'Your order',
      },
    },
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      timestamp: '2026-02-01T10:00:02.000Z',
      feedbackId: `feedback-${messageId}`,
      bouncedRecipients: [{ emailAddress: 'Jane.Doe@example.com' }, { emailAddress: JOHN }],
    },
  };
}

interface PublishedValue {
  eventId: string;
  eventType: string;
  eventTime: number;
  mail: {
    messageId: string;
    destination: string[];
    commonHeaders: { to: string[]; cc: string[]; bcc: string[] } | null;
  };
  bounce: { timestamp: number; feedbackId: string; bouncedRecipients: { emailAddress: string }[] };
}

describe('security: pseudonymised recipients stay pseudonymous (example chain, real pipeline)', function () {
  this.timeout(90_000);
  const topic = uniqueName('sec-pseudo');
  const dlqTopic = uniqueName('sec-pseudo-dlq');
  const messageId = uniqueName('msg');
  let runtime: Runtime;
  let published: PublishedValue;
  let header: string | undefined;

  before(async () => {
    await createTopics([topic, dlqTopic]);
    runtime = buildRuntime({
      ...localSettingsEnv({}),
      SES_KAFKA_TOPIC: topic,
      SES_KAFKA_DLQ_TOPIC: dlqTopic,
      SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
      SES_KAFKA_METADATA_ENABLED: 'false',
      SES_KAFKA_TRANSFORMS_FILE: path.join(REPO_ROOT, 'schemas/transforms.example.properties'),
      SES_KAFKA_HMAC_KEY: HMAC_KEY,
    });
    const [parsed] = parseAnyInput(JSON.stringify(bounceEvent(messageId)));
    assert.ok(parsed?.ok);
    const [result] = await runtime.pipeline.process([{ id: 'bounce', parsed }], Date.now() + 30_000);
    assert.equal(result?.disposition.kind, 'produced', JSON.stringify(result?.disposition));
    const [record] = await collectRecords(topic, { count: 1 });
    assert.ok(record?.value);
    published = (await localDecoder().decode(record.value)).value as PublishedValue;
    header = record.headers[EVENT_ID_HEADER];
  });
  after(async () => {
    await runtime?.producer.close();
  });

  describe('a dictionary attack on eventId', () => {
    const dictionary = [
      'jane@example.com',
      'jane.doe@example.com',
      'Jane.Doe@example.com',
      'john@example.org',
      '"john smith"@example.org',
      'bob@example.net',
      'alice@example.com',
    ];
    /** Everything the attacker recomputes the id from: the record's own fields plus guessed recipients. */
    function guessIds(candidates: string[]): string[] {
      const ids: string[] = [];
      for (const first of candidates) {
        for (const second of candidates) {
          ids.push(
            eventIdFor({
              eventType: published.eventType,
              mail: { messageId: published.mail.messageId } as never,
              bounce: {
                timestamp: new Date(published.bounce.timestamp).toISOString(),
                feedbackId: published.bounce.feedbackId,
                bouncedRecipients: [{ emailAddress: first }, { emailAddress: second }],
              } as never,
            }),
          );
        }
      }
      return ids;
    }

    it('works against the unkeyed id: the attack itself is sound', () => {
      const [parsed] = parseAnyInput(JSON.stringify(bounceEvent(messageId)));
      assert.ok(parsed?.ok);
      assert.ok(guessIds(dictionary).includes(parsed.event.eventId), 'the guess reproduces the unkeyed id');
    });

    it('cannot confirm any guess from the published eventId or its header', () => {
      const guesses = new Set(guessIds(dictionary));
      // Recipients are sorted into the id, so pairs in either order give one guess.
      assert.equal(guesses.size, (dictionary.length * (dictionary.length + 1)) / 2);
      assert.equal(guesses.has(published.eventId), false);
      assert.equal(header, published.eventId, 'the header carries the published (keyed) id');
    });

    it('the published id is still deterministic: the same event again gets the same id', async () => {
      const again = buildRuntime({
        ...localSettingsEnv({}),
        SES_KAFKA_TOPIC: topic,
        SES_KAFKA_DLQ_TOPIC: dlqTopic,
        SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
        SES_KAFKA_METADATA_ENABLED: 'false',
        SES_KAFKA_TRANSFORMS_FILE: path.join(REPO_ROOT, 'schemas/transforms.example.properties'),
        SES_KAFKA_HMAC_KEY: HMAC_KEY,
      });
      try {
        const [parsed] = parseAnyInput(JSON.stringify(bounceEvent(messageId)));
        assert.ok(parsed?.ok);
        const [result] = await again.pipeline.process([{ id: 'again', parsed }], Date.now() + 30_000);
        assert.deepEqual(result?.disposition, {
          kind: 'produced',
          eventId: published.eventId,
          eventType: 'Bounce',
          topic,
        });
      } finally {
        await again.producer.close();
      }
    });
  });

  describe('one address, one digest, wherever it appears', () => {
    const digestOf = (value: string) => value.split('@')[0] as string;

    it('mail.destination, every header form and the bounced recipients agree', () => {
      const [jane, john, bob] = published.mail.destination.map(digestOf);
      const headers = published.mail.commonHeaders;
      assert.ok(headers);
      assert.deepEqual(headers.to, [`${jane}@example.com`, `${john}@example.org`]);
      assert.deepEqual(headers.cc, [`${bob}@example.net, ${jane}@example.com`]);
      assert.deepEqual(headers.bcc, ['']);
      assert.deepEqual(
        published.bounce.bouncedRecipients.map((recipient) => recipient.emailAddress),
        [`${jane}@example.com`, `${john}@example.org`],
      );
      assert.match(jane ?? '', /^[0-9a-f]{64}$/);
      assert.equal(new Set([jane, john, bob]).size, 3);
    });

    it('leaves no display name, group name or stray bracket behind', () => {
      const headers = published.mail.commonHeaders;
      // from is the sender's own address: the example chain leaves it readable (the strict one does not).
      const text = JSON.stringify([headers?.to, headers?.cc, headers?.bcc, published.mail.destination]);
      for (const leftover of ['Jane', 'Doe', 'Smith', 'john smith', 'Friends', 'undisclosed', '<', '>']) {
        assert.equal(text.includes(leftover), false, `${leftover} survived: ${text}`);
      }
    });
  });
});
