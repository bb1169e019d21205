import { spawn } from 'node:child_process';
import { backup, restore } from './backup.ts';
import { InfraError } from './lib/errors.ts';
import { renderTable } from './lib/table.ts';
import { down, logPath, stackContext, status, up, type ComponentStatus } from './stack.ts';
import { tracingWanted } from './components/zipkin.ts';
import { startSystem } from './start.ts';
import {
  functionStatuses,
  startFunctions,
  stopFunctions,
  type ProcessStatus,
} from './functions.ts';
import { describeFunctions, SETUP_STEPS, START_STEPS, TEST_SETUP_STEPS } from './system-steps.ts';

const USAGE = `Usage: npm run infra -- <command>

  up              start every part of the local stack that is not running, wait until each serves
  down            stop what this clone started (functions, then the stack, by pid); leaves the machine's own services alone
  status          show what serves where
  logs <part> [-f] print (or follow) a log: postgres, redis, kafka, schema-registry, keycloak, zipkin,
                  kafka-source, or a function process fn-<service>-<function>
  backup [dir]    a consistent backup of the five databases and Kafka's logs (functions paused for the cut);
                  into .atlas/backups/<time>/ unless a folder is given (docs/runbooks/backup-and-restore.md)
  restore <dir>   put the system back to a backup: databases, Kafka, Redis keys the restore takes back
  prepare-tests   what 'npm start' does, for the test set-up: a function that fails is reported, not fatal; last line JSON
  setup           only the migrations and the schema registration, against the ATLAS_* addresses, starting
                  nothing: for a cluster's PostgreSQL and registry (docs/runbooks/kind-cluster.md)
  start           up, migrations, schemas, topics, demo stock, every function (restarting those older
                  than their code), then where things are`;

function statusTable(statuses: readonly ComponentStatus[]): string {
  return renderTable(
    ['part', 'address', 'state', 'pid', 'ready after'],
    statuses.map((s) => [
      s.name,
      s.address,
      s.state,
      s.pid?.toString() ?? '-',
      s.readyMs === undefined ? '-' : `${(s.readyMs / 1000).toFixed(1)}s`,
    ]),
  );
}

/** The function processes with what their keepers report: restarts and the last exit. */
function processTable(statuses: readonly ProcessStatus[]): string {
  return renderTable(
    ['function process', 'address', 'state', 'pid', 'restarts', 'last exit'],
    statuses.map((s) => [
      s.name,
      s.address,
      s.state,
      s.pid?.toString() ?? '-',
      s.restarts?.toString() ?? '-',
      s.lastExit ?? '-',
    ]),
  );
}

function endpoints(context: ReturnType<typeof stackContext>): string {
  const { config } = context;
  const tokenUrl = `${config.keycloak.issuer}/protocol/openid-connect/token`;
  return [
    'Endpoints:',
    `  Gateway (the API)   http://127.0.0.1:${config.gateway.port}/v1  (npm run demo runs the saga demos through it)`,
    `  Kafka bootstrap     ${config.kafka.brokers.join(',')}`,
    `  Schema registry     ${config.schemaRegistry.url}/subjects`,
    `  Keycloak (OIDC)     ${config.keycloak.issuer}/.well-known/openid-configuration`,
    `  Keycloak console    ${config.keycloak.url}/admin  (local only: admin / admin)`,
    `  PostgreSQL          ${config.postgres.baseUrl}/atlas_<service>`,
    `  Redis               ${config.redis.url}`,
    tracingWanted(context.env)
      ? `  Traces (Zipkin)     ${config.zipkin.url}/zipkin/  (npx atlas trace <orderId> links one order's trace)`
      : '  Traces              off (ATLAS_TRACING=off)',
    '',
    'A token for a demo user (users admin, ops, finance, approver, viewer; password atlas, local only):',
    `  curl -s -d grant_type=password -d client_id=${config.keycloak.clientId} -d username=viewer -d password=atlas \\`,
    `    ${tokenUrl} | node -e 'process.stdin.on("data", d => console.log(JSON.parse(d).access_token))'`,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const context = stackContext();
  switch (command) {
    case 'up':
      console.log(statusTable(await up(context)));
      return 0;
    case 'down': {
      const stopped = [...(await stopFunctions(context)), ...(await down(context))];
      console.log(stopped.length === 0 ? 'Nothing of ours was running.' : statusTable(stopped));
      return 0;
    }
    case 'status': {
      const statuses = await status(context);
      const functions = functionStatuses(context);
      console.log(statusTable(statuses));
      console.log(`\n${processTable(functions)}`);
      return [...statuses, ...functions].every((s) => s.state !== 'down') ? 0 : 3;
    }
    case 'logs': {
      const [name, flag] = rest;
      if (!name) throw new InfraError(`Which part? ${USAGE}`);
      const path = logPath(context, name);
      const child = spawn('tail', flag === '-f' ? ['-n', '100', '-F', path] : ['-n', '200', path], {
        stdio: 'inherit',
      });
      return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
    }
    case 'start': {
      const began = Date.now();
      const report = await startSystem(context, START_STEPS);
      console.log(statusTable(report.stack));
      for (const step of report.steps)
        console.log(`${step.title}: ${step.detail ?? 'done'} (${(step.ms / 1000).toFixed(1)}s)`);
      console.log(
        `\nAtlas ERP is up (${((Date.now() - began) / 1000).toFixed(1)}s).\n\n${endpoints(context)}`,
      );
      return 0;
    }
    case 'backup': {
      const { dir, manifest } = await backup(context, rest[0]);
      const bytes = manifest.databases.reduce(
        (sum, entry) => sum + entry.bytes,
        manifest.kafka.bytes,
      );
      console.log(
        `Backup in ${dir}: ${manifest.databases.length} databases and Kafka's logs, ${(bytes / 1024 / 1024).toFixed(1)} MiB; functions paused ${(manifest.pausedMs / 1000).toFixed(1)} s.`,
      );
      return 0;
    }
    case 'restore': {
      const [dir] = rest;
      if (!dir)
        throw new InfraError('restore needs the backup folder: npm run infra -- restore <dir>');
      const { manifest, forgottenKeys } = await restore(context, dir);
      console.log(
        `Restored the backup of ${manifest.createdAt}: ${manifest.databases.map((d) => d.database).join(', ')}, Kafka's logs; ${forgottenKeys} Redis keys forgotten.`,
      );
      return 0;
    }
    case 'setup': {
      for (const step of SETUP_STEPS) {
        const began = Date.now();
        const detail = await step.run(context);
        console.log(
          `${step.title}: ${detail ?? 'done'} (${((Date.now() - began) / 1000).toFixed(1)}s)`,
        );
      }
      return 0;
    }
    case 'prepare-tests': {
      // For Jest's global set-up, which cannot load the ESM-only clients the steps use: the last
      // line is JSON naming the parts this call started, so the teardown can stop exactly those.
      const report = await startSystem(context, TEST_SETUP_STEPS);
      // A catalog someone is editing may not load; the tests that need no function still run.
      const catalogProblem: string[] = [];
      const functions = await startFunctions(context).catch((error: unknown) => {
        catalogProblem.push(`functions not started: ${(error as Error).message}`);
        return [];
      });
      console.log(statusTable(report.stack));
      for (const step of report.steps) console.log(`${step.title}: ${step.detail ?? 'done'}`);
      console.log(`functions: ${catalogProblem[0] ?? describeFunctions(functions)}`);
      const started = [...report.stack, ...functions].filter((s) => s.state === 'started');
      const notes = [
        ...catalogProblem,
        ...functions
          .filter((s) => s.state === 'restarted' || s.state === 'failed')
          .map((s) =>
            s.state === 'failed'
              ? `${s.name} failed: ${s.error}`
              : `${s.name} restarted (code changed)`,
          ),
      ];
      console.log(JSON.stringify({ started: started.map((s) => s.name), notes }));
      return 0;
    }
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // People read this, so no stack trace for problems they can act on.
    if (error instanceof InfraError) {
      console.error(`atlas: ${error.message}`);
    } else {
      console.error('atlas: unexpected failure:', error);
    }
    process.exit(1);
  },
);
