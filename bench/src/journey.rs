//! A whole Sandbox OAuth journey, as the application's backend and its
//! customer's browser make it: a company, its consent, a connection, the
//! Link URL, the Sandbox's consent page and decision, and the callback,
//! where the server exchanges the code at the Sandbox's token endpoint,
//! stores the tokens encrypted and sends the browser back to the application.

use crate::server::api;

/// Where the application wants its customers back; never fetched.
const RETURN_TO: &str = "https://app.example/done";

/// Requests one journey makes.
pub const REQUESTS: u64 = 7;

/// Sets the redirect the callback ends on.
pub async fn prepare(http: &reqwest::Client, base: &str) -> Result<(), String> {
    let body = serde_json::json!({
        "name": "Bench Lending",
        "redirectUrl": format!("{RETURN_TO}?s={{statusCode}}"),
        "whiteListUrls": [RETURN_TO],
    });
    api(http.put(format!("{base}/profile")).json(&body)).await?;
    Ok(())
}

/// One journey; `http` must not follow redirects.
pub async fn run(http: &reqwest::Client, base: &str, i: u64) -> Result<(), String> {
    let company = api(http
        .post(format!("{base}/companies"))
        .json(&serde_json::json!({"name": format!("Journey {i}")})))
    .await?;
    let company = text(&company, "id")?;
    api(http
        .post(format!("{base}/companies/{company}/consents"))
        .json(
            &serde_json::json!({"categories": ["accounting"], "actor": {"name": "Bench customer"}}),
        ))
    .await?;
    let connection = api(http
        .post(format!("{base}/companies/{company}/connections"))
        .json(&serde_json::json!({"platformKey": "mqjo"})))
    .await?;
    let authorize = redirect(http.get(text(&connection, "linkUrl")?)).await?;
    let page = http
        .get(authorize)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    // The page binds its decision with a cookie, as a browser keeps it.
    let cookie = page
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| "the Sandbox page set no cookie".to_owned())?;
    let page = page.text().await.map_err(|e| e.to_string())?;
    let form = [
        ("decision", "approve".to_owned()),
        ("state", hidden(&page, "state")?),
        ("code_challenge", hidden(&page, "code_challenge")?),
        ("binding", hidden(&page, "binding")?),
    ];
    let callback = redirect(
        http.post(format!("{base}/sandbox/oauth/decision"))
            .header("cookie", cookie)
            .form(&form),
    )
    .await?;
    let back = redirect(http.get(callback)).await?;
    if back != format!("{RETURN_TO}?s=200") {
        return Err(format!("the journey ended at {back}"));
    }
    Ok(())
}

/// Where a redirect sends the browser.
async fn redirect(request: reqwest::RequestBuilder) -> Result<String, String> {
    let answer = request.send().await.map_err(|e| e.to_string())?;
    if !answer.status().is_redirection() {
        return Err(format!(
            "{} instead of a redirect from {}",
            answer.status(),
            answer.url()
        ));
    }
    answer
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| "a redirect without a location".to_owned())
}

fn text(value: &serde_json::Value, field: &str) -> Result<String, String> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {field} in {value}"))
}

/// The value of a hidden form field of the Sandbox's page.
fn hidden(page: &str, name: &str) -> Result<String, String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .ok_or_else(|| format!("no {name} on the Sandbox page"))?
        + marker.len();
    Ok(page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned())
}
