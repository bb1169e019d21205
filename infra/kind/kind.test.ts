import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { VERSIONS } from '../local/versions.ts';
import { DEMO_ENV, demoSteps, downSteps, missingTools, upSteps } from './kind.ts';

const runbook = readFileSync(join(REPO_ROOT, 'docs', 'runbooks', 'kind-cluster.md'), 'utf8');

describe('npm run kind:up', () => {
  it('follows the runbook: the same pinned releases, the same files', () => {
    const urls = upSteps().flatMap((step) =>
      step.command.filter((part) => part.startsWith('https://')),
    );
    expect(urls.length).toBeGreaterThanOrEqual(8);
    for (const url of urls) expect(runbook).toContain(url);
    expect(runbook).toContain(`strimzi-cluster-operator-${VERSIONS.strimzi}.yaml`);
    for (const step of [...upSteps(), ...downSteps(), ...demoSteps()])
      for (const part of step.command)
        if (
          /^(k8s|infra|kind-cluster)[^ ]*\.(ya?ml|ts|sh)$|^k8s\/generated\/(infra\/)?$/.test(part)
        )
          expect({ part, exists: existsSync(join(REPO_ROOT, part)) }).toEqual({
            part,
            exists: true,
          });
  });

  it('runs the set-up Job before the functions, and the functions after their infrastructure', () => {
    const titles = upSteps().map((step) => step.title);
    const order = ['infrastructure ready', 'images', 'set-up done', 'functions', 'functions ready'];
    expect(order.map((title) => titles.indexOf(title))).toEqual(
      [...order.map((title) => titles.indexOf(title))].sort((a, b) => a - b),
    );
    expect(order.every((title) => titles.includes(title))).toBe(true);
  });

  it('points the demos at what kind publishes, not at npm start', () => {
    expect(DEMO_ENV).toEqual({
      ATLAS_GATEWAY_PORT: '18080',
      ATLAS_KEYCLOAK_URL: 'http://127.0.0.1:18180',
    });
  });

  it('refuses plainly, exit 1, where kind or a container engine is missing', () => {
    const missing = missingTools('up');
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'infra', 'kind', 'kind.ts'), 'up'], {
      encoding: 'utf8',
    });
    if (missing.length === 0) return; // a machine with the tools would start a cluster
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('kind:up needs');
    expect(run.stderr).toContain('docs/runbooks/kind-cluster.md');
  });
});
