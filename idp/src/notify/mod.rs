//! Messages to people through their contacts: email over SMTP (lettre) and SMS through a
//! provider's HTTP API (behind [`sms::SmsGateway`]). In demo mode a channel with nothing
//! configured writes its messages to the log instead, so the demo works without a mail server.

pub mod mail;
pub mod sms;
pub mod text;

use std::sync::Arc;

use gerbang_core::config::Config;
use secrecy::ExposeSecret;

/// How a message reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }

    /// An address shown on a page without giving it away: `r***@contoh.id`, `+62812****7890`.
    pub fn mask(self, address: &str) -> String {
        match self {
            Channel::Email => match address.split_once('@') {
                Some((local, domain)) => {
                    format!("{}***@{domain}", local.chars().next().map(String::from).unwrap_or_default())
                }
                None => "***".into(),
            },
            Channel::Sms => {
                let chars: Vec<char> = address.chars().collect();
                if chars.len() < 9 {
                    return "***".into();
                }
                let head: String = chars[..6].iter().collect();
                let tail: String = chars[chars.len() - 3..].iter().collect();
                format!("{head}****{tail}")
            }
        }
    }
}

/// One message: a subject (email only) and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("no {0} delivery is configured")]
    NotConfigured(&'static str),
    #[error("email: {0}")]
    Mail(String),
    #[error("SMS: {0}")]
    Sms(String),
}

/// Sends messages on the channels the operator configured.
#[derive(Clone)]
pub struct Messenger {
    mail: Option<Arc<mail::Mailer>>,
    sms: Option<Arc<dyn sms::SmsGateway>>,
    /// Demo mode: a channel without configuration logs its messages.
    log_unconfigured: bool,
}

impl Messenger {
    pub fn from_config(config: &Config, http: reqwest::Client) -> Result<Messenger, NotifyError> {
        let smtp = config.mail.smtp_url.expose_secret();
        let mail = if smtp.is_empty() { None } else { Some(Arc::new(mail::Mailer::new(smtp, &config.mail.from)?)) };
        let sms: Option<Arc<dyn sms::SmsGateway>> =
            if config.sms.url.is_empty() { None } else { Some(Arc::new(sms::HttpSmsGateway::new(http, &config.sms))) };
        Ok(Messenger { mail, sms, log_unconfigured: config.demo })
    }

    /// Replaces the SMS provider (another adapter of [`sms::SmsGateway`]).
    pub fn with_sms_gateway(mut self, gateway: Arc<dyn sms::SmsGateway>) -> Messenger {
        self.sms = Some(gateway);
        self
    }

    /// Whether messages can go out on this channel.
    pub fn offers(&self, channel: Channel) -> bool {
        self.log_unconfigured
            || match channel {
                Channel::Email => self.mail.is_some(),
                Channel::Sms => self.sms.is_some(),
            }
    }

    pub async fn send(&self, channel: Channel, to: &str, message: &Message) -> Result<(), NotifyError> {
        let result = match channel {
            Channel::Email => match &self.mail {
                Some(mail) => mail.send(to, message).await,
                None => return self.log(channel, to, message),
            },
            Channel::Sms => match &self.sms {
                Some(sms) => sms.send(to, &format!("{}: {}", message.subject, message.body)).await,
                None => return self.log(channel, to, message),
            },
        };
        match &result {
            Ok(()) => tracing::info!(channel = channel.as_str(), to = %channel.mask(to), "message sent"),
            Err(e) => {
                tracing::warn!(channel = channel.as_str(), to = %channel.mask(to), error = %e, "message not sent")
            }
        }
        result
    }

    fn log(&self, channel: Channel, to: &str, message: &Message) -> Result<(), NotifyError> {
        if !self.log_unconfigured {
            return Err(NotifyError::NotConfigured(channel.as_str()));
        }
        tracing::info!(channel = channel.as_str(), to, subject = %message.subject, body = %message.body,
            "demo mode: message written here instead of sent");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Channel;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(Channel::Email.mask("rina@contoh.id"), "r***@contoh.id");
        assert_eq!(Channel::Sms.mask("+6281234567890"), "+62812****890");
        assert_eq!(Channel::Sms.mask("+62"), "***");
    }
}
