//! SMS through a provider: the [`SmsGateway`] trait, and the one adapter shipped, a generic HTTP
//! POST configured per provider (`[sms]`: URL, JSON or form fields with `{to}` and `{text}`, an
//! `Authorization` header).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use gerbang_core::config::{SmsConfig, SmsFormat};
use secrecy::{ExposeSecret, SecretString};

use super::NotifyError;

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), NotifyError>> + Send + 'a>>;

/// Sends one text message to a number in E.164 form (`+628…`).
pub trait SmsGateway: Send + Sync {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a>;
}

/// A provider's HTTP API: any 2xx answer is a message accepted.
pub struct HttpSmsGateway {
    http: reqwest::Client,
    url: String,
    format: SmsFormat,
    fields: Vec<(String, String)>,
    authorization: SecretString,
}

impl HttpSmsGateway {
    pub fn new(http: reqwest::Client, config: &SmsConfig) -> HttpSmsGateway {
        HttpSmsGateway {
            http,
            url: config.url.clone(),
            format: config.format,
            fields: config.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            authorization: config.authorization.clone(),
        }
    }
}

impl SmsGateway for HttpSmsGateway {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let fields: Vec<(String, String)> =
                self.fields.iter().map(|(k, v)| (k.clone(), v.replace("{to}", to).replace("{text}", text))).collect();
            let mut request = self.http.post(&self.url).timeout(Duration::from_secs(15));
            request = match self.format {
                SmsFormat::Json => {
                    let body: serde_json::Map<String, serde_json::Value> =
                        fields.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
                    request.json(&body)
                }
                SmsFormat::Form => request.form(&fields),
            };
            let auth = self.authorization.expose_secret();
            if !auth.is_empty() {
                request = request.header(reqwest::header::AUTHORIZATION, auth);
            }
            let response = request.send().await.map_err(|e| NotifyError::Sms(e.without_url().to_string()))?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(NotifyError::Sms(format!("the provider answered {}", response.status())))
            }
        })
    }
}

/// An Indonesian mobile number in E.164 form (`+628…`), from what a person types (`0812-3456-7890`,
/// `+62 812 3456 7890`, `62812…`); `None` when it is not one.
pub fn normalize_phone(input: &str) -> Option<String> {
    let mut digits = String::new();
    for (i, c) in input.trim().chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let national = digits.strip_prefix("62").or_else(|| digits.strip_prefix('0'))?;
    // Mobile numbers are 08xx…: 9 to 12 digits after the 0.
    (national.starts_with('8') && (9..=12).contains(&national.len())).then(|| format!("+62{national}"))
}

#[cfg(test)]
mod tests {
    use super::normalize_phone;

    #[test]
    fn indonesian_mobile_numbers() {
        for ok in ["081234567890", "0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(0812) 345 678"] {
            assert!(normalize_phone(ok).is_some_and(|n| n.starts_with("+628")), "{ok}");
        }
        assert_eq!(normalize_phone("0812-3456-7890").as_deref(), Some("+6281234567890"));
        for bad in ["", "0751123456", "+1 415 555 0100", "08123", "0812345678901234", "0812a4567890", "08+1234567"] {
            assert_eq!(normalize_phone(bad), None, "{bad:?}");
        }
    }
}
