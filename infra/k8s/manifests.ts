import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../local/lib/paths.ts';
import {
  DELIVERY_POLICY,
  functionUrlVariable,
  isoDuration,
  type CatalogEntry,
} from '@atlas/catalog';
import {
  INFRA_NAMESPACE,
  KAFKA_CLUSTER,
  KEYCLOAK_PUBLIC_URL,
  restrictedSecurityContext,
} from './infrastructure.ts';
import type { YamlMap, YamlValue } from './yaml.ts';

export const NAMESPACE = 'atlas-erp';
export const GATEWAY_NODE_PORT = 30080;
/** The images' user: `nonroot` of the distroless Node.js base (ADR-0040). */
const IMAGE_USER = 65532;
// The services without a database of their own: they get no PostgreSQL credentials.
const WITHOUT_DATABASE = new Set(['gateway', 'ops']);
// Only the card provider and the webhook sign or check payment callbacks.
const WEBHOOK_SECRET_FUNCTIONS = new Set(['billing-card-provider', 'billing-payment-webhook']);

export interface ClusterSettings {
  /**
   * Where the function images are. Knative resolves an image tag to a digest through the registry
   * unless the registry is `kind.local`, `ko.local` or `dev.local`: images loaded into kind carry
   * `kind.local` so that Knative never asks a registry for them.
   */
  readonly imageRegistry: string;
  readonly kafkaBootstrap: string;
  readonly schemaRegistryUrl: string;
  /** Where the functions reach Keycloak (its keys); inside the cluster. */
  readonly keycloakUrl: string;
  /** The issuer users' tokens carry: Keycloak as published outside the cluster. */
  readonly keycloakIssuer: string;
  readonly redisUrl: string;
}

/** The infrastructure of `k8s/generated/infra/` on a kind cluster (override when applying elsewhere). */
export const DEFAULT_CLUSTER_SETTINGS: ClusterSettings = {
  imageRegistry: 'kind.local/atlas-erp',
  kafkaBootstrap: `${KAFKA_CLUSTER}-kafka-bootstrap.${INFRA_NAMESPACE}.svc.cluster.local:9092`,
  schemaRegistryUrl: `http://apicurio.${INFRA_NAMESPACE}.svc.cluster.local:8080/apis/ccompat/v7`,
  keycloakUrl: `http://keycloak.${INFRA_NAMESPACE}.svc.cluster.local:8080`,
  keycloakIssuer: `${KEYCLOAK_PUBLIC_URL}/realms/atlas-erp`,
  redisUrl: `redis://redis.${INFRA_NAMESPACE}.svc.cluster.local:6379`,
};

const labelsOf = (entry: CatalogEntry): YamlMap => ({
  'app.kubernetes.io/name': entry.qualifiedName,
  'app.kubernetes.io/part-of': 'atlas-erp',
  'atlas-erp/service': entry.service,
  'atlas-erp/trigger': entry.trigger.kind,
});

/** The image of the set-up Job: the migrations and the schema registration (ADR-0040). */
export const SETUP_IMAGE = 'setup';

/** The version in the `package.json` of `directory`: a function's, or the repository's. */
export function packageVersion(directory: string): string {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? '0.0.0';
}

/** An image's reference: `<registry>/<name>:<version>`. */
export function imageName(registry: string, name: string, version: string): string {
  return `${registry}/${name}:${version}`;
}

/** A function's image: `<registry>/<service>-<function>:<its package version>`. */
export function imageOf(entry: CatalogEntry, settings: ClusterSettings): string {
  return imageName(settings.imageRegistry, entry.qualifiedName, packageVersion(entry.directory));
}

/** `atlas.order.events.v1` → `order`. */
function domainOf(topic: string): string {
  return topic.split('.')[1] ?? topic;
}

/** In-cluster URL of a Knative Service (port 80 through the Knative ingress). */
function serviceUrl(entry: CatalogEntry): string {
  return `http://${entry.qualifiedName}.${NAMESPACE}.svc.cluster.local`;
}

function container(entry: CatalogEntry, settings: ClusterSettings): YamlMap {
  // Every function serves on 8080 (the image's PORT, Knative's default); a probe naming the port
  // is what the Kubernetes schema requires, and Knative accepts it when it is the container port.
  const env: YamlMap[] = [];
  if (!WITHOUT_DATABASE.has(entry.service)) {
    env.push({
      name: 'ATLAS_POSTGRES_URL',
      valueFrom: { secretKeyRef: { name: 'atlas-postgres', key: 'url' } },
    });
  }
  if (WEBHOOK_SECRET_FUNCTIONS.has(entry.qualifiedName)) {
    env.push({
      name: 'ATLAS_PAYMENT_WEBHOOK_SECRET',
      valueFrom: { secretKeyRef: { name: 'atlas-payment-webhook', key: 'secret' } },
    });
  }
  return {
    name: 'function',
    image: imageOf(entry, settings),
    ports: [{ containerPort: 8080 }],
    envFrom: [{ configMapRef: { name: 'atlas-config' } }],
    ...(env.length > 0 ? { env } : {}),
    readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
    resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
    securityContext: restrictedSecurityContext(IMAGE_USER, true),
    // Node writes nothing but may use the temporary directory (a heap snapshot, a report).
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

const TMP_VOLUME = { name: 'tmp', emptyDir: {} };

/**
 * Every function but the gateway is reachable only inside the cluster: the consumers take events
 * from the eventing data plane, the HTTP functions requests from the gateway. Nothing else is
 * exposed on the ingress.
 */
const visibilityOf = (entry: CatalogEntry): YamlMap =>
  entry.service === 'gateway' ? {} : { 'networking.knative.dev/visibility': 'cluster-local' };

function knativeService(entry: CatalogEntry, settings: ClusterSettings): YamlMap {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name: entry.qualifiedName,
      namespace: NAMESPACE,
      labels: { ...labelsOf(entry), ...visibilityOf(entry) },
    },
    spec: {
      template: {
        metadata: {
          labels: labelsOf(entry),
          annotations: { 'autoscaling.knative.dev/max-scale': '5' },
        },
        spec: {
          containers: [container(entry, settings)],
          volumes: [TMP_VOLUME],
        },
      },
    },
  };
}

/**
 * One KafkaSource per (function, topic): Knative gives a source one dead-letter sink, and a dead
 * letter belongs to the dead-letter topic of the domain it came from (as the local source does).
 */
function kafkaSources(
  entry: CatalogEntry & { trigger: { kind: 'kafka' } },
  settings: ClusterSettings,
): YamlMap[] {
  return entry.trigger.topics.map((topic) => ({
    apiVersion: 'sources.knative.dev/v1beta1',
    kind: 'KafkaSource',
    metadata: {
      name: `${entry.qualifiedName}-${domainOf(topic)}`,
      namespace: NAMESPACE,
      labels: labelsOf(entry),
      annotations: { 'atlas-erp/event-types': entry.trigger.eventTypes.join(',') },
    },
    spec: {
      consumerGroup: `atlas-source-${entry.qualifiedName}-${domainOf(topic)}`,
      bootstrapServers: [settings.kafkaBootstrap],
      topics: [topic],
      initialOffset: 'earliest',
      delivery: {
        retry: DELIVERY_POLICY.retries,
        backoffPolicy: DELIVERY_POLICY.backoffPolicy,
        backoffDelay: isoDuration(DELIVERY_POLICY.backoffDelayMs),
        deadLetterSink: {
          ref: {
            apiVersion: 'eventing.knative.dev/v1alpha1',
            kind: 'KafkaSink',
            name: `atlas-${domainOf(topic)}-dlq`,
          },
        },
      },
      sink: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: entry.qualifiedName },
      },
    },
  }));
}

/** Always-on workers (the outbox relays): two replicas, one leader by advisory lock (ADR-0023). */
function deployment(entry: CatalogEntry, replicas: number, settings: ClusterSettings): YamlMap {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: entry.qualifiedName, namespace: NAMESPACE, labels: labelsOf(entry) },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': entry.qualifiedName } },
      template: {
        metadata: { labels: labelsOf(entry) },
        spec: { containers: [container(entry, settings)], volumes: [TMP_VOLUME] },
      },
    },
  };
}

/** A voluntary disruption (a node drain) leaves one replica of an always-on Deployment running. */
function disruptionBudget(entry: CatalogEntry): YamlMap {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: entry.qualifiedName, namespace: NAMESPACE, labels: labelsOf(entry) },
    spec: {
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': entry.qualifiedName } },
    },
  };
}

function gateway(entry: CatalogEntry, settings: ClusterSettings): YamlMap[] {
  return [
    deployment(entry, 2, settings),
    disruptionBudget(entry),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: entry.qualifiedName, namespace: NAMESPACE, labels: labelsOf(entry) },
      spec: {
        type: 'NodePort',
        selector: { 'app.kubernetes.io/name': entry.qualifiedName },
        // kind-cluster.yaml maps this node port to the host's 18080 (npm start keeps 8080).
        ports: [{ port: 80, targetPort: 8080, nodePort: GATEWAY_NODE_PORT }],
      },
    },
  ];
}

/**
 * The settings every function reads, as the ConfigMap holds them (and OpenFaaS's stack, ADR-0040),
 * including where each HTTP-reachable function answers: the gateway routes to them, the card
 * provider calls the payment webhook, the ops functions replay to consumers. Without these a
 * function would fall back to 127.0.0.1 inside its own pod.
 */
export function configData(
  catalog: readonly CatalogEntry[],
  settings: ClusterSettings,
): Record<string, string> {
  const functionUrls = Object.fromEntries(
    catalog
      .filter((entry) => entry.trigger.kind !== 'worker' && entry.service !== 'gateway')
      .map((entry) => [functionUrlVariable(entry.qualifiedName), serviceUrl(entry)]),
  );
  return {
    ATLAS_BIND_HOST: '0.0.0.0',
    ATLAS_KAFKA_BROKERS: settings.kafkaBootstrap,
    ATLAS_SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl,
    ATLAS_KEYCLOAK_URL: settings.keycloakUrl,
    ATLAS_KEYCLOAK_ISSUER: settings.keycloakIssuer,
    ATLAS_REDIS_URL: settings.redisUrl,
    ATLAS_LOG_LEVEL: 'info',
    // No collector is deployed; point OTEL_* at one to trace (ADR-0039).
    OTEL_TRACES_EXPORTER: 'none',
    ...functionUrls,
  };
}

function configMap(catalog: readonly CatalogEntry[], settings: ClusterSettings): YamlMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'atlas-config', namespace: NAMESPACE },
    data: configData(catalog, settings),
  };
}

function deadLetterSinks(catalog: readonly CatalogEntry[], settings: ClusterSettings): YamlMap[] {
  const domains = new Set(
    catalog.flatMap((entry) =>
      entry.trigger.kind === 'kafka' ? entry.trigger.topics.map(domainOf) : [],
    ),
  );
  return [...domains].sort().map((domain) => ({
    apiVersion: 'eventing.knative.dev/v1alpha1',
    kind: 'KafkaSink',
    metadata: { name: `atlas-${domain}-dlq`, namespace: NAMESPACE },
    spec: {
      topic: `atlas.${domain}.dlq.v1`,
      bootstrapServers: [settings.kafkaBootstrap],
      contentMode: 'binary',
    },
  }));
}

/**
 * The set-up Job (ADR-0040): the five databases' migrations and the event schemas, from the
 * `setup` image, before the functions serve. Named by the release, since a Job cannot be changed:
 * a new release's set-up is a new Job; the same one again is `kubectl delete job` and apply.
 */
function setupJob(settings: ClusterSettings): YamlMap {
  const version = packageVersion(REPO_ROOT);
  const labels = {
    'app.kubernetes.io/name': 'atlas-setup',
    'app.kubernetes.io/part-of': 'atlas-erp',
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `atlas-setup-${version.replaceAll('.', '-')}`, namespace: NAMESPACE, labels },
    spec: {
      // Kafka, PostgreSQL and the registry may still be starting: keep trying for a while.
      backoffLimit: 10,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'setup',
              image: imageName(settings.imageRegistry, SETUP_IMAGE, version),
              envFrom: [{ configMapRef: { name: 'atlas-config' } }],
              env: [
                {
                  name: 'ATLAS_POSTGRES_URL',
                  valueFrom: { secretKeyRef: { name: 'atlas-postgres', key: 'url' } },
                },
              ],
              resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
              securityContext: restrictedSecurityContext(IMAGE_USER, true),
            },
          ],
        },
      },
    },
  };
}

/**
 * Who may reach the functions (hardening review, item 5): nothing by default; the Knative data
 * plane (activator and ingress in knative-serving and kourier-system, the KafkaSource dispatcher
 * in knative-eventing) and the gateway may reach the Knative Services; anyone may reach the
 * gateway, the one public entry. Relays take no traffic at all. A Prometheus that scrapes
 * `/metrics` needs a policy of its own for its namespace.
 */
function networkPolicies(catalog: readonly CatalogEntry[]): YamlMap[] {
  const gatewayEntry = catalog.find((entry) => entry.service === 'gateway');
  const gatewayPods = {
    'app.kubernetes.io/name': gatewayEntry?.qualifiedName ?? 'gateway-gateway',
  };
  const fromNamespace = (name: string): YamlMap => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
  });
  const policy = (name: string, spec: YamlMap): YamlMap => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'atlas-erp' } },
    spec,
  });
  return [
    policy('deny-by-default', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }),
    policy('knative-services-from-data-plane-and-gateway', {
      podSelector: {
        matchExpressions: [{ key: 'serving.knative.dev/service', operator: 'Exists' }],
      },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            fromNamespace('knative-serving'),
            fromNamespace('knative-eventing'),
            fromNamespace('kourier-system'),
            { podSelector: { matchLabels: gatewayPods } },
          ],
        },
      ],
    }),
    policy('gateway-from-anywhere', {
      podSelector: { matchLabels: gatewayPods },
      policyTypes: ['Ingress'],
      ingress: [{}],
    }),
  ];
}

/**
 * The cluster manifests of every function of the catalog, by file name under `k8s/generated/`:
 * HTTP functions as Knative Services, Kafka-triggered ones as Knative Services fed by KafkaSources,
 * workers and the gateway as Deployments (the gateway behind the NodePort kind maps to 8080).
 */
export function renderManifests(
  catalog: readonly CatalogEntry[],
  settings: ClusterSettings = DEFAULT_CLUSTER_SETTINGS,
): Map<string, YamlValue[]> {
  const files = new Map<string, YamlValue[]>([
    ['config.yaml', [configMap(catalog, settings)]],
    ['dead-letter-sinks.yaml', deadLetterSinks(catalog, settings)],
    ['network-policies.yaml', networkPolicies(catalog)],
    ['setup-job.yaml', [setupJob(settings)]],
  ]);
  for (const entry of catalog) {
    const trigger = entry.trigger;
    let documents: YamlValue[];
    if (entry.service === 'gateway') documents = gateway(entry, settings);
    else if (trigger.kind === 'worker')
      documents = [deployment(entry, 2, settings), disruptionBudget(entry)];
    else if (trigger.kind === 'kafka')
      documents = [
        knativeService(entry, settings),
        ...kafkaSources({ ...entry, trigger }, settings),
      ];
    else documents = [knativeService(entry, settings)];
    files.set(`${entry.qualifiedName}.yaml`, documents);
  }
  return files;
}
