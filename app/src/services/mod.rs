//! The portal's services, grouped the way a citizen sees them.

pub mod agency;
pub mod agency_link;
pub mod api_service;
pub mod certificate;
pub mod company;
pub mod confirmation;
pub mod id_card_loss;
pub mod id_usage;
pub mod manifest;
pub mod sign_in;
pub mod staff;
