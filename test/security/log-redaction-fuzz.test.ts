/**
 * Threat: an address reaching a log line by a path nobody thought of. A seeded corpus of SES payloads,
 * valid and broken, each carrying unique "victim" addresses and display names in every form SES writes
 * (plain, quoted local part, display name, lists) and in places that make errors (wrong types, unknown
 * event types, cut JSON), goes through the real pipeline (Apicurio, Kafka, the example chain with
 * errors.log.enable), `ses-kafka parse` and the serve endpoint's refusals. Every log line and error
 * written meanwhile, and the error headers of every dead letter, are scanned: no victim token may
 * appear. FUZZ_SEED=<n> replays another corpus; the seed is fixed by default so CI runs are repeatable.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { runParse } from '../../src/cli/parse.ts';
import { startServer } from '../../src/http/server.ts';
import { handleSqsEvent } from '../../src/lambda/sqs-handler.ts';
import { logger } from '../../src/observability/logger.ts';
import { buildRuntime, type Runtime } from '../../src/runtime.ts';
import { localSettingsEnv } from '../../src/stack/local-settings.ts';
import { REPO_ROOT } from '../../src/stack/paths.ts';
import { fuzzSeed } from '../support/fuzz-seed.ts';
import {
  collectRecords,
  createTopics,
  lambdaContext,
  snsNotification,
  sqsEvent,
  sqsRecord,
  topicRecordCount,
  uniqueName,
} from '../support/pipeline.ts';
import { fixturesIn } from '../unit/ses/helpers.ts';

const SEED = fuzzSeed();
const RUNS = Number(process.env.SECURITY_FUZZ_RUNS ?? 1_200);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const templates = ['event-publishing', 'notification', 'edge'].flatMap((dir) =>
  fixturesIn(dir).map((fixture) => JSON.parse(fixture.text) as Json),
);

/** A victim: tokens that must never be seen in a log, and the forms they are written in. */
const victim = fc.nat({ max: 999_999 }).map((n) => {
  const local = `vict${n}im`;
  const name = `Namezz${n}`;
  return {
    tokens: [local, name],
    forms: [
      `${local}@example.com`,
      `"${local} x"@example.org`,
      `${name} Q <${local}@example.net>`,
      `"${name}, Q" <${local}@example.net>, other@example.com`,
    ],
  };
});

/** Puts the victim's forms into a copy of a template, replacing existing addresses and adding new places. */
function infect(template: Json, forms: string[], breakage: number, cut: number): string {
  let i = 0;
  const next = () => forms[i++ % forms.length] as string;
  const walk = (value: Json): Json => {
    if (typeof value === 'string') return value.includes('@') ? next() : value;
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    }
    return value;
  };
  const infected = walk(structuredClone(template)) as Record<string, Json>;
  const mail = (infected.mail ?? {}) as Record<string, Json>;
  switch (breakage % 9) {
    case 0: // valid, addresses only in their own fields
      break;
    case 1: // a required field of the wrong type, holding an address
      mail.messageId = [next()];
      break;
    case 2: // an unknown event type whose detail quotes addresses
      infected.eventType = next();
      break;
    case 3: // a timestamp that is an address
      mail.timestamp = next();
      break;
    case 4: // an unknown top-level field full of addresses
      infected[next()] = { note: next(), list: forms };
      break;
    case 5: // destination not an array
      mail.destination = next();
      break;
    case 6: // a map key that is an address, with a value of the wrong type: the error names the path
      mail.tags = { [next()]: 'not a list', [next()]: [next()] };
      break;
    default: {
      // not JSON: cut somewhere, possibly inside an address
      const text = JSON.stringify(infected);
      return text.slice(0, Math.max(1, cut % text.length));
    }
  }
  return JSON.stringify(infected);
}

const corpus = fc.sample(
  fc.tuple(fc.nat({ max: templates.length - 1 }), victim, fc.nat(), fc.nat()).map(([t, v, b, c]) => ({
    text: infect(templates[t] as Json, v.forms, b, c),
    tokens: v.tokens,
    forms: v.forms,
  })),
  { seed: SEED, numRuns: RUNS },
);

/** Every line written to stdout/stderr while `work` runs (Powertools logs go there), kept from the terminal. */
async function captureOutput(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line !== ''),
    );
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    await work();
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
  return lines;
}

function leaks(lines: string[], tokens: Set<string>): string[] {
  return lines.filter((line) => [...tokens].some((token) => line.includes(token)));
}

describe(`security: no address in any log line across a fuzz corpus (seed ${SEED}, ${RUNS} payloads)`, function () {
  this.timeout(300_000);
  const tokens = new Set(corpus.flatMap((entry) => entry.tokens));
  const topic = uniqueName('sec-logscan');
  const dlqTopic = uniqueName('sec-logscan-dlq');
  let runtime: Runtime;
  const scanned = { pipeline: 0, parse: 0, serve: 0, dlqHeaders: 0 };

  before(async () => {
    await createTopics([topic, dlqTopic]);
    runtime = buildRuntime({
      ...localSettingsEnv({}),
      SES_KAFKA_TOPIC: topic,
      SES_KAFKA_DLQ_TOPIC: dlqTopic,
      SES_KAFKA_SCHEMA_AUTO_REGISTER: 'true',
      SES_KAFKA_METADATA_ENABLED: 'false',
      SES_KAFKA_TRANSFORMS_FILE: path.join(REPO_ROOT, 'schemas/transforms.example.properties'),
      SES_KAFKA_HMAC_KEY: 'log-scan-hmac-key-0123456789abcdef-x',
    });
  });
  after(async () => {
    await runtime?.producer.close();
    process.stdout.write(
      `      scanned ${scanned.pipeline} pipeline log lines, ${scanned.parse} parse errors, ${scanned.serve} serve answers and log lines, ${scanned.dlqHeaders} dead-letter error headers\n`,
    );
  });

  it("the Lambda SQS handler's logs and the dead-letter error headers name no victim", async () => {
    const lines = await captureOutput(async () => {
      // The real SQS handler, which logs every dead-lettered input with its error (raw delivery, and
      // wrapped in an SNS notification).
      for (let start = 0; start < corpus.length; start += 200) {
        const records = corpus.slice(start, start + 200).map((entry, index) => {
          const id = `${start + index}`;
          const body =
            index % 2 === 0 ? entry.text : JSON.stringify(snsNotification(entry.text, `sns-${id}`));
          return sqsRecord(body, id);
        });
        await handleSqsEvent(sqsEvent(records), lambdaContext(60_000) as Context, runtime);
      }
      logger.warn('log scan: canary line, proves the capture sees the logger');
    });
    assert.ok(
      lines.some((line) => line.includes('log scan: canary line')),
      'the logger output was captured',
    );
    assert.ok(
      lines.filter((line) => line.includes('input dead-lettered')).length > corpus.length / 4,
      'every dead-lettered input is logged with its error',
    );
    scanned.pipeline = lines.length;
    assert.deepEqual(leaks(lines, tokens), []);

    const deadLetters = await topicRecordCount(dlqTopic);
    assert.ok(deadLetters > corpus.length / 4, `only ${deadLetters} dead letters`);
    const records = await collectRecords(dlqTopic, { count: deadLetters, timeoutMs: 60_000 });
    const headerLines = records.flatMap((record) =>
      Object.entries(record.headers)
        .filter(([name]) => name.includes('error') || name.includes('exception'))
        .map(([name, value]) => `${name}: ${value}`),
    );
    scanned.dlqHeaders = headerLines.length;
    assert.ok(headerLines.length >= deadLetters);
    assert.deepEqual(leaks(headerLines, tokens), []);
  });

  it('`ses-kafka parse` error lines name no victim', async () => {
    const errors: string[] = [];
    const io = {
      writeOut: () => {},
      writeErr: (line: string) => errors.push(line),
      readStdin: async () => '',
    };
    for (const entry of corpus) {
      io.readStdin = async () => entry.text;
      await runParse(['-'], io);
    }
    scanned.parse = errors.length;
    assert.ok(errors.length > corpus.length / 4);
    assert.deepEqual(leaks(errors, tokens), []);
  });

  it("serve's refusals and logs name no victim", async () => {
    const answers: string[] = [];
    const lines = await captureOutput(async () => {
      const server = await startServer({
        host: '127.0.0.1',
        port: 0,
        allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:t'],
        handleNotification: async () => 'ok',
      });
      try {
        for (const entry of corpus.slice(0, 400)) {
          // As a body of its own (not SNS at all) and as the Message of an unsigned notification.
          for (const body of [
            entry.text,
            JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'x', Message: entry.text }),
            // An address where SNS puts its message type: the refusal quotes what it got.
            JSON.stringify({ Type: entry.forms[2], MessageId: 'm', Message: entry.text }),
          ]) {
            const response = await fetch(server.url, { method: 'POST', body });
            answers.push(await response.text());
          }
        }
      } finally {
        await server.close();
      }
    });
    scanned.serve = answers.length + lines.length;
    assert.deepEqual(leaks([...answers, ...lines], tokens), []);
  });
});
