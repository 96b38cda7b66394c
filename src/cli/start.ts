import path from 'node:path';
import type { Command } from 'commander';
import { printMainJobResult, runMainJob } from '../demo/main-job.ts';
import { describeError } from '../errors.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run the main job end to end on the local stack: register the schema, seed DynamoDB, send a mixed SES stream through the Lambda handler, load the warehouse, print a summary',
    )
    .option('--emails <n>', 'how many emails the generated stream covers', '400')
    .option('--batch-size <n>', 'SQS messages per Lambda invocation', '100')
    .option('--out <dir>', 'where the DuckDB warehouse and the HTML report go', 'output')
    .action(async (flags: { emails: string; batchSize: string; out: string }) => {
      const emails = Number(flags.emails);
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(emails) || emails < 1)
        throw new Error(`--emails: expected a positive whole number, got "${flags.emails}"`);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
        throw new Error(`--batch-size: expected a whole number from 1 to 10000, got "${flags.batchSize}"`);
      }
      try {
        const result = await runMainJob({
          emails,
          batchSize,
          outDir: path.resolve(flags.out),
          log: console.log,
        });
        printMainJobResult(result, console.log);
        if (result.notWritten > 0 || result.consumed !== result.produced) process.exitCode = 1;
      } catch (error) {
        console.error(`npm start failed: ${describeError(error)}`);
        process.exitCode = 1;
      }
    });
}
