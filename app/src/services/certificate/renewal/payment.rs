//! Paying for an online renewal (C-4, issue 20 item 9): NT$250 + NT$28, paid before the
//! registrar fulfils the renewal. Filing the renewal opens one payment order; the holder pays
//! at the payment provider's checkout; the provider tells the portal with a notice signed with
//! the key they share (`POST /payments/notify`), which settles the order once however often
//! it is sent; `huji payments reconcile` compares the orders with the provider's settlement of
//! a day. The holder is reminded once before an unpaid renewal lapses.
//!
//! The development provider (`server::web::payments`) stands in for a real one: the same
//! signed checkout request, the same signed notice, its own ledger and settlement file.

use crate::cases::actor::{Actor, NoDetail};
use crate::cases::work::Work;
use crate::error::PortalError;
use crate::platform::clock::{roc_date, roc_date_time};
use crate::platform::db::Db;
use crate::services::certificate::application::{FEE, POSTAGE};
use crate::services::certificate::mail::{RenewalPaid, RenewalUnpaid};
use ring::hmac;
use sqlx::AnyConnection;

/// Where the provider posts its notices.
pub const NOTIFY_PATH: &str = "/payments/notify";
/// What a renewal costs, NT$: the card and the registered postage.
pub const AMOUNT: i64 = FEE as i64 + POSTAGE as i64;
/// The holder of an unpaid renewal is reminded this long before it lapses.
pub const REMIND_BEFORE_SECONDS: i64 = 3 * 86_400;

/// The key the portal and the payment provider share (`HUJI_PAYMENT_KEY_FILE`), and where the
/// provider's checkout is.
pub struct Payments {
    key: hmac::Key,
    /// The provider's checkout page, e.g. `https://pay.example.com/checkout`; the development
    /// provider's own path on a development portal.
    pub checkout_url: String,
}

/// What a signature covers: its use and its fields, one per line, so that a checkout request
/// is never taken for a notice nor one field run into the next.
fn message(purpose: &str, fields: &[&str]) -> Vec<u8> {
    let mut text = String::from(purpose);
    for field in fields {
        text.push('\n');
        text.push_str(field);
    }
    text.into_bytes()
}

impl Payments {
    pub fn new(secret: &[u8], checkout_url: String) -> Payments {
        Payments {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            checkout_url,
        }
    }

    /// HMAC-SHA256 of `fields` for `purpose`, hexadecimal.
    pub fn sign(&self, purpose: &str, fields: &[&str]) -> String {
        hex::encode(hmac::sign(&self.key, &message(purpose, fields)))
    }

    /// Whether `signature` is [`Payments::sign`]'s, compared in constant time. A field with a
    /// line break is never taken: one message, one reading.
    pub fn verify(&self, purpose: &str, fields: &[&str], signature: &str) -> bool {
        !fields.iter().any(|field| field.contains('\n'))
            && hex::decode(signature)
                .is_ok_and(|tag| hmac::verify(&self.key, &message(purpose, fields), &tag).is_ok())
    }

    /// The checkout address for order `order_id`, signed, good until `expires` (Unix seconds:
    /// when the renewal lapses), with where to come back to.
    pub fn checkout(&self, order_id: &str, expires: i64, return_to: &str) -> String {
        let amount = AMOUNT.to_string();
        let expires = expires.to_string();
        let signature = self.sign(CHECKOUT, &[order_id, &amount, &expires, return_to]);
        let query = serde_urlencoded::to_string([
            ("order", order_id),
            ("amount", &amount),
            ("expires", &expires),
            ("return", return_to),
            ("sig", &signature),
        ])
        .unwrap_or_default();
        format!("{}?{query}", self.checkout_url)
    }
}

/// The purposes a signature is made for.
pub const CHECKOUT: &str = "huji-checkout-v1";
pub const NOTICE: &str = "huji-payment-notice-v1";

/// The provider's notice that an order was paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub order_id: String,
    pub amount: i64,
    pub provider_ref: String,
    /// Unix seconds.
    pub paid_at: i64,
}

impl Notice {
    fn fields(&self) -> [String; 4] {
        [
            self.order_id.clone(),
            self.amount.to_string(),
            self.provider_ref.clone(),
            self.paid_at.to_string(),
        ]
    }

    /// The notice's signature under `payments`' key.
    pub fn signature(&self, payments: &Payments) -> String {
        let fields = self.fields();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        payments.sign(NOTICE, &fields)
    }

    fn verified(&self, payments: &Payments, signature: &str) -> bool {
        let fields = self.fields();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        payments.verify(NOTICE, &fields, signature)
    }
}

/// Why a notice was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum NoticeRefused {
    /// Not signed with the shared key.
    BadSignature,
    /// No such order.
    UnknownOrder,
    /// Paid for another amount than the order's, settled already by another transaction, or a
    /// transaction that settled another order.
    Mismatch,
}

/// Opens the payment order of renewal application `application_id` in the unit of work that
/// files it; its order id.
pub async fn open(conn: &mut AnyConnection, application_id: i64, now: i64) -> sqlx::Result<String> {
    let order_id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO renewal_payments (application_id, order_id, amount, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(application_id)
    .bind(&order_id)
    .bind(AMOUNT)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(order_id)
}

/// A renewal's payment as its pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderState {
    pub order_id: String,
    /// Paid (or paid after the renewal closed, to be refunded): nothing more to pay.
    pub paid: bool,
    /// When the renewal lapses, and its checkout with it.
    pub expires_at: i64,
}

/// The payment order of the renewal application with 申請編號 `reference`, if it has one.
pub async fn order_of(
    conn: &mut AnyConnection,
    reference: &str,
) -> sqlx::Result<Option<OrderState>> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT p.order_id, p.status, a.expires_at FROM renewal_payments p \
         JOIN moica_applications a ON a.id = p.application_id WHERE a.reference = $1",
    )
    .bind(reference)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(order_id, status, expires_at)| OrderState {
        order_id,
        paid: status != "unpaid",
        expires_at,
    }))
}

/// Whether the renewal application `application_id` is paid.
pub async fn is_paid(conn: &mut AnyConnection, application_id: i64) -> sqlx::Result<bool> {
    let paid: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM renewal_payments WHERE application_id = $1 AND status = 'paid'",
    )
    .bind(application_id)
    .fetch_optional(conn)
    .await?;
    Ok(paid.is_some())
}

/// The audit detail of a settled order.
#[derive(serde::Serialize)]
struct Settled<'a> {
    order_id: &'a str,
    provider_ref: &'a str,
    amount: i64,
    /// `notice` or `settlement` (found by reconciliation).
    source: &'a str,
}

/// The order a notice names, as stored.
#[derive(sqlx::FromRow)]
struct Order {
    application_id: i64,
    amount: i64,
    status: String,
    provider_ref: Option<String>,
    reference: String,
    email: String,
    name: String,
    application_status: String,
    expires_at: i64,
}

/// Whether a settled order is `notice`'s: the same notice again, or another transaction.
fn settled_by(provider_ref: Option<&str>, notice: &Notice) -> Result<bool, NoticeRefused> {
    if provider_ref == Some(notice.provider_ref.as_str()) {
        Ok(false)
    } else {
        Err(NoticeRefused::Mismatch)
    }
}

/// Settles `notice`'s order in one unit of work: the order paid, the holder mailed a receipt,
/// the step audited. The same notice again is `Ok(false)` and changes nothing. Money taken
/// for a renewal that has closed (lapsed, or replaced) is recorded as due for a refund
/// (`refund_due`), the holder told so, and `huji payments reconcile` lists it.
async fn settle(
    db: &Db,
    now: i64,
    notice: &Notice,
    source: &str,
) -> Result<Result<bool, NoticeRefused>, PortalError> {
    let actor = Actor::system();
    let mut work = Work::begin(db, &actor, now).await?;
    let order: Option<Order> = sqlx::query_as(
        "SELECT p.application_id, p.amount, p.status, p.provider_ref, a.reference, a.email, \
                c.name, a.status AS application_status, a.expires_at \
         FROM renewal_payments p JOIN moica_applications a ON a.id = p.application_id \
         JOIN citizens c ON c.id = a.citizen_id WHERE p.order_id = $1",
    )
    .bind(&notice.order_id)
    .fetch_optional(work.conn())
    .await?;
    let Some(order) = order else {
        return Ok(Err(NoticeRefused::UnknownOrder));
    };
    if order.amount != notice.amount {
        return Ok(Err(NoticeRefused::Mismatch));
    }
    if order.status != "unpaid" {
        return Ok(settled_by(order.provider_ref.as_deref(), notice));
    }
    let elsewhere: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM renewal_payments WHERE provider_ref = $1 AND order_id <> $2",
    )
    .bind(&notice.provider_ref)
    .bind(&notice.order_id)
    .fetch_optional(work.conn())
    .await?;
    if elsewhere.is_some() {
        return Ok(Err(NoticeRefused::Mismatch));
    }
    let open = order.application_status == "submitted" && order.expires_at > now;
    let settled = sqlx::query(
        "UPDATE renewal_payments SET status = $1, provider_ref = $2, paid_at = $3 \
         WHERE order_id = $4 AND status = 'unpaid'",
    )
    .bind(if open { "paid" } else { "refund_due" })
    .bind(&notice.provider_ref)
    .bind(notice.paid_at)
    .bind(&notice.order_id)
    .execute(work.conn())
    .await?
    .rows_affected();
    if settled != 1 {
        // Settled a moment ago on another server: by this transaction, or by another one.
        let by: Option<String> =
            sqlx::query_scalar("SELECT provider_ref FROM renewal_payments WHERE order_id = $1")
                .bind(&notice.order_id)
                .fetch_one(work.conn())
                .await?;
        return Ok(settled_by(by.as_deref(), notice));
    }
    let action = if open {
        "moica_renewal.paid"
    } else {
        "moica_renewal.paid_closed"
    };
    work.audit(
        action,
        &order.reference,
        &Settled {
            order_id: &notice.order_id,
            provider_ref: &notice.provider_ref,
            amount: notice.amount,
            source,
        },
    )
    .await?;
    work.mail(&RenewalPaid {
        to: &order.email,
        name: &order.name,
        reference: &order.reference,
        amount: notice.amount,
        at: &roc_date_time(notice.paid_at),
        refund: !open,
    })
    .await?;
    work.commit().await?;
    tracing::info!(
        application = order.application_id,
        refund = !open,
        "renewal paid"
    );
    Ok(Ok(true))
}

/// The provider's signed notice (`POST /payments/notify`): `Ok(true)` when it settled the
/// order now, `Ok(false)` when it was settled already by this very transaction.
pub async fn notified(
    db: &Db,
    payments: &Payments,
    now: i64,
    notice: &Notice,
    signature: &str,
) -> Result<Result<bool, NoticeRefused>, PortalError> {
    if !notice.verified(payments, signature) {
        return Ok(Err(NoticeRefused::BadSignature));
    }
    settle(db, now, notice, "notice").await
}

/// What a reconciliation found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Paid here and in the settlement.
    pub matched: u64,
    /// In the settlement, but the notice never arrived: settled now.
    pub recovered: Vec<String>,
    /// In the settlement but not ours, not as booked here (another amount or transaction),
    /// outside the day, or listed twice.
    pub unknown: Vec<String>,
    /// Paid here within the day, but not in the provider's settlement as booked here.
    pub unsettled: Vec<String>,
    /// To be refunded: paid within the day after the renewal closed, or paid and lapsed within
    /// the day before a card was made.
    pub refunds: Vec<String>,
}

impl Reconciliation {
    /// Nothing for an operator to do.
    pub fn clean(&self) -> bool {
        self.unknown.is_empty() && self.unsettled.is_empty() && self.refunds.is_empty()
    }
}

/// Compares the provider's settlement of the day `[from, until)` (its transactions) with the
/// orders paid here: a settled transaction whose notice never came settles its order now.
pub async fn reconcile(
    db: &Db,
    now: i64,
    settlement: &[Notice],
    from: i64,
    until: i64,
) -> Result<Reconciliation, PortalError> {
    let mut found = Reconciliation::default();
    for (index, entry) in settlement.iter().enumerate() {
        let repeated = settlement[..index]
            .iter()
            .any(|earlier| earlier.provider_ref == entry.provider_ref);
        if repeated || !(from..until).contains(&entry.paid_at) {
            found.unknown.push(entry.provider_ref.clone());
            continue;
        }
        match settle(db, now, entry, "settlement").await? {
            Ok(true) => found.recovered.push(entry.order_id.clone()),
            Ok(false) => found.matched += 1,
            Err(_) => found.unknown.push(entry.provider_ref.clone()),
        }
    }
    let paid: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT order_id, provider_ref, amount, status FROM renewal_payments \
         WHERE status <> 'unpaid' AND paid_at >= $1 AND paid_at < $2 ORDER BY paid_at",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&db.pool)
    .await?;
    for (order_id, provider_ref, amount, status) in paid {
        let booked = |entry: &Notice| {
            entry.provider_ref == provider_ref
                && entry.order_id == order_id
                && entry.amount == amount
        };
        if !settlement.iter().any(booked) {
            found.unsettled.push(order_id.clone());
        }
        if status == "refund_due" {
            found.refunds.push(order_id);
        }
    }
    let lapsed: Vec<String> = sqlx::query_scalar(
        "SELECT p.order_id FROM renewal_payments p \
         JOIN moica_applications a ON a.id = p.application_id \
         WHERE p.status = 'paid' AND a.status <> 'issued' \
           AND a.expires_at >= $1 AND a.expires_at < $2 AND a.expires_at <= $3 \
         ORDER BY a.expires_at",
    )
    .bind(from)
    .bind(until)
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    found.refunds.extend(lapsed);
    Ok(found)
}

/// An unpaid renewal soon to lapse.
#[derive(sqlx::FromRow)]
struct Unpaid {
    application_id: i64,
    reference: String,
    email: String,
    name: String,
    expires_at: i64,
}

/// Reminds the holder of each unpaid renewal that lapses within
/// [`REMIND_BEFORE_SECONDS`], once, so that none lapses silently. Safe on several servers: each
/// reminder is claimed by a guarded update in the unit of work that mails it.
pub async fn remind_unpaid(db: &Db, now: i64) -> Result<u64, PortalError> {
    let due: Vec<Unpaid> = sqlx::query_as(
        "SELECT a.id AS application_id, a.reference, a.email, c.name, a.expires_at \
         FROM renewal_payments p JOIN moica_applications a ON a.id = p.application_id \
         JOIN citizens c ON c.id = a.citizen_id \
         WHERE p.status = 'unpaid' AND p.reminded_at IS NULL AND a.status = 'submitted' \
           AND a.expires_at > $1 AND a.expires_at <= $2",
    )
    .bind(now)
    .bind(now + REMIND_BEFORE_SECONDS)
    .fetch_all(&db.pool)
    .await?;
    let actor = Actor::system();
    let mut reminded = 0;
    for unpaid in due {
        let mut work = Work::begin(db, &actor, now).await?;
        let claimed = sqlx::query(
            "UPDATE renewal_payments SET reminded_at = $1 \
             WHERE application_id = $2 AND status = 'unpaid' AND reminded_at IS NULL",
        )
        .bind(now)
        .bind(unpaid.application_id)
        .execute(work.conn())
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        work.audit(
            "moica_renewal.unpaid_reminder",
            &unpaid.reference,
            &NoDetail {},
        )
        .await?;
        work.mail(&RenewalUnpaid {
            to: &unpaid.email,
            name: &unpaid.name,
            reference: &unpaid.reference,
            lapses_on: &roc_date(unpaid.expires_at - 1),
        })
        .await?;
        work.commit().await?;
        reminded += 1;
    }
    Ok(reminded)
}
