//! The command line: `link-api [SETTINGS] [COMMAND]`.

use clap::{Parser, Subcommand, ValueEnum};
use uuid::Uuid;

use crate::config::Settings;

/// Link API: a self-hosted backend for build-your-own authorization journeys.
///
/// Every setting can also be given as the environment variable shown with it.
#[derive(Debug, Parser)]
#[command(name = "link-api", version, args_override_self = true)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, create the first client on an empty store, and serve (the default).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Print the OpenAPI document (needs no database).
    Openapi {
        #[arg(long, value_enum, default_value = "yaml")]
        format: DocumentFormat,
    },
    /// Create, list and revoke API keys, for operators.
    #[command(subcommand)]
    ApiKeys(ApiKeysCommand),
    /// Encryption keys of stored secrets: status and rotation, for operators.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Count stored secrets by key version.
    Status,
    /// Re-encrypt every stored secret with the newest key of LINK_ENCRYPTION_KEY,
    /// while the service runs. Safe to interrupt and to run again.
    Rotate {
        /// Secrets re-encrypted per transaction.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        batch_size: u32,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DocumentFormat {
    Yaml,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Create a key and print it (it is shown only this once).
    Create {
        /// A label for the key, up to 50 characters.
        #[arg(long)]
        name: Option<String>,
        /// The client that gets the key; needed when the store holds several clients.
        #[arg(long, conflicts_with = "new_client")]
        client: Option<Uuid>,
        /// Create a new client (tenant) with this name, holding the new key.
        #[arg(long, value_name = "NAME")]
        new_client: Option<String>,
    },
    /// List keys (never the secrets), by client.
    List {
        /// Only this client's keys.
        #[arg(long)]
        client: Option<Uuid>,
    },
    /// Revoke a key at once.
    Revoke {
        /// The key's id, as `list` shows it.
        id: Uuid,
    },
}
