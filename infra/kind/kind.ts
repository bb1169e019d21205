import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INFRA_NAMESPACE, KAFKA_CLUSTER, KEYCLOAK_PUBLIC_URL } from '../k8s/infrastructure.ts';
import { NAMESPACE } from '../k8s/manifests.ts';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { VERSIONS } from '../local/versions.ts';

/**
 * `npm run kind:up | kind:down | kind:demo`: the kind runbook (docs/runbooks/kind-cluster.md) as
 * one command each. Never run on the machines that develop Atlas ERP (no container engine there);
 * what runs here is its refusal when the tools are missing, and its plan (`--dry-run`).
 */
export const CLUSTER = 'atlas-erp';

/** True when a container engine's CLI is there and its daemon (or podman's service) answers. */
export function engineAnswers(engine: string): boolean {
  return spawnSync(engine, ['info'], { stdio: 'ignore' }).status === 0;
}
export const GATEWAY_URL = 'http://127.0.0.1:18080';

const KNATIVE = `https://github.com/knative/serving/releases/download/${VERSIONS.knative}`;
const KOURIER = `https://github.com/knative-extensions/net-kourier/releases/download/${VERSIONS.knative}`;
const EVENTING = `https://github.com/knative/eventing/releases/download/${VERSIONS.knative}`;
const KAFKA_EXT = `https://github.com/knative-extensions/eventing-kafka-broker/releases/download/${VERSIONS.knative}`;
const STRIMZI = `https://github.com/strimzi/strimzi-kafka-operator/releases/download/${VERSIONS.strimzi}/strimzi-cluster-operator-${VERSIONS.strimzi}.yaml`;

/** One step: a command and its arguments, or a shell pipeline where one is needed. */
export interface Step {
  readonly title: string;
  readonly command: readonly string[];
}

const kubectl = (...args: string[]): string[] => ['kubectl', ...args];
const apply = (url: string): Step => ({
  title: `apply ${url}`,
  command: kubectl('apply', '-f', url),
});

/** Everything `kind:up` does, in order, as the runbook lists it. */
export function upSteps(): Step[] {
  return [
    {
      title: 'create the cluster',
      command: ['kind', 'create', 'cluster', '--config', 'kind-cluster.yaml'],
    },
    apply(`${KNATIVE}/serving-crds.yaml`),
    apply(`${KNATIVE}/serving-core.yaml`),
    apply(`${KOURIER}/kourier.yaml`),
    {
      title: 'Kourier as the ingress',
      command: kubectl(
        'patch',
        'configmap/config-network',
        '-n',
        'knative-serving',
        '--type',
        'merge',
        '-p',
        '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}',
      ),
    },
    apply(`${EVENTING}/eventing-crds.yaml`),
    apply(`${EVENTING}/eventing-core.yaml`),
    apply(`${KAFKA_EXT}/eventing-kafka-controller.yaml`),
    apply(`${KAFKA_EXT}/eventing-kafka-source.yaml`),
    apply(`${KAFKA_EXT}/eventing-kafka-sink.yaml`),
    { title: 'namespaces', command: kubectl('apply', '-f', 'k8s/generated/infra/namespaces.yaml') },
    {
      title: `Strimzi ${VERSIONS.strimzi} in atlas-infra`,
      command: [
        'sh',
        '-c',
        `curl -sfL ${STRIMZI} | sed 's/namespace: .*/namespace: atlas-infra/' | kubectl apply -n atlas-infra -f -`,
      ],
    },
    {
      title: 'Strimzi ready',
      command: kubectl(
        '-n',
        INFRA_NAMESPACE,
        'rollout',
        'status',
        'deployment/strimzi-cluster-operator',
        '--timeout=5m',
      ),
    },
    { title: 'Secrets', command: ['sh', 'k8s/create-secrets.sh'] },
    { title: 'infrastructure', command: kubectl('apply', '-f', 'k8s/generated/infra/') },
    {
      title: 'Kafka ready',
      command: kubectl(
        '-n',
        INFRA_NAMESPACE,
        'wait',
        `kafka/${KAFKA_CLUSTER}`,
        '--for=condition=Ready',
        '--timeout=10m',
      ),
    },
    {
      title: 'infrastructure ready',
      command: kubectl(
        '-n',
        INFRA_NAMESPACE,
        'rollout',
        'status',
        'deployment/keycloak',
        'deployment/apicurio',
        'deployment/redis',
        'statefulset/postgres',
        '--timeout=10m',
      ),
    },
    {
      title: 'images',
      command: [process.execPath, join('infra', 'container', 'images.ts'), '--kind'],
    },
    {
      title: 'set-up Job',
      command: kubectl(
        'apply',
        '-f',
        'k8s/generated/config.yaml',
        '-f',
        'k8s/generated/setup-job.yaml',
      ),
    },
    {
      title: 'set-up done',
      command: kubectl(
        '-n',
        NAMESPACE,
        'wait',
        'job',
        '-l',
        'app.kubernetes.io/name=atlas-setup',
        '--for=condition=complete',
        '--timeout=10m',
      ),
    },
    { title: 'functions', command: kubectl('apply', '-f', 'k8s/generated/') },
    {
      title: 'functions ready',
      command: kubectl(
        '-n',
        NAMESPACE,
        'wait',
        'ksvc',
        '--all',
        '--for=condition=Ready',
        '--timeout=10m',
      ),
    },
    {
      title: 'gateway ready',
      command: kubectl(
        '-n',
        NAMESPACE,
        'rollout',
        'status',
        'deployment/gateway-gateway',
        '--timeout=5m',
      ),
    },
  ];
}

export function downSteps(): Step[] {
  return [
    { title: 'delete the cluster', command: ['kind', 'delete', 'cluster', '--name', CLUSTER] },
  ];
}

/** The demos of `npm run demo`, pointed at what kind publishes. */
export function demoSteps(): Step[] {
  return [
    {
      title: 'the saga demos',
      command: [process.execPath, join('infra', 'local', 'demo', 'main.ts')],
    },
  ];
}

export const DEMO_ENV = { ATLAS_GATEWAY_PORT: '18080', ATLAS_KEYCLOAK_URL: KEYCLOAK_PUBLIC_URL };

/** The tools a command needs that do not answer here. */
export function missingTools(command: 'up' | 'down' | 'demo'): string[] {
  const needed =
    command === 'demo' ? ['kubectl'] : command === 'down' ? ['kind'] : ['kind', 'kubectl', 'curl'];
  const missing = needed.filter(
    (tool) =>
      spawnSync(tool, tool === 'kubectl' ? ['version', '--client'] : ['--version'], {
        stdio: 'ignore',
      }).status !== 0,
  );
  if (command === 'up' && !['docker', 'podman'].some(engineAnswers))
    missing.push('docker or podman (an engine that answers `info`)');
  return missing;
}

function main(argv: readonly string[]): number {
  const [command, ...flags] = argv;
  if (command !== 'up' && command !== 'down' && command !== 'demo') {
    console.error('usage: node infra/kind/kind.ts up|down|demo [--dry-run]');
    return 2;
  }
  const steps = command === 'up' ? upSteps() : command === 'down' ? downSteps() : demoSteps();
  if (flags.includes('--dry-run')) {
    for (const step of steps) console.log(`${step.title}: ${step.command.join(' ')}`);
    return 0;
  }
  const missing = missingTools(command);
  if (missing.length > 0) {
    console.error(
      `kind:${command} needs ${missing.join(', ')}, which this machine lacks; docs/runbooks/kind-cluster.md lists the steps.`,
    );
    return 1;
  }
  const env = command === 'demo' ? { ...process.env, ...DEMO_ENV } : process.env;
  for (const step of steps) {
    console.log(`kind:${command}: ${step.title}`);
    const [program = '', ...args] = step.command;
    const result = spawnSync(program, args, { stdio: 'inherit', cwd: REPO_ROOT, env });
    if (result.status !== 0) {
      console.error(`kind:${command}: "${step.title}" failed (exit ${String(result.status)})`);
      return 1;
    }
  }
  if (command === 'up')
    console.log(
      `\nAtlas ERP runs in kind: the API at ${GATEWAY_URL}/v1, tokens from ${KEYCLOAK_PUBLIC_URL}/realms/atlas-erp (npm run kind:demo runs the demos).`,
    );
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
