export { startLocalIssuer } from './local-issuer.ts';
export type { LocalIssuer } from './local-issuer.ts';
export { DEMO_USERS, bearerFor, fetchToken } from './keycloak.ts';
export type { DemoUser } from './keycloak.ts';
