//! Integration tests of the server: one binary, a fresh database per test (a temp SQLite
//! file, or a new PostgreSQL database when HUJI_TEST_POSTGRES_ADMIN_URL is set).

mod agency_link;
mod agency_link_api;
mod agency_link_files;
mod agency_link_flow;
mod agency_link_network;
mod agency_link_parties;
mod agency_sign_in;
mod api_service;
mod audit_key_rotation;
mod backup;
mod body_limits;
mod cases;
mod confirmation;
mod confirmation_oversight;
mod confirmation_requests;
mod id_card_loss;
mod id_usage;
mod jobs;
mod migrations;
mod moica_application;
mod moica_extension;
mod moica_issuance;
mod moica_renewal;
mod moica_services;
mod ocsp;
mod pki;
mod platform;
mod printouts;
mod schema;
mod secrets_at_rest;
mod sign_in;
mod support;
mod verify;
mod web;
