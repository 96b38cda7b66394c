import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readSetting } from '../../config/settings.ts';
import { STACK_HOST, stackEndpoints, stackPorts } from '../endpoints.ts';
import { serviceRunDir } from '../paths.ts';
import type { StackService } from './service.ts';

const require = createRequire(import.meta.url);

/** dynalite implements the DynamoDB API on LevelDB; in memory unless STACK_DYNAMODB_PATH names a folder. */
export const dynaliteService: StackService = {
  name: 'dynamodb',
  description: 'dynalite (DynamoDB API, in memory)',
  startTimeoutMs: 30_000,

  endpoints() {
    return { 'aws-endpoint': stackEndpoints().dynamodbEndpoint };
  },

  ports() {
    return [stackPorts().dynamodb];
  },

  async install() {
    try {
      require.resolve('dynalite/cli.js');
    } catch {
      throw new Error('dynalite is not installed: run `npm ci` in the repository first');
    }
  },

  async prepareLaunch() {
    const runDir = serviceRunDir('dynamodb');
    mkdirSync(runDir, { recursive: true });
    const args = [
      require.resolve('dynalite/cli.js'),
      '--host',
      STACK_HOST,
      '--port',
      String(stackPorts().dynamodb),
    ];
    args.push('--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0');
    const dataPath = readSetting(process.env, 'stackDynamodbPath');
    if (dataPath !== undefined) args.push('--path', path.resolve(dataPath));
    return { command: process.execPath, args, cwd: runDir };
  },

  async healthy() {
    const response = await fetch(stackEndpoints().dynamodbEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        'x-amz-date': '20200101T000000Z',
      },
      body: '{}',
      signal: AbortSignal.timeout(1500),
    });
    return response.ok;
  },
};
