//! Where the IdP's messages land in tests: a real SMTP server (a small sink speaking RFC 5321 on
//! 127.0.0.1, so lettre's real SMTP client is used) and an SMS provider's HTTP endpoint.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// One message received: its envelope recipients and its text (headers and body).
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub text: String,
}

impl Received {
    /// The first run of six digits in the message (the code).
    pub fn code(&self) -> String {
        // Quoted-printable soft line breaks would split a code.
        let text = self.text.replace("=\r\n", "");
        let bytes = text.as_bytes();
        (0..bytes.len().saturating_sub(5))
            .find(|&i| {
                bytes[i..i + 6].iter().all(u8::is_ascii_digit)
                    && (i == 0 || !bytes[i - 1].is_ascii_digit())
                    && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit())
            })
            .map(|i| text[i..i + 6].to_string())
            .unwrap_or_else(|| panic!("no code in {text}"))
    }
}

/// Messages received so far, shared with the server task.
#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Received>>>);

impl Inbox {
    pub fn all(&self) -> Vec<Received> {
        self.0.lock().unwrap().clone()
    }

    fn push(&self, r: Received) {
        self.0.lock().unwrap().push(r);
    }

    /// Waits (10 s at most) for the `n`-th message (1-based) to `to`.
    pub async fn nth_to(&self, to: &str, n: usize) -> Received {
        for _ in 0..200 {
            let found: Vec<Received> = self.all().into_iter().filter(|r| r.to.contains(to)).collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message {n} to {to}; received: {:?}", self.all());
    }

    pub fn count_to(&self, to: &str) -> usize {
        self.all().iter().filter(|r| r.to.contains(to)).count()
    }
}

pub struct SmtpSink {
    pub url: String,
    pub inbox: Inbox,
    _stop: oneshot::Sender<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let inbox = Inbox::default();
        let sink = inbox.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            tokio::select! {
                _ = stopped => {}
                _ = async {
                    while let Ok((socket, _)) = listener.accept().await {
                        let sink = sink.clone();
                        tokio::spawn(async move { let _ = session(socket, sink).await; });
                    }
                } => {}
            }
        });
        SmtpSink { url, inbox, _stop: stop }
    }
}

/// One SMTP conversation (RFC 5321 §4.1), enough for a client that sends mail: EHLO/HELO, MAIL,
/// RCPT, DATA (dot-terminated, dot-unstuffed), RSET, NOOP, QUIT.
async fn session(socket: tokio::net::TcpStream, inbox: Inbox) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP test sink\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => write.write_all(b"250-sink.test\r\n250 8BITMIME\r\n").await?,
            "HELO" | "NOOP" => write.write_all(b"250 OK\r\n").await?,
            "MAIL" => {
                to.clear();
                write.write_all(b"250 OK\r\n").await?
            }
            "RCPT" => {
                to.push(line.trim_end().to_string());
                write.write_all(b"250 OK\r\n").await?
            }
            "RSET" => {
                to.clear();
                write.write_all(b"250 OK\r\n").await?
            }
            "DATA" => {
                write.write_all(b"354 end with .\r\n").await?;
                let mut text = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    text.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                inbox.push(Received { to: to.join(" "), text });
                write.write_all(b"250 OK queued\r\n").await?
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"502 not implemented\r\n").await?,
        }
    }
}

/// An SMS provider's HTTP API that accepts every message (JSON `{"to", "text"}`) and keeps it.
pub struct SmsSink {
    pub url: String,
    pub inbox: Inbox,
    _stop: oneshot::Sender<()>,
}

impl SmsSink {
    pub async fn start() -> SmsSink {
        use axum::routing::post;
        let inbox = Inbox::default();
        let sink = inbox.clone();
        let app = axum::Router::new().route(
            "/send",
            post(move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<serde_json::Value>| {
                let sink = sink.clone();
                async move {
                    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer sms-key") {
                        return axum::http::StatusCode::UNAUTHORIZED;
                    }
                    let field = |k: &str| body[k].as_str().unwrap_or("").to_string();
                    sink.push(Received { to: field("to"), text: field("text") });
                    axum::http::StatusCode::ACCEPTED
                }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/send", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        SmsSink { url, inbox, _stop: stop }
    }
}
