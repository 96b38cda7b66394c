/**
 * Parquet file names carry where their rows came from, as Kafka Connect's S3 sink names its files:
 * `<topic>+<partition>+<first offset>+<last offset>.parquet`, offsets zero-padded to 10 digits so a
 * listing sorts by offset. Reading the same offsets again produces the same names, so a replay
 * overwrites files instead of adding copies; the range in the name also tells which older files a new
 * one replaces (see parquet-sink.ts).
 */

export interface FileRange {
  topic: string;
  partition: number;
  first: bigint;
  last: bigint;
}

const OFFSET_DIGITS = 10;

function padded(offset: bigint): string {
  return offset.toString().padStart(OFFSET_DIGITS, '0');
}

/** `index` > 0 only when one roll produced several files for the same folder. */
export function parquetFileName(range: FileRange, index = 0): string {
  const base = `${range.topic}+${range.partition}+${padded(range.first)}+${padded(range.last)}`;
  return index === 0 ? `${base}.parquet` : `${base}.${index}.parquet`;
}

// The topic may itself contain `+`, so the numbers are read from the right.
const NAME = /^(.+)\+(\d+)\+(\d+)\+(\d+)(?:\.\d+)?\.parquet$/;

/** The range a file name carries, or undefined for a file this sink did not name. */
export function parseParquetFileName(key: string): FileRange | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const match = NAME.exec(name);
  if (!match) return undefined;
  return {
    topic: match[1] as string,
    partition: Number(match[2]),
    first: BigInt(match[3] as string),
    last: BigInt(match[4] as string),
  };
}

export function rangesOverlap(a: FileRange, b: FileRange): boolean {
  return a.topic === b.topic && a.partition === b.partition && a.first <= b.last && b.first <= a.last;
}
