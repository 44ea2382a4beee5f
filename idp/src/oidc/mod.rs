//! The OpenID Connect provider (Pasal 7(5)): discovery, JWKS, authorization code + PKCE,
//! tokens, userinfo, introspection, revocation, logout.

pub mod access;
pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod client;
pub mod discovery;
pub mod introspect;
pub mod jwt_crypto;
pub mod keys;
pub mod logout;
pub mod revoke;
pub mod revoked;
pub mod scope;
pub mod token;
pub mod tokens;
pub mod userinfo;
