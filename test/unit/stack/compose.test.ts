import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SCRAM_PASSWORD, SCRAM_USER, stackPorts } from '../../../src/stack/endpoints.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import { APICURIO_VERSION } from '../../../src/stack/services/apicurio.ts';
import { KAFKA_VERSION } from '../../../src/stack/services/kafka.ts';
import { MOTO_VERSION } from '../../../src/stack/services/moto.ts';

interface ComposeService {
  image: string;
  ports?: string[];
  environment?: Record<string, string>;
  command?: string[] | string;
}

const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};

function service(name: string): ComposeService {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no "${name}" service`);
  return found;
}

function hostPorts(name: string): number[] {
  return (service(name).ports ?? []).map((mapping) => Number(mapping.split(':')[0]));
}

describe('docker-compose.yml matches the native stack', () => {
  // Docker cannot run on CI machines, so this is what stops the two set-ups drifting apart.
  // The defaults, whatever STACK_*_PORT this run uses: docker-compose.yml publishes the defaults.
  const ports = stackPorts({});

  it('publishes every service on the stack default ports', () => {
    assert.deepEqual(hostPorts('kafka'), [ports.kafkaPlaintext, ports.kafkaScram, ports.kafkaOauth]);
    assert.deepEqual(hostPorts('registry'), [ports.registry]);
    assert.deepEqual(hostPorts('moto'), [ports.moto]);
    assert.deepEqual(hostPorts('dynamodb'), [ports.dynamodb]);
  });

  it('advertises the same Kafka listeners the native broker does', () => {
    const command = String(service('kafka').command);
    assert.match(
      command,
      new RegExp(
        `advertised\\.listeners=PLAINTEXT://127\\.0\\.0\\.1:${ports.kafkaPlaintext},SCRAM://127\\.0\\.0\\.1:${ports.kafkaScram},OAUTH://127\\.0\\.0\\.1:${ports.kafkaOauth}`,
      ),
    );
    assert.match(command, /sasl\.enabled\.mechanisms=SCRAM-SHA-512/);
    assert.match(command, /sasl\.enabled\.mechanisms=OAUTHBEARER/);
    assert.match(command, /log\.retention\.ms=-1/, 'test data carries past timestamps; keep it');
  });

  it('creates the same SCRAM user and password', () => {
    assert.equal(service('kafka').environment?.SCRAM_USER, SCRAM_USER);
    assert.equal(service('kafka').environment?.SCRAM_PASSWORD, SCRAM_PASSWORD);
    assert.match(
      String(service('kafka').command),
      /--add-scram "SCRAM-SHA-512=\[name=\$\$\{SCRAM_USER\},password=\$\$\{SCRAM_PASSWORD\}\]"/,
    );
  });

  it('pins the same server versions', () => {
    assert.equal(service('kafka').image, `apache/kafka:${KAFKA_VERSION}`);
    assert.equal(service('registry').image, `apicurio/apicurio-registry:${APICURIO_VERSION}`);
    assert.equal(service('moto').image, `motoserver/moto:${MOTO_VERSION}`);
  });
});
