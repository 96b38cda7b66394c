/**
 * The pipeline inputs of one archived record (one top-level JSON value), with ids that say where it
 * was. Shared by replay and by its worker threads (prepare-worker.ts), which must name inputs alike.
 */
import { describeError } from '../errors.ts';
import { redactEmail } from '../observability/logger.ts';
import type { PipelineInput } from '../pipeline.ts';
import { type ParseOutcome, parseJsonValue } from '../ses/index.ts';
import { invalidSes } from '../ses/ses-message.ts';
import type { JsonValueText } from './json-values.ts';

/** One record read from an archive object, and the object's label (file path or s3:// URL). */
export interface ArchiveRecord {
  label: string;
  value: JsonValueText;
}

/** Where in its object a record is, for input ids: `line 3`, `line 1 record 7` (Firehose), `[12]`. */
function recordLocation(value: JsonValueText): string {
  if (value.arrayIndex !== undefined) return `[${value.arrayIndex}]`;
  return value.onLine === 1 ? `line ${value.line}` : `line ${value.line} record ${value.onLine}`;
}

/**
 * The pipeline inputs of one record: usually one; a Lambda event in the archive gives one per record
 * in it. Text that is not JSON fails here as a whole document would in the parser, with the message
 * cut so no address in the text reaches it.
 */
export function recordInputs(label: string, value: JsonValueText): PipelineInput[] {
  const where = `${label} ${recordLocation(value)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.text);
  } catch (error) {
    const outcome: ParseOutcome = {
      ok: false,
      error: invalidSes(`(root): not JSON (${redactEmail(describeError(error))})`, 'SES_NOT_JSON'),
      envelope: {},
      raw: value.text,
    };
    return [{ id: where, parsed: outcome }];
  }
  const outcomes = parseJsonValue(parsed, value.text);
  return outcomes.map((outcome) => ({
    id: outcome.location === undefined ? where : `${where} ${outcome.location}`,
    parsed: outcome,
  }));
}
