//! 戶役政資料 and 商工登記 (SPEC F-1): the registry's rows, the deterministic synthetic
//! generator that fills it at any size, the fixed demo rows, and their loading.

pub mod demo;
mod generator;
mod load;
mod names;
pub mod places;

pub use generator::{
    Citizen, CitizenBatch, Company, Generator, Issuance, APPLY_FIRST, APPLY_REISSUE, APPLY_RENEWAL,
    FIRST_GENERATED_CITIZEN_ID, GENERATED_AT,
};
pub use load::{load_demo, seed, SeedError, SeedOptions, SeedReport};
