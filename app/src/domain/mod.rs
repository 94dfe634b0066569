//! Placeholder until the domain types land.
