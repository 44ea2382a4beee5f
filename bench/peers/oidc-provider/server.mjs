// The peer of the token and introspection workloads: panva's oidc-provider (a certified
// OpenID Provider) set up like Gerbang's machine client: one confidential client with
// client_secret_basic and the client_credentials grant, ES256 JWT access tokens for one API.
//
//   PORT       listen on 127.0.0.1:PORT (default 3000)
//   AT_FORMAT  jwt (default) or opaque: oidc-provider keeps no record of its JWT access tokens,
//              so its introspection answers them inactive; the introspection workload runs it
//              with opaque tokens (an in-memory lookup), which favours the peer.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 3000);
const format = process.env.AT_FORMAT || 'jwt';
const api = 'urn:gerbang:bench-api';
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signing = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'bench-es256' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'bench-m2m',
    client_secret: process.env.CLIENT_SECRET || 'bench-peer-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    id_token_signed_response_alg: 'ES256',
    response_types: [],
    redirect_uris: [],
    scope: 'bench:read',
  }],
  jwks: { keys: [signing] },
  cookies: { keys: ['bench-only-not-a-secret'] },
  scopes: ['openid', 'bench:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => api,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'bench:read',
        audience: api,
        accessTokenTTL: 600,
        accessTokenFormat: format,
        ...(format === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
      }),
    },
  },
  ttl: { ClientCredentials: 600 },
  renderError: async (ctx, out) => { ctx.type = 'json'; ctx.body = out; },
});
provider.listen(port, '127.0.0.1', () => console.log(`peer ${format} on ${port} pid ${process.pid}`));
