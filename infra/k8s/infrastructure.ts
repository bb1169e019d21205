import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEAD_LETTER_RETENTION_MS } from '@atlas/catalog';
import { SERVICE_DATABASES } from '@atlas/config';
import { DLQ_TOPICS, EVENT_TOPICS } from '@atlas/events';
import { EVENT_TOPIC_PARTITIONS } from '@atlas/messaging';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { VERSIONS } from '../local/versions.ts';
import type { YamlMap } from './yaml.ts';

export const INFRA_NAMESPACE = 'atlas-infra';
/** Strimzi 1.x serves only its `v1` API (KRaft and node pools always); pinned with the operator in the kind runbook. */
export const STRIMZI_API = 'kafka.strimzi.io/v1';
/** The Strimzi `Kafka` resource's name: its bootstrap Service is `<name>-kafka-bootstrap`. */
export const KAFKA_CLUSTER = 'atlas';

/**
 * The Secrets `k8s/create-secrets.sh` makes (never committed), by namespace, name and keys: the
 * manifests may reference only these, which `npm run k8s:check` holds them to.
 */
export const SECRETS = {
  'atlas-erp': {
    'atlas-postgres': ['url'],
    'atlas-payment-webhook': ['secret'],
  },
  'atlas-infra': {
    'atlas-postgres-admin': ['password'],
    'atlas-keycloak-admin': ['username', 'password'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

/**
 * Images of the infrastructure, pinned; the two that also run locally follow the local version.
 * PostgreSQL and Redis are the majors the reference machine runs.
 */
export const INFRA_IMAGES = {
  postgres: 'docker.io/library/postgres:16.10-alpine',
  redis: 'docker.io/library/redis:7.4.6-alpine',
  apicurio: `quay.io/apicurio/apicurio-registry:${VERSIONS.apicurio}`,
  keycloak: `quay.io/keycloak/keycloak:${VERSIONS.keycloak}`,
} as const;

/** Where kind publishes Keycloak: the issuer of every token a user gets from outside. */
export const KEYCLOAK_NODE_PORT = 30180;
export const KEYCLOAK_HOST_PORT = 18180;
export const KEYCLOAK_PUBLIC_URL = `http://127.0.0.1:${KEYCLOAK_HOST_PORT}`;

const PART_OF = { 'app.kubernetes.io/part-of': 'atlas-erp' };

function labels(name: string): YamlMap {
  return { 'app.kubernetes.io/name': name, ...PART_OF };
}

/** Non-root, no privilege escalation, no capabilities, the runtime's seccomp profile. */
export function restrictedSecurityContext(user: number, readOnlyRoot: boolean): YamlMap {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: readOnlyRoot,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function service(name: string, port: number, extra: YamlMap = {}): YamlMap {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: INFRA_NAMESPACE, labels: labels(name) },
    spec: {
      selector: { 'app.kubernetes.io/name': name },
      ports: [{ name: 'main', port, targetPort: port }],
      ...extra,
    },
  };
}

function singlePodDeployment(name: string, podSpec: YamlMap): YamlMap {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: INFRA_NAMESPACE, labels: labels(name) },
    spec: {
      replicas: 1,
      // One instance holding state in memory: never two side by side during a rollout.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: { metadata: { labels: labels(name) }, spec: podSpec },
    },
  };
}

export function namespaces(): YamlMap[] {
  return ['atlas-erp', INFRA_NAMESPACE].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: PART_OF },
  }));
}

/**
 * One KRaft node as both controller and broker (a Strimzi node pool), its listener on 9092 inside
 * the cluster; the Kafka version is the default of the Strimzi release installed. The entity operator's topic
 * operator reconciles the KafkaTopics below.
 */
export function kafka(): YamlMap[] {
  return [
    {
      apiVersion: STRIMZI_API,
      kind: 'KafkaNodePool',
      metadata: {
        name: 'dual-role',
        namespace: INFRA_NAMESPACE,
        labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, ...PART_OF },
      },
      spec: {
        replicas: 1,
        roles: ['controller', 'broker'],
        storage: { type: 'persistent-claim', size: '2Gi', deleteClaim: false },
        resources: { requests: { cpu: '250m', memory: '768Mi' }, limits: { memory: '1Gi' } },
      },
    },
    {
      apiVersion: STRIMZI_API,
      kind: 'Kafka',
      metadata: {
        name: KAFKA_CLUSTER,
        namespace: INFRA_NAMESPACE,
        labels: PART_OF,
      },
      spec: {
        kafka: {
          listeners: [{ name: 'plain', port: 9092, type: 'internal', tls: false }],
          config: {
            'offsets.topic.replication.factor': 1,
            'transaction.state.log.replication.factor': 1,
            'transaction.state.log.min.isr': 1,
            'default.replication.factor': 1,
            'min.insync.replicas': 1,
            // As locally: topics exist because they are declared, never because a client asked.
            'auto.create.topics.enable': false,
          },
        },
        entityOperator: { topicOperator: {} },
      },
    },
  ];
}

/** Every event and dead-letter topic, as `ensureTopics` creates them locally. */
export function kafkaTopics(): YamlMap[] {
  const topic = (name: string, partitions: number, config: YamlMap): YamlMap => ({
    apiVersion: STRIMZI_API,
    kind: 'KafkaTopic',
    metadata: {
      name,
      namespace: INFRA_NAMESPACE,
      labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, ...PART_OF },
    },
    spec: { topicName: name, partitions, replicas: 1, config },
  });
  return [
    ...Object.values(EVENT_TOPICS).map((name) => topic(name, EVENT_TOPIC_PARTITIONS, {})),
    ...Object.values(DLQ_TOPICS).map((name) =>
      topic(name, 1, { 'retention.ms': DEAD_LETTER_RETENTION_MS }),
    ),
  ];
}

/** One PostgreSQL server holding the five databases, created on first start from the catalog. */
export function postgres(): YamlMap[] {
  const databases = Object.values(SERVICE_DATABASES)
    .map((database) => `CREATE DATABASE ${database};`)
    .join('\n');
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'postgres-init', namespace: INFRA_NAMESPACE, labels: labels('postgres') },
      data: { '01-databases.sql': `${databases}\n` },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'postgres', namespace: INFRA_NAMESPACE, labels: labels('postgres') },
      spec: {
        serviceName: 'postgres',
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } },
        template: {
          metadata: { labels: labels('postgres') },
          spec: {
            // The alpine image's postgres user.
            securityContext: { fsGroup: 70 },
            containers: [
              {
                name: 'postgres',
                image: INFRA_IMAGES.postgres,
                ports: [{ containerPort: 5432 }],
                env: [
                  {
                    name: 'POSTGRES_PASSWORD',
                    valueFrom: { secretKeyRef: { name: 'atlas-postgres-admin', key: 'password' } },
                  },
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                ],
                readinessProbe: {
                  exec: { command: ['pg_isready', '-U', 'postgres'] },
                  periodSeconds: 5,
                },
                securityContext: restrictedSecurityContext(70, true),
                resources: {
                  requests: { cpu: '100m', memory: '256Mi' },
                  limits: { memory: '512Mi' },
                },
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/postgresql/data' },
                  { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
                  { name: 'run', mountPath: '/var/run/postgresql' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'init', configMap: { name: 'postgres-init' } },
              { name: 'run', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '2Gi' } },
            },
          },
        ],
      },
    },
    service('postgres', 5432),
  ];
}

/** Redis as locally: idempotency keys and caches, nothing kept on disk. */
export function redis(): YamlMap[] {
  return [
    singlePodDeployment('redis', {
      containers: [
        {
          name: 'redis',
          image: INFRA_IMAGES.redis,
          args: ['--save', '', '--appendonly', 'no'],
          ports: [{ containerPort: 6379 }],
          readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 5 },
          securityContext: restrictedSecurityContext(999, true),
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
    }),
    service('redis', 6379),
  ];
}

/**
 * Apicurio Registry with in-memory storage, as locally (ADR-0019): a restart forgets the schemas,
 * which must then be registered again (docs/DEPLOYMENT.md says how).
 */
export function apicurio(): YamlMap[] {
  return [
    singlePodDeployment('apicurio', {
      containers: [
        {
          name: 'apicurio',
          image: INFRA_IMAGES.apicurio,
          ports: [{ containerPort: 8080 }],
          env: [
            { name: 'APICURIO_STORAGE_KIND', value: 'sql' },
            { name: 'APICURIO_STORAGE_SQL_KIND', value: 'h2' },
            { name: 'APICURIO_CCOMPAT_LEGACY_ID_MODE_ENABLED', value: 'false' },
            { name: 'JAVA_OPTS_APPEND', value: '-Xmx256m' },
          ],
          readinessProbe: {
            httpGet: { path: '/apis/ccompat/v7/subjects', port: 8080 },
            periodSeconds: 5,
          },
          securityContext: restrictedSecurityContext(1001, true),
          resources: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '512Mi' } },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    }),
    service('apicurio', 8080),
  ];
}

/**
 * Keycloak importing the atlas-erp realm on start. Its hostname is the address kind publishes
 * (`KEYCLOAK_PUBLIC_URL`), so every token names that issuer whether a user fetched it from outside
 * or a test from inside; the back channel stays dynamic so the functions fetch the keys through
 * the in-cluster Service.
 */
export function keycloak(): YamlMap[] {
  const realm = readFileSync(join(REPO_ROOT, 'infra', 'keycloak', 'atlas-erp-realm.json'), 'utf8');
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'keycloak-realm', namespace: INFRA_NAMESPACE, labels: labels('keycloak') },
      data: { 'atlas-erp-realm.json': realm },
    },
    singlePodDeployment('keycloak', {
      containers: [
        {
          name: 'keycloak',
          image: INFRA_IMAGES.keycloak,
          args: ['start-dev', '--import-realm'],
          ports: [{ containerPort: 8080 }],
          env: [
            { name: 'KC_HOSTNAME', value: KEYCLOAK_PUBLIC_URL },
            { name: 'KC_HOSTNAME_BACKCHANNEL_DYNAMIC', value: 'true' },
            { name: 'KC_HEALTH_ENABLED', value: 'true' },
            {
              name: 'KC_BOOTSTRAP_ADMIN_USERNAME',
              valueFrom: { secretKeyRef: { name: 'atlas-keycloak-admin', key: 'username' } },
            },
            {
              name: 'KC_BOOTSTRAP_ADMIN_PASSWORD',
              valueFrom: { secretKeyRef: { name: 'atlas-keycloak-admin', key: 'password' } },
            },
            { name: 'JAVA_OPTS_APPEND', value: '-Xmx512m' },
          ],
          readinessProbe: {
            httpGet: { path: '/realms/atlas-erp/.well-known/openid-configuration', port: 8080 },
            periodSeconds: 10,
          },
          securityContext: restrictedSecurityContext(1000, false),
          resources: { requests: { cpu: '200m', memory: '640Mi' }, limits: { memory: '1Gi' } },
          volumeMounts: [{ name: 'realm', mountPath: '/opt/keycloak/data/import', readOnly: true }],
        },
      ],
      volumes: [{ name: 'realm', configMap: { name: 'keycloak-realm' } }],
    }),
    service('keycloak', 8080),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'keycloak-public', namespace: INFRA_NAMESPACE, labels: labels('keycloak') },
      spec: {
        type: 'NodePort',
        selector: { 'app.kubernetes.io/name': 'keycloak' },
        // kind-cluster.yaml maps this node port to KEYCLOAK_PUBLIC_URL on the host.
        ports: [{ name: 'main', port: 8080, targetPort: 8080, nodePort: KEYCLOAK_NODE_PORT }],
      },
    },
  ];
}

/** The infrastructure's manifests, by file name under `k8s/generated/infra/`. */
export function renderInfrastructure(): Map<string, YamlMap[]> {
  return new Map([
    ['namespaces.yaml', namespaces()],
    ['kafka.yaml', kafka()],
    ['kafka-topics.yaml', kafkaTopics()],
    ['postgres.yaml', postgres()],
    ['redis.yaml', redis()],
    ['apicurio.yaml', apicurio()],
    ['keycloak.yaml', keycloak()],
  ]);
}
