//! The language of a page: `?lang=` (remembered in a cookie), then that cookie, else Indonesian.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use gerbang_core::lang::Lang;

use super::cookies;

#[derive(Debug, Clone, Copy)]
pub struct UiLang {
    pub lang: Lang,
    /// Set when `?lang=` chose it: the response should remember the choice.
    pub chosen_now: bool,
}

impl UiLang {
    pub fn detect(uri: &Uri, headers: &HeaderMap) -> UiLang {
        let from_query =
            uri.query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(Lang::from_tag));
        if let Some(lang) = from_query {
            return UiLang { lang, chosen_now: true };
        }
        // The language cookie is not a secret; it is read under both names.
        let cookie = cookies::get(headers, cookies::LANG, false).or_else(|| cookies::get(headers, cookies::LANG, true));
        UiLang { lang: cookie.as_deref().and_then(Lang::from_tag).unwrap_or_default(), chosen_now: false }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for UiLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(UiLang::detect(&parts.uri, &parts.headers))
    }
}
