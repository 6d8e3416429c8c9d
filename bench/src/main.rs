//! `link-bench`: measures Link API on this machine beside the limit its store
//! sets. For each size it creates a fresh database, starts the release
//! server on it, seeds companies in bulk, runs every scenario for a bounded
//! time, runs pgbench on the same statements where that applies (the two
//! sides taking turns), and prints one table, also written under
//! `bench/results/`.

mod http;
mod journey;
mod load;
mod pgbench;
mod seed;
mod server;
mod webhooks;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use http::{Call, Client};
use load::{drive, Outcome, Pace};
use seed::{company_id, Store};
use server::{api, Server, API_KEY};

#[derive(Debug, Parser)]
#[command(about = "Benchmarks Link API against the limit of its store")]
struct Args {
    /// The store to measure.
    #[arg(long, value_enum, default_value = "postgres")]
    store: Store,
    /// A PostgreSQL server where the user may create databases.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Company counts to seed, one run each.
    #[arg(long, value_delimiter = ',', default_value = "10000,1000000")]
    sizes: Vec<u64>,
    /// How long each scenario runs, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Callers at once in closed-loop scenarios (and pgbench clients).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// The server binary (built with `cargo build --release`).
    #[arg(long, default_value = "target/release/link-api")]
    server: PathBuf,
    /// Where the report is written.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Only scenarios whose name contains one of these.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

impl Args {
    /// Whether `--only` leaves this scenario in.
    fn wants(&self, scenario: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| scenario.contains(o.as_str()))
    }
}

/// One row of the report.
struct Row {
    size: u64,
    scenario: &'static str,
    outcome: Outcome,
    peak_rss_mib: f64,
    ratio: Option<Ratio>,
}

/// Link API's requests/s over the limit's.
struct Ratio {
    value: f64,
    /// What the limit is.
    limit: &'static str,
}

/// A scenario: its name, and the request it sends for call `i`.
type Request = Arc<dyn Fn(u64) -> Call + Send + Sync>;

fn scenarios(size: u64) -> Vec<(&'static str, Request)> {
    let deep = (size / 100 / 2).max(1);
    let list = move |query: String| -> Request {
        Arc::new(move |_| Call::get(format!("/companies?{query}")))
    };
    let estimated = move |query: String| -> Request {
        Arc::new(move |_| {
            Call::get(format!("/companies?{query}")).header("prefer", "count=estimated")
        })
    };
    vec![
        // What an HTTP exchange alone costs: no store, no key, a fixed answer.
        (
            "an HTTP exchange alone (GET /healthz)",
            Arc::new(|_| Call::get("/healthz".into())) as Request,
        ),
        (
            "get one company",
            Arc::new(move |i| Call::get(format!("/companies/{}", company_id(1 + i * 7919 % size)))),
        ),
        ("list companies, first page", list("pageSize=100".into())),
        (
            "list companies, deep page",
            list(format!("page={deep}&pageSize=100")),
        ),
        (
            "list companies by tag",
            list("tags=region%3Duk&pageSize=100".into()),
        ),
        (
            "list companies, first page, estimated count",
            estimated("pageSize=100".into()),
        ),
        (
            "list companies by tag, estimated count",
            estimated("tags=region%3Duk&pageSize=100".into()),
        ),
        (
            "list companies, deep page, estimated count",
            estimated(format!("page={deep}&pageSize=100")),
        ),
        (
            "list companies by query",
            list("query=name~%22Company%2012%22&pageSize=100".into()),
        ),
        (
            "list a company's connections",
            Arc::new(move |i| {
                let n = 2 * (1 + i * 7919 % (size / 2).max(1));
                Call::get(format!("/companies/{}/connections", company_id(n)))
            }),
        ),
        (
            "integrations with a query",
            Arc::new(|_| Call::get("/integrations?query=sourceType%3DAccounting".into())),
        ),
        (
            "create a company",
            Arc::new(|i| {
                Call::post(
                    "/companies".into(),
                    &serde_json::json!({"name": format!("Bench {i}"), "tags": {"region": "uk"}}),
                )
            }),
        ),
    ]
}

async fn measure(
    server: &Server,
    client: &Arc<Client>,
    request: Request,
    pace: Pace,
    duration: Duration,
) -> (Outcome, f64) {
    let client = client.clone();
    server.take_peak_rss_mib();
    let outcome = drive(pace, duration, move |i| {
        let (client, call) = (client.clone(), request(i));
        async move { client.send(call).await.unwrap_or(false) }
    })
    .await;
    (outcome, server.take_peak_rss_mib())
}

/// Turns consent off for the run and creates `count` Stripe connections (on
/// the first companies), each linked once; returns their authorization paths.
async fn credential_connections(
    http: &reqwest::Client,
    base: &str,
    count: u64,
) -> Result<Vec<String>, String> {
    api(http
        .put(format!("{base}/linkSettings"))
        .json(&serde_json::json!({"consentRequired": false})))
    .await?;
    let mut paths = Vec::new();
    for n in 1..=count {
        let company = company_id(n);
        let connection = api(http
            .post(format!("{base}/companies/{company}/connections"))
            .json(&serde_json::json!({"platformKey": "exgd"})))
        .await?;
        let id = connection["id"].as_str().unwrap_or_default();
        let path = format!("/companies/{company}/connections/{id}/authorization");
        api(http
            .put(format!("{base}{path}"))
            .json(&serde_json::json!({"apiKey": "rk_live_benchsetup0000"})))
        .await?;
        paths.push(path);
    }
    Ok(paths)
}

async fn run_size(
    args: &Args,
    size: u64,
    folder: &std::path::Path,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    eprintln!("== {size} companies on {:?}", args.store);
    let url = seed::fresh_database(args.store, &args.postgres_url, folder).await?;
    let server = Server::start(&args.server, &url, args.concurrency, &[]).await?;
    let seeding = std::time::Instant::now();
    seed::seed(args.store, &url, size).await?;
    eprintln!("   seeded in {:.1} s", seeding.elapsed().as_secs_f64());
    let http = reqwest::Client::new();
    let client = Arc::new(Client::new(&server.base, API_KEY)?);
    let limits = if args.store == Store::Postgres {
        Some(seed::client_and_key_hash(&url).await?)
    } else {
        None
    };
    let full = Duration::from_secs(args.seconds);
    let pace = Pace::Concurrency(args.concurrency);
    for (scenario, request) in scenarios(size) {
        if !args.wants(scenario) {
            continue;
        }
        let script = match (&limits, scenario) {
            (Some((client, hash)), "get one company") => {
                Some(pgbench::get_company_script(size, client, hash))
            }
            (Some((client, hash)), "create a company") => {
                Some(pgbench::create_company_script(client, hash))
            }
            _ => None,
        };
        let (outcome, peak_rss_mib, ratio) = match script {
            None => {
                let (outcome, peak) = measure(&server, &client, request, pace, full).await;
                (outcome, peak, None)
            }
            Some(script) => {
                // Link API and pgbench take turns, in the order L P P L L P P L,
                // so that the machine's speed drifting during the run (on this
                // virtual machine, 10 % between one five-second stretch and the
                // next) weighs on both alike, each side for twice the duration
                // in all; after a turn of Link API that is not counted, so that
                // neither side meets the store's caches cold.
                let turn = Duration::from_secs((args.seconds / 2).max(1));
                measure(&server, &client, request.clone(), pace, turn).await;
                let (mut link, mut tps, mut peak) = (Vec::new(), Vec::new(), 0.0_f64);
                let mut progress = Vec::new();
                for link_turn in [true, false, false, true, true, false, false, true] {
                    if link_turn {
                        let (outcome, turn_peak) =
                            measure(&server, &client, request.clone(), pace, turn).await;
                        progress.push(format!("Link API {:.0}", outcome.per_second()));
                        peak = peak.max(turn_peak);
                        link.push(outcome);
                    } else {
                        let turn_tps =
                            pgbench::run(&url, &script, args.concurrency, turn, folder).await?;
                        progress.push(format!("pgbench {turn_tps:.0}"));
                        tps.push(turn_tps);
                    }
                }
                eprintln!("   {scenario}, in turns: {}", progress.join(", "));
                let outcome = link
                    .into_iter()
                    .reduce(Outcome::merge)
                    .ok_or("no turn of Link API")?;
                let ratio = Ratio {
                    value: outcome.per_second() / (tps.iter().sum::<f64>() / tps.len() as f64),
                    limit: "pgbench, same statements",
                };
                (outcome, peak, Some(ratio))
            }
        };
        eprintln!(
            "   {scenario}: {:.0} requests/s, p99 {:.2} ms",
            outcome.per_second(),
            outcome.millis(0.99)
        );
        rows.push(Row {
            size,
            scenario,
            outcome,
            peak_rss_mib,
            ratio,
        });
    }
    let authorize = "authorize a connection (credentials, encrypted)";
    if args.wants(authorize) {
        let paths = Arc::new(credential_connections(&http, &server.base, 200).await?);
        let request: Request = Arc::new(move |i| {
            Call::put(
                paths[(i % paths.len() as u64) as usize].clone(),
                &serde_json::json!({"apiKey": format!("rk_live_bench{i:016}")}),
            )
        });
        let (outcome, peak_rss_mib) = measure(&server, &client, request, pace, full).await;
        eprintln!("   {authorize}: {:.0} requests/s", outcome.per_second());
        rows.push(Row {
            size,
            scenario: authorize,
            outcome,
            peak_rss_mib,
            ratio: None,
        });
    }
    let mixed = "mixed journey at 500 requests/s";
    if args.wants(mixed) {
        let parts: Vec<Request> = scenarios(size)
            .into_iter()
            .filter(|(name, _)| {
                matches!(
                    *name,
                    "get one company"
                        | "list a company's connections"
                        | "integrations with a query"
                        | "create a company"
                )
            })
            .map(|(_, request)| request)
            .collect();
        let request: Request = Arc::new(move |i| parts[(i % parts.len() as u64) as usize](i));
        let (outcome, peak_rss_mib) =
            measure(&server, &client, request, Pace::Rate(500), full).await;
        eprintln!("   {mixed}: p99 {:.2} ms", outcome.millis(0.99));
        rows.push(Row {
            size,
            scenario: mixed,
            outcome,
            peak_rss_mib,
            ratio: None,
        });
    }
    let oauth = "whole Sandbox OAuth journey (figures per journey of 7 requests)";
    if args.wants(oauth) {
        rows.push(oauth_journeys(args, &server, size, oauth).await?);
    }
    server.stop().await;
    let dispatch = "webhook dispatch of a 20 000-event burst";
    if args.store == Store::Postgres && args.wants(dispatch) {
        rows.push(dispatch_burst(args, &url, size, dispatch).await?);
    }
    Ok(())
}

/// Whole journeys, each by one caller, as many callers as usual; one is
/// made first so that a journey that cannot finish stops the run with why.
async fn oauth_journeys(
    args: &Args,
    server: &Server,
    size: u64,
    scenario: &'static str,
) -> Result<Row, String> {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .map_err(|e| e.to_string())?;
    journey::prepare(&browser, &server.base).await?;
    journey::run(&browser, &server.base, 0).await?;
    let base = server.base.clone();
    server.take_peak_rss_mib();
    let outcome = drive(
        Pace::Concurrency(args.concurrency),
        Duration::from_secs(args.seconds),
        move |i| {
            let (browser, base) = (browser.clone(), base.clone());
            async move { journey::run(&browser, &base, i + 1).await.is_ok() }
        },
    )
    .await;
    eprintln!(
        "   {scenario}: {:.0} journeys/s ({:.0} requests/s), p99 {:.2} ms",
        outcome.per_second(),
        outcome.per_second() * journey::REQUESTS as f64,
        outcome.millis(0.99)
    );
    Ok(Row {
        size,
        scenario,
        outcome,
        peak_rss_mib: server.take_peak_rss_mib(),
        ratio: None,
    })
}

/// Restarts the server with its dispatcher on, and measures a burst of deliveries.
async fn dispatch_burst(
    args: &Args,
    url: &str,
    size: u64,
    scenario: &'static str,
) -> Result<Row, String> {
    // Earlier scenarios left events no consumer wants; they are not part of the burst.
    let mut db = <sqlx::PgConnection as sqlx::Connection>::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query("UPDATE events SET fanned_out = TRUE WHERE NOT fanned_out")
        .execute(&mut db)
        .await
        .map_err(|e| e.to_string())?;
    let server = Server::start(
        &args.server,
        url,
        args.concurrency,
        &[("LINK_DISPATCH_INTERVAL_MS", "20".into())],
    )
    .await?;
    let http = reqwest::Client::new();
    server.take_peak_rss_mib();
    let burst = webhooks::burst(&http, &server.base, API_KEY, url, 20_000, 50).await?;
    let peak_rss_mib = server.take_peak_rss_mib();
    server.stop().await;
    let outcome = Outcome {
        requests: burst.events - burst.lost,
        errors: burst.lost + burst.bad,
        elapsed: burst.elapsed,
        latencies: burst.latencies,
    };
    eprintln!(
        "   {scenario}: {:.0} deliveries/s, plain loop {:.0}/s, {} lost",
        outcome.per_second(),
        burst.plain_per_second,
        burst.lost
    );
    Ok(Row {
        size,
        scenario,
        ratio: Some(Ratio {
            value: outcome.per_second() / burst.plain_per_second,
            limit: "plain signed-POST loop",
        }),
        outcome,
        peak_rss_mib,
    })
}

fn report(args: &Args, rows: &[Row]) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut text = format!(
        "Link API benchmark, {} UTC, {cores} cores, store {:?}, {} callers, {} s per scenario\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M"),
        args.store,
        args.concurrency,
        args.seconds
    );
    text.push_str("| companies | scenario | requests/s | p50 ms | p99 ms | max ms | errors | server peak RSS MiB | ratio to the limit |\n");
    text.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
    for row in rows {
        let ratio = row.ratio.as_ref().map_or_else(
            || "—".to_owned(),
            |r| format!("{:.2} × {}", r.value, r.limit),
        );
        let _ = writeln!(
            text,
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.1} | {} |",
            row.size,
            row.scenario,
            row.outcome.per_second(),
            row.outcome.millis(0.5),
            row.outcome.millis(0.99),
            row.outcome.max_millis(),
            row.outcome.errors,
            row.peak_rss_mib,
            ratio
        );
    }
    text
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let folder = std::env::temp_dir().join(format!("link-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&folder);
    let mut rows = Vec::new();
    let mut failed = None;
    for size in &args.sizes {
        if let Err(error) = run_size(&args, *size, &folder, &mut rows).await {
            failed = Some(error);
            break;
        }
    }
    let _ = std::fs::remove_dir_all(&folder);
    let table = report(&args, &rows);
    println!("{table}");
    let _ = std::fs::create_dir_all(&args.out);
    let file = args.out.join(
        format!(
            "{}-{:?}.md",
            chrono::Utc::now().format("%Y-%m-%d"),
            args.store
        )
        .to_lowercase(),
    );
    if let Err(error) = std::fs::write(&file, &table) {
        eprintln!("link-bench: cannot write {}: {error}", file.display());
    }
    match failed {
        Some(error) => {
            eprintln!("link-bench: {error}");
            std::process::ExitCode::FAILURE
        }
        None => std::process::ExitCode::SUCCESS,
    }
}
