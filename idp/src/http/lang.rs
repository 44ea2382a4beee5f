//! The language of a page: `?lang=` or `?ui_locales=` (remembered in a cookie), then that cookie,
//! then the browser's `Accept-Language`, else Indonesian.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use gerbang_core::lang::Lang;

use super::cookies;

#[derive(Debug, Clone)]
pub struct UiLang {
    pub lang: Lang,
    /// Set when `?lang=` chose it: the response should remember the choice.
    pub chosen_now: bool,
    /// The current query without the language parameters, so the language links of a page
    /// keep everything else (e.g. the `return_to` of a sign-in in progress).
    pub other_params: String,
}

impl UiLang {
    /// The link that shows the current page in `lang`.
    pub fn href(&self, lang: Lang) -> String {
        if self.other_params.is_empty() {
            format!("?lang={}", lang.tag())
        } else {
            format!("?{}&lang={}", self.other_params, lang.tag())
        }
    }
}

impl UiLang {
    pub fn detect(uri: &Uri, headers: &HeaderMap) -> UiLang {
        // `ui_locales` (OIDC Core §3.1.2.1) is space-separated, `+` or `%20` in a query.
        let from_query = uri.query().and_then(|q| {
            q.split('&').find_map(|kv| {
                let value = kv.strip_prefix("lang=").or_else(|| kv.strip_prefix("ui_locales="))?;
                Lang::negotiate(&value.replace("%20", " ").replace('+', " "))
            })
        });
        let other_params = uri
            .query()
            .map(|q| {
                let kept = url::form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k != "lang" && k != "ui_locales");
                url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish()
            })
            .unwrap_or_default();
        if let Some(lang) = from_query {
            return UiLang { lang, chosen_now: true, other_params };
        }
        // The language cookie is not a secret; it is read under both names.
        let cookie = cookies::get(headers, cookies::LANG, false).or_else(|| cookies::get(headers, cookies::LANG, true));
        let browser =
            headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::negotiate);
        let lang = cookie.as_deref().and_then(Lang::from_tag).or(browser).unwrap_or_default();
        UiLang { lang, chosen_now: false, other_params }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for UiLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(UiLang::detect(&parts.uri, &parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(uri: &str, headers: &[(&str, &str)]) -> Lang {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        UiLang::detect(&uri.parse().unwrap(), &map).lang
    }

    #[test]
    fn explicit_then_cookie_then_browser_then_indonesian() {
        assert_eq!(detect("/masuk", &[]), Lang::Id);
        assert_eq!(detect("/masuk", &[("accept-language", "fr-FR, de")]), Lang::Id);
        assert_eq!(detect("/masuk", &[("accept-language", "en-US,en;q=0.9")]), Lang::En);
        assert_eq!(detect("/masuk", &[("accept-language", "en-US"), ("cookie", "gerbang_lang=id")]), Lang::Id);
        assert_eq!(detect("/masuk?ui_locales=fr+en", &[("cookie", "gerbang_lang=id")]), Lang::En);
        assert_eq!(detect("/masuk?lang=id", &[("accept-language", "en")]), Lang::Id);
    }

    #[test]
    fn language_links_keep_the_rest_of_the_query() {
        let ui = UiLang::detect(
            &"/masuk?return_to=%2Fauthorize%2Flanjut%3Freq%3Dab&lang=en".parse().unwrap(),
            &HeaderMap::new(),
        );
        assert_eq!(ui.href(Lang::Id), "?return_to=%2Fauthorize%2Flanjut%3Freq%3Dab&lang=id");
        let plain = UiLang::detect(&"/akun".parse().unwrap(), &HeaderMap::new());
        assert_eq!(plain.href(Lang::En), "?lang=en");
    }
}
