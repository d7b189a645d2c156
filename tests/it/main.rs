//! Integration tests: each starts the real app on an ephemeral port against a real MongoDB server
//! (`MONGODB_URI`, or a local SecantusDB server started once per test run), with a fresh database per test.

mod harness;

mod access;
mod cli;
mod extract;
mod feed;
mod foundation;
mod identity;
mod migrations;
mod robust;
mod stats;
mod stats_audit;
mod tracker;
mod web;
