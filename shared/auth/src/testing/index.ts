export { startLocalIssuer } from './local-issuer.ts';
export type { LocalIssuer } from './local-issuer.ts';
