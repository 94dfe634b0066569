//! The body of a data table (`table.data`, a stack of cards on a phone; docs/design.md).

use crate::i18n::Lang;
use leptos::prelude::*;

/// A table's rows, or, when there are none, one 查無資料 row across its `columns`: an empty
/// table still says that it looked and found nothing.
pub fn rows_or_none<V: IntoView + 'static>(rows: Vec<V>, columns: usize, lang: Lang) -> AnyView {
    if rows.is_empty() {
        view! {
            <tr class="none"><td colspan=columns>{lang.pick("查無資料", "No data")}</td></tr>
        }
        .into_any()
    } else {
        rows.collect_view().into_any()
    }
}
