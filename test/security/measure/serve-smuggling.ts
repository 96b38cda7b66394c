/**
 * Measurement for the security report, not a test. Posts the smuggling, staleness and replay variants to
 * a `serve` built from the source tree given (so the same script measures before and after a change) and
 * prints each HTTP status and the SES messageIds that reached the pipeline.
 *   npx tsx test/security/measure/serve-smuggling.ts <repository root>
 */
import * as fixtures from '../../unit/http/support/sns-fixtures.ts';

interface RecordedInput {
  id: string;
  parsed: { ok: boolean; event?: { mail: { messageId: string } }; error?: { code: string } };
}

const root = process.argv[2] ?? '.';
const { startServer } = (await import(
  `${root}/src/http/server.ts`
)) as typeof import('../../../src/http/server.ts');
const { pipelineNotificationHandler } = (await import(
  `${root}/src/http/pipeline-handler.ts`
)) as typeof import('../../../src/http/pipeline-handler.ts');

const reached: string[] = [];
const recordingPipeline = {
  async process(inputs: RecordedInput[]) {
    return inputs.map((input) => {
      reached.push(
        input.parsed.ok ? (input.parsed.event?.mail.messageId ?? '?') : `invalid:${input.parsed.error?.code}`,
      );
      return { id: input.id, disposition: { kind: 'produced', eventId: '-', eventType: '-', topic: '-' } };
    });
  },
};
const signing = fixtures.generateIdentity('sns-signing');
const tls = fixtures.generateIdentity('127.0.0.1');
const sns = await fixtures.startFakeSnsHost(signing, tls);
const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  allowedTopicArns: [fixtures.TOPIC_ARN],
  logger: fixtures.recordingLogger(),
  handleNotification: pipelineNotificationHandler(recordingPipeline as never),
  testOnlyTrust: { extraHosts: [sns.host], ca: tls.certPem },
});
const forged = fixtures.SES_DELIVERY.replace('0100018f-test-delivery', 'FORGED');
const genuine = (overrides: fixtures.Fields = {}) =>
  fixtures.signFields(fixtures.notificationFields(sns.certUrl, overrides), signing.keyPem, '2');
const replayed = genuine();
const variants: [string, unknown][] = [
  ['+ Sns', { ...genuine(), Sns: { Type: 'Notification', Message: forged } }],
  ['+ Records', { ...genuine(), Records: [{ EventSource: 'aws:sns', Sns: { Message: forged } }] }],
  ['+ body, messageId', { ...genuine(), body: forged, messageId: 'sqs-1' }],
  ['stale (2 h old)', genuine({ Timestamp: new Date(Date.now() - 7_200_000).toISOString() })],
  ['genuine', replayed],
  ['the same, replayed', replayed],
];
for (const [name, body] of variants) {
  reached.length = 0;
  const response = await fetch(server.url, { method: 'POST', body: JSON.stringify(body) });
  process.stdout.write(
    `${name.padEnd(20)} HTTP ${response.status}  reached the pipeline: ${JSON.stringify(reached)}\n`,
  );
}
await server.close();
await sns.close();
