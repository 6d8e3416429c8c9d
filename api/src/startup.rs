//! Building and running the server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpResponse, HttpServer};
use domain::ports::Store;
use secrecy::ExposeSecret;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::catalogue::Catalogue;
use crate::config::Settings;
use crate::route_table::RouteTable;
use crate::routes::fallback::{ensure_error_body, fallback};
use crate::state::AppState;
use crate::{auth, correlation, extract, openapi, routes};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("LINK_DATABASE_URL: {0}")]
    Store(#[from] persistence::OpenError),
    #[error("the store failed while creating the first client: {0}")]
    Bootstrap(domain::ports::RepoError),
    #[error("LINK_LISTEN: cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Catalogue(String),
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    /// Tells the background tasks to stop once the server has.
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    shutdown_timeout: std::time::Duration,
}

/// Loads the catalogue and opens the store (applying migrations), with the
/// event payloads rendered as the API shows them.
pub async fn open_store(
    settings: &Settings,
) -> Result<(std::sync::Arc<dyn domain::ports::Store>, Catalogue), StartError> {
    let extra = match &settings.catalogue_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            StartError::Catalogue(format!(
                "LINK_CATALOGUE_FILE: cannot read {}: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    let catalogue =
        Catalogue::load(&settings.public_url, extra.as_deref()).map_err(StartError::Catalogue)?;
    let payloads = crate::events::Payloads::new(catalogue.clone(), &settings.public_url);
    let store = persistence::open(&settings.store_options(), std::sync::Arc::new(payloads)).await?;
    Ok((store, catalogue))
}

impl Application {
    /// Opens the store (applying migrations), creates the first client on
    /// an empty store, and binds the listener.
    pub async fn build(settings: &Settings) -> Result<Self, StartError> {
        let cipher = crate::crypto::cipher_from_settings(settings)?;
        let (store, catalogue) = open_store(settings).await?;
        bootstrap(store.as_ref(), settings).await?;
        let listen_error = |source| StartError::Listen {
            address: settings.listen.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.listen).map_err(listen_error)?;
        let port = listener.local_addr().map_err(listen_error)?.port();
        let http_tokens = crate::oauth::HttpTokenEndpoint::new()
            .map_err(|e| StartError::Catalogue(format!("cannot build the HTTP client: {e}")))?;
        let state = AppState {
            company_tokens: crate::company_token::TokenSigner::new(cipher.token_secret()),
            invitation_tokens: crate::company_token::TokenSigner::for_audience(
                cipher.token_secret(),
                crate::company_token::INVITATION_AUDIENCE,
            )
            .ignoring_expiry(),
            sandbox: app::sandbox::SandboxProvider::new(store.clone()),
            store,
            catalogue,
            cipher,
            public_url: settings.public_url.clone(),
            http_tokens,
            verifier: crate::verifier::HttpVerifier::new(settings.webhooks_may_reach_private())
                .map_err(|e| StartError::Catalogue(format!("cannot build the HTTP client: {e}")))?,
            webhooks_may_reach_private: settings.webhooks_may_reach_private(),
            trusted_proxies: settings.proxies()?,
            mailer: crate::mailer::Mailer::from_settings(settings)?,
        };
        let state = std::sync::Arc::new(state);
        let schedule = app::refresher::Schedule {
            interval: std::time::Duration::from_secs(settings.refresh_interval_secs),
            margin: std::time::Duration::from_secs(settings.refresh_margin_secs),
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let refresher = app::refresher::Refresher {
            store: state.store.clone(),
            settings: state.clone(),
            providers: state.clone(),
            cipher: state.cipher.clone(),
        };
        let mut tasks = vec![tokio::spawn(app::refresher::run(
            std::sync::Arc::new(refresher),
            schedule,
            stopped.clone(),
        ))];
        if settings.dispatch_interval_ms > 0 {
            let sender = crate::dispatcher::HttpSender::new(state.webhooks_may_reach_private)
                .map_err(|e| StartError::Catalogue(format!("cannot build the HTTP client: {e}")))?;
            let dispatcher = crate::dispatcher::workers(
                state.store.clone(),
                state.cipher.clone(),
                std::sync::Arc::new(sender),
                std::sync::Arc::new(app::clock::SystemClock),
            )
            .with_mail(crate::dispatcher::mail_adapter(state.mailer.clone()));
            let dispatcher = std::sync::Arc::new(dispatcher);
            let interval = std::time::Duration::from_millis(settings.dispatch_interval_ms);
            tasks.push(tokio::spawn(
                dispatcher.clone().run_emails(interval, stopped.clone()),
            ));
            tasks.push(tokio::spawn(dispatcher.run(interval, stopped)));
        }
        let rate_limits = crate::rate_limit::RateLimits::new(
            settings.rate_limit_per_minute,
            settings.rate_limit_burst,
            settings.auth_failures_per_minute,
        );
        if let Some(limits) = rate_limits.clone() {
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                    limits.forget_idle();
                }
            });
        }
        let shutdown_timeout = std::time::Duration::from_secs(settings.shutdown_timeout_secs);
        let server = server(listener, state, rate_limits, settings).map_err(listen_error)?;
        tracing::info!(address = %settings.listen, port, public_url = %settings.public_url, "listening");
        Ok(Self {
            port,
            server,
            stop,
            tasks,
            shutdown_timeout,
        })
    }

    /// The port actually bound (useful when listening on port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop (SIGINT or SIGTERM): then it
    /// accepts no new connections, lets requests in flight finish (up to
    /// `LINK_SHUTDOWN_TIMEOUT_SECS`), and stops the background tasks at the end
    /// of their current round.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        let _ = self.stop.send(true);
        let finished = futures_util::future::join_all(self.tasks);
        if tokio::time::timeout(self.shutdown_timeout, finished)
            .await
            .is_err()
        {
            tracing::warn!("background tasks did not stop in time");
        }
        tracing::info!("stopped");
        served
    }
}

fn server(
    listener: TcpListener,
    state: std::sync::Arc<AppState>,
    rate_limits: Option<std::sync::Arc<crate::rate_limit::RateLimits>>,
    settings: &Settings,
) -> std::io::Result<Server> {
    let state = web::Data::from(state);
    let rate_limits = web::Data::new(rate_limits);
    let max_body = settings.max_body_bytes;
    let client_timeout = std::time::Duration::from_secs(settings.client_timeout_secs);
    let body_timeout = web::Data::new(crate::limits::BodyTimeout(client_timeout));
    let document = openapi::document();
    let yaml = document.to_yaml().map_err(std::io::Error::other)?;
    let routes_table = web::Data::new(RouteTable::from_spec(&document));
    let server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .configure(routes::configure)
            .split_for_parts();
        let yaml = yaml.clone();
        app.app_data(state.clone())
            .app_data(rate_limits.clone())
            .app_data(body_timeout.clone())
            .app_data(routes_table.clone())
            .app_data(extract::json_config(max_body))
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(extract::path_config())
            .app_data(extract::query_config())
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .url("/openapi.json", document.clone())
                    // The default validator badge would call a host on the internet.
                    .config(Config::default().validator_url("none")),
            )
            .route(
                "/link/companies/{companyId}/connections/{connectionId}/start",
                web::get().to(routes::link::start),
            )
            .route(
                "/link/oauth/callback",
                web::get().to(routes::link::callback),
            )
            .route(
                "/link/company/{companyId}",
                web::get().to(routes::hosted::journey),
            )
            .route(
                "/link/company/{companyId}/finish",
                web::get().to(routes::hosted::finish),
            )
            .route(
                "/link/company/{companyId}/token",
                web::post().to(routes::hosted::journey_token),
            )
            .route(
                "/link/company/{companyId}/session",
                web::post().to(routes::link_session::open_link),
            )
            .route(
                "/link/company/{companyId}/reminders/stop",
                web::get().to(routes::reminder_stop::confirm),
            )
            .route(
                "/link/company/{companyId}/reminders/stop",
                web::post().to(routes::reminder_stop::stop),
            )
            // The journey's files, compressed for the browsers that take it (they
            // hold nothing secret, unlike the API's answers, which stay as they are).
            .service(
                web::resource("/link/assets/{file}")
                    .wrap(actix_web::middleware::Compress::default())
                    .route(web::get().to(routes::bundle::asset)),
            )
            .service(
                web::resource("/link/sdk.js")
                    .wrap(actix_web::middleware::Compress::default())
                    .route(web::get().to(routes::bundle::sdk)),
            )
            .service(
                web::resource("/link/sdk/{file}")
                    .wrap(actix_web::middleware::Compress::default())
                    .route(web::get().to(routes::bundle::pinned_sdk)),
            )
            .route(
                "/favicon.ico",
                // Browsers ask for it on every page; no icon, and no 401 counted against the address.
                web::get().to(|| async {
                    HttpResponse::NoContent()
                        .insert_header(("Cache-Control", "public, max-age=86400"))
                        .finish()
                }),
            )
            .route(
                "/sandbox/oauth/authorize",
                web::get().to(routes::sandbox::authorize),
            )
            .route(
                "/sandbox/oauth/decision",
                web::post().to(routes::sandbox::decide),
            )
            .route(
                "/sandbox/oauth/token",
                web::post().to(routes::sandbox::token),
            )
            .route(
                "/sandbox/oauth/revoke",
                web::post().to(routes::sandbox::revoke),
            )
            .route(
                "/assets/integrations/{platformKey}/{file}",
                web::get().to(routes::assets::integration_image),
            )
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .route(
                "/openapi.yaml",
                web::get().to(move || {
                    let yaml = yaml.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type("application/yaml")
                            .body(yaml)
                    }
                }),
            )
            .default_service(web::to(fallback))
            .wrap(from_fn(crate::idempotency::middleware))
            .wrap(from_fn(crate::rate_limit::middleware))
            .wrap(from_fn(auth::require_api_key))
            .wrap(from_fn(crate::rate_limit::by_address))
            .wrap(from_fn(crate::limits::middleware))
            .wrap(from_fn(crate::cors::middleware))
            .wrap(ErrorHandlers::new().default_handler(ensure_error_body))
            .wrap(from_fn(crate::headers::middleware))
            .wrap(from_fn(correlation::middleware))
    })
    .shutdown_timeout(settings.shutdown_timeout_secs)
    .client_request_timeout(client_timeout)
    .listen(listener)?
    .run();
    Ok(server)
}

/// On an empty store, creates the first client and its API key. A key
/// generated here is printed once, with a request ready to paste.
async fn bootstrap(store: &dyn Store, settings: &Settings) -> Result<(), StartError> {
    let (key, chosen) = match &settings.bootstrap_api_key {
        Some(key) => (key.expose_secret().to_owned(), true),
        None => (auth::generate_key(), false),
    };
    let created = store
        .bootstrap_client("Default client", &auth::hash_key(&key))
        .await
        .map_err(StartError::Bootstrap)?;
    let Some((client, _)) = created else {
        return Ok(());
    };
    tracing::info!(client_id = %client.id, "created the first client and its API key");
    if !chosen {
        println!(
            "\nLink API created its first client and an API key. The key is shown only this once:\n\n    \
             {key}\n\nTry it:\n\n    curl -H \"Authorization: Bearer {key}\" {}/companies\n",
            settings.public_url
        );
    }
    Ok(())
}
