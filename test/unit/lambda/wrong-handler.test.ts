import assert from 'node:assert/strict';
import type { EventBridgeEvent, SNSEvent, SQSEvent } from 'aws-lambda';
import { handleEventBridgeEvent } from '../../../src/lambda/eventbridge-handler.ts';
import { assertTrigger, triggerOf, WrongHandler } from '../../../src/lambda/invoke.ts';
import { handleSnsEvent } from '../../../src/lambda/sns-handler.ts';
import { handleSqsEvent } from '../../../src/lambda/sqs-handler.ts';
import { buildRuntime, type Runtime } from '../../../src/runtime.ts';
import { fixture, snsLambdaEvent, sqsLambdaEvent } from '../ses/helpers.ts';

/*
 * A function whose handler setting does not match its trigger must fail the invocation, naming the
 * handler to use: returning would drop the events without a trace. No server is needed: the handlers
 * throw before they touch Kafka, DynamoDB or a registry (the runtime points at a closed port).
 */
describe('lambda handlers: an event from another trigger fails the invocation and names the right handler', () => {
  let runtime: Runtime;
  const eventBridge = fixture('eventbridge/bounce.json').json as unknown as EventBridgeEvent<string, unknown>;
  const sns = snsLambdaEvent([fixture('event-publishing/send.json').text]);
  const sqs = sqsLambdaEvent([fixture('event-publishing/send.json').text], true);

  before(() => {
    runtime = buildRuntime({
      SES_KAFKA_BROKERS: '127.0.0.1:9',
      SES_KAFKA_TOPIC: 'unused',
      SES_KAFKA_REGISTRY_URL: 'http://127.0.0.1:9',
      SES_KAFKA_METADATA_ENABLED: 'false',
    });
  });
  after(() => runtime.producer.close());

  async function rejection(promise: Promise<unknown>): Promise<WrongHandler> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof WrongHandler, `expected WrongHandler, got ${String(error)}`);
      return error;
    }
    assert.fail('the handler returned instead of failing the invocation');
  }

  it('tells the triggers apart by shape', () => {
    assert.equal(triggerOf(eventBridge), 'eventbridge');
    assert.equal(triggerOf(sns), 'sns');
    assert.equal(triggerOf(sqs), 'sqs');
    for (const odd of [{}, null, 'text', { Records: 'x' }, { Records: [7] }, { Records: [] }]) {
      assert.equal(triggerOf(odd), undefined, JSON.stringify(odd));
    }
  });

  it('sqsHandler invoked by an EventBridge rule or SNS', async () => {
    const byRule = await rejection(handleSqsEvent(eventBridge as unknown as SQSEvent, undefined, runtime));
    assert.equal(
      byRule.message,
      "lambda.sqsHandler was invoked by EventBridge; set the function's handler to lambda.eventBridgeHandler",
    );
    assert.equal(byRule.code, 'LAMBDA_WRONG_HANDLER');
    assert.equal(byRule.stage, 'config');
    const bySns = await rejection(handleSqsEvent(sns as unknown as SQSEvent, undefined, runtime));
    assert.match(bySns.message, /invoked by SNS; set the function's handler to lambda\.snsHandler$/);
  });

  it('snsHandler invoked by SQS or an EventBridge rule', async () => {
    const bySqs = await rejection(handleSnsEvent(sqs as unknown as SNSEvent, undefined, runtime));
    assert.match(bySqs.message, /^lambda\.snsHandler was invoked by SQS; .* lambda\.sqsHandler$/);
    const byRule = await rejection(handleSnsEvent(eventBridge as unknown as SNSEvent, undefined, runtime));
    assert.match(byRule.message, /lambda\.eventBridgeHandler$/);
  });

  it('eventBridgeHandler invoked by SQS, or with an event of no known trigger', async () => {
    const bySqs = await rejection(
      handleEventBridgeEvent(sqs as unknown as EventBridgeEvent<string, unknown>, undefined, runtime),
    );
    assert.match(bySqs.message, /invoked by SQS; set the function's handler to lambda\.sqsHandler$/);
    const odd = await rejection(
      handleEventBridgeEvent({} as EventBridgeEvent<string, unknown>, undefined, runtime),
    );
    assert.equal(
      odd.message,
      'lambda.eventBridgeHandler was invoked with an event of no known trigger (expected an EventBridge event)',
    );
  });

  it('leaves odd records to the pipeline (each is dead-lettered on its own) and accepts an empty batch', async () => {
    assert.doesNotThrow(() => assertTrigger('sqs', { Records: [7, { body: '{}' }] }));
    assert.doesNotThrow(() => assertTrigger('sns', { Records: [] }));
    assert.deepEqual(await handleSqsEvent({ Records: [] }, undefined, runtime), { batchItemFailures: [] });
  });
});
