/**
 * Appends one JSON line per event to a file, and undecodable records to a sibling
 * `<name>.decode-errors.jsonl`. A file cannot be updated in place, so "upsert" means: an eventId (or
 * topic/partition/offset for errors) already in the file is not written again; the first copy wins.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TopicPartitionOffset } from '../kafka/consumer-port.ts';
import { WarehouseError } from './errors.ts';
import { type DecodeErrorRow, decodeErrorsOf, eventsOf, type SinkBatch } from './model.ts';
import { batchEnds, type Sink, UNBUFFERED } from './sink.ts';

export function decodeErrorsPathFor(file: string): string {
  return file.endsWith('.jsonl')
    ? `${file.slice(0, -'.jsonl'.length)}.decode-errors.jsonl`
    : `${file}.decode-errors.jsonl`;
}

function errorKey(row: DecodeErrorRow): string {
  return `${row.kafka_topic}/${row.kafka_partition}/${row.kafka_offset}`;
}

/** Keys of the lines already in `file`; a torn last line (crash mid-write) is skipped, not fatal. */
async function existingKeys(
  file: string,
  keyOf: (line: Record<string, unknown>) => string | undefined,
): Promise<Set<string>> {
  const keys = new Set<string>();
  const stream = createReadStream(file, 'utf8');
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.trim() === '') continue;
      try {
        const key = keyOf(JSON.parse(line) as Record<string, unknown>);
        if (key !== undefined) keys.add(key);
      } catch {
        // A partial line from an interrupted append; its record was never committed, so it is re-read.
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return keys;
}

export class JsonlSink implements Sink {
  readonly description: string;
  readonly flush = UNBUFFERED.flush;
  readonly retain = UNBUFFERED.retain;

  private constructor(
    private readonly events: FileHandle,
    private readonly errors: FileHandle,
    private readonly seenEvents: Set<string>,
    private readonly seenErrors: Set<string>,
    file: string,
  ) {
    this.description = `jsonl ${file}`;
  }

  static async open(file: string): Promise<JsonlSink> {
    const path = resolve(file);
    const errorsPath = decodeErrorsPathFor(path);
    try {
      await mkdir(dirname(path), { recursive: true });
      const seenEvents = await existingKeys(path, (line) =>
        typeof line.event_id === 'string' ? line.event_id : undefined,
      );
      const seenErrors = await existingKeys(errorsPath, (line) => errorKey(line as DecodeErrorRow));
      return new JsonlSink(await open(path, 'a'), await open(errorsPath, 'a'), seenEvents, seenErrors, path);
    } catch (error) {
      throw new WarehouseError(
        'WAREHOUSE_JSONL_OPEN_FAILED',
        `cannot open ${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async write(batch: SinkBatch): Promise<readonly TopicPartitionOffset[]> {
    const eventLines: string[] = [];
    const newEvents = new Set<string>();
    for (const { event, recipients } of eventsOf(batch)) {
      const id = String(event.event_id);
      if (this.seenEvents.has(id) || newEvents.has(id)) continue;
      newEvents.add(id);
      const { raw_value, ...columns } = event;
      eventLines.push(
        JSON.stringify({
          ...columns,
          recipients: recipients.map(({ event_id: _id, ...recipient }) => recipient),
          raw_value,
        }),
      );
    }
    const errorLines: string[] = [];
    const newErrors = new Set<string>();
    for (const row of decodeErrorsOf(batch)) {
      const key = errorKey(row);
      if (this.seenErrors.has(key) || newErrors.has(key)) continue;
      newErrors.add(key);
      errorLines.push(JSON.stringify(row));
    }
    try {
      await appendDurably(this.events, eventLines);
      await appendDurably(this.errors, errorLines);
    } catch (error) {
      throw new WarehouseError('WAREHOUSE_WRITE_FAILED', `JSONL write failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const id of newEvents) this.seenEvents.add(id);
    for (const key of newErrors) this.seenErrors.add(key);
    return batchEnds(batch);
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.errors.close();
  }
}

async function appendDurably(handle: FileHandle, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await handle.appendFile(`${lines.join('\n')}\n`, 'utf8');
  await handle.datasync();
}
