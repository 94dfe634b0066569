//! The person query after go-live (issue 18 item 6): the items approved in the case
//! (`agency_link_items`), each read from its registry column (`items.rs`), and nothing else.

use app::cases::Code;
use app::domain::national_id::NationalId;
use app::platform::rows::RowExt;
use app::services::agency_link::items::{Item, Source};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

/// How a registry column is read into JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Text,
    Number,
    Flag,
}

fn shape(source: Source) -> Shape {
    match source.column {
        "neighborhood" | "apply_code" => Shape::Number,
        "under_guardianship" | "nationality_registered" => Shape::Flag,
        _ => Shape::Text,
    }
}

/// The SQL expression reading `source` (a constant of the catalogue, never input), as one
/// type on both databases.
fn expression(source: Source) -> String {
    let table = match source.table {
        "id_card_issuances" => "i",
        _ => "c",
    };
    match shape(source) {
        Shape::Text => format!("{table}.{}", source.column),
        Shape::Number => format!("CAST({table}.{} AS BIGINT)", source.column),
        Shape::Flag => format!("CAST({table}.{} AS INTEGER)", source.column),
    }
}

/// The `items` of the person with `national_id`, by item code; `None` when the registry has
/// no such person. An ID-card item of a person without a current card is `null`.
pub async fn query(
    pool: &sqlx::AnyPool,
    national_id: &NationalId,
    items: &[Item],
) -> sqlx::Result<Option<Map<String, Value>>> {
    let mut columns = vec!["c.id".to_owned()];
    columns.extend(
        items
            .iter()
            .enumerate()
            .map(|(index, item)| format!("{} AS v{index}", expression(item.source()))),
    );
    let sql = format!(
        "SELECT {} FROM citizens c \
         LEFT JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current \
         WHERE c.national_id = $1",
        columns.join(", ")
    );
    let row = sqlx::query(&sql)
        .bind(national_id.as_str())
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut found = Map::new();
    for (index, item) in items.iter().enumerate() {
        let column = format!("v{index}");
        found.insert(item.code().to_owned(), value(&row, &column, item.source())?);
    }
    Ok(Some(found))
}

fn value(row: &AnyRow, column: &str, source: Source) -> sqlx::Result<Value> {
    let is_null = row.try_get_raw(column).map(|raw| {
        use sqlx::ValueRef;
        raw.is_null()
    })?;
    if is_null {
        return Ok(Value::Null);
    }
    Ok(match shape(source) {
        Shape::Text => Value::String(row.try_get(column)?),
        Shape::Number => Value::from(row.try_get::<i64, _>(column)?),
        Shape::Flag => Value::Bool(row.flag(column)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_20_every_item_reads_its_own_column_as_one_type_on_both_databases() {
        for item in Item::ALL {
            let source = item.source();
            let sql = expression(source);
            assert!(sql.contains(source.column), "{item:?}: {sql}");
            let alias = if source.table == "citizens" {
                "c."
            } else {
                "i."
            };
            assert!(sql.contains(alias), "{item:?}: {sql}");
        }
        assert_eq!(
            expression(Item::HouseholdNeighborhood.source()),
            "CAST(c.neighborhood AS BIGINT)"
        );
        assert_eq!(shape(Item::HouseholdGuardianship.source()), Shape::Flag);
        assert_eq!(shape(Item::HouseholdName.source()), Shape::Text);
    }
}
