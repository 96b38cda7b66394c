import assert from 'node:assert/strict';
import { createCertificateStore } from '../../../src/http/certificate-store.ts';
import { parseSnsHttpMessage, type SnsHttpMessage } from '../../../src/http/sns-message.ts';
import { verifySnsSignature } from '../../../src/http/verify-signature.ts';
import {
  confirmationFields,
  type Fields,
  generateIdentity,
  type Identity,
  notificationFields,
  signFields,
} from './support/sns-fixtures.ts';

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-unit.pem';
const SUBSCRIBE_URL = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t';

function asMessage(fields: Fields): SnsHttpMessage {
  const parsed = parseSnsHttpMessage(JSON.stringify(fields));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.message;
}

describe('http: SNS signature verification', function () {
  this.timeout(30_000);
  let signing: Identity;
  let stranger: Identity;
  const fetched: string[] = [];
  const store = () =>
    createCertificateStore({
      fetchPem: async (url) => {
        fetched.push(url.href);
        return signing.certPem;
      },
    });

  before(() => {
    signing = generateIdentity('sns-signing-unit');
    stranger = generateIdentity('someone-else');
  });
  beforeEach(() => {
    fetched.length = 0;
  });

  for (const version of ['1', '2'] as const) {
    it(`accepts a genuinely signed SignatureVersion ${version} notification, with and without Subject`, async () => {
      const certificates = store();
      const withSubject = asMessage(signFields(notificationFields(CERT_URL), signing.keyPem, version));
      assert.deepEqual(await verifySnsSignature(withSubject, certificates), { ok: true });
      const { Subject: _omit, ...noSubject } = notificationFields(CERT_URL);
      assert.deepEqual(
        await verifySnsSignature(asMessage(signFields(noSubject, signing.keyPem, version)), certificates),
        {
          ok: true,
        },
      );
    });

    for (const type of ['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const) {
      it(`accepts a genuinely signed SignatureVersion ${version} ${type}`, async () => {
        const message = asMessage(
          signFields(confirmationFields(type, CERT_URL, SUBSCRIBE_URL), signing.keyPem, version),
        );
        assert.deepEqual(await verifySnsSignature(message, store()), { ok: true });
      });
    }
  }

  it('refuses a message whose signed fields were changed after signing', async () => {
    const signed = signFields(notificationFields(CERT_URL), signing.keyPem, '2');
    for (const field of ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn']) {
      const altered = { ...signed, [field]: `${signed[field]}x` };
      const check = await verifySnsSignature(asMessage(altered), store());
      assert.deepEqual(
        check,
        { ok: false, kind: 'forged', reason: 'Signature: does not match the message' },
        field,
      );
    }
    const { Subject: _dropped, ...withoutSubject } = signed;
    assert.equal((await verifySnsSignature(asMessage(withoutSubject), store())).ok, false);
    const confirmation = signFields(
      confirmationFields('SubscriptionConfirmation', CERT_URL, SUBSCRIBE_URL),
      signing.keyPem,
      '1',
    );
    for (const field of ['Token', 'SubscribeURL']) {
      const altered = { ...confirmation, [field]: `${confirmation[field]}x` };
      assert.equal((await verifySnsSignature(asMessage(altered), store())).ok, false, field);
    }
  });

  it('refuses a signature made with another key, and one checked under the other digest', async () => {
    const forged = asMessage(signFields(notificationFields(CERT_URL), stranger.keyPem, '2'));
    assert.equal((await verifySnsSignature(forged, store())).ok, false);
    const v1AsV2 = {
      ...signFields(notificationFields(CERT_URL), signing.keyPem, '1'),
      SignatureVersion: '2',
    };
    assert.equal((await verifySnsSignature(asMessage(v1AsV2), store())).ok, false);
  });

  it('refuses an unknown SignatureVersion and a non-base64 Signature without fetching anything', async () => {
    const signed = signFields(notificationFields(CERT_URL), signing.keyPem, '2');
    const v3 = await verifySnsSignature(asMessage({ ...signed, SignatureVersion: '3' }), store());
    assert.deepEqual(v3, {
      ok: false,
      kind: 'forged',
      reason: 'SignatureVersion: expected "1" or "2", got "3"',
    });
    const garbled = await verifySnsSignature(asMessage({ ...signed, Signature: 'not base64!' }), store());
    assert.deepEqual(garbled, { ok: false, kind: 'forged', reason: 'Signature: not base64' });
    assert.deepEqual(fetched, []);
  });

  it('refuses an untrusted certificate URL without fetching it', async () => {
    for (const url of ['http://sns.us-east-1.amazonaws.com/c.pem', 'https://evil.example/c.pem']) {
      const message = asMessage(signFields(notificationFields(url), signing.keyPem, '2'));
      const check = await verifySnsSignature(message, store());
      assert.equal(check.ok, false);
      if (!check.ok) assert.match(check.reason, /^SigningCertURL: /);
    }
    assert.deepEqual(fetched, []);
  });

  it('refuses when the certificate is not valid at the time of checking', async () => {
    const message = asMessage(signFields(notificationFields(CERT_URL), signing.keyPem, '2'));
    const check = await verifySnsSignature(message, store(), undefined, new Date('2100-01-01T00:00:00Z'));
    assert.equal(check.ok, false);
    if (!check.ok) assert.match(check.reason, /certificate not valid now/);
  });

  it('fetches each certificate once, shares a fetch between concurrent checks, and retries a failed fetch after a pause', async () => {
    const certificates = store();
    const messages = [1, 2, 3].map(() =>
      asMessage(signFields(notificationFields(CERT_URL), signing.keyPem, '2')),
    );
    const checks = await Promise.all(messages.map((m) => verifySnsSignature(m, certificates)));
    assert.deepEqual(checks, [{ ok: true }, { ok: true }, { ok: true }]);
    assert.deepEqual(fetched, [CERT_URL]);

    let failures = 1;
    let attempts = 0;
    const flaky = createCertificateStore({
      failureTtlMs: 200,
      fetchPem: async () => {
        attempts++;
        if (failures-- > 0) throw new Error('connect ECONNREFUSED');
        return signing.certPem;
      },
    });
    const first = await verifySnsSignature(messages[0] as SnsHttpMessage, flaky);
    assert.deepEqual(first, {
      ok: false,
      kind: 'unavailable',
      reason: 'signing certificate /SimpleNotificationService-unit.pem: connect ECONNREFUSED',
      repeated: false,
    });
    // Within the failure TTL the failure is remembered: no second fetch.
    const second = await verifySnsSignature(messages[0] as SnsHttpMessage, flaky);
    assert.equal(second.ok === false && second.kind === 'unavailable' && second.repeated, true);
    assert.equal(attempts, 1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.deepEqual(await verifySnsSignature(messages[0] as SnsHttpMessage, flaky), { ok: true });
    assert.equal(attempts, 2);
  });

  it('refuses as forged a certificate URL that serves no certificate', async () => {
    const junk = createCertificateStore({ fetchPem: async () => '<html>not a cert</html>' });
    const message = asMessage(signFields(notificationFields(CERT_URL), signing.keyPem, '2'));
    const check = await verifySnsSignature(message, junk);
    assert.equal(check.ok, false);
    if (!check.ok) {
      assert.equal(check.kind, 'forged');
      assert.match(check.reason, /not a single PEM X\.509 certificate/);
    }
  });
});
