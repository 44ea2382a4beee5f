//! Email over SMTP with lettre: TLS (`smtps://`), STARTTLS (`smtp://…?tls=required`) or plain to
//! a local relay (`smtp://127.0.0.1:25`), as the operator's `mail.smtp_url` says.

use std::str::FromStr;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::{Message, NotifyError};

/// Longest address accepted (RFC 5321 §4.5.3.1.3 path limit, less the brackets).
const MAX_ADDRESS_LEN: usize = 254;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, NotifyError> {
        let from = Mailbox::from_str(from).map_err(|e| NotifyError::Mail(format!("mail.from {from:?}: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| NotifyError::Mail(format!("mail.smtp_url: {e}")))?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, to: &str, message: &Message) -> Result<(), NotifyError> {
        let to = Address::from_str(to).map_err(|e| NotifyError::Mail(format!("address: {e}")))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(&message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| NotifyError::Mail(e.to_string()))?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| NotifyError::Mail(e.to_string()))
    }
}

/// A well-formed email address as typed (trimmed, domain lower-cased), or `None`.
pub fn normalize_address(input: &str) -> Option<String> {
    let input = input.trim();
    if input.len() > MAX_ADDRESS_LEN {
        return None;
    }
    let address = Address::from_str(input).ok()?;
    // A person's mailbox is on a domain with a dot; `user@localhost` is not one.
    if !address.domain().contains('.') {
        return None;
    }
    Some(format!("{}@{}", address.user(), address.domain().to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::normalize_address;

    #[test]
    fn addresses_are_checked_and_normalised() {
        assert_eq!(normalize_address(" Rina@Contoh.ID ").as_deref(), Some("Rina@contoh.id"));
        for bad in
            ["", "rina", "rina@", "@contoh.id", "rina@localhost", "a b@contoh.id", "rina@contoh.id\r\nBcc: x@y.id"]
        {
            assert_eq!(normalize_address(bad), None, "{bad:?}");
        }
    }
}
