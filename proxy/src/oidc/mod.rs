//! The gateway as an OpenID Connect relying party, through public protocols only: discovery,
//! JWKS, the code flow with PKCE, JWT access tokens, and back-channel logout.

pub mod backchannel;
pub mod bearer;
pub mod login;
pub mod provider;

pub use provider::{Provider, ProviderError};
