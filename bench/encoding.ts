/**
 * Benchmark 4: the value encodings side by side on the same enriched, transformed SES records. Avro with
 * Confluent framing (Apicurio), Avro with Glue framing uncompressed and zlib-compressed (moto), and the
 * JSON text the predecessor wrote. Schema ids come from the real registries and are cached before timing.
 */
import { DeleteSchemaCommand, GlueClient } from '@aws-sdk/client-glue';
import type { MetadataRequest, MetadataResult, MetadataStore } from '../src/enrich/index.ts';
import { buildRuntime } from '../src/runtime.ts';
import { ConfluentSerializer } from '../src/serde/confluent-serializer.ts';
import { GlueSerializer } from '../src/serde/glue-serializer.ts';
import type { Serializer } from '../src/serde/types.ts';
import { parseSnsRecord } from '../src/ses/index.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../src/stack/endpoints.ts';
import { benchStream, snsRecord } from './lib/events.ts';
import type { BenchContext, Benchmark, BenchReport } from './lib/report.ts';
import { benchEnv, endpoints, requireStack, uniqueName } from './lib/stack.ts';
import { fmt, fmtRatio, median, nowMs } from './lib/stats.ts';
import { AcceptingProducer } from './pipeline-cpu.ts';

/** Every email FOUND with the same four attributes: enrichment is not what this benchmark measures. */
class FixedMetadata implements MetadataStore {
  async lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>> {
    return new Map(
      requests.map((request) => [
        request.requestId,
        {
          status: 'FOUND',
          attributes: {
            campaign: 'spring-sale',
            template: 'spring-sale-v2',
            userId: 'u-4711',
            tenantId: 'acme',
          },
        },
      ]),
    );
  }
}

interface Variant {
  name: string;
  encode: (value: unknown) => Promise<Buffer>;
}

async function run(context: BenchContext): Promise<BenchReport> {
  await requireStack(['registry', 'moto']);
  const eventCount = context.quick ? 300 : 3000;
  const runs = context.runs ?? (context.quick ? 2 : 9);
  const topic = uniqueName('ses-bench-enc');
  const runtime = buildRuntime(benchEnv({ topic, dlqTopic: `${topic}-dlq`, table: 'unused' }), {
    producer: new AcceptingProducer(),
    metadata: new FixedMetadata(),
  });
  const stream = benchStream(eventCount, 41);
  const preview = await runtime.pipeline.preview(
    stream.messages.map((message, index) => ({
      id: String(index),
      parsed: parseSnsRecord(snsRecord(message, index)),
    })),
  );
  const values = preview.flatMap((item) => (item.record ? [item.record.value] : []));
  const schema = runtime.chain.outputValueSchema as object;
  const glueSchemaName = uniqueName('ses-bench-enc');
  const glueRegistry = {
    endpoint: endpoints.glueEndpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  };
  const glue = (compression: 'none' | 'zlib'): Serializer =>
    new GlueSerializer({
      registry: glueRegistry,
      registryName: 'default-registry',
      schemaName: glueSchemaName,
      autoRegister: true,
      compression,
    });
  const avro = (serializer: Serializer) => async (value: unknown) =>
    (await serializer.encode(value, schema, { topic })).bytes;
  const variants: Variant[] = [
    { name: 'JSON (predecessor)', encode: async (value) => Buffer.from(JSON.stringify(value)) },
    {
      name: 'Avro, Confluent framing',
      encode: avro(
        new ConfluentSerializer({ registry: { url: endpoints.registryUrl }, topic, autoRegister: true }),
      ),
    },
    { name: 'Avro, Glue framing', encode: avro(glue('none')) },
    { name: 'Avro, Glue framing + zlib', encode: avro(glue('zlib')) },
  ];
  try {
    const bytes = new Map<string, number>();
    for (const variant of variants) {
      // Registers the schema and caches its id; also the warm-up.
      let total = 0;
      for (const value of values) total += (await variant.encode(value)).length;
      bytes.set(variant.name, total / values.length);
    }
    const perRun: Array<Record<string, number>> = [];
    for (let index = 0; index < runs; index++) {
      const timings: Record<string, number> = {};
      // Rotate the order each run, so no variant always runs right after the same neighbour.
      for (let n = 0; n < variants.length; n++) {
        const variant = variants[(n + index) % variants.length] as Variant;
        const started = nowMs();
        for (const value of values) await variant.encode(value);
        timings[variant.name] = ((nowMs() - started) * 1000) / values.length;
      }
      perRun.push(timings);
    }
    const json = variants[0] as Variant;
    const rows: string[][] = [['encoding', 'bytes/event', 'µs/event', 'size vs JSON', 'time vs JSON']];
    const metrics: Record<string, number> = {};
    for (const variant of variants) {
      const us = median(perRun.map((timings) => timings[variant.name] as number));
      const timeRatio = median(perRun.map((t) => (t[variant.name] as number) / (t[json.name] as number)));
      const size = bytes.get(variant.name) as number;
      const sizeRatio = size / (bytes.get(json.name) as number);
      rows.push([variant.name, fmt(size), fmt(us), fmtRatio(sizeRatio), fmtRatio(timeRatio)]);
      const key = variant.name.replace(/[^A-Za-z]+/g, '_').replace(/_+$/, '');
      metrics[`${key}_bytesPerEvent`] = size;
      metrics[`${key}_usPerEvent`] = us;
      metrics[`${key}_timeVsJson`] = timeRatio;
    }
    return {
      name: 'encoding',
      title: 'Encoding: Avro (Confluent, Glue, Glue + zlib) vs JSON',
      method: `${values.length} enriched records after the example transform chain; each encoded ${runs} times per variant, order rotating run by run; medians. The Avro figures include framing and the (cached) schema-id lookup.`,
      table: rows,
      metrics,
      budgets: [],
      notes: [
        `Glue schema ${glueSchemaName} in moto's default-registry (deleted afterwards); Confluent subject ${topic}-value`,
      ],
      config: { events: values.length, runs, topic, glueSchemaName },
      runs: perRun,
    };
  } finally {
    await runtime.producer.close();
    const client = new GlueClient(glueRegistry);
    try {
      await client.send(
        new DeleteSchemaCommand({
          SchemaId: { RegistryName: 'default-registry', SchemaName: glueSchemaName },
        }),
      );
    } catch {
      // Best effort: the schema may not exist if registration failed.
    } finally {
      client.destroy();
    }
  }
}

export const encoding: Benchmark = {
  name: 'encoding',
  title: 'Encoding',
  run,
};
