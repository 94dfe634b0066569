//! Reading rows the same way on SQLite and PostgreSQL: columns by name (never by position,
//! which panics on a mismatch), coded vocabularies through their one enum, and flags whether
//! the database stores them as integers (SQLite) or booleans (PostgreSQL).

use crate::cases::Code;
use sqlx::any::AnyRow;
use sqlx::Row;

pub trait RowExt {
    /// A column holding a code of the vocabulary `T`; an unknown word is a decode error.
    fn code<T: Code>(&self, column: &str) -> sqlx::Result<T>;
    /// A yes/no column, stored as 0/1 or as a boolean.
    fn flag(&self, column: &str) -> sqlx::Result<bool>;
}

impl RowExt for AnyRow {
    fn code<T: Code>(&self, column: &str) -> sqlx::Result<T> {
        let code: String = self.try_get(column)?;
        T::from_code(&code).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: column.into(),
            source: format!("unknown value {code}").into(),
        })
    }

    fn flag(&self, column: &str) -> sqlx::Result<bool> {
        match self.try_get::<bool, _>(column) {
            Ok(flag) => Ok(flag),
            Err(_) => Ok(self.try_get::<i64, _>(column)? != 0),
        }
    }
}
