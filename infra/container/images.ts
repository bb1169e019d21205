import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_SETTINGS, imageName } from '../k8s/manifests.ts';
import { engineAnswers, CLUSTER as KIND_CLUSTER } from '../kind/kind.ts';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { buildImageContexts, type ImageContext } from './context.ts';

/**
 * `npm run images [-- --contexts-only] [--out DIR] [--engine docker|podman] [--kind] [name…]`:
 * writes each image's context (one per function and the set-up's, ADR-0040) and, unless told not
 * to, builds the image with docker or podman as `kind.local/atlas-erp/<name>:<version>`, loading
 * it into the kind cluster `atlas-erp` with `--kind`. Prints each context's size, and each image's when built.
 */
interface Options {
  contextsOnly: boolean;
  out: string;
  engine: string | undefined;
  kind: boolean;
  names: string[];
}

function parse(argv: readonly string[]): Options {
  const options: Options = {
    contextsOnly: false,
    out: join(REPO_ROOT, '.atlas', 'images'),
    engine: undefined,
    kind: false,
    names: [],
  };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--contexts-only') options.contextsOnly = true;
    else if (argument === '--kind') options.kind = true;
    else if (argument === '--out') options.out = argv[(index += 1)] ?? options.out;
    else if (argument === '--engine') options.engine = argv[(index += 1)];
    else if (argument.startsWith('--')) throw new Error(`unknown option ${argument}`);
    else options.names.push(argument);
  }
  return options;
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: REPO_ROOT });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

function imageOf(context: ImageContext): string {
  const { name, version } = context.spec;
  return imageName(DEFAULT_CLUSTER_SETTINGS.imageRegistry, name, version);
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(argv: readonly string[]): Promise<number> {
  const options = parse(argv);
  const contexts = await buildImageContexts(
    options.out,
    options.names.length > 0 ? options.names : undefined,
  );
  if (options.contextsOnly) {
    for (const context of contexts)
      console.log(`${context.spec.name}\t${mib(context.bytes)}\t${context.directory}`);
    return 0;
  }
  const engine = options.engine
    ? [options.engine].find(engineAnswers)
    : ['docker', 'podman'].find(engineAnswers);
  if (!engine) {
    console.error(
      'images: no docker or podman engine answers here (`<engine> info` fails). `npm run images -- --contexts-only` writes the contexts alone.',
    );
    return 1;
  }
  for (const context of contexts) {
    const image = imageOf(context);
    run(engine, [
      'build',
      '-f',
      'infra/container/Dockerfile',
      '--build-arg',
      `FUNCTION=${context.spec.name}`,
      '-t',
      image,
      '.',
    ]);
    if (options.kind) run('kind', ['load', 'docker-image', '--name', KIND_CLUSTER, image]);
    const size = spawnSync(engine, ['image', 'inspect', '--format', '{{.Size}}', image], {
      encoding: 'utf8',
    }).stdout.trim();
    console.log(`${image}\t${mib(Number(size))} (context ${mib(context.bytes)})`);
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`images: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}
