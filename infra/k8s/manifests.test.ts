import { describe, expect, it } from '@jest/globals';
import { functionUrlVariable, loadCatalog } from '@atlas/catalog';
import { staleFiles } from './generate.ts';
import { renderManifests } from './manifests.ts';
import { toYaml, type YamlMap } from './yaml.ts';

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
      if (entry.service === 'gateway') expect(kinds(documents)).toEqual(['Deployment', 'Service']);
      else if (entry.trigger.kind === 'worker') expect(kinds(documents)).toEqual(['Deployment']);
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
