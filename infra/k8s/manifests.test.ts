import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { functionUrlVariable, loadCatalog } from '@atlas/catalog';
import {
  at,
  generatedManifests,
  referenceProblems,
  schemaProblems,
  secretsOfScript,
  type Manifest,
} from './check.ts';
import { staleFiles } from './generate.ts';
import { KEYCLOAK_HOST_PORT, KEYCLOAK_NODE_PORT, SECRETS } from './infrastructure.ts';
import { DEFAULT_CLUSTER_SETTINGS, GATEWAY_NODE_PORT, renderManifests } from './manifests.ts';
import { renderOpenFaasStack } from './openfaas.ts';
import { toYaml, type YamlMap, type YamlValue } from './yaml.ts';

const kinds = (documents: readonly unknown[]): string[] =>
  documents.map((document) => (document as { kind: string }).kind);

describe('the cluster manifests', () => {
  it('are committed exactly as the catalog generates them', () => {
    expect(staleFiles()).toEqual([]);
  });

  it('give every function of the catalog its own manifest, by trigger', () => {
    const catalog = loadCatalog();
    const files = renderManifests(catalog);
    for (const entry of catalog) {
      const documents = files.get(`${entry.qualifiedName}.yaml`) ?? [];
      if (entry.service === 'gateway')
        expect(kinds(documents)).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
      else if (entry.trigger.kind === 'worker')
        expect(kinds(documents)).toEqual(['Deployment', 'PodDisruptionBudget']);
      else if (entry.trigger.kind === 'kafka')
        expect(kinds(documents)).toEqual([
          'Service',
          ...entry.trigger.topics.map(() => 'KafkaSource'),
        ]);
      else expect(kinds(documents)).toEqual(['Service']);
    }
  });

  it('keep every Knative Service cluster-local: only the gateway faces the ingress', () => {
    const services = [...renderManifests(loadCatalog()).values()]
      .flat()
      .filter(
        (document) => (document as { apiVersion?: string }).apiVersion === 'serving.knative.dev/v1',
      )
      .map((document) => document as { metadata: { labels: Record<string, string> } });
    expect(services.length).toBeGreaterThan(0);
    for (const service of services)
      expect(service.metadata.labels['networking.knative.dev/visibility']).toBe('cluster-local');
  });

  it('deny every ingress by default and let only the data plane and the gateway reach the functions', () => {
    const policies = (renderManifests(loadCatalog()).get('network-policies.yaml') ?? []).map(
      (document) => document as { metadata: { name: string }; spec: { ingress: unknown[] } },
    );
    expect(policies.map((policy) => policy.metadata.name)).toEqual([
      'deny-by-default',
      'knative-services-from-data-plane-and-gateway',
      'gateway-from-anywhere',
    ]);
    expect(policies[0]?.spec.ingress).toEqual([]);
    expect(JSON.stringify(policies[1])).toContain('knative-eventing');
    expect(JSON.stringify(policies[1])).toContain('gateway-gateway');
  });

  it('tell every function where each HTTP-reachable function answers, in the shared config', () => {
    const catalog = loadCatalog();
    const [config] = renderManifests(catalog).get('config.yaml') ?? [];
    const data = (config as { data: Record<string, string> }).data;
    // The gateway routes to them, the card provider calls the webhook, ops replays to consumers.
    for (const entry of catalog.filter(
      (e) => e.trigger.kind !== 'worker' && e.service !== 'gateway',
    ))
      expect(data[functionUrlVariable(entry.qualifiedName)]).toBe(
        `http://${entry.qualifiedName}.atlas-erp.svc.cluster.local`,
      );
    expect(data['ATLAS_LOG_LEVEL']).toBe('info');
  });
});

/** A deep copy of the generated manifests with one value set in the first document `match` takes. */
function withChange(
  match: (manifest: Manifest) => boolean,
  path: readonly string[],
  value: YamlValue,
): Manifest[] {
  let changed = false;
  return generatedManifests().map((manifest) => {
    if (changed || !match(manifest)) return manifest;
    changed = true;
    const document = structuredClone(manifest.document) as Record<string, YamlValue>;
    let parent = document;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, YamlValue>;
    parent[path.at(-1) ?? ''] = value;
    return { ...manifest, document };
  });
}

const kindIs =
  (kind: string) =>
  ({ document }: Manifest): boolean =>
    at(document, 'kind') === kind;

describe('npm run k8s:check', () => {
  it('finds every generated manifest valid against the schemas of its kind', () => {
    expect(schemaProblems(generatedManifests())).toEqual([]);
  });

  it('finds every reference resolved: Secrets, ConfigMaps, sinks, topics, Kafka, Services, selectors, images', () => {
    expect(referenceProblems(generatedManifests())).toEqual([]);
  });

  it('covers the infrastructure too: namespaces, Strimzi, PostgreSQL, Redis, Apicurio, Keycloak', () => {
    const kindsOfInfra = new Set(
      generatedManifests()
        .filter(({ file }) => file.startsWith('infra/'))
        .map(({ document }) => at(document, 'kind')),
    );
    expect([...kindsOfInfra].sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Kafka',
      'KafkaNodePool',
      'KafkaTopic',
      'Namespace',
      'Service',
      'StatefulSet',
    ]);
  });

  it('refuses a wrong type in a Kubernetes object and an unknown field in a custom resource', () => {
    const replicas = withChange(kindIs('Deployment'), ['spec', 'replicas'], 'two');
    expect(schemaProblems(replicas).join('\n')).toMatch(/replicas must be integer/);
    const typo = withChange(kindIs('KafkaSource'), ['spec', 'delivery', 'retries'], 5);
    expect(schemaProblems(typo).join('\n')).toMatch(/KafkaSource.*delivery.*retries/);
    const unknown = withChange(kindIs('KafkaTopic'), ['apiVersion'], 'kafka.strimzi.io/v1beta2');
    expect(schemaProblems(unknown).join('\n')).toMatch(/no schema for kafka.strimzi.io\/v1beta2/);
  });

  it('refuses references that resolve to nothing', () => {
    const postgresSecret = ['spec', 'template', 'spec', 'containers', '0', 'env', '0'];
    const cases: [Manifest[], RegExp][] = [
      [
        withChange(kindIs('KafkaSource'), ['spec', 'topics'], ['atlas.nowhere.events.v1']),
        /topic atlas.nowhere.events.v1 has no KafkaTopic/,
      ],
      [
        withChange(kindIs('KafkaSource'), ['spec', 'sink', 'ref', 'name'], 'order-missing'),
        /sink order-missing is no generated Knative Service/,
      ],
      [
        withChange(
          kindIs('StatefulSet'),
          [...postgresSecret, 'valueFrom', 'secretKeyRef', 'key'],
          'nope',
        ),
        /key nope is not made by k8s\/create-secrets.sh/,
      ],
      [
        withChange(
          kindIs('PodDisruptionBudget'),
          ['spec', 'selector', 'matchLabels', 'app.kubernetes.io/name'],
          'nothing',
        ),
        /selects no pod template/,
      ],
      [
        withChange(
          ({ file }) => file === 'config.yaml',
          ['data', 'ATLAS_REDIS_URL'],
          'redis://valkey.atlas-infra.svc.cluster.local:6379',
        ),
        /ATLAS_REDIS_URL=.* names no generated Service/,
      ],
      [
        withChange(
          kindIs('KafkaSink'),
          ['spec', 'bootstrapServers'],
          ['kafka.atlas-infra.svc.cluster.local:9092'],
        ),
        /bootstrap kafka.atlas-infra.svc.cluster.local:9092 is no generated Strimzi Kafka/,
      ],
      [
        withChange(kindIs('KafkaTopic'), ['metadata', 'namespace'], 'kafka'),
        /namespace kafka is not generated/,
      ],
    ];
    for (const [manifests, expected] of cases)
      expect(referenceProblems(manifests).join('\n')).toMatch(expected);
  });

  it("publish the gateway and Keycloak on the kind host ports, apart from npm start's", () => {
    const kind = readFileSync(join(REPO_ROOT, 'kind-cluster.yaml'), 'utf8');
    const mappings = [...kind.matchAll(/containerPort: (\d+)\s+hostPort: (\d+)/g)].map(
      ([, node, host]) => [Number(node), Number(host)],
    );
    expect(mappings).toEqual([
      [GATEWAY_NODE_PORT, 18080],
      [KEYCLOAK_NODE_PORT, KEYCLOAK_HOST_PORT],
    ]);
    const local = loadStackConfig({});
    expect(mappings.map(([, host]) => host)).not.toContain(local.gateway.port);
    expect(DEFAULT_CLUSTER_SETTINGS.keycloakIssuer).toBe(
      `http://127.0.0.1:${String(KEYCLOAK_HOST_PORT)}/realms/atlas-erp`,
    );
  });

  it('holds the manifests to the Secrets the script creates, by name and key', () => {
    expect(secretsOfScript()).toEqual(SECRETS);
  });
});

describe('the OpenFaaS stack', () => {
  interface StackFunction {
    image: string;
    environment: Record<string, string>;
    annotations: Record<string, string>;
    labels?: Record<string, string>;
  }
  const catalog = loadCatalog();
  const stack = renderOpenFaasStack(catalog, DEFAULT_CLUSTER_SETTINGS) as unknown as {
    functions: Record<string, StackFunction>;
  };

  it('deploys every function of the catalog from its image, probed on its own endpoints', () => {
    expect(Object.keys(stack.functions)).toEqual(catalog.map((entry) => entry.qualifiedName));
    for (const entry of catalog) {
      const fn = stack.functions[entry.qualifiedName];
      expect(fn?.image).toMatch(new RegExp(`^kind\\.local/atlas-erp/${entry.qualifiedName}:`));
      expect(fn?.annotations).toMatchObject({
        'com.openfaas.health.http.path': '/health',
        'com.openfaas.ready.http.path': '/ready',
      });
    }
  });

  it('subscribes each Kafka-triggered function to its topics through the connector annotation, and no other', () => {
    for (const entry of catalog) {
      const topic = stack.functions[entry.qualifiedName]?.annotations['topic'];
      expect(topic).toBe(
        entry.trigger.kind === 'kafka' ? entry.trigger.topics.join(',') : undefined,
      );
    }
  });

  it('keeps the relays and the gateway always running, and hands secrets only to who needs them', () => {
    for (const entry of catalog) {
      const fn = stack.functions[entry.qualifiedName];
      const alwaysOn = entry.trigger.kind === 'worker' || entry.service === 'gateway';
      expect(fn?.labels?.['com.openfaas.scale.zero']).toBe(alwaysOn ? 'false' : undefined);
      expect('ATLAS_PAYMENT_WEBHOOK_SECRET' in (fn?.environment ?? {})).toBe(
        ['billing-card-provider', 'billing-payment-webhook'].includes(entry.qualifiedName),
      );
      expect(fn?.environment['ATLAS_FUNCTION_URL_BILLING_PAYMENT_WEBHOOK']).toBe(
        'http://billing-payment-webhook.openfaas-fn.svc.cluster.local:8080',
      );
    }
  });
});

describe('the YAML writer', () => {
  it('quotes what YAML would otherwise read as another type', () => {
    const document: YamlMap = { a: 'true', b: '5', c: 'plain', d: 'x: y', e: '', f: 3, g: false };
    expect(toYaml([document])).toBe(
      'a: "true"\nb: "5"\nc: plain\nd: "x: y"\ne: ""\nf: 3\ng: false\n',
    );
  });

  it('writes lists of maps and nested maps in block style', () => {
    expect(toYaml([{ list: [{ name: 'svc', value: 'v' }, 'x'], empty: [], none: {} }])).toBe(
      'list:\n  - name: svc\n    value: v\n  - x\nempty: []\nnone: {}\n',
    );
  });

  it('separates documents', () => {
    expect(toYaml([{ a: 1 }, { b: 2 }])).toBe('a: 1\n---\nb: 2\n');
  });
});
