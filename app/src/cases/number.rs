//! Readable case numbers (issue 24 item 9): a case type's letter, the ROC date (Taipei) the
//! case was filed and its number among that type's cases that day, at least six digits
//! (`S1151202-000001`), as the loss reports' numbers read. Unique by construction, short
//! enough to read out over the phone, and telling a clerk the day.

/// Each numbered case type's letter, in one place so that no two share one.
pub mod letter {
    /// 機關介接申請 (agency linking).
    pub const AGENCY_LINK: char = 'A';
    /// 自然人憑證用戶身分確認服務 enable and disable requests.
    pub const CONFIRMATION_REQUEST: char = 'C';
    /// 國民身分證掛失.
    pub const ID_CARD_LOSS: char = 'L';
    /// 自然人憑證申請.
    pub const MOICA_APPLICATION: char = 'M';
    /// API 介接服務 cases.
    pub const API_SERVICE: char = 'S';

    /// Every letter, for the test that they differ.
    #[cfg(test)]
    pub const ALL: [char; 5] = [
        AGENCY_LINK,
        CONFIRMATION_REQUEST,
        ID_CARD_LOSS,
        MOICA_APPLICATION,
        API_SERVICE,
    ];
}

/// The next case number of `prefix` for a case filed at `now`, taken inside the filing's own
/// transaction `conn`: the day's counter row stays locked until it commits (PostgreSQL; on
/// SQLite the write transaction already runs alone), and a filing rolled back gives its
/// number back, so numbers have no gaps and no two cases share one.
#[cfg(feature = "ssr")]
pub async fn allocate(
    conn: &mut sqlx::AnyConnection,
    prefix: char,
    now: i64,
) -> sqlx::Result<String> {
    use crate::platform::clock::{case_reference, roc_date_compact};
    let day = roc_date_compact(now);
    // fetch_all: SQLite commits a RETURNING statement only once it has been stepped to its end.
    let last: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO case_numbers (prefix, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (prefix, day) DO UPDATE SET last = case_numbers.last + 1 \
         RETURNING last",
    )
    .bind(prefix.to_string())
    .bind(&day)
    .fetch_all(conn)
    .await?;
    let last = last.first().copied().ok_or(sqlx::Error::RowNotFound)?;
    Ok(case_reference(prefix, last, now))
}

#[cfg(test)]
mod tests {
    use super::letter;

    #[test]
    fn issue_24_9_no_two_case_types_share_a_letter() {
        let mut letters = letter::ALL.to_vec();
        letters.sort_unstable();
        letters.dedup();
        assert_eq!(letters.len(), letter::ALL.len());
        assert!(letter::ALL.iter().all(char::is_ascii_uppercase));
    }
}
