import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FIXTURE_DIR } from '../../unit/ses/helpers.ts';

/** `ses-kafka parse` as a process, with EventBridge input: the "done when" as a user runs it. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('ses-kafka parse (CLI) with EventBridge input', function () {
  this.timeout(60_000);

  function runCli(args: string[]) {
    return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'parse', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, SES_KAFKA_LOG_PII: 'false' },
    });
  }

  it('prints the same event as for the SNS payload, and exits 0 with a note for a service event', () => {
    const sns = runCli([`${FIXTURE_DIR}event-publishing/bounce.json`]);
    const eventBridge = runCli([
      `${FIXTURE_DIR}eventbridge/bounce.json`,
      `${FIXTURE_DIR}eventbridge-service/sending-status-disabled.json`,
    ]);
    assert.equal(eventBridge.status, 0, eventBridge.stderr);
    assert.equal(eventBridge.stdout, sns.stdout);
    assert.equal(
      eventBridge.stderr,
      `${FIXTURE_DIR}eventbridge-service/sending-status-disabled.json: note: detail-type: "Sending Status Disabled" is an SES service event about the account or a tenant, not about an email; filtered (set SES_KAFKA_SERVICE_EVENTS_TOPIC to keep service events in a topic)\n`,
    );
    const service = runCli([`${FIXTURE_DIR}eventbridge-service/advisor-recommendation-open.json`]);
    assert.equal(service.status, 0);
    assert.equal(service.stdout, '');
  });

  it('exits 1 for a contradicting event and names both types', () => {
    const result = runCli([`${FIXTURE_DIR}malformed/eventbridge-detail-type-mismatch.json`]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /SES_DETAIL_TYPE_MISMATCH: detail-type: "Email Delivered" stands for eventType Delivery, but detail\.eventType is "Bounce"/,
    );
  });
});
