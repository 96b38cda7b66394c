/** `readReportData` + `renderReportHtml` + write: what `ses-kafka report` runs. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type ReportData, readReportData } from './data.ts';
import { renderReportHtml } from './html.ts';

export interface WrittenReport {
  path: string;
  bytes: number;
  data: ReportData;
}

export async function writeReport(dbFile: string, outFile: string): Promise<WrittenReport> {
  const data = await readReportData(dbFile);
  const html = renderReportHtml(data);
  const path = resolve(outFile);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html, 'utf8');
  return { path, bytes: Buffer.byteLength(html), data };
}
