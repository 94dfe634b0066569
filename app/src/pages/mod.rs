//! Pages that belong to no single service: the portal's home and the not-found page.

pub mod card_helper;
pub mod home;
pub mod not_found;
