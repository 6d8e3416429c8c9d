//! The store's own limit: pgbench running exactly the statements a handler
//! issues, in the same order and round trips, at the same concurrency.
//!
//! The statements are those of the PostgreSQL adapter (persistence/src):
//! API key lookup (api_keys.rs), company read or insert (companies.rs), the
//! event insert of the same transaction (events.rs), and the connections of
//! the company with their errors (connections.rs). Keep them in step when
//! those change.

use std::path::Path;
use std::time::Duration;

const CONNECTION_COLUMNS: &str =
    "c.id, c.client_id, c.company_id, c.platform_key, c.source_type, c.status, c.version, c.created_at";

/// What `GET /companies/{id}` sends to PostgreSQL. Even companies have a
/// connection, so their errors are read too, as the handler does.
pub fn get_company_script(size: u64, client: &str, key_hash: &str) -> String {
    let id = "('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid";
    format!(
        "\\set n random(1, {size})\n\
         SELECT id, client_id, name, created_at FROM api_keys WHERE key_hash = '{key_hash}';\n\
         SELECT id, client_id, name, description, tags, created_at FROM companies WHERE client_id = '{client}' AND id = {id};\n\
         SELECT {CONNECTION_COLUMNS} FROM connections c WHERE c.client_id = '{client}' AND c.company_id IN ({id}) ORDER BY c.created_at, c.id;\n\
         \\if :n % 2 = 0\n\
         SELECT e.connection_id, e.status_code, e.status_text, e.error_message, e.errored_at, e.resolved_at FROM connection_errors e WHERE 1 = 1 AND e.connection_id IN (('00000000-0000-4000-9000-' || lpad(:n::text, 12, '0'))::uuid);\n\
         \\endif\n"
    )
}

/// What `POST /companies` sends to PostgreSQL.
pub fn create_company_script(client: &str, key_hash: &str) -> String {
    // As long as the company's JSON, without the colons pgbench would take for variables.
    let payload = "x".repeat(260);
    let correlation = "c".repeat(32);
    format!(
        "SELECT id, client_id, name, created_at FROM api_keys WHERE key_hash = '{key_hash}';\n\
         BEGIN;\n\
         INSERT INTO companies (id, client_id, name, description, tags, created_at, next_reminder_at) VALUES (gen_random_uuid(), '{client}', 'Bench company', NULL, '{{}}'::jsonb, now(), now()) RETURNING id \\gset\n\
         INSERT INTO events (id, client_id, company_id, event_type, generated_at, company_tags, payload, fanned_out, correlation_id) VALUES (gen_random_uuid(), '{client}', :id, 'company.created', now(), '[]'::jsonb, '{payload}', false, '{correlation}');\n\
         COMMIT;\n"
    )
}

/// Runs a script and returns its transactions per second.
pub async fn run(
    database_url: &str,
    script: &str,
    clients: usize,
    duration: Duration,
    folder: &Path,
) -> Result<f64, String> {
    let file = folder.join("pgbench.sql");
    std::fs::write(&file, script).map_err(|e| e.to_string())?;
    let output = tokio::process::Command::new("pgbench")
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
        ])
        .arg(duration.as_secs().max(1).to_string())
        .arg("-f")
        .arg(&file)
        .arg(database_url)
        .output()
        .await
        .map_err(|e| format!("cannot run pgbench (from PostgreSQL's client tools): {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .ok_or_else(|| format!("no tps in pgbench's output: {text}"))
}
