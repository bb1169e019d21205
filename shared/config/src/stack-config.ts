import { ConfigError } from './config-error.ts';

export const SERVICE_DATABASES = {
  order: 'atlas_order',
  inventory: 'atlas_inventory',
  billing: 'atlas_billing',
  workflow: 'atlas_workflow',
  reporting: 'atlas_reporting',
} as const;

export type ServiceName = keyof typeof SERVICE_DATABASES;
export const serviceNames = Object.keys(SERVICE_DATABASES) as ServiceName[];

/** Where every part of the local stack lives. Defaults are the addresses of the contract, §1. */
export interface StackConfig {
  readonly kafka: { readonly brokers: readonly string[]; readonly controllerPort: number };
  readonly schemaRegistry: { readonly url: string };
  readonly keycloak: {
    readonly url: string;
    readonly realm: string;
    readonly clientId: string;
    /** What tokens name as `iss`: the realm as users reach it (`ATLAS_KEYCLOAK_ISSUER`). */
    readonly issuer: string;
    /** Where this process reaches the realm (keys, tokens); the issuer unless they differ. */
    readonly realmUrl: string;
  };
  readonly postgres: {
    readonly baseUrl: string;
    readonly databaseUrl: (service: ServiceName) => string;
  };
  readonly redis: { readonly url: string };
  readonly gateway: { readonly port: number };
  /** The local trace backend (Zipkin's API and UI); the functions export to it when tracing is on. */
  readonly zipkin: { readonly url: string };
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function readPort(env: Env, name: string, fallback: number): number {
  const raw = read(env, name, String(fallback));
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError(name, `expected a TCP port (1-65535), got "${raw}"`);
  }
  return port;
}

function readUrl(env: Env, name: string, fallback: string): string {
  const raw = read(env, name, fallback);
  try {
    // Normalise away a trailing slash so callers can append paths safely.
    return new URL(raw).toString().replace(/\/$/, '');
  } catch {
    throw new ConfigError(name, `expected a URL, got "${raw}"`);
  }
}

/** The URL of `database` on the server of `serverUrl`, its query (a socket's `?host=`) kept. */
export function databaseOn(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Reads the stack's addresses from the environment (documented in docs/DEVELOPMENT.md).
 * Takes `env` as an argument so tests and tools can pass their own.
 *
 * @example
 * const { kafka } = loadStackConfig();
 * new Kafka({ brokers: [...kafka.brokers] });
 */
export function loadStackConfig(env: Env = process.env): StackConfig {
  const brokers = read(env, 'ATLAS_KAFKA_BROKERS', '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  for (const broker of brokers) {
    if (!/^[\w.-]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(
        'ATLAS_KAFKA_BROKERS',
        `expected host:port[,host:port], got "${broker}"`,
      );
    }
  }

  const keycloakUrl = readUrl(env, 'ATLAS_KEYCLOAK_URL', 'http://127.0.0.1:8180');
  const realm = read(env, 'ATLAS_KEYCLOAK_REALM', 'atlas-erp');
  const postgresBaseUrl = readUrl(env, 'ATLAS_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432');

  return {
    kafka: { brokers, controllerPort: readPort(env, 'ATLAS_KAFKA_CONTROLLER_PORT', 9093) },
    schemaRegistry: {
      url: readUrl(env, 'ATLAS_SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7'),
    },
    keycloak: {
      url: keycloakUrl,
      realm,
      clientId: read(env, 'ATLAS_KEYCLOAK_CLIENT_ID', 'atlas-gateway'),
      // In a cluster users get tokens through Keycloak's public address while the functions
      // fetch its keys inside the cluster: the two differ, and the tokens carry the public one.
      issuer: readUrl(env, 'ATLAS_KEYCLOAK_ISSUER', `${keycloakUrl}/realms/${realm}`),
      realmUrl: `${keycloakUrl}/realms/${realm}`,
    },
    postgres: {
      baseUrl: postgresBaseUrl,
      databaseUrl: (service) =>
        readUrl(
          env,
          `ATLAS_${service.toUpperCase()}_DATABASE_URL`,
          databaseOn(postgresBaseUrl, SERVICE_DATABASES[service]),
        ),
    },
    redis: { url: readUrl(env, 'ATLAS_REDIS_URL', 'redis://127.0.0.1:6379') },
    gateway: { port: readPort(env, 'ATLAS_GATEWAY_PORT', 8080) },
    zipkin: { url: readUrl(env, 'ATLAS_ZIPKIN_URL', 'http://127.0.0.1:9411') },
  };
}
