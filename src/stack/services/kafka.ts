import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { readSetting } from '../../config/settings.ts';
import { SCRAM_PASSWORD, SCRAM_USER, STACK_HOST, stackEndpoints, stackPorts } from '../endpoints.ts';
import { CACHE_DIR, serviceRunDir } from '../paths.ts';
import { requireJava, requireMaven } from '../prerequisites.ts';
import { isPortOpen, runInstallStep } from '../processes.ts';
import type { StackService } from './service.ts';

/**
 * 4.1.x is the newest line whose broker, kafka-clients and log4j2 set resolve together from Maven
 * Central here; 4.1.2 is its latest patch release.
 */
export const KAFKA_VERSION = readSetting(process.env, 'stackKafkaVersion') as string;
/** Kafka 4.1 is built against this log4j2 release; the binding must match it. */
const LOG4J_VERSION = '2.24.3';

const installDir = () => path.join(CACHE_DIR, `kafka-${KAFKA_VERSION}`);
const runDir = () => serviceRunDir('kafka');

function pom(): string {
  const dependency = (groupId: string, artifactId: string, version: string) =>
    `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.stack</groupId>
  <artifactId>kafka-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dependency('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION)}
${dependency('org.apache.logging.log4j', 'log4j-core', LOG4J_VERSION)}
${dependency('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}
  </dependencies>
</project>
`;
}

function serverProperties(dataDir: string): string {
  const ports = stackPorts();
  const host = STACK_HOST;
  return `# Written by \`ses-kafka stack up\`: one KRaft node acting as broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${host}:${ports.kafkaController}
listeners=PLAINTEXT://${host}:${ports.kafkaPlaintext},CONTROLLER://${host}:${ports.kafkaController},SCRAM://${host}:${ports.kafkaScram},OAUTH://${host}:${ports.kafkaOauth}
advertised.listeners=PLAINTEXT://${host}:${ports.kafkaPlaintext},SCRAM://${host}:${ports.kafkaScram},OAUTH://${host}:${ports.kafkaOauth}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SCRAM:SASL_PLAINTEXT,OAUTH:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.name.scram.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.scram.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
# Kafka's unsecured JWS validator: any well-formed unsigned token is accepted. For testing the token path only.
listener.name.oauth.sasl.enabled.mechanisms=OAUTHBEARER
listener.name.oauth.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker";
log.dirs=${dataDir}
num.partitions=3
# As on MSK: nothing creates a topic by using it. \`ses-kafka topics create\` (or --local) creates them.
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Keep everything: test data carries SES timestamps from the past, and time-based retention would
# delete it as soon as it was written.
log.retention.ms=-1
`;
}

const LOG4J2_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
`;

function classpath(): string {
  return `${path.join(installDir(), 'lib')}${path.sep}*`;
}

/** A KRaft cluster id: 16 random bytes, url-safe base64 without padding, as StorageTool expects. */
function newClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}

export const kafkaService: StackService = {
  name: 'kafka',
  description: `Apache Kafka ${KAFKA_VERSION} (KRaft, single node)`,
  startTimeoutMs: 90_000,

  endpoints() {
    const endpoints = stackEndpoints();
    return {
      plaintext: endpoints.kafkaBrokers,
      'sasl-scram-sha-512': endpoints.kafkaScramBrokers,
      'sasl-oauthbearer': endpoints.kafkaOauthBrokers,
    };
  },

  ports() {
    const ports = stackPorts();
    return [ports.kafkaPlaintext, ports.kafkaController, ports.kafkaScram, ports.kafkaOauth];
  },

  async install(log) {
    const dir = installDir();
    const marker = path.join(dir, '.installed');
    if (existsSync(marker)) return;
    requireJava();
    requireMaven();
    log(`downloading Kafka ${KAFKA_VERSION} jars from Maven Central (first run only)`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'pom.xml'), pom());
    await runInstallStep(
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=lib', '-DincludeScope=runtime'],
      { cwd: dir },
    );
    writeFileSync(marker, new Date().toISOString());
  },

  async prepareLaunch() {
    requireJava();
    const dir = runDir();
    const dataDir = path.join(dir, 'data');
    mkdirSync(dir, { recursive: true });
    const propertiesFile = path.join(dir, 'server.properties');
    const log4jFile = path.join(dir, 'log4j2.properties');
    writeFileSync(propertiesFile, serverProperties(dataDir));
    writeFileSync(log4jFile, LOG4J2_PROPERTIES);
    const jvmLogging = [`-Dlog4j2.configurationFile=${log4jFile}`, `-Dkafka.logs.dir=${dir}`];
    if (!existsSync(path.join(dataDir, 'meta.properties'))) {
      await runInstallStep('java', [
        ...jvmLogging,
        '-cp',
        classpath(),
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        newClusterId(),
        '--config',
        propertiesFile,
        '--add-scram',
        `SCRAM-SHA-512=[name=${SCRAM_USER},password=${SCRAM_PASSWORD}]`,
        '--ignore-formatted',
      ]);
    }
    return {
      command: 'java',
      args: [
        '-Xms256m',
        `-Xmx${readSetting(process.env, 'stackKafkaHeap')}`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        ...jvmLogging,
        '-cp',
        classpath(),
        'kafka.Kafka',
        propertiesFile,
      ],
      cwd: dir,
    };
  },

  async healthy() {
    const ports = stackPorts();
    for (const port of [ports.kafkaScram, ports.kafkaOauth]) {
      if (!(await isPortOpen(STACK_HOST, port))) return false;
    }
    const kafka = new Kafka({
      clientId: 'stack-health',
      brokers: [stackEndpoints().kafkaBrokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
