/**
 * docs/configuration.md, rendered from the settings declarations (src/config/settings.ts), so the doc
 * cannot drift from the code: `npm run docs:config` writes it, and a test fails when it is stale.
 */
import { stackEndpoints, stackPorts } from '../stack/endpoints.ts';
import { allSettings, SETTING_GROUPS, type SettingGroup, type SettingSpec } from './settings.ts';

/** The local stack on its default ports, whatever STACK_*_PORT the machine running this has set. */
const LOCAL_STACK = stackEndpoints(stackPorts({}));

const INTRODUCTION = `# Configuration reference

<!-- Generated from src/config/settings.ts by \`npm run docs:config\`; edit the declarations, not this file. -->

The Lambda handlers read these environment variables. Every \`ses-kafka\` command reads the same
variables, and takes the settings it uses as flags too (a flag wins over its variable): the same
setting has the same name, default and validation everywhere. \`--local\` fills every setting that is
still unset with the local stack's value (column "--local", for the stack's default ports).

A bad value stops start-up with an error that names the variable (or the flag it came from) and what
is expected, e.g. \`SES_KAFKA_AUTH: expected one of none, msk-iam, scram-sha-512, scram-sha-256, plain,
got "iam"\`. Secret settings are never taken as flags, logged, or echoed in an error.

**Secrets by reference.** Any variable whose whole value is an AWS Secrets Manager secret ARN
(\`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf\`, or \`...#jsonKey\` to take one key of a JSON
secret) or an SSM parameter ARN (\`arn:aws:ssm:REGION:ACCOUNT:parameter/NAME\`, SecureString decrypted) is
replaced by the secret's value once, at start-up (Lambda cold start, \`serve\` and \`replay\` start-up), and
cached for the life of the process. Use it for \`SES_KAFKA_PASSWORD\`, \`SES_KAFKA_REGISTRY_USERNAME\`,
\`SES_KAFKA_REGISTRY_PASSWORD\` and the HMAC key. A plain value still works, but then the secret sits in the
function's environment, where anyone allowed \`lambda:GetFunctionConfiguration\` can read it. Rotation: a
new value is read by the next process that starts (a new Lambda container, a restarted \`serve\`). The SDK's
own endpoint variables apply (\`AWS_ENDPOINT_URL_SECRETS_MANAGER\`, \`AWS_ENDPOINT_URL_SSM\`); the tests point
them at moto. \`register-schemas\` needs no secret at all.

The producer is idempotent, \`acks=all\`, one request in flight, does not create topics (\`ses-kafka topics
create\` does), and is created once per container. The key is \`mail.messageId\`; headers \`ses.eventType\`,
\`ses.eventId\`, \`schema.id\` and \`schema.version\` travel with each record. \`ses.eventId\` repeats the
\`eventId\` the value publishes (keyed when a HashField pseudonymises recipients); it is left out if a
transform removed \`eventId\`.

\`deploy/template.yaml\` sets every variable of the Kafka, registry, transforms, enrichment and runtime
groups from a stack parameter; a test fails when the code reads one the template does not set
(\`test/unit/deploy/template.test.ts\`).
`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function row(setting: SettingSpec<unknown>): string {
  const names = [setting.env, ...(setting.aliases ?? [])].map((name) => `\`${name}\``).join(' (or ');
  const variable = setting.aliases?.length ? `${names})` : names;
  const flag = setting.flag === undefined ? '' : `\`--${setting.flag}\``;
  const fallback = setting.defaultText === '' ? '' : setting.defaultText;
  const local = setting.local === undefined ? '' : `\`${setting.local(LOCAL_STACK)}\``;
  const doc = setting.secret ? `${setting.doc} **Secret.**` : setting.doc;
  return `| ${variable} | ${flag} | ${cell(fallback)} | ${local} | ${cell(doc)} |`;
}

export function renderConfigurationDoc(): string {
  const sections: string[] = [INTRODUCTION];
  for (const group of Object.keys(SETTING_GROUPS) as SettingGroup[]) {
    const settings = allSettings().filter(([, setting]) => setting.group === group);
    if (settings.length === 0) continue;
    sections.push(
      [
        `## ${SETTING_GROUPS[group]}`,
        '',
        '| variable | flag | default | --local | meaning |',
        '| --- | --- | --- | --- | --- |',
        ...settings.map(([, setting]) => row(setting)),
        '',
      ].join('\n'),
    );
  }
  return `${sections.join('\n').trimEnd()}\n`;
}
