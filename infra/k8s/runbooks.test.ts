import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { at, generatedManifests, text } from './check.ts';
import { SECRETS } from './infrastructure.ts';

// Every runbook's cluster form names resources by kubectl; each must be one the generated manifests
// make (or the platform's own, listed here), in the namespace the command names.
const RUNBOOKS = join(REPO_ROOT, 'docs', 'runbooks');
const KINDS: Record<string, string> = {
  deployment: 'Deployment',
  statefulset: 'StatefulSet',
  svc: 'Service',
  service: 'Service',
  ksvc: 'Service',
  pdb: 'PodDisruptionBudget',
  job: 'Job',
  configmap: 'ConfigMap',
  kafkasource: 'KafkaSource',
  kafkasink: 'KafkaSink',
  kafkatopic: 'KafkaTopic',
  kafka: 'Kafka',
};
/** What Knative and Strimzi install themselves, which the runbooks may name too. */
const PLATFORM = new Set([
  'knative-eventing statefulset/kafka-source-dispatcher',
  'knative-eventing deployment/kafka-controller',
  'atlas-infra deployment/strimzi-cluster-operator',
  'knative-serving configmap/config-network',
]);

/** Every kubectl command of the runbooks' code blocks, continuation lines joined. */
function kubectlCommands(): { file: string; command: string }[] {
  const commands: { file: string; command: string }[] = [];
  for (const file of readdirSync(RUNBOOKS).filter((name) => name.endsWith('.md'))) {
    const text = readFileSync(join(RUNBOOKS, file), 'utf8');
    for (const block of text.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)) {
      const joined = (block[1] ?? '').replace(/\\\n\s*/g, ' ');
      for (const line of joined.split('\n'))
        for (const part of line.split(/\|/))
          if (/^\s*kubectl\b/.test(part)) commands.push({ file, command: part.trim() });
    }
  }
  return commands;
}

function knownResources(): Set<string> {
  const manifests = generatedManifests();
  const known = new Set<string>();
  for (const { document } of manifests) {
    const namespace = text(at(document, 'metadata', 'namespace'));
    const name = text(at(document, 'metadata', 'name'));
    known.add(`${namespace} ${text(document['kind'])}/${name}`);
    const label = at(document, 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/name');
    if (typeof label === 'string') known.add(`${namespace} label/${label}`);
  }
  // Strimzi names a node pool's pods <cluster>-<pool>-<ordinal>.
  for (const { document } of manifests)
    if (document['kind'] === 'KafkaNodePool') {
      const cluster = text(at(document, 'metadata', 'labels', 'strimzi.io/cluster'));
      const pool = text(at(document, 'metadata', 'name'));
      known.add(`atlas-infra Pod/${cluster}-${pool}-0`);
    }
  for (const [namespace, secrets] of Object.entries(SECRETS))
    for (const name of Object.keys(secrets)) known.add(`${namespace} Secret/${name}`);
  return known;
}

/** The resources a command names: `kind/name` tokens and `-l app.kubernetes.io/name=` selectors. */
function namedIn(command: string): { namespace: string; names: string[] } {
  const namespace = /(?:-n|--namespace)[ =]([a-z0-9-]+)/.exec(command)?.[1] ?? '(none)';
  const names: string[] = [];
  for (const [, kind = '', name = ''] of command.matchAll(/\b([a-z]+)\/([a-z0-9][a-z0-9.-]*)/g)) {
    if (kind === 'pod') names.push(`Pod/${name}`);
    else if (kind === 'secret') names.push(`Secret/${name}`);
    else if (KINDS[kind]) names.push(`${KINDS[kind]}/${name}`);
  }
  for (const [, name = ''] of command.matchAll(/-l app\.kubernetes\.io\/name=([a-z0-9-]+)/g))
    names.push(`label/${name}`);
  return { namespace, names };
}

describe('the runbooks in the cluster', () => {
  it('name only resources that the generated manifests, the secrets script or the platform make', () => {
    const known = knownResources();
    const commands = kubectlCommands();
    const unknown: string[] = [];
    let named = 0;
    for (const { file, command } of commands) {
      const { namespace, names } = namedIn(command);
      for (const name of names) {
        named += 1;
        const key = `${namespace} ${name}`;
        const platform = `${namespace} ${name.replace(/^(\w+)\//, (_, kind: string) => `${kind.toLowerCase()}/`)}`;
        if (!known.has(key) && !PLATFORM.has(platform)) unknown.push(`${file}: ${key}`);
      }
    }
    expect(named).toBeGreaterThan(30);
    expect(unknown).toEqual([]);
  });

  it('give every runbook but the kind one a cluster form', () => {
    const without = readdirSync(RUNBOOKS).filter(
      (file) =>
        file.endsWith('.md') &&
        file !== 'kind-cluster.md' &&
        !readFileSync(join(RUNBOOKS, file), 'utf8').includes('\n## In the cluster\n'),
    );
    expect(without).toEqual([]);
  });

  it('catch a resource that does not exist', () => {
    const { namespace, names } = namedIn(
      'kubectl -n atlas-erp logs deployment/order-outbox-relayy --tail=1',
    );
    expect(knownResources().has(`${namespace} ${names[0] ?? ''}`)).toBe(false);
  });
});
