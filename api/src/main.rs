use std::ops::ControlFlow;
use std::process::ExitCode;

use clap::Parser;
use link_api::cli::{ApiKeysCommand, Cli, Command, DocumentFormat, KeysCommand};
use link_api::config::Settings;
use link_api::startup::Application;
use link_api::{admin, openapi, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if let Err(error) = cli.settings.validate() {
        eprintln!("link-api: {error}");
        return ExitCode::from(2);
    }
    telemetry::init(cli.settings.log_format);
    match run(cli.command.unwrap_or(Command::Serve), &cli.settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("link-api: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Migrate => {
            link_api::startup::open_store(settings).await?;
            eprintln!("link-api: the database schema is up to date");
        }
        Command::Openapi { format } => {
            let document = openapi::document();
            let text = match format {
                DocumentFormat::Yaml => document.to_yaml()?,
                DocumentFormat::Json => document.to_pretty_json()?,
            };
            print!("{text}");
        }
        Command::ApiKeys(command) => api_keys(command, settings).await?,
        Command::Keys(command) => keys(command, settings).await?,
    }
    Ok(())
}

async fn keys(command: KeysCommand, settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    let cipher = link_api::crypto::cipher_from_settings(settings)?;
    let (store, _) = link_api::startup::open_store(settings).await?;
    if let KeysCommand::Rotate { batch_size } = command {
        eprintln!(
            "Re-encrypting stored secrets with key version {}.",
            cipher.current_version()
        );
        let mut report = |batch: &app::keys::Batch| {
            eprintln!(
                "  {}: {} re-encrypted, {} changed meanwhile",
                batch.class.name(),
                batch.resealed,
                batch.changed_meanwhile
            );
            ControlFlow::Continue(())
        };
        let rotation = app::keys::rotate(store.as_ref(), &cipher, batch_size, &mut report).await?;
        eprintln!(
            "Re-encrypted {} secrets; {} changed while the run read them and were left as their writer sealed them.",
            rotation.resealed, rotation.changed_meanwhile
        );
        for unreadable in &rotation.unreadable {
            eprintln!(
                "  cannot open the {} of {:?} (key version {}): {}",
                unreadable.location.class().name(),
                unreadable.location,
                unreadable.key_version,
                unreadable.reason
            );
        }
    }
    let (counts, behind) = app::keys::status(store.as_ref(), &cipher).await?;
    println!("key version  secrets  class");
    for count in &counts {
        let missing = if cipher.has_version(count.key_version) {
            ""
        } else {
            "  (this key is not configured: these secrets cannot be opened)"
        };
        println!(
            "{:>11}  {:>7}  {}{missing}",
            count.key_version,
            count.count,
            count.class.name()
        );
    }
    if behind > 0 {
        return Err(format!(
            "{behind} secrets are not sealed with key version {}; run `link-api keys rotate` (again) before removing older keys",
            cipher.current_version()
        )
        .into());
    }
    eprintln!(
        "Every stored secret is sealed with key version {}: older keys may be removed from LINK_ENCRYPTION_KEY.",
        cipher.current_version()
    );
    Ok(())
}

async fn api_keys(
    command: ApiKeysCommand,
    settings: &Settings,
) -> Result<(), Box<dyn std::error::Error>> {
    let (store, _) = link_api::startup::open_store(settings).await?;
    match command {
        ApiKeysCommand::Create {
            name,
            client,
            new_client,
        } => {
            let created = admin::create_key(
                store.as_ref(),
                name.as_deref(),
                client.map(Into::into),
                new_client.as_deref(),
            )
            .await?;
            eprintln!(
                "Created API key {} for client {} ({}). It is shown only this once:",
                created.key.id, created.client.id, created.client.name
            );
            println!("{}", created.secret);
        }
        ApiKeysCommand::List { client } => {
            for (client, keys) in admin::list_keys(store.as_ref(), client.map(Into::into)).await? {
                println!(
                    "client {} ({}): {} key(s)",
                    client.id,
                    client.name,
                    keys.len()
                );
                for key in keys {
                    let created = key.created.format("%Y-%m-%dT%H:%M:%SZ");
                    println!(
                        "  {}  {}  {}",
                        key.id,
                        created,
                        key.name.as_deref().unwrap_or("-")
                    );
                }
            }
        }
        ApiKeysCommand::Revoke { id } => {
            let client = admin::revoke_key(store.as_ref(), id.into()).await?;
            eprintln!(
                "Revoked API key {id} of client {} ({}).",
                client.id, client.name
            );
        }
    }
    Ok(())
}
