import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { functionUrlVariable, loadCatalog } from '@atlas/catalog';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { imageSpecs } from '../container/context.ts';
import { renderInfrastructure, SECRETS, STRIMZI_API } from './infrastructure.ts';
import { DEFAULT_CLUSTER_SETTINGS, renderManifests } from './manifests.ts';
import type { YamlMap, YamlValue } from './yaml.ts';

/** One generated document with the file it is written to. */
export interface Manifest {
  readonly file: string;
  readonly document: YamlMap;
}

/** Every document `npm run k8s:generate` writes, infrastructure first. */
export function generatedManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const [file, documents] of renderInfrastructure())
    for (const document of documents) manifests.push({ file: `infra/${file}`, document });
  for (const [file, documents] of renderManifests(loadCatalog()))
    for (const document of documents) manifests.push({ file, document: document as YamlMap });
  return manifests;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** The Kubernetes and Knative Serving kinds, validated by the schemas of `kubernetes-models`. */
const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'serving.knative.dev/v1/Service': KnativeService,
};

/*
 * The custom resources no npm package carries schemas for — Knative's Kafka source and sink,
 * Strimzi's v1 resources — checked against the fields of their API references that the
 * manifests use, strictly: a field not listed here is refused (a typo would otherwise be dropped
 * silently by the API server's pruning). Written from the references, not copied from the CRDs.
 */
const metadata = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/),
  namespace: z.string(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const reference = z.strictObject({ apiVersion: z.string(), kind: z.string(), name: z.string() });
const resourceRequirements = z.strictObject({
  requests: z.record(z.string(), z.string()).optional(),
  limits: z.record(z.string(), z.string()).optional(),
});
const CUSTOM: Record<string, z.ZodType> = {
  'sources.knative.dev/v1beta1/KafkaSource': z.strictObject({
    apiVersion: z.literal('sources.knative.dev/v1beta1'),
    kind: z.literal('KafkaSource'),
    metadata,
    spec: z.strictObject({
      consumerGroup: z.string(),
      bootstrapServers: z.array(z.string()).min(1),
      topics: z.array(z.string()).min(1),
      initialOffset: z.enum(['earliest', 'latest']),
      delivery: z.strictObject({
        retry: z.number().int().min(0),
        backoffPolicy: z.enum(['exponential', 'linear']),
        backoffDelay: z.string().regex(/^P(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)$/),
        deadLetterSink: z.strictObject({ ref: reference }),
      }),
      sink: z.strictObject({ ref: reference }),
    }),
  }),
  'eventing.knative.dev/v1alpha1/KafkaSink': z.strictObject({
    apiVersion: z.literal('eventing.knative.dev/v1alpha1'),
    kind: z.literal('KafkaSink'),
    metadata,
    spec: z.strictObject({
      topic: z.string(),
      bootstrapServers: z.array(z.string()).min(1),
      contentMode: z.enum(['binary', 'structured']),
    }),
  }),
  [`${STRIMZI_API}/KafkaNodePool`]: z.strictObject({
    apiVersion: z.literal(STRIMZI_API),
    kind: z.literal('KafkaNodePool'),
    metadata,
    spec: z.strictObject({
      replicas: z.number().int().min(1),
      roles: z.array(z.enum(['controller', 'broker'])).min(1),
      storage: z.strictObject({
        type: z.enum(['ephemeral', 'persistent-claim', 'jbod']),
        size: z.string().optional(),
        deleteClaim: z.boolean().optional(),
      }),
      resources: resourceRequirements.optional(),
    }),
  }),
  [`${STRIMZI_API}/Kafka`]: z.strictObject({
    apiVersion: z.literal(STRIMZI_API),
    kind: z.literal('Kafka'),
    metadata,
    spec: z.strictObject({
      kafka: z.strictObject({
        version: z.string().optional(),
        listeners: z
          .array(
            z.strictObject({
              name: z.string().regex(/^[a-z0-9]{1,11}$/),
              port: z.number().int().min(9092),
              type: z.enum([
                'internal',
                'route',
                'loadbalancer',
                'nodeport',
                'ingress',
                'cluster-ip',
              ]),
              tls: z.boolean(),
            }),
          )
          .min(1),
        config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      }),
      entityOperator: z
        .strictObject({
          topicOperator: z.strictObject({}).optional(),
          userOperator: z.strictObject({}).optional(),
        })
        .optional(),
    }),
  }),
  [`${STRIMZI_API}/KafkaTopic`]: z.strictObject({
    apiVersion: z.literal(STRIMZI_API),
    kind: z.literal('KafkaTopic'),
    metadata,
    spec: z.strictObject({
      topicName: z.string().optional(),
      partitions: z.number().int().min(1),
      replicas: z.number().int().min(1).max(32767),
      config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    }),
  }),
};

const keyOf = (document: YamlMap): string => `${text(document['apiVersion'])}/${kindOf(document)}`;

/** Schema violations, one line each (`file: Kind/name: what`). */
export function schemaProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const { file, document } of manifests) {
    const where = `${file}: ${kindOf(document)}/${nameOf(document)}`;
    const model = MODELS[keyOf(document)];
    const custom = CUSTOM[keyOf(document)];
    if (model) {
      try {
        new model(document as never).validate();
      } catch (error) {
        problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else if (custom) {
      const parsed = custom.safeParse(document);
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          problems.push(`${where}: ${issue.path.join('.')}: ${issue.message}`);
    } else {
      problems.push(`${where}: no schema for ${keyOf(document)}`);
    }
  }
  return problems;
}

/** The string at `value`, or '' when it is none (a missing field fails the check that reads it). */
export function text(value: YamlValue | undefined): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** The map at `value`, or an empty one. */
function mapOf(value: YamlValue | undefined): YamlMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as YamlMap)
    : {};
}

function listOf(value: YamlValue | undefined): readonly YamlValue[] {
  return Array.isArray(value) ? (value as readonly YamlValue[]) : [];
}

/** The value at `path` under `value`. */
export function at(value: YamlValue | undefined, ...path: string[]): YamlValue | undefined {
  let current = value;
  for (const key of path) current = mapOf(current)[key];
  return current;
}

const nameOf = (document: YamlMap): string => text(at(document, 'metadata', 'name'));
const namespaceOf = (document: YamlMap): string => text(at(document, 'metadata', 'namespace'));
const kindOf = (document: YamlMap): string => text(document['kind']);

/** Every object nested anywhere in `value`, for finding references wherever they sit. */
function* objectsIn(value: YamlValue): Generator<YamlMap> {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value as readonly YamlValue[]) yield* objectsIn(item);
    return;
  }
  const map = value as YamlMap;
  yield map;
  for (const child of Object.values(map)) yield* objectsIn(child);
}

function selects(selector: YamlMap, labels: YamlMap): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Host of an in-cluster URL or `host:port` → `{ name, namespace }` of the Service it names. */
function serviceOfHost(address: string): { name: string; namespace: string } | undefined {
  let host: string;
  try {
    host = address.includes('://') ? new URL(address).hostname : (address.split(':')[0] ?? '');
  } catch {
    return undefined;
  }
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host);
  return match?.[1] && match[2] ? { name: match[1], namespace: match[2] } : undefined;
}

/**
 * References that do not resolve within the generated manifests and the Secrets the script makes:
 * Secrets and their keys, ConfigMaps, sinks and dead-letter sinks, topics, the Kafka cluster,
 * Services named by URL, namespaces, selectors that select nothing, images.
 */
export function referenceProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const documents = manifests.map(({ document }) => document);
  const has = (kind: string, name: string, namespace: string): boolean =>
    documents.some(
      (document) =>
        kindOf(document) === kind &&
        nameOf(document) === name &&
        namespaceOf(document) === namespace,
    );
  const namespaces = new Set(
    documents.filter((document) => kindOf(document) === 'Namespace').map(nameOf),
  );
  const topics = new Set(
    documents
      .filter((document) => kindOf(document) === 'KafkaTopic')
      .map((document) => text(at(document, 'spec', 'topicName')) || nameOf(document)),
  );
  const secrets: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = SECRETS;
  const catalog = loadCatalog();
  const registry = DEFAULT_CLUSTER_SETTINGS.imageRegistry;
  const ownImages = new Set(imageSpecs(catalog).map((spec) => `${registry}/${spec.name}`));
  const bootstrapOfKafka = (server: string): boolean => {
    const target = serviceOfHost(server);
    return (
      target !== undefined &&
      target.name.endsWith('-kafka-bootstrap') &&
      has('Kafka', target.name.replace(/-kafka-bootstrap$/, ''), target.namespace)
    );
  };

  for (const { file, document } of manifests) {
    const kind = kindOf(document);
    const namespace = namespaceOf(document);
    const where = `${file}: ${kind}/${nameOf(document)}`;
    if (kind !== 'Namespace' && !namespaces.has(namespace))
      problems.push(`${where}: namespace ${namespace || '(none)'} is not generated`);

    for (const object of objectsIn(document)) {
      const secretRef = mapOf(object['secretKeyRef']);
      if ('name' in secretRef) {
        const [name, key] = [text(secretRef['name']), text(secretRef['key'])];
        if (!secrets[namespace]?.[name]?.includes(key))
          problems.push(`${where}: Secret ${name} key ${key} is not made by k8s/create-secrets.sh`);
      }
      const configMapRef = mapOf(object['configMapRef'] ?? object['configMap']);
      if ('name' in configMapRef && !has('ConfigMap', text(configMapRef['name']), namespace))
        problems.push(`${where}: ConfigMap ${text(configMapRef['name'])} is not generated`);
      const image = object['image'];
      if (typeof image === 'string') {
        const tag = /:([^:/]+)$/.exec(image)?.[1];
        if (!tag || tag === 'latest') problems.push(`${where}: image ${image} has no pinned tag`);
        const repository = tag ? image.slice(0, -tag.length - 1) : image;
        if (repository.startsWith(`${registry}/`) && !ownImages.has(repository))
          problems.push(`${where}: image ${image} is none that npm run images builds`);
      }
    }

    if (kind === 'KafkaSource') {
      const sink = mapOf(at(document, 'spec', 'sink', 'ref'));
      if (
        text(sink['apiVersion']) !== 'serving.knative.dev/v1' ||
        !has('Service', text(sink['name']), namespace)
      )
        problems.push(`${where}: sink ${text(sink['name'])} is no generated Knative Service`);
      const deadLetters = text(at(document, 'spec', 'delivery', 'deadLetterSink', 'ref', 'name'));
      if (!has('KafkaSink', deadLetters, namespace))
        problems.push(`${where}: dead-letter sink ${deadLetters} is not generated`);
      for (const topic of listOf(at(document, 'spec', 'topics')).map(text))
        if (!topics.has(topic)) problems.push(`${where}: topic ${topic} has no KafkaTopic`);
    }
    if (kind === 'KafkaSink') {
      const topic = text(at(document, 'spec', 'topic'));
      if (!topics.has(topic)) problems.push(`${where}: topic ${topic} has no KafkaTopic`);
    }
    for (const server of listOf(at(document, 'spec', 'bootstrapServers')).map(text))
      if (!bootstrapOfKafka(server))
        problems.push(`${where}: bootstrap ${server} is no generated Strimzi Kafka's bootstrap`);
    if (kind === 'KafkaTopic' || kind === 'KafkaNodePool') {
      const cluster = text(at(document, 'metadata', 'labels', 'strimzi.io/cluster'));
      if (!has('Kafka', cluster, namespace))
        problems.push(`${where}: strimzi.io/cluster ${cluster || '(none)'} is no generated Kafka`);
    }

    // A Service, Deployment, StatefulSet or PodDisruptionBudget must select a pod template.
    const selector =
      kind === 'Service'
        ? at(document, 'spec', 'selector')
        : kind === 'NetworkPolicy'
          ? undefined
          : at(document, 'spec', 'selector', 'matchLabels');
    if (selector !== undefined && text(document['apiVersion']) !== 'serving.knative.dev/v1') {
      const selected = documents.some(
        (other) =>
          namespaceOf(other) === namespace &&
          selects(mapOf(selector), mapOf(at(other, 'spec', 'template', 'metadata', 'labels'))),
      );
      if (!selected) problems.push(`${where}: its selector selects no pod template`);
    }

    if (kind === 'ConfigMap' && nameOf(document) === 'atlas-config') {
      const data = mapOf(document['data']);
      for (const [key, value] of Object.entries(data)) {
        // The issuer is Keycloak as users reach it, outside the cluster by design.
        if (key === 'ATLAS_KEYCLOAK_ISSUER' || !/^(https?|redis):\/\//.test(text(value))) continue;
        const target = serviceOfHost(text(value));
        if (!target || !has('Service', target.name, target.namespace))
          problems.push(`${where}: ${key}=${text(value)} names no generated Service`);
      }
      for (const entry of catalog)
        if (entry.trigger.kind === 'http' && entry.service !== 'gateway')
          if (!(functionUrlVariable(entry.qualifiedName) in data))
            problems.push(`${where}: no ${functionUrlVariable(entry.qualifiedName)}`);
    }
  }
  return problems;
}

/** The Secrets `k8s/create-secrets.sh` makes, read from the script: namespace → name → keys. */
export function secretsOfScript(
  script: string = readFileSync(join(REPO_ROOT, 'k8s', 'create-secrets.sh'), 'utf8'),
): Record<string, Record<string, string[]>> {
  const made: Record<string, Record<string, string[]>> = {};
  const command =
    /create secret generic ([a-z0-9-]+) --namespace ([a-z0-9-]+)((?: \\\n?\s*--from-literal=[a-z]+=\S+)+)/g;
  for (const match of script.matchAll(command)) {
    const [, name = '', namespace = '', literals = ''] = match;
    const keys = [...literals.matchAll(/--from-literal=([a-z]+)=/g)].map(
      (literal) => literal[1] ?? '',
    );
    made[namespace] = { ...made[namespace], [name]: keys };
  }
  return made;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const manifests = generatedManifests();
  const problems = [...schemaProblems(manifests), ...referenceProblems(manifests)];
  for (const problem of problems) console.error(problem);
  console.log(
    problems.length === 0
      ? `k8s: ${manifests.length} manifests valid, every reference resolves`
      : `k8s: ${problems.length} problem(s) in ${manifests.length} manifests`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}
