import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ALL_ENV_VARS, ENV_VAR_ALIASES } from '../../../src/config/env-vars.ts';
import { allSettings, SETTING_GROUPS } from '../../../src/config/settings.ts';
import { EMAIL_DETAIL_TYPES, SERVICE_DETAIL_TYPES } from '../../../src/ses/eventbridge.ts';
import {
  actionsOf,
  isObject,
  type Json,
  type JsonObject,
  objectAt,
  type ParameterValues,
  parseCfnYaml,
  policyStatements,
  readCfnTemplate,
  TemplateEvaluator,
} from './cfn-template.ts';
import { leastPrivilegeFindings } from './iam-findings.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEMPLATE_PATH = path.join(ROOT, 'deploy/template.yaml');
const template = readCfnTemplate(TEMPLATE_PATH);

/**
 * Variables declared in src/config/settings.ts that are not the Lambda's (serve, the CLI's log format,
 * the local stack), so the template need not set them; the reason is the group they are declared in.
 */
const NOT_DEPLOYED: Readonly<Record<string, string>> = Object.fromEntries(
  allSettings()
    .filter(([, setting]) => !ALL_ENV_VARS.includes(setting.env))
    .map(([, setting]) => [
      setting.env,
      `declared as a ${SETTING_GROUPS[setting.group]} setting, not a deploy parameter`,
    ]),
);

/** Variables the Lambda code reads that reach it without the template; the template must not set them. */
const PROVIDED_WITHOUT_TEMPLATE: Readonly<Record<string, string>> = {
  AWS_REGION: 'set by the Lambda runtime (reserved; a template cannot set it)',
  AWS_DEFAULT_REGION: 'set by the Lambda runtime (reserved; a template cannot set it)',
  LOG_LEVEL: 'an older alias of POWERTOOLS_LOG_LEVEL, which the template sets',
  SES_KAFKA_BUNDLED_VERSION: 'written into the bundle by `npm run package` (esbuild define)',
};

/** Every action the function's role may hold across all parameter choices; anything else is a finding. */
const FUNCTION_ACTIONS = [
  'kafka-cluster:Connect',
  'kafka-cluster:WriteDataIdempotently',
  'kafka-cluster:DescribeTopic',
  'kafka-cluster:WriteData',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'glue:GetRegistry',
  'glue:GetSchemaByDefinition',
  'glue:GetSchemaVersion',
  'glue:CreateSchema',
  'glue:RegisterSchemaVersion',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:SendMessage',
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
].sort();

const FUNCTION_ROLE_POLICIES = ['FunctionRole', 'VpcNetworkInterfacesPolicy'];

const CLUSTER_ARN =
  'arn:aws:kafka:eu-central-1:444455556666:cluster/ses-msk/0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff-2';
const REQUIRED: ParameterValues = {
  KafkaBrokers: 'b-1.ses-msk.kafka.eu-central-1.amazonaws.com:9098',
  KafkaTopic: 'ses-events',
  MskClusterArn: CLUSTER_ARN,
  SubnetIds: 'subnet-0aaa,subnet-0bbb',
  SecurityGroupIds: 'sg-0ccc',
};

function evaluator(values: ParameterValues = {}): TemplateEvaluator {
  return new TemplateEvaluator(template, { ...REQUIRED, ...values });
}

/** Statements the function runs with: its role's policies, not the role's trust policy. */
function permissionStatements(resources: JsonObject) {
  return policyStatements({ Resources: resources }).filter(
    ({ where }) => !where.endsWith('AssumeRolePolicyDocument'),
  );
}

/** The function role's allowed actions mapped to their resources, as deployed with these values. */
function grants(values: ParameterValues = {}): Map<string, string[]> {
  const deployed = evaluator(values);
  const result = new Map<string, string[]>();
  for (const id of FUNCTION_ROLE_POLICIES) {
    const resource = deployed.resource(id);
    assert.ok(resource, `${id} is always deployed`);
    for (const { statement } of permissionStatements({ [id]: resource })) {
      assert.equal(statement.Effect, 'Allow');
      const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(
        String,
      );
      for (const action of actionsOf(statement))
        result.set(action, [...(result.get(action) ?? []), ...resources]);
    }
  }
  return result;
}

const TRIGGER_MODES = ['sns', 'sqs', 'eventbridge', 'eventbridge-sqs'];

function queuePolicyStatements(deployed: TemplateEvaluator, id: string): JsonObject[] {
  return objectAt(deployed.resource(id) ?? {}, 'Properties', 'PolicyDocument').Statement as JsonObject[];
}

function functionEnvironment(): JsonObject {
  return objectAt(template, 'Resources', 'Function', 'Properties', 'Environment', 'Variables');
}

function refsIn(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!isObject(value)) return [];
  const own = typeof value.Ref === 'string' ? [value.Ref] : [];
  const sub = value['Fn::Sub'];
  const subRefs =
    typeof sub === 'string' || (Array.isArray(sub) && typeof sub[0] === 'string')
      ? [...String(Array.isArray(sub) ? sub[0] : sub).matchAll(/\$\{([^}.!]+)\}/g)].map((m) => m[1] as string)
      : [];
  return [...own, ...subRefs, ...Object.values(value).flatMap(refsIn)];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const SES_KAFKA_NAME = /\bSES_KAFKA_[A-Z0-9_]+\b/g;

/** Names of our settings in source text; a name ending in `_` is a prefix in a message, not a variable. */
function sesKafkaNames(text: string): string[] {
  return [...text.matchAll(SES_KAFKA_NAME)].map((m) => m[0]).filter((name) => !name.endsWith('_'));
}

describe('deploy/template.yaml', () => {
  describe('least privilege', () => {
    it('has no wildcard, NotAction, Scan or ReadData in any policy statement', () => {
      assert.deepEqual(leastPrivilegeFindings(template), []);
    });

    it('the check catches what the predecessor had', () => {
      const bad = parseCfnYaml(`
Conditions:
  On: !Equals [a, a]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - !If
          - On
          - PolicyName: old
            PolicyDocument:
              Statement:
                - { Effect: Allow, Action: ['kafka-cluster:*Topic*', kafka-cluster:ReadData], Resource: '*' }
                - { Effect: Allow, Action: !If [On, dynamodb:Scan, 'sqs:*'], Resource: '*' }
                - { Effect: Allow, NotAction: iam:PassRole, Resource: '*' }
          - !Ref AWS::NoValue
`);
      const findings = leastPrivilegeFindings(bad);
      assert.deepEqual(
        findings.map((finding) => finding.replace(/^.*?: /, '')),
        [
          'wildcard action "kafka-cluster:*Topic*"',
          'kafka-cluster:ReadData is not needed by a producer',
          'dynamodb:Scan is not needed by a producer',
          'wildcard action "sqs:*"',
          'NotAction grants every action it does not list; list the actions instead',
        ],
      );
    });

    it("the function's role holds exactly the listed actions across every parameter choice", () => {
      const actions = new Set<string>();
      for (const id of FUNCTION_ROLE_POLICIES) {
        for (const { statement } of permissionStatements({ [id]: objectAt(template, 'Resources', id) })) {
          for (const action of actionsOf(statement)) actions.add(action);
        }
      }
      assert.deepEqual([...actions].sort(), FUNCTION_ACTIONS);
    });

    it('only the VPC network-interface policy uses Resource "*"', () => {
      const deployed = evaluator({ TriggerMode: 'sqs', SchemaAutoRegister: 'true' }).resource('FunctionRole');
      assert.ok(deployed);
      for (const { statement } of permissionStatements({ FunctionRole: deployed })) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        assert.ok(!resources.includes('*'), `${actionsOf(statement).join(', ')} on "*"`);
      }
    });

    it('scopes MSK IAM to the cluster, the topic and the DLQ topic derived from the cluster ARN', () => {
      const topicPrefix =
        'arn:aws:kafka:eu-central-1:444455556666:topic/ses-msk/0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff-2';
      const byDefault = grants();
      assert.deepEqual(byDefault.get('kafka-cluster:Connect'), [CLUSTER_ARN]);
      assert.deepEqual(byDefault.get('kafka-cluster:WriteDataIdempotently'), [CLUSTER_ARN]);
      assert.deepEqual(byDefault.get('kafka-cluster:WriteData'), [
        `${topicPrefix}/ses-events`,
        `${topicPrefix}/ses-events.dlq`,
      ]);
      assert.deepEqual(
        byDefault.get('kafka-cluster:DescribeTopic'),
        byDefault.get('kafka-cluster:WriteData'),
      );
      const namedDlq = grants({ KafkaDlqTopic: 'ses-dead-letters' });
      assert.deepEqual(namedDlq.get('kafka-cluster:WriteData'), [
        `${topicPrefix}/ses-events`,
        `${topicPrefix}/ses-dead-letters`,
      ]);
    });

    it('may read exactly the secrets given as ARNs, and none when values are given', () => {
      const secret = 'arn:aws:secretsmanager:eu-central-1:444455556666:secret:kafka-scram-AbCdEf';
      const registry = 'arn:aws:secretsmanager:eu-central-1:444455556666:secret:registry-GhIjKl';
      const parameter = 'arn:aws:ssm:eu-central-1:444455556666:parameter/ses-kafka/hmac-key';
      const plain = grants({ KafkaPassword: 'plain:password:secretsmanager', HashFieldKey: 'x'.repeat(40) });
      assert.equal(plain.has('secretsmanager:GetSecretValue'), false);
      assert.equal(plain.has('ssm:GetParameter'), false);
      const byArn = grants({
        KafkaPassword: secret,
        RegistryPassword: `${registry}#password`,
        HashFieldKey: parameter,
      });
      assert.deepEqual(byArn.get('secretsmanager:GetSecretValue'), [secret, registry]);
      assert.deepEqual(byArn.get('ssm:GetParameter'), [parameter]);
    });

    it('grants no kafka-cluster action without MSK IAM', () => {
      const scram = grants({ KafkaAuth: 'scram-sha-512', MskClusterArn: '' });
      assert.deepEqual(
        [...scram.keys()].filter((action) => action.startsWith('kafka-cluster:')),
        [],
      );
    });

    it('reads only the metadata table, and its index when the gsi strategy names one', () => {
      const table = 'arn:aws:dynamodb:eu-west-1:111122223333:table/ses_my_poc';
      const byDefault = grants();
      for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']) {
        assert.deepEqual(byDefault.get(action), [table]);
      }
      const gsi = grants({ MetadataKeyStrategy: 'gsi', MetadataGsiName: 'by-message-id' });
      assert.deepEqual(gsi.get('dynamodb:Query'), [table, `${table}/index/by-message-id`]);
      const off = grants({ MetadataEnabled: 'false' });
      assert.deepEqual(
        [...off.keys()].filter((action) => action.startsWith('dynamodb:')),
        [],
      );
    });

    it('lets Glue register schemas only when auto-registration is on, and never for Confluent', () => {
      const registry = 'arn:aws:glue:eu-west-1:111122223333:registry/default-registry';
      const off = grants();
      assert.deepEqual(off.get('glue:GetSchemaByDefinition'), [
        registry,
        `${registry.replace('registry/', 'schema/')}/ses-events`,
      ]);
      assert.equal(off.has('glue:CreateSchema'), false);
      assert.equal(off.has('glue:RegisterSchemaVersion'), false);
      const on = grants({ SchemaAutoRegister: 'true', GlueSchemaName: 'ses-email-event' });
      assert.deepEqual(on.get('glue:RegisterSchemaVersion'), [
        registry,
        'arn:aws:glue:eu-west-1:111122223333:schema/default-registry/ses-email-event',
      ]);
      const confluent = grants({ SchemaRegistry: 'confluent', SchemaAutoRegister: 'true' });
      assert.deepEqual(
        [...confluent.keys()].filter((action) => action.startsWith('glue:')),
        [],
      );
    });
  });

  describe('configuration drift', () => {
    it('sets none of the variables that reach the function without it', () => {
      const environment = functionEnvironment();
      assert.deepEqual(
        Object.keys(PROVIDED_WITHOUT_TEMPLATE).filter((name) => name in environment),
        [],
      );
    });

    it('sets every variable the settings loaders read', () => {
      const environment = functionEnvironment();
      const missing = ALL_ENV_VARS.filter((name) => !(name in environment));
      assert.deepEqual(missing, [], 'add a parameter and an Environment entry for each');
    });

    it('never sets an old alias instead of its new name', () => {
      const environment = functionEnvironment();
      assert.deepEqual(
        Object.keys(ENV_VAR_ALIASES).filter((alias) => alias in environment),
        [],
      );
    });

    it('maps each SES_KAFKA_* variable from a parameter', () => {
      const parameters = objectAt(template, 'Parameters');
      for (const [name, value] of Object.entries(functionEnvironment())) {
        if (!name.startsWith('SES_KAFKA_')) continue;
        const fromParameters = refsIn(value).filter((ref) => ref in parameters);
        assert.ok(fromParameters.length > 0, `${name} is hard-coded; map it from a parameter`);
      }
    });

    it('sets each SES_KAFKA_* name found in src/, or lists it with the reason it need not', () => {
      const environment = functionEnvironment();
      const unset = new Set<string>();
      for (const file of sourceFiles(path.join(ROOT, 'src'))) {
        for (const name of sesKafkaNames(readFileSync(file, 'utf8'))) {
          if (!(name in environment) && !(name in NOT_DEPLOYED) && !(name in PROVIDED_WITHOUT_TEMPLATE)) {
            unset.add(`${name} (${path.relative(ROOT, file)})`);
          }
        }
      }
      assert.deepEqual([...unset], []);
    });

    it('sets no SES_KAFKA_* variable that nothing in src/ reads', () => {
      const mentioned = new Set(
        sourceFiles(path.join(ROOT, 'src')).flatMap((f) => sesKafkaNames(readFileSync(f, 'utf8'))),
      );
      const unread = Object.keys(functionEnvironment()).filter(
        (name) => name.startsWith('SES_KAFKA_') && !mentioned.has(name),
      );
      assert.deepEqual(unread, [], 'a parameter nothing reads is a setting that silently does nothing');
    });

    it('covers every process.env read and SES_KAFKA_* name in the Lambda bundle', async function () {
      this.timeout(60_000);
      const result = await build({
        entryPoints: [path.join(ROOT, 'src/lambda/index.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const ownFiles = Object.keys(result.metafile.inputs).filter((input) => input.startsWith('src/'));
      assert.ok(ownFiles.includes('src/lambda/index.ts'));
      const environment = functionEnvironment();
      const uncovered = new Set<string>();
      for (const file of ownFiles) {
        const text = readFileSync(path.join(ROOT, file), 'utf8');
        const read = [
          ...[...text.matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string),
          ...[...text.matchAll(/process\.env\[['"]([A-Za-z0-9_]+)['"]\]/g)].map((m) => m[1] as string),
          ...sesKafkaNames(text),
        ];
        for (const name of read) {
          if (!(name in environment) && !(name in PROVIDED_WITHOUT_TEMPLATE) && !(name in NOT_DEPLOYED))
            uncovered.add(`${name} (${file})`);
        }
      }
      assert.deepEqual([...uncovered], []);
    });
  });

  describe('function and triggers', () => {
    it('runs the packaged bundle on nodejs22.x arm64 in the VPC with reserved concurrency', () => {
      const fn = evaluator().resource('Function');
      assert.ok(fn);
      const props = objectAt(fn, 'Properties');
      assert.equal(
        path.resolve(path.dirname(TEMPLATE_PATH), String(props.CodeUri)),
        path.join(ROOT, 'dist/lambda.zip'),
      );
      assert.equal(props.Runtime, 'nodejs22.x');
      assert.deepEqual(props.Architectures, ['arm64']);
      assert.equal(props.ReservedConcurrentExecutions, '10');
      assert.deepEqual(props.VpcConfig, {
        SubnetIds: ['subnet-0aaa', 'subnet-0bbb'],
        SecurityGroupIds: ['sg-0ccc'],
      });
    });

    it('sns mode: snsHandler, a subscription, and failures to the on-failure queue', () => {
      const sns = evaluator({ TriggerMode: 'sns' });
      assert.equal(objectAt(sns.resource('Function') ?? {}, 'Properties').Handler, 'lambda.snsHandler');
      const invokeConfig = objectAt(sns.resource('AsyncInvokeConfig') ?? {}, 'Properties');
      assert.deepEqual(invokeConfig.DestinationConfig, {
        OnFailure: { Destination: '<FailedInvocationsQueue.Arn>' },
      });
      const subscription = objectAt(sns.resource('SnsToFunctionSubscription') ?? {}, 'Properties');
      assert.equal(subscription.Protocol, 'lambda');
      assert.equal(subscription.TopicArn, '<EventsTopic>');
      for (const id of ['EventsQueue', 'EventsDeadLetterQueue', 'QueueEventSourceMapping']) {
        assert.equal(sns.resource(id), undefined, `${id} exists only in sqs mode`);
      }
    });

    it('sqs mode: sqsHandler, batch item failures, a batching window and a redrive DLQ', () => {
      const sqs = evaluator({
        TriggerMode: 'sqs',
        SqsMaximumBatchingWindowSeconds: '5',
        SqsMaxReceiveCount: '3',
      });
      assert.equal(objectAt(sqs.resource('Function') ?? {}, 'Properties').Handler, 'lambda.sqsHandler');
      const mapping = objectAt(sqs.resource('QueueEventSourceMapping') ?? {}, 'Properties');
      assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
      assert.equal(mapping.MaximumBatchingWindowInSeconds, '5');
      assert.equal(mapping.EventSourceArn, '<EventsQueue.Arn>');
      const queue = objectAt(sqs.resource('EventsQueue') ?? {}, 'Properties');
      assert.deepEqual(queue.RedrivePolicy, {
        deadLetterTargetArn: '<EventsDeadLetterQueue.Arn>',
        maxReceiveCount: '3',
      });
      const subscription = objectAt(sqs.resource('SnsToQueueSubscription') ?? {}, 'Properties');
      assert.equal(subscription.Endpoint, '<EventsQueue.Arn>');
      for (const id of ['AsyncInvokeConfig', 'SnsToFunctionSubscription', 'FailedInvocationsQueue']) {
        assert.equal(sqs.resource(id), undefined, `${id} exists only in sns mode`);
      }
    });

    it('an existing topic is used as given and no topic is created', () => {
      const existing = 'arn:aws:sns:eu-west-1:111122223333:ses-events';
      const deployed = evaluator({ EventsTopicArn: existing });
      assert.equal(deployed.resource('EventsTopic'), undefined);
      assert.equal(
        objectAt(deployed.resource('SnsToFunctionSubscription') ?? {}, 'Properties').TopicArn,
        existing,
      );
    });

    it('the optional SES configuration set sends every event type to the events topic', () => {
      assert.equal(evaluator().resource('SesEventDestination'), undefined);
      const deployed = evaluator({ CreateSesConfigurationSet: 'true' });
      const destination = objectAt(
        deployed.resource('SesEventDestination') ?? {},
        'Properties',
        'EventDestination',
      );
      assert.deepEqual([...(destination.MatchingEventTypes as string[])].sort(), [
        'bounce',
        'click',
        'complaint',
        'delivery',
        'deliveryDelay',
        'open',
        'reject',
        'renderingFailure',
        'send',
        'subscription',
      ]);
      assert.deepEqual(destination.SnsDestination, { TopicARN: '<EventsTopic>' });
    });

    it('every resource a deployed resource refers to is deployed too, in every trigger mode', () => {
      for (const mode of TRIGGER_MODES) {
        const variants: ParameterValues[] = [
          {},
          { CreateSesConfigurationSet: 'true', ServiceEventsTopic: 'ses-service' },
        ];
        for (const values of variants) {
          const deployed = evaluator({ TriggerMode: mode, ...values });
          const ids = Object.keys(objectAt(template, 'Resources'));
          const present = new Set(ids.filter((id) => deployed.resource(id) !== undefined));
          for (const id of present) {
            const text = JSON.stringify(deployed.resource(id));
            for (const [, target] of text.matchAll(/<([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?>/g)) {
              assert.ok(
                present.has(target as string),
                `${mode}: ${id} refers to ${target}, which is not deployed`,
              );
            }
          }
        }
      }
    });

    it('eventbridge mode: a rule on the default bus invokes eventBridgeHandler; failures to the on-failure queue', () => {
      const eb = evaluator({ TriggerMode: 'eventbridge', EventBridgeMaximumRetryAttempts: '20' });
      assert.equal(
        objectAt(eb.resource('Function') ?? {}, 'Properties').Handler,
        'lambda.eventBridgeHandler',
      );
      const rule = objectAt(eb.resource('SesEventsRule') ?? {}, 'Properties');
      assert.equal(rule.EventBusName, 'default');
      assert.deepEqual(rule.EventPattern, { source: ['aws.ses'], 'detail-type': [...EMAIL_DETAIL_TYPES] });
      assert.deepEqual(rule.Targets, [
        {
          Id: 'ses-kafka-producer',
          Arn: '<Function.Arn>',
          RetryPolicy: { MaximumRetryAttempts: '20', MaximumEventAgeInSeconds: '86400' },
          DeadLetterConfig: { Arn: '<FailedInvocationsQueue.Arn>' },
        },
      ]);
      const permission = objectAt(eb.resource('EventBridgeInvokePermission') ?? {}, 'Properties');
      assert.equal(permission.Principal, 'events.amazonaws.com');
      assert.equal(permission.SourceArn, '<SesEventsRule.Arn>');
      assert.deepEqual(objectAt(eb.resource('AsyncInvokeConfig') ?? {}, 'Properties').DestinationConfig, {
        OnFailure: { Destination: '<FailedInvocationsQueue.Arn>' },
      });
      assert.deepEqual(queuePolicyStatements(eb, 'FailedInvocationsQueuePolicy'), [
        {
          Sid: 'EventBridgeDeadLettersUndeliverableEvents',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: '<FailedInvocationsQueue.Arn>',
          Condition: { ArnEquals: { 'aws:SourceArn': '<SesEventsRule.Arn>' } },
        },
      ]);
      for (const id of [
        'EventsTopic',
        'SnsToFunctionSubscription',
        'SnsInvokePermission',
        'EventsQueue',
        'QueueEventSourceMapping',
      ]) {
        assert.equal(eb.resource(id), undefined, `${id} is not deployed in eventbridge mode`);
      }
      const actions = grants({ TriggerMode: 'eventbridge' });
      assert.deepEqual(actions.get('sqs:SendMessage'), ['<FailedInvocationsQueue.Arn>']);
      assert.equal(actions.has('sqs:ReceiveMessage'), false);
    });

    it('eventbridge-sqs mode: rule -> queue -> sqsHandler with batch item failures; one DLQ for both failures', () => {
      const ebSqs = evaluator({ TriggerMode: 'eventbridge-sqs' });
      assert.equal(objectAt(ebSqs.resource('Function') ?? {}, 'Properties').Handler, 'lambda.sqsHandler');
      const rule = objectAt(ebSqs.resource('SesEventsRule') ?? {}, 'Properties');
      const [target] = rule.Targets as JsonObject[];
      assert.equal(target?.Arn, '<EventsQueue.Arn>');
      assert.deepEqual(target?.DeadLetterConfig, { Arn: '<EventsDeadLetterQueue.Arn>' });
      const mapping = objectAt(ebSqs.resource('QueueEventSourceMapping') ?? {}, 'Properties');
      assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
      assert.deepEqual(objectAt(ebSqs.resource('EventsQueue') ?? {}, 'Properties').RedrivePolicy, {
        deadLetterTargetArn: '<EventsDeadLetterQueue.Arn>',
        maxReceiveCount: '5',
      });
      for (const [policy, queue] of [
        ['EventsQueuePolicy', 'EventsQueue'],
        ['EventsDeadLetterQueuePolicy', 'EventsDeadLetterQueue'],
      ]) {
        const [statement] = queuePolicyStatements(ebSqs, policy as string);
        assert.deepEqual(statement?.Principal, { Service: 'events.amazonaws.com' }, policy);
        assert.equal(statement?.Resource, `<${queue}.Arn>`);
        assert.deepEqual(statement?.Condition, { ArnEquals: { 'aws:SourceArn': '<SesEventsRule.Arn>' } });
      }
      for (const id of [
        'EventsTopic',
        'SnsToQueueSubscription',
        'EventBridgeInvokePermission',
        'AsyncInvokeConfig',
        'FailedInvocationsQueue',
      ]) {
        assert.equal(ebSqs.resource(id), undefined, `${id} is not deployed in eventbridge-sqs mode`);
      }
      const actions = grants({ TriggerMode: 'eventbridge-sqs' });
      assert.deepEqual(actions.get('sqs:ReceiveMessage'), ['<EventsQueue.Arn>']);
      assert.equal(actions.has('sqs:SendMessage'), false);
    });

    it('lets EventBridge use the stack key only in the EventBridge modes', () => {
      const principals = (mode: string) =>
        (
          objectAt(evaluator({ TriggerMode: mode }).resource('StackKey') ?? {}, 'Properties', 'KeyPolicy')
            .Statement as JsonObject[]
        ).map((statement) => JSON.stringify(statement.Principal));
      for (const mode of ['eventbridge', 'eventbridge-sqs']) {
        assert.ok(principals(mode).includes('{"Service":"events.amazonaws.com"}'), mode);
      }
      for (const mode of ['sns', 'sqs']) {
        assert.ok(!principals(mode).includes('{"Service":"events.amazonaws.com"}'), mode);
      }
    });

    it('with a service-events topic the rule also takes the service events, and MSK IAM may write that topic', () => {
      const deployed = evaluator({ TriggerMode: 'eventbridge', ServiceEventsTopic: 'ses-service-events' });
      const pattern = objectAt(deployed.resource('SesEventsRule') ?? {}, 'Properties', 'EventPattern');
      assert.deepEqual(pattern['detail-type'], [...EMAIL_DETAIL_TYPES, ...SERVICE_DETAIL_TYPES]);
      assert.equal(
        objectAt(deployed.resource('Function') ?? {}, 'Properties', 'Environment', 'Variables')
          .SES_KAFKA_SERVICE_EVENTS_TOPIC,
        'ses-service-events',
      );
      const topics =
        grants({ ServiceEventsTopic: 'ses-service-events' }).get('kafka-cluster:WriteData') ?? [];
      assert.deepEqual(
        topics.map((arn) => arn.slice(arn.lastIndexOf('/') + 1)),
        ['ses-events', 'ses-events.dlq', 'ses-service-events'],
      );
    });

    it('the optional SES configuration set publishes to the default bus in the EventBridge modes', () => {
      for (const mode of ['eventbridge', 'eventbridge-sqs']) {
        const deployed = evaluator({ TriggerMode: mode, CreateSesConfigurationSet: 'true' });
        const destination = objectAt(
          deployed.resource('SesEventDestination') ?? {},
          'Properties',
          'EventDestination',
        );
        assert.deepEqual(destination.EventBridgeDestination, {
          EventBusArn: 'arn:aws:events:eu-west-1:111122223333:event-bus/default',
        });
        assert.equal(destination.SnsDestination, undefined);
        assert.equal((destination.MatchingEventTypes as string[]).length, 10);
      }
    });
  });
});
