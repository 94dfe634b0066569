//! Pages that belong to no single service: the portal's home and the not-found page.

pub mod home;
pub mod not_found;
