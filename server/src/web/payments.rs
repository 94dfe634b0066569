//! The payment side of an online renewal (C-4, issue 20 item 9): the endpoint where the
//! payment provider posts its signed notices (`POST /payments/notify`), and the development
//! payment provider that stands in for a real one on a development portal.
//!
//! The development provider keeps its own books (`dev_payment_ledger`), shows a checkout page
//! for a checkout request the portal signed, records the payment when the payer confirms,
//! sends the portal the same signed notice a real provider would (handed to the notice's own
//! code, as it runs in this process), and offers its settlement of a day as the CSV file
//! `huji payments reconcile` reads.

use crate::config::Config;
use anyhow::Context;
use app::platform::AppState;
use app::services::certificate::renewal::payment::{
    self, Notice, NoticeRefused, Payments, CHECKOUT, NOTIFY_PATH,
};
use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

/// The development provider's checkout page, and its settlement file.
pub const DEV_CHECKOUT_PATH: &str = "/dev/payments/checkout";
pub const DEV_SETTLEMENT_PATH: &str = "/dev/payments/settlement.csv";

/// The payment provider as configured: the shared key (made at first start when missing) and
/// its checkout; the development provider on a development portal that names none.
pub fn load(config: &Config) -> anyhow::Result<Payments> {
    let secret = crate::secrets::load_or_create(&config.payment_key_file, "payment provider key")
        .context("the payment provider key (HUJI_PAYMENT_KEY_FILE)")?;
    let checkout_url = match &config.payment_checkout_url {
        Some(url) => {
            let https = url.starts_with("https://");
            if !(https || config.public_origin.starts_with("http://")) || url.contains(['?', '#']) {
                anyhow::bail!(
                    "HUJI_PAYMENT_CHECKOUT_URL must be the provider's https:// checkout, without \
                     a query"
                );
            }
            url.clone()
        }
        None if config.public_origin.starts_with("http://") => {
            tracing::warn!(
                "the development payment provider is on ({DEV_CHECKOUT_PATH}): renewals are \
                 paid with no money moving; an https:// portal names HUJI_PAYMENT_CHECKOUT_URL"
            );
            format!("{}{DEV_CHECKOUT_PATH}", config.public_origin)
        }
        None => anyhow::bail!(
            "HUJI_PAYMENT_CHECKOUT_URL must name the payment provider's checkout on an HTTPS portal"
        ),
    };
    Ok(Payments::new(&secret, checkout_url))
}

/// The notice endpoint, and the development provider where it is the one configured.
pub fn routes(state: &AppState) -> Router<AppState> {
    let development =
        state.settings.development() && state.payments.checkout_url.ends_with(DEV_CHECKOUT_PATH);
    let router = Router::new().route(NOTIFY_PATH, post(notify));
    if development {
        router
            .route(DEV_CHECKOUT_PATH, get(checkout_page).post(pay))
            .route(DEV_SETTLEMENT_PATH, get(settlement))
    } else {
        router
    }
}

/// A notice as the provider posts it.
#[derive(Deserialize)]
struct NoticeForm {
    order_id: String,
    amount: i64,
    provider_ref: String,
    paid_at: i64,
    signature: String,
}

/// `POST /payments/notify`: 200 once the order is settled (again or now), else why not.
async fn notify(State(state): State<AppState>, Form(form): Form<NoticeForm>) -> Response {
    let notice = Notice {
        order_id: form.order_id,
        amount: form.amount,
        provider_ref: form.provider_ref,
        paid_at: form.paid_at,
    };
    settle_notice(&state, &notice, &form.signature).await
}

async fn settle_notice(state: &AppState, notice: &Notice, signature: &str) -> Response {
    let now = state.clock.unix();
    match payment::notified(&state.db, &state.payments, now, notice, signature).await {
        Ok(Ok(_)) => (StatusCode::OK, "OK").into_response(),
        Ok(Err(refused)) => {
            // Only a signed notice's order is the provider's word, worth naming in the log.
            if refused == NoticeRefused::BadSignature {
                tracing::warn!("a payment notice with a bad signature was refused");
            } else {
                tracing::warn!(?refused, order = ?notice.order_id, "a payment notice was refused");
            }
            let status = match refused {
                NoticeRefused::BadSignature => StatusCode::UNAUTHORIZED,
                NoticeRefused::UnknownOrder => StatusCode::NOT_FOUND,
                NoticeRefused::Mismatch => StatusCode::CONFLICT,
            };
            (status, format!("{refused:?}")).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "a payment notice could not be recorded");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}

/// A checkout request as the portal signed it.
#[derive(Deserialize)]
struct CheckoutRequest {
    order: String,
    amount: i64,
    /// Unix seconds: the request is good until the renewal lapses.
    expires: i64,
    #[serde(rename = "return")]
    return_to: String,
    sig: String,
}

impl CheckoutRequest {
    /// Signed by the portal, not yet lapsed, and coming back to the portal only.
    fn genuine(&self, state: &AppState) -> bool {
        self.return_to
            .starts_with(&format!("{}/", state.settings.public_origin))
            && state.clock.unix() < self.expires
            && state.payments.verify(
                CHECKOUT,
                &[
                    &self.order,
                    &self.amount.to_string(),
                    &self.expires.to_string(),
                    &self.return_to,
                ],
                &self.sig,
            )
    }
}

/// Text put into the page, escaped.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    ))
    .into_response()
}

const TITLE: &str = "開發用金流服務 / Development payment provider";

/// `GET /dev/payments/checkout`: the order and its amount, with a button to pay.
async fn checkout_page(
    State(state): State<AppState>,
    Query(request): Query<CheckoutRequest>,
) -> Response {
    if !request.genuine(&state) {
        return (
            StatusCode::FORBIDDEN,
            "付款請求無效 / Invalid checkout request",
        )
            .into_response();
    }
    let paid: Option<i64> =
        match sqlx::query_scalar("SELECT 1 FROM dev_payment_ledger WHERE order_id = $1")
            .bind(&request.order)
            .fetch_optional(&state.db.pool)
            .await
        {
            Ok(paid) => paid,
            Err(error) => {
                tracing::error!(%error, "the development ledger could not be read");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        };
    let back = escaped(&request.return_to);
    if paid.is_some() {
        return page(
            TITLE,
            &format!(
                "<p role=\"status\">此訂單已付款。 / This order is paid.</p>\
                 <p><a href=\"{back}\">返回 / Back</a></p>"
            ),
        );
    }
    page(
        TITLE,
        &format!(
            "<p>此為開發與測試用之金流服務，不會實際扣款。 / For development and tests: no money moves.</p>\
             <dl><dt>訂單編號 / Order</dt><dd class=\"order\">{order}</dd>\
             <dt>金額 / Amount</dt><dd class=\"amount\">NT${amount}</dd></dl>\
             <form method=\"post\" action=\"{DEV_CHECKOUT_PATH}\">\
             <input type=\"hidden\" name=\"order\" value=\"{order}\">\
             <input type=\"hidden\" name=\"amount\" value=\"{amount}\">\
             <input type=\"hidden\" name=\"expires\" value=\"{expires}\">\
             <input type=\"hidden\" name=\"return\" value=\"{back}\">\
             <input type=\"hidden\" name=\"sig\" value=\"{sig}\">\
             <button type=\"submit\">確認付款 / Pay</button></form>\
             <p><a href=\"{back}\">取消 / Cancel</a></p>",
            order = escaped(&request.order),
            amount = request.amount,
            expires = request.expires,
            sig = escaped(&request.sig),
        ),
    )
}

/// `POST /dev/payments/checkout`: the payer confirms. The provider books the payment (once per
/// order), tells the portal with its signed notice, and sends the payer back.
async fn pay(State(state): State<AppState>, Form(request): Form<CheckoutRequest>) -> Response {
    if !request.genuine(&state) {
        return (
            StatusCode::FORBIDDEN,
            "付款請求無效 / Invalid checkout request",
        )
            .into_response();
    }
    let now = state.clock.unix();
    let booked = async {
        sqlx::query(
            "INSERT INTO dev_payment_ledger (provider_ref, order_id, amount, paid_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (order_id) DO NOTHING",
        )
        .bind(format!("DEV-{}", uuid::Uuid::new_v4()))
        .bind(&request.order)
        .bind(request.amount)
        .bind(now)
        .execute(&state.db.pool)
        .await?;
        sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT provider_ref, amount, paid_at FROM dev_payment_ledger WHERE order_id = $1",
        )
        .bind(&request.order)
        .fetch_one(&state.db.pool)
        .await
    }
    .await;
    let (provider_ref, amount, paid_at) = match booked {
        Ok(booked) => booked,
        Err(error) => {
            tracing::error!(%error, "the development ledger could not be written");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let notice = Notice {
        order_id: request.order.clone(),
        amount,
        provider_ref,
        paid_at,
    };
    let signature = notice.signature(&state.payments);
    let told = settle_notice(&state, &notice, &signature).await;
    if told.status() != StatusCode::OK {
        return told;
    }
    Redirect::to(&request.return_to).into_response()
}

#[derive(Deserialize)]
struct SettlementDay {
    /// `YYYY-MM-DD`, Taipei's calendar.
    date: chrono::NaiveDate,
}

/// `GET /dev/payments/settlement.csv?date=…`: the provider's transactions of that day.
async fn settlement(State(state): State<AppState>, Query(day): Query<SettlementDay>) -> Response {
    let (from, until) = app::platform::clock::taipei_day_span(day.date);
    let rows: Result<Vec<(String, String, i64, i64)>, _> = sqlx::query_as(
        "SELECT provider_ref, order_id, amount, paid_at FROM dev_payment_ledger \
         WHERE paid_at >= $1 AND paid_at < $2 ORDER BY paid_at, provider_ref",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&state.db.pool)
    .await;
    match rows {
        Ok(rows) => {
            let mut csv = String::from("provider_ref,order_id,amount,paid_at\n");
            for (provider_ref, order_id, amount, paid_at) in rows {
                csv.push_str(&format!("{provider_ref},{order_id},{amount},{paid_at}\n"));
            }
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "the development ledger could not be read");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
