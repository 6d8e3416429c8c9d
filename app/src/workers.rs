//! The background work of a process, each part safe with any number of
//! processes on one store: webhook deliveries and housekeeping
//! ([`crate::webhooks`]), reminders ([`crate::reminders`]), and the email
//! outbox ([`crate::emails`]) on a loop of its own, so a slow mail server
//! never delays a webhook.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::ports::{RepoError, Store};

use crate::clock::Clock;
use crate::emails::{Formatter, MailTransport};
use crate::ports::ClientSettings;
use crate::reminders::Round;
use crate::secrets::Cipher;
use crate::webhooks::{Deliverer, EventBodies, WebhookSender};
use crate::{AppError, Stop};

/// How often expired records are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(600);
/// How often companies due a reminder are looked at.
const REMIND_EVERY: Duration = Duration::from_secs(60);

/// What sending email takes: the adapter that formats and sends, and the
/// service's public address, which the links in emails lead to.
pub struct MailAdapter {
    pub transport: Arc<dyn MailTransport>,
    pub formatter: Arc<dyn Formatter>,
    pub public_url: String,
}

/// The background work of one process.
pub struct Workers {
    deliverer: Deliverer,
    store: Arc<dyn Store>,
    settings: Arc<dyn ClientSettings>,
    cipher: Cipher,
    clock: Arc<dyn Clock>,
    mail: Option<MailAdapter>,
}

/// The pause before the next round: `interval` after a good one; after a
/// failing one (logged as `what`), twice the last, up to a minute.
fn next_pause(
    round: Result<usize, RepoError>,
    last: Duration,
    interval: Duration,
    what: &str,
) -> Duration {
    match round {
        Ok(_) => interval,
        Err(error) => {
            tracing::warn!(%error, "{what}");
            (last * 2).min(Duration::from_secs(60))
        }
    }
}

/// Sleeps for `pause`, or until `stop` changes.
async fn wait(pause: Duration, stop: &mut Stop) {
    tokio::select! {
        _ = tokio::time::sleep(pause) => {}
        _ = stop.changed() => {}
    }
}

impl Workers {
    /// The workers over `store`, delivering with `sender` the bodies
    /// `bodies` makes, on `clock`; they send no email until
    /// [`Workers::with_mail`] gives them a mail adapter.
    pub fn new(
        store: Arc<dyn Store>,
        settings: Arc<dyn ClientSettings>,
        cipher: Cipher,
        (sender, bodies): (Arc<dyn WebhookSender>, Arc<dyn EventBodies>),
        clock: Arc<dyn Clock>,
    ) -> Self {
        let deliverer =
            Deliverer::new(store.clone(), cipher.clone(), sender, clock.clone(), bodies);
        Self {
            deliverer,
            store,
            settings,
            cipher,
            clock,
            mail: None,
        }
    }

    /// Workers that also send the email outbox, and email reminders, through `mail`.
    pub fn with_mail(mut self, mail: Option<MailAdapter>) -> Self {
        self.mail = mail;
        self
    }

    /// Sends the due emails of the outbox (none without a mailer); returns how many were attempted.
    pub async fn send_emails(&self) -> Result<usize, RepoError> {
        match &self.mail {
            Some(mail) => {
                crate::emails::send_due(
                    self.store.as_ref(),
                    &self.cipher,
                    mail.transport.as_ref(),
                    self.clock.as_ref(),
                )
                .await
            }
            None => Ok(0),
        }
    }

    /// One round of webhook deliveries (see [`Deliverer::run_once`]).
    pub async fn run_once(&self) -> Result<usize, RepoError> {
        self.deliverer.run_once().await
    }

    /// Forgets what has expired (see [`Deliverer::purge_expired`]).
    pub async fn purge_expired(&self) {
        self.deliverer.purge_expired().await;
    }

    /// Runs rounds every `interval`; a failing store makes it wait longer, up
    /// to a minute, and it carries on by itself. Once `stop` says so it ends
    /// between rounds: a round in progress finishes, so no attempt is left
    /// half-recorded.
    pub async fn run(self: Arc<Self>, interval: Duration, mut stop: Stop) {
        let mut pause = interval;
        let mut last_purge = Instant::now();
        let mut last_reminders: Option<Instant> = None;
        loop {
            if *stop.borrow() {
                return;
            }
            // Housekeeping is for whichever replica delivers.
            if last_purge.elapsed() >= PURGE_EVERY {
                last_purge = Instant::now();
                self.deliverer.purge_expired().await;
            }
            if last_reminders.is_none_or(|at| at.elapsed() >= REMIND_EVERY) {
                last_reminders = Some(Instant::now());
                if let Err(error) = self.remind().await {
                    tracing::warn!(%error, "the reminders round did not finish");
                }
            }
            let round = self.deliverer.run_once().await;
            pause = next_pause(
                round,
                pause,
                interval,
                "the webhook dispatcher could not finish a round",
            );
            wait(pause, &mut stop).await;
        }
    }

    /// Sends the email outbox every `interval`, beside [`Dispatcher::run`] and
    /// apart from it, so a slow or hanging SMTP server never delays a
    /// webhook. Ends between rounds once `stop` says so.
    pub async fn run_emails(self: Arc<Self>, interval: Duration, mut stop: Stop) {
        if self.mail.is_none() {
            return;
        }
        let mut pause = interval;
        while !*stop.borrow() {
            let round = self.send_emails().await;
            pause = next_pause(
                round,
                pause,
                interval,
                "the email outbox round did not finish",
            );
            wait(pause, &mut stop).await;
        }
    }

    /// Reminds the companies due a reminder and announces invitations about
    /// to expire (see [`app::reminders::remind`]).
    pub async fn remind(&self) -> Result<Round, AppError> {
        let mail = self.mail.as_ref().map(|mail| crate::reminder_emails::Mail {
            formatter: mail.formatter.as_ref(),
            public_url: &mail.public_url,
            cipher: &self.cipher,
        });
        let round = crate::reminders::remind(
            self.store.as_ref(),
            self.settings.as_ref(),
            mail,
            self.clock.now(),
        )
        .await?;
        if round.reminded > 0 || round.expiring > 0 {
            tracing::info!(
                reminded = round.reminded,
                expiring = round.expiring,
                "reminders sent"
            );
        }
        Ok(round)
    }
}
