//! The mail sender (F-7): a background job that delivers the outbox over SMTP with retries.

use app::platform::{clock::Clock, outbox};
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;

pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("HUJI_SMTP_URL: {0}")]
    Url(#[from] lettre::transport::smtp::Error),
    #[error("HUJI_MAIL_FROM: {0}")]
    From(#[from] lettre::address::AddressError),
}

impl Sender {
    pub fn new(smtp_url: &str, from: &str) -> Result<Sender, MailSetupError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Sender {
            transport,
            from: from.parse()?,
        })
    }

    async fn deliver(&self, mail: &outbox::OutgoingMail) -> Result<(), String> {
        let to: Mailbox = mail
            .to_addr
            .parse()
            .map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("smtp: {e}"))
    }

    /// Sends every due message once; returns how many were delivered.
    pub async fn send_due(&self, pool: &AnyPool, clock: &dyn Clock) -> sqlx::Result<usize> {
        let mut delivered = 0;
        for mail in outbox::claim_due(pool, clock.unix(), 50).await? {
            match self.deliver(&mail).await {
                Ok(()) => {
                    outbox::mark_sent(pool, mail.id, clock.unix()).await?;
                    delivered += 1;
                }
                Err(error) => {
                    tracing::warn!(mail_id = mail.id, attempts = mail.attempts, %error, "mail delivery failed");
                    outbox::mark_failed(pool, &mail, clock.unix(), &error).await?;
                }
            }
        }
        Ok(delivered)
    }

    /// Runs until the process ends, checking the outbox every `every`.
    pub async fn run(self, pool: AnyPool, clock: Arc<dyn Clock>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(error) = self.send_due(&pool, clock.as_ref()).await {
                tracing::error!(%error, "mail outbox unavailable");
            }
        }
    }
}
