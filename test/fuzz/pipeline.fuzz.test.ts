import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Disposition, EVENT_ID_HEADER, type PipelineInput } from '../../src/pipeline.ts';
import { buildRuntime, type Runtime } from '../../src/runtime.ts';
import {
  EMAIL_DETAIL_TYPES,
  type ParseOutcome,
  parseAnyInput,
  parseEventBridgeEvent,
  parseSnsNotification,
  parseSnsRecord,
  parseSqsRecord,
  SERVICE_DETAIL_TYPES,
  SERVICE_EVENT_CODE,
} from '../../src/ses/index.ts';
import {
  deleteTable,
  localDynamoDbClient,
  seedPredecessorTable,
  uniqueTableName,
} from '../support/dynamodb.ts';
import { fuzzSeed } from '../support/fuzz-seed.ts';
import {
  collectRecords,
  createTopics,
  loadFixtures,
  localPipelineEnv,
  snsNotification,
  sqsRecord,
  tally,
  topicRecordCount,
  uniqueName,
} from '../support/pipeline.ts';

/*
 * 10,000 generated payloads, mostly malformed or odd, through the real pipeline (parse, DynamoDB on
 * dynalite, Apicurio, Kafka) in batches. Every door is fuzzed: SNS, SQS (raw and not), SNS HTTP, and
 * EventBridge (a rule invoking the function, through SQS, through SNS). Nothing may throw, every input
 * gets a disposition, and each is produced, dead-lettered with a clear error, dropped as a control
 * message, or (an SES service event) sent to the service-events topic. The seed is printed;
 * FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> changes the count.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = fuzzSeed();
const BATCH = 500;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const templates = loadFixtures(
  'event-publishing',
  'notification',
  'edge',
  'eventbridge',
  'eventbridge-edge',
  'eventbridge-service',
).map((fixture) => JSON.parse(fixture.text) as Json);

/** Every path in a JSON value, the root included, so a mutation can hit any node. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) paths.push(...pathsOf(item, [...prefix, index]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}
const templatePaths = templates.map((template) => pathsOf(template));

/** Own property even for `__proto__`, the way JSON.parse makes it. */
function put(container: Json, key: string | number, value: Json): void {
  if (container !== null && typeof container === 'object') {
    Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

function at(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, Json>)[step];
  }
  return node;
}

type Mutation =
  | { op: 'set'; pick: number; value: Json }
  | { op: 'delete'; pick: number }
  | { op: 'add'; pick: number; key: string; value: Json };

/** Array.splice would consult an own `constructor` key a mutation may have added; shift by hand. */
function removeAt(array: Json[], index: number): void {
  for (let i = index; i < array.length - 1; i++) array[i] = array[i + 1] as Json;
  array.length = Math.max(0, array.length - 1);
}

function mutate(templateIndex: number, mutations: readonly Mutation[]): Json {
  let root = structuredClone(templates[templateIndex] as Json);
  const paths = templatePaths[templateIndex] as Path[];
  for (const mutation of mutations) {
    const path = paths[mutation.pick % paths.length] as Path;
    if (mutation.op === 'add') {
      put(at(root, path) ?? null, mutation.key, mutation.value);
      continue;
    }
    if (path.length === 0) {
      if (mutation.op === 'set') root = mutation.value;
      continue;
    }
    const parent = at(root, path.slice(0, -1));
    const last = path[path.length - 1] as string | number;
    if (parent === null || parent === undefined || typeof parent !== 'object') continue;
    if (mutation.op === 'set') put(parent, last, mutation.value);
    else if (Array.isArray(parent)) removeAt(parent, Number(last));
    else delete (parent as Record<string, Json>)[last];
  }
  return root;
}

/** Up to 60,000 UTF-16 units (at most ~180 KB as UTF-8): SNS caps a message at 256 KB. */
const hugeString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }), fc.integer({ min: 1_000, max: 60_000 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '__proto__',
    'constructor',
    '2024-13-45T99:99:99Z',
    '1970-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    'Name <>',
    '"Quoted, Name" <x@example.com>',
    '<<a@b>>',
    '\u0000\u200b\ud800',
    'Send',
    'Bounce',
    'Delivery',
  ),
);
const oddNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308),
  fc.integer(),
);
function nested(depth: number, asArray: boolean): Json {
  let value: Json = 'bottom';
  for (let level = 0; level < depth; level++) value = asArray ? [value] : { a: value };
  return value;
}
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: hugeString },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 10, max: 2_000 }), fc.boolean()).map(([d, a]) => nested(d, a)),
  },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: oddValue }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    pick: fc.nat(),
    key: fc.oneof(oddString, fc.constantFrom('__proto__', 'constructor', 'toString', 'eventType', 'mail')),
    value: oddValue,
  }),
);

/** The SES JSON text an envelope carries. */
const sesText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(fc.nat({ max: templates.length - 1 }), fc.array(mutation, { maxLength: 4 }))
      .map(([template, mutations]) => JSON.stringify(mutate(template, mutations))),
  },
  // Cut short: not JSON any more.
  {
    weight: 2,
    arbitrary: fc.tuple(fc.nat({ max: templates.length - 1 }), fc.nat()).map(([template, cut]) => {
      const text = JSON.stringify(templates[template]);
      return text.slice(0, cut % text.length);
    }),
  },
  { weight: 3, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: oddString },
  { weight: 1, arbitrary: fc.nat({ max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)) },
);

/** An EventBridge event around SES JSON text (or something odd), with a detail-type SES uses or another. */
const eventBridgeEvent: fc.Arbitrary<Json> = fc
  .tuple(
    sesText,
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...EMAIL_DETAIL_TYPES) },
      { weight: 2, arbitrary: fc.constantFrom(...SERVICE_DETAIL_TYPES) },
      { weight: 1, arbitrary: oddString },
      { weight: 1, arbitrary: oddValue },
    ),
    fc.oneof({ weight: 8, arbitrary: fc.constant<Json>('aws.ses') }, { weight: 1, arbitrary: oddValue }),
    fc.oneof(
      fc.constant<Json>(['arn:aws:ses:eu-west-1:111122223333:configuration-set/fuzz']),
      fc.array(oddString, { maxLength: 3 }) as fc.Arbitrary<Json>,
      oddValue,
    ),
    fc.option(oddString, { nil: undefined }),
  )
  .map(([text, detailType, source, resources, replayName]) => {
    let detail: Json;
    try {
      detail = JSON.parse(text) as Json;
    } catch {
      detail = text;
    }
    const event: Record<string, Json> = {
      version: '0',
      id: 'f0e1d2c3-0000-4000-8000-000000000000',
      'detail-type': detailType,
      source,
      account: '111122223333',
      time: '2024-03-11T09:16:10Z',
      region: 'eu-west-1',
      resources,
      detail,
    };
    if (replayName !== undefined) event['replay-name'] = replayName;
    return event;
  });

/**
 * JSON text, or '' for a value nested deeper than JSON.stringify's stack allows (a parsed `[[[...]]]`
 * detail can be): no AWS service would have delivered it as text either.
 */
function jsonOrEmpty(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '';
  }
}

interface Generated {
  kind: string;
  parse: () => ParseOutcome;
  /** The text a source would have delivered, for parseAnyInput. */
  raw: string;
}

function snsRecordOf(sns: unknown): Record<string, unknown> {
  return { EventSource: 'aws:sns', EventVersion: '1.0', Sns: sns };
}

const generated: fc.Arbitrary<Generated> = fc.oneof(
  {
    weight: 5,
    arbitrary: sesText.map((text) => {
      const record = snsRecordOf(snsNotification(text, 'fuzz'));
      return { kind: 'sns', parse: () => parseSnsRecord(record), raw: JSON.stringify(record) };
    }),
  },
  {
    weight: 4,
    arbitrary: sesText.map((text) => {
      const record = sqsRecord(text, 'fuzz');
      return { kind: 'sqs-raw', parse: () => parseSqsRecord(record), raw: JSON.stringify(record) };
    }),
  },
  {
    weight: 4,
    arbitrary: sesText.map((text) => {
      const record = sqsRecord(JSON.stringify(snsNotification(text, 'fuzz')), 'fuzz');
      return { kind: 'sqs-sns', parse: () => parseSqsRecord(record), raw: JSON.stringify(record) };
    }),
  },
  {
    weight: 2,
    arbitrary: sesText.map((text) => {
      const body = snsNotification(text, 'fuzz');
      return { kind: 'sns-http', parse: () => parseSnsNotification(body), raw: JSON.stringify(body) };
    }),
  },
  {
    weight: 3,
    arbitrary: eventBridgeEvent.map((event) => ({
      kind: 'eventbridge',
      parse: () => parseEventBridgeEvent(event),
      raw: jsonOrEmpty(event),
    })),
  },
  {
    weight: 2,
    arbitrary: eventBridgeEvent.map((event) => {
      const record = sqsRecord(jsonOrEmpty(event), 'fuzz');
      return { kind: 'sqs-eventbridge', parse: () => parseSqsRecord(record), raw: jsonOrEmpty(record) };
    }),
  },
  {
    weight: 1,
    arbitrary: eventBridgeEvent.map((event) => {
      const record = snsRecordOf(snsNotification(jsonOrEmpty(event), 'fuzz'));
      return { kind: 'sns-eventbridge', parse: () => parseSnsRecord(record), raw: jsonOrEmpty(record) };
    }),
  },
  {
    weight: 1,
    arbitrary: oddValue.map((odd) => ({
      kind: 'odd-eventbridge',
      parse: () => parseEventBridgeEvent(odd),
      raw: '',
    })),
  },
  // Odd envelopes: wrong types where the envelope has its fields, other SNS message types, no envelope.
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        oddValue,
        sesText,
        fc.oneof(oddString, fc.constantFrom('SubscriptionConfirmation', 'UnsubscribeConfirmation')),
      )
      .chain(([odd, text, type]) =>
        fc.constantFrom<Generated>(
          {
            kind: 'odd-sns-message',
            parse: () => parseSnsRecord(snsRecordOf({ Type: 'Notification', Message: odd })),
            raw: '',
          },
          {
            kind: 'odd-sns-type',
            parse: () => parseSnsRecord(snsRecordOf({ ...snsNotification(text, 'x'), Type: type })),
            raw: '',
          },
          { kind: 'odd-sns', parse: () => parseSnsRecord(snsRecordOf(odd)), raw: '' },
          { kind: 'odd-record', parse: () => parseSnsRecord(odd), raw: '' },
          { kind: 'odd-sqs-body', parse: () => parseSqsRecord({ messageId: 'x', body: odd }), raw: '' },
          { kind: 'odd-sqs-record', parse: () => parseSqsRecord(odd), raw: '' },
          {
            kind: 'sqs-double-wrapped',
            parse: () =>
              parseSqsRecord(
                sqsRecord(
                  JSON.stringify(snsNotification(JSON.stringify(snsNotification(text, 'a')), 'b')),
                  'x',
                ),
              ),
            raw: '',
          },
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...['SubscriptionConfirmation', 'UnsubscribeConfirmation'].map<Generated>((type) => ({
        kind: 'sns-control',
        parse: () =>
          parseSqsRecord(sqsRecord(JSON.stringify({ ...snsNotification('{}', 'c'), Type: type }), 'c')),
        raw: '',
      })),
      {
        kind: 'ses-control',
        parse: () =>
          parseSnsRecord(
            snsRecordOf(
              snsNotification('{"notificationType":"AmazonSnsSubscriptionSucceeded","message":"ok"}', 'c'),
            ),
          ),
        raw: '',
      },
    ),
  },
);

/**
 * Where an error points, before its first `: `: `(root)`, `(record)`, or a path from a field name, e.g.
 * `mail.messageId`, `body.Message`, `bounce.bouncedRecipients[0].emailAddress`, `mail.tags.ses:operation[0]`
 * (SES keys may hold any character, so only the first segment is held to identifier rules).
 */
const NAMES_A_PATH = /^(\(root\)|\(record\)|[A-Za-z_$][\w$-]*([.[][^\n]*?)?): \S/;

interface Violation {
  index: number;
  kind: string;
  problem: string;
}

describe('fuzz: 10,000 odd payloads through the real pipeline', function () {
  this.timeout(180_000);
  const dynamo = localDynamoDbClient();
  const table = uniqueTableName('fuzz');
  const topic = uniqueName('fuzz');
  const dlqTopic = `${topic}.dlq`;
  const serviceTopic = `${topic}.service`;
  let runtime: Runtime;

  before(async () => {
    await createTopics([topic, dlqTopic, serviceTopic]);
    await seedPredecessorTable(dynamo, table, []);
    runtime = buildRuntime(
      localPipelineEnv({
        topic,
        dlqTopic,
        table,
        registry: 'confluent',
        extra: { SES_KAFKA_SERVICE_EVENTS_TOPIC: serviceTopic },
      }),
    );
  });

  after(async () => {
    await runtime?.producer.close();
    await deleteTable(dynamo, table);
    dynamo.destroy();
  });

  // Found by this fuzz run: event types are an open set, including names that Object.prototype has.
  it('lets event types named like Object.prototype members flow through like any new type', async () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const bounce = templates[0] as Record<string, Json>;
    const inputs = names.map((name, index) => {
      const text = JSON.stringify({ ...bounce, eventType: name });
      return { id: name, parsed: parseSqsRecord(sqsRecord(text, `proto-${index}`)) };
    });
    // Its own topics, so the fuzz run's topic counts stay exact.
    const own = uniqueName('fuzz-proto');
    await createTopics([own, `${own}.dlq`]);
    const protoRuntime = buildRuntime(
      localPipelineEnv({ topic: own, dlqTopic: `${own}.dlq`, table, registry: 'confluent' }),
    );
    const results = await protoRuntime.pipeline
      .process(inputs, Date.now() + 20_000)
      .finally(() => protoRuntime.producer.close());
    assert.deepEqual(
      results.map(({ id, disposition }) =>
        disposition.kind === 'produced'
          ? `${id}: produced`
          : `${id}: ${disposition.kind} ${'error' in disposition ? disposition.error.message : ''}`,
      ),
      names.map((name) => `${name}: produced`),
    );
  });

  it('never throws; every input is produced, dead-lettered with a clear error, or a dropped control message', async () => {
    const started = Date.now();
    const samples = fc.sample(generated, { numRuns: RUNS, seed: SEED });
    const generatedMs = Date.now() - started;

    const violations: Violation[] = [];
    const inputs: PipelineInput[] = [];
    const kinds: string[] = [];
    samples.forEach((sample, index) => {
      try {
        inputs.push({ id: String(index), parsed: sample.parse() });
        kinds.push(sample.kind);
        if (sample.raw !== '') parseAnyInput(sample.raw);
      } catch (error) {
        violations.push({ index, kind: sample.kind, problem: `parser threw: ${String(error)}` });
      }
    });

    const split = { produced: 0, deadLettered: 0, filtered: 0, retry: 0, failed: 0 };
    let serviceEvents = 0;
    const producedIds: string[] = [];
    const codes = new Map<string, number>();
    const processStarted = Date.now();
    for (let start = 0; start < inputs.length; start += BATCH) {
      const batch = inputs.slice(start, start + BATCH);
      let results: Awaited<ReturnType<Runtime['pipeline']['process']>>;
      try {
        results = await runtime.pipeline.process(batch, Date.now() + 30_000);
      } catch (error) {
        violations.push({ index: start, kind: 'batch', problem: `process threw: ${String(error)}` });
        continue;
      }
      assert.equal(results.length, batch.length, 'one result per input');
      results.forEach(({ id, disposition }, offset) => {
        assert.equal(id, batch[offset]?.id, 'results come back in input order');
        const index = Number(id);
        const problem = judge(batch[offset] as PipelineInput, disposition, serviceTopic);
        if (problem !== undefined) violations.push({ index, kind: kinds[index] ?? '?', problem });
        if (disposition.kind === 'dead-lettered') {
          split.deadLettered++;
          const code = `${disposition.error.stage}/${disposition.error.code}`;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        } else if (disposition.kind === 'produced' && disposition.topic === serviceTopic) serviceEvents++;
        else split[disposition.kind]++;
        if (disposition.kind === 'produced' && disposition.topic === topic)
          producedIds.push(disposition.eventId);
      });
    }
    const processMs = Date.now() - processStarted;

    const inTopic = await topicRecordCount(topic);
    const published = tally(
      (await collectRecords(topic, { count: split.produced + 1, idleMs: 10_000, timeoutMs: 90_000 })).map(
        (record) => record.headers[EVENT_ID_HEADER] ?? '(none)',
      ),
    );
    const inDlq = await topicRecordCount(dlqTopic);
    const inServiceTopic = await topicRecordCount(serviceTopic);
    console.log(
      `      fuzz seed ${SEED}: ${inputs.length} inputs in ${Math.ceil(inputs.length / BATCH)} batches; ` +
        `produced ${split.produced}, service events ${serviceEvents}, dead-lettered ${split.deadLettered}, filtered ${split.filtered}, ` +
        `retry ${split.retry}, failed ${split.failed}; topic ${inTopic}, DLQ ${inDlq}; ` +
        `generate ${generatedMs} ms, pipeline ${processMs} ms`,
    );
    console.log(
      `      dead-letter codes: ${[...codes]
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code} ${n}`)
        .join(', ')}`,
    );
    const shown = violations.slice(0, 10).map((v) => `#${v.index} (${v.kind}): ${v.problem}`);
    assert.deepEqual(shown, [], `${violations.length} violations (FUZZ_SEED=${SEED} replays them)`);
    assert.equal(inputs.length, RUNS);
    const expected = tally(producedIds);
    const differences = [...new Set([...expected.keys(), ...published.keys()])]
      .filter((id) => expected.get(id) !== published.get(id))
      .map((id) => `${id}: reported produced ${expected.get(id) ?? 0}, in topic ${published.get(id) ?? 0}`);
    assert.deepEqual(differences.slice(0, 10), [], `${differences.length} eventIds differ`);
    assert.equal(inTopic, split.produced, 'every produced input is one record in the topic');
    assert.equal(inDlq, split.deadLettered, 'every dead-lettered input is one record in the DLQ');
    assert.equal(
      inServiceTopic,
      serviceEvents,
      'every service event is one record in the service-events topic',
    );
    assert.ok(serviceEvents > 0, 'service events occur');
    assert.ok(split.produced > 0 && split.deadLettered > 0 && split.filtered > 0, 'all three outcomes occur');
  });
});

/** Why this disposition is wrong for this input, or undefined when it is right. */
function judge(input: PipelineInput, disposition: Disposition, serviceTopic: string): string | undefined {
  const parsed = input.parsed;
  const isServiceEvent = !parsed.ok && parsed.error.code === SERVICE_EVENT_CODE;
  switch (disposition.kind) {
    case 'produced':
      if (isServiceEvent) {
        return disposition.topic === serviceTopic
          ? undefined
          : `service event produced to ${disposition.topic}`;
      }
      if (disposition.topic === serviceTopic) return 'an email event went to the service-events topic';
      return parsed.ok ? undefined : `produced although parsing failed with ${parsed.error.code}`;
    case 'filtered':
      if (!parsed.ok && parsed.error.code === 'SES_CONTROL_MESSAGE') return undefined;
      return `filtered but not a control message: ${disposition.reason}`;
    case 'dead-lettered': {
      const { code, message } = disposition.error;
      if (!/^[A-Z][A-Z0-9_]+$/.test(code)) return `dead letter without a clear code: ${code}`;
      if (!NAMES_A_PATH.test(message))
        return `dead letter message names no path: ${code}: ${message.slice(0, 200)}`;
      if (!parsed.ok && parsed.error.code !== code)
        return `dead-lettered as ${code}, parser said ${parsed.error.code}`;
      return undefined;
    }
    case 'retry':
    case 'failed': {
      const { stage, code, message } = disposition.error;
      return `${disposition.kind} (${stage}/${code}): ${message.slice(0, 300)}`;
    }
  }
}
