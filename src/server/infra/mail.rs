//! Outgoing mail with lettre: transactional messages (confirmations, sign-in links) and
//! sessions for sending newsletter issues in batches.
//!
//! Exactly-once delivery across crashes: a newsletter message is streamed to the SMTP server
//! in full, then its delivery record is committed as sent, and only then is the terminating
//! `<CRLF>.<CRLF>` written. A crash before the commit leaves the record pending and the server
//! discards the unterminated message, so it is sent again later; a crash after the commit
//! happens after the dot has been handed to the kernel, which delivers it even if this process
//! dies. (The one remaining window, between the commit and the write of five bytes, is
//! microseconds long and would lose a copy rather than duplicate one.)

use crate::server::config::{MailConfig, MailTransportKind, SmtpTls};
use lettre::{
    Address, Message,
    address::Envelope,
    message::{
        MultiPart, SinglePart,
        header::{ContentType, Header, HeaderName, HeaderValue},
    },
    transport::smtp::{
        authentication::{Credentials, Mechanism},
        client::{SmtpConnection, TlsParameters},
        commands::{Data, Mail, Rcpt},
        extension::ClientId,
    },
};
use std::{error::Error as StdError, path::PathBuf, sync::Once, time::Duration};

/// One message to send.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// `List-Unsubscribe` URL (one-click, RFC 8058), if the message has one.
    pub unsubscribe_url: Option<String>,
    /// `List-Id`, for newsletters.
    pub list_id: Option<String>,
    /// A stable Message-ID (without angle brackets), for deduplication by mail clients.
    pub message_id: Option<String>,
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Build(String),
    /// Worth retrying later (4xx, connection trouble).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will never work for this recipient (5xx).
    #[error("permanent failure: {0}")]
    Permanent(String),
    #[error("could not write the message: {0}")]
    Io(String),
    /// The delivery record could not be committed; nothing was delivered.
    #[error("delivery not recorded: {0}")]
    Uncommitted(String),
}

macro_rules! text_header {
    ($ty:ident, $name:literal) => {
        #[derive(Debug, Clone)]
        struct $ty(String);

        impl Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn StdError + Send + Sync>> {
                Ok($ty(s.to_owned()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(ListUnsubscribe, "List-Unsubscribe");
text_header!(ListUnsubscribePost, "List-Unsubscribe-Post");
text_header!(ListId, "List-Id");

/// Sends mail as configured in `[mail]`.
#[derive(Clone)]
pub struct Mailer {
    config: MailConfig,
}

impl Mailer {
    /// A mailer for the configuration.
    pub fn new(config: MailConfig) -> Self {
        Mailer { config }
    }

    /// Where file-transport mail goes.
    pub fn outbox(&self) -> PathBuf {
        self.config.outbox_dir.clone()
    }

    /// True when mail is written to files (development).
    pub fn is_file(&self) -> bool {
        self.config.transport == MailTransportKind::File
    }

    /// Formats a message and its envelope.
    pub fn build(&self, mail: &OutgoingMail) -> Result<(Vec<u8>, Envelope), MailError> {
        let from: Address = self
            .config
            .from_address
            .parse()
            .map_err(|e| MailError::Address(format!("from: {e}")))?;
        let to: Address = mail
            .to
            .parse()
            .map_err(|e| MailError::Address(format!("{}: {e}", mail.to)))?;
        let mut b = Message::builder()
            .from(lettre::message::Mailbox::new(
                Some(self.config.from_name.clone()),
                from,
            ))
            .to(lettre::message::Mailbox::new(None, to))
            .subject(mail.subject.clone());
        if let Some(id) = &mail.message_id {
            b = b.message_id(Some(format!("<{id}>")));
        }
        if let Some(url) = &mail.unsubscribe_url {
            b = b
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
        }
        if let Some(id) = &mail.list_id {
            b = b.header(ListId(id.clone()));
        }
        let message = match &mail.html {
            Some(html) => b.multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html.clone()),
                    ),
            ),
            None => b.header(ContentType::TEXT_PLAIN).body(mail.text.clone()),
        }
        .map_err(|e| MailError::Build(e.to_string()))?;
        let envelope = message.envelope().clone();
        Ok((message.formatted(), envelope))
    }

    fn write_file(&self, to: &str, bytes: &[u8]) -> Result<(), MailError> {
        std::fs::create_dir_all(&self.config.outbox_dir)
            .map_err(|e| MailError::Io(e.to_string()))?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let safe: String = to
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.config.outbox_dir.join(format!("{stamp}-{safe}.eml"));
        std::fs::write(path, bytes).map_err(|e| MailError::Io(e.to_string()))
    }

    /// Sends one transactional message now (on the blocking pool).
    pub async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let mailer = self.clone();
        tokio::task::spawn_blocking(move || {
            let (bytes, envelope) = mailer.build(&mail)?;
            if mailer.is_file() {
                return mailer.write_file(&mail.to, &bytes);
            }
            let mut session = mailer.connect()?;
            let result = session.send(&envelope, &bytes, || Ok(()));
            session.quit();
            result.map_err(|e| e.error)
        })
        .await
        .map_err(|e| MailError::Io(e.to_string()))?
    }

    /// Opens an SMTP session (or a file session in development) for a batch.
    pub fn connect(&self) -> Result<Session, MailError> {
        if self.is_file() {
            return Ok(Session {
                mailer: self.clone(),
                conn: None,
            });
        }
        let c = &self.config;
        let hello = ClientId::Domain("newsroom.localhost".into());
        let tls = match c.smtp_tls {
            SmtpTls::None => None,
            SmtpTls::Tls | SmtpTls::Starttls => Some(
                TlsParameters::new(c.smtp_host.clone())
                    .map_err(|e| MailError::Temporary(format!("TLS: {e}")))?,
            ),
        };
        let implicit = if c.smtp_tls == SmtpTls::Tls {
            tls.as_ref()
        } else {
            None
        };
        let mut conn = SmtpConnection::connect(
            (c.smtp_host.as_str(), c.smtp_port),
            Some(Duration::from_secs(30)),
            &hello,
            implicit,
            None,
        )
        .map_err(classify)?;
        if c.smtp_tls == SmtpTls::Starttls
            && let Some(t) = &tls
        {
            conn.starttls(t, &hello).map_err(classify)?;
        }
        if !c.smtp_username.is_empty() {
            conn.auth(
                &[Mechanism::Plain, Mechanism::Login],
                &Credentials::new(c.smtp_username.clone(), c.smtp_password.clone()),
            )
            .map_err(classify)?;
        }
        Ok(Session {
            mailer: self.clone(),
            conn: Some(conn),
        })
    }
}

fn classify(e: lettre::transport::smtp::Error) -> MailError {
    if e.is_permanent() {
        MailError::Permanent(e.to_string())
    } else {
        MailError::Temporary(e.to_string())
    }
}

/// A failed send, and whether the delivery had already been recorded as sent.
#[derive(Debug)]
pub struct SendError {
    pub error: MailError,
    pub committed: bool,
}

/// The panic payload that abandons a message mid-transaction (see [`Session::send`]).
struct AbortDelivery;

static QUIET_ABORTS: Once = Once::new();

/// Keeps deliberate aborts out of the panic output.
fn install_quiet_abort_hook() {
    QUIET_ABORTS.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<AbortDelivery>() {
                default(info);
            }
        }));
    });
}

/// An open connection for sending several messages.
pub struct Session {
    mailer: Mailer,
    conn: Option<SmtpConnection>,
}

impl Session {
    /// Sends one message. `commit` runs after the whole message has been written and before
    /// the terminating dot; if it fails, the dot is never sent, the connection is dropped and
    /// the server discards the message.
    ///
    /// On failure, the error says whether `commit` had already run: the server can still
    /// refuse the message in its reply to the dot, and then the commit must be undone.
    pub fn send(
        &mut self,
        envelope: &Envelope,
        bytes: &[u8],
        commit: impl FnOnce() -> Result<(), String>,
    ) -> Result<(), SendError> {
        let committed = std::cell::Cell::new(false);
        self.send_inner(envelope, bytes, commit, &committed)
            .map_err(|error| SendError {
                error,
                committed: committed.get(),
            })
    }

    fn send_inner(
        &mut self,
        envelope: &Envelope,
        bytes: &[u8],
        commit: impl FnOnce() -> Result<(), String>,
        committed: &std::cell::Cell<bool>,
    ) -> Result<(), MailError> {
        let Some(conn) = self.conn.as_mut() else {
            // File transport: write, then record.
            let to = envelope
                .to()
                .first()
                .map(|a| a.to_string())
                .unwrap_or_default();
            self.mailer.write_file(&to, bytes)?;
            commit().map_err(MailError::Uncommitted)?;
            committed.set(true);
            return Ok(());
        };
        conn.command(Mail::new(envelope.from().cloned(), vec![]))
            .map_err(classify)?;
        for to in envelope.to() {
            conn.command(Rcpt::new(to.clone(), vec![]))
                .map_err(classify)?;
        }
        conn.command(Data).map_err(classify)?;
        install_quiet_abort_hook();
        let mut commit = Some(commit);
        let mut body = Some(bytes);
        // The iterator yields the body, then runs `commit` when lettre asks for more: after
        // it returns, lettre writes the final dot.
        let parts = std::iter::from_fn(move || {
            if let Some(b) = body.take() {
                return Some(b);
            }
            if let Some(c) = commit.take() {
                match c() {
                    Ok(()) => committed.set(true),
                    Err(e) => {
                        tracing::warn!(error = %e, "delivery not recorded; abandoning the message");
                        std::panic::panic_any(AbortDelivery);
                    }
                }
            }
            None
        });
        let sent =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| conn.message_iter(parts)));
        match sent {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(e)),
            Err(_) => {
                // Mid-DATA without the dot: close the socket (dropping it; `abort` would send
                // QUIT, which the server would read as more message text) so the server
                // discards the message.
                drop(self.conn.take());
                Err(MailError::Uncommitted("commit failed".into()))
            }
        }
    }

    /// True when the session can be used again.
    pub fn is_usable(&self) -> bool {
        self.conn.as_ref().is_none_or(|c| !c.has_broken())
            && (self.conn.is_some() || self.mailer.is_file())
    }

    /// Ends the session politely.
    pub fn quit(&mut self) {
        if let Some(c) = self.conn.as_mut() {
            let _ = c.quit();
        }
    }
}

#[cfg(test)]
mod tests;
