import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWTPayload } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/** A throwaway token issuer for tests: an RSA key served as a JWKS on 127.0.0.1, plus one it does not serve. */
export interface LocalIssuer {
  /** Where the JWKS is served; pass it as `jwksUrl` to `createTokenVerifier`. */
  readonly jwksUrl: string;
  /**
   * Signs `claims` exactly as given (set `iss`, `aud`, `exp`… yourself) with RS256. With
   * `unknownKey`, signs with a key whose `kid` the JWKS does not list.
   */
  sign(claims: JWTPayload, options?: { readonly unknownKey?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a local issuer on a random free port.
 *
 * @example
 * const issuer = await startLocalIssuer();
 * const token = await issuer.sign({ iss, sub: 'u1', aud: 'atlas-gateway', exp: 1 });
 * await issuer.close();
 */
export async function startLocalIssuer(): Promise<LocalIssuer> {
  const served = await generateKeyPair('RS256', { extractable: true });
  const unknown = await generateKeyPair('RS256');
  const jwk = {
    ...(await exportJWK(served.publicKey)),
    kid: 'local-served',
    alg: 'RS256',
    use: 'sig',
  };
  const body = JSON.stringify({ keys: [jwk] });

  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    jwksUrl: `http://127.0.0.1:${port}/certs`,
    sign: async (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({
          alg: 'RS256',
          typ: 'JWT',
          kid: options.unknownKey === true ? 'local-unknown' : 'local-served',
        })
        .sign(options.unknownKey === true ? unknown.privateKey : served.privateKey),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
