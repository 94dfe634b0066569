//! The operators' commands beside `serve`: the development PKI (`huji pki …`) and staff
//! accounts (`huji staff …`).

pub mod pki;
pub mod staff;
