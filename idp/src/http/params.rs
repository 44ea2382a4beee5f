//! `RawParams`: the parameters of an endpoint that takes both GET (query) and POST (form body),
//! as OIDC Core §3.1.2.1 asks of `/authorize` and RP-Initiated Logout of `/logout`.

use axum::extract::{FromRequest, RawForm, Request};
use axum::http::Method;

use super::error::PageError;

/// The raw `application/x-www-form-urlencoded` text of the query (GET) or the body (POST).
pub struct RawParams(pub String);

impl<S: Send + Sync> FromRequest<S> for RawParams {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if matches!(*req.method(), Method::GET | Method::HEAD) {
            return Ok(RawParams(req.uri().query().unwrap_or("").to_string()));
        }
        let RawForm(body) = RawForm::from_request(req, state).await.map_err(|_| PageError::BadForm)?;
        String::from_utf8(body.to_vec()).map(RawParams).map_err(|_| PageError::BadForm)
    }
}
