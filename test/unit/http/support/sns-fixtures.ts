/**
 * Test-side SNS: a locally generated RSA key and self-signed certificate, messages signed the way SNS
 * signs them (the canonical string is spelled out here, independently of src/http/string-to-sign.ts),
 * and a local HTTPS "SNS host" that serves the certificate and answers ConfirmSubscription.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Identity {
  keyPem: string;
  certPem: string;
}

/** A fresh RSA-2048 key and a self-signed certificate for 127.0.0.1, made with the openssl CLI. */
export function generateIdentity(commonName: string, extraArgs: string[] = []): Identity {
  const dir = mkdtempSync(join(tmpdir(), 'sns-test-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        ...extraArgs,
      ],
      { stdio: 'pipe' },
    );
    return { keyPem: readFileSync(keyFile, 'utf8'), certPem: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Fields = Record<string, string>;

/** The SNS string to sign, written out per type from the AWS documentation's field lists. */
export function canonicalForTest(message: Fields): string {
  const line = (name: string) => (message[name] === undefined ? '' : `${name}\n${message[name]}\n`);
  if (message.Type === 'Notification') {
    return (
      line('Message') +
      line('MessageId') +
      line('Subject') +
      line('Timestamp') +
      line('TopicArn') +
      line('Type')
    );
  }
  return (
    line('Message') +
    line('MessageId') +
    line('SubscribeURL') +
    line('Timestamp') +
    line('Token') +
    line('TopicArn') +
    line('Type')
  );
}

export function signFields(message: Fields, keyPem: string, version: '1' | '2'): Fields {
  const digest = version === '1' ? 'sha1' : 'sha256';
  const signature = sign(digest, Buffer.from(canonicalForTest(message), 'utf8'), keyPem).toString('base64');
  return { ...message, SignatureVersion: version, Signature: signature };
}

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-events';

export const SES_DELIVERY = JSON.stringify({
  eventType: 'Delivery',
  mail: {
    timestamp: '2026-01-05T10:00:00.000Z',
    messageId: '0100018f-test-delivery',
    source: 'sender@example.com',
    destination: ['rcpt@example.com'],
  },
  delivery: { timestamp: '2026-01-05T10:00:01.000Z', recipients: ['rcpt@example.com'] },
});

export function notificationFields(certUrl: string, overrides: Fields = {}): Fields {
  return {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: TOPIC_ARN,
    Subject: 'Amazon SES Email Event Notification',
    Message: SES_DELIVERY,
    Timestamp: new Date().toISOString(),
    SigningCertURL: certUrl,
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
    ...overrides,
  };
}

export function confirmationFields(
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
  certUrl: string,
  subscribeUrl: string,
  overrides: Fields = {},
): Fields {
  return {
    Type: type,
    MessageId: randomUUID(),
    Token: 'token-0123456789abcdef',
    TopicArn: TOPIC_ARN,
    Message: `You have chosen to subscribe to the topic ${TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: subscribeUrl,
    Timestamp: new Date().toISOString(),
    SigningCertURL: certUrl,
    ...overrides,
  };
}

export const CERT_PATH = '/SimpleNotificationService-local.pem';

/** A local HTTPS host standing in for sns.<region>.amazonaws.com. */
export interface FakeSnsHost {
  /** `127.0.0.1:<port>`, for SnsTestTrust.extraHosts. */
  host: string;
  origin: string;
  certUrl: string;
  tlsCaPem: string;
  certificateFetches: number;
  /** Every request the host received, whatever its path. */
  requests: number;
  confirmations: URL[];
  /** Status the ConfirmSubscription call answers with. */
  confirmStatus: number;
  close(): Promise<void>;
}

export async function startFakeSnsHost(signing: Identity, tls: Identity): Promise<FakeSnsHost> {
  const state = { certificateFetches: 0, requests: 0, confirmations: [] as URL[], confirmStatus: 200 };
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    state.requests += 1;
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (req.method === 'GET' && url.pathname === CERT_PATH) {
      state.certificateFetches += 1;
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      res.end(signing.certPem);
      return;
    }
    if (req.method === 'GET' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      state.confirmations.push(url);
      res.writeHead(state.confirmStatus, { 'content-type': 'text/xml' });
      res.end(
        '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>' +
          `${url.searchParams.get('TopicArn')}:sub-1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
      );
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake = {
    host,
    origin: `https://${host}`,
    certUrl: `https://${host}${CERT_PATH}`,
    tlsCaPem: tls.certPem,
    get certificateFetches() {
      return state.certificateFetches;
    },
    get requests() {
      return state.requests;
    },
    get confirmations() {
      return state.confirmations;
    },
    get confirmStatus() {
      return state.confirmStatus;
    },
    set confirmStatus(value: number) {
      state.confirmStatus = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}

/** A logger that keeps what it was told, so tests stay quiet and can check what was logged. */
export function recordingLogger() {
  const lines: { level: string; message: string; extra: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: unknown[]) => {
      lines.push({ level, message, extra });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
