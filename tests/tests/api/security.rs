//! What a hostile caller tries: replays across principals, unbounded public
//! writes, forged addresses, webhook addresses that hide a private one, open
//! redirects, media types spelled to slip past checks, OAuth without OAuth,
//! tokens that outlive their source, missing headers and control characters,
//! and Sandbox decisions from elsewhere.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::receiver::ManualClock;
use tests::{error_of, invalid_items, json_of, local, on_both_stores, spawn_with, TestApp, PUBLIC};

const JOURNEY: &str = "https://app.example/connect?invite={token}";

async fn company(app: &TestApp) -> String {
    app.new_company("Acme").await
}

async fn set_invitation_url(app: &TestApp) {
    app.set_invitation_url(JOURNEY).await;
}

/// The company token a share URL's invitation token is exchanged for.
async fn invitee_token(app: &TestApp, invitation: &Value) -> String {
    let share = invitation["shareUrl"].as_str().unwrap();
    let token = share.split("invite=").nth(1).unwrap();
    let opened = json_of(
        app.anonymous(Method::POST, "/invitations/exchange")
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    opened["accessToken"].as_str().unwrap().to_owned()
}

async fn post_with_key(app: &TestApp, path: &str, key: &str, body: &Value) -> reqwest::Response {
    app.request(Method::POST, path)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The Sandbox authorize path a connection's Link URL redirects to.
async fn authorize_path(app: &TestApp, connection: &Value) -> String {
    let link = local(connection["linkUrl"].as_str().unwrap());
    let start = app.anonymous(Method::GET, &link).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::FOUND);
    local(start.headers()["location"].to_str().unwrap())
}

fn query_value(url: &str, name: &str) -> String {
    url::Url::parse(&format!("{PUBLIC}{url}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .unwrap()
        .1
        .into_owned()
}

async fn recorded_ip(app: &TestApp, company: &str, forwarded_for: &str) -> Value {
    let consent = app
        .request(Method::POST, &format!("/companies/{company}/consents"))
        .header("x-forwarded-for", forwarded_for)
        .header("forwarded", format!("for=\"{forwarded_for}\""))
        .json(&json!({"categories": ["accounting"]}))
        .send()
        .await
        .unwrap();
    json_of(consent, StatusCode::CREATED).await["ip"].clone()
}

on_both_stores! {
    async fn an_idempotent_replay_is_only_ever_for_the_principal_that_made_it(app: TestApp) {
        set_invitation_url(&app).await;
        let company = company(&app).await;
        let path = format!("/companies/{company}/invitations");
        let body = json!({"categories": ["accounting", "banking", "commerce"]});
        let by_key = json_of(post_with_key(&app, &path, "invite-1", &body).await, StatusCode::CREATED).await;
        let browser = app.with_key(&app.company_token(&company).await);
        let limited = json!({"categories": ["banking"]});
        let narrow = json_of(browser.post(&path, &limited).await, StatusCode::CREATED).await;
        let invitee = app.with_key(&invitee_token(&app, &narrow).await);

        let as_invitee = post_with_key(&invitee, &path, "invite-1", &body).await;
        let as_browser = post_with_key(&browser, &path, "invite-1", &body).await;
        let as_browser_again = post_with_key(&browser, &path, "invite-1", &body).await;
        let other_browser = app.with_key(&app.company_token(&company).await);
        let as_other_browser = post_with_key(&other_browser, &path, "invite-1", &body).await;
        let second_key = json_of(app.post("/apiKeys", &json!({"name": "second"})).await, StatusCode::CREATED).await;
        let second_key = app.with_key(second_key["apiKey"].as_str().unwrap());
        let as_second_key = post_with_key(&second_key, &path, "invite-1", &body).await;

        assert!(as_invitee.headers().get("idempotent-replayed").is_none());
        error_of(as_invitee, StatusCode::FORBIDDEN).await;
        assert!(as_browser.headers().get("idempotent-replayed").is_none(), "a company token never gets the API key's answer");
        let fresh = json_of(as_browser, StatusCode::CREATED).await;
        assert_ne!(fresh["id"], by_key["id"]);
        assert_eq!(as_browser_again.headers()["idempotent-replayed"], "true", "the token's own answer is replayed to it");
        assert_eq!(json_of(as_browser_again, StatusCode::CREATED).await["id"], fresh["id"]);
        assert!(as_other_browser.headers().get("idempotent-replayed").is_none());
        assert_ne!(json_of(as_other_browser, StatusCode::CREATED).await["id"], fresh["id"]);
        assert_eq!(as_second_key.headers()["idempotent-replayed"], "true", "the client's API keys share their answers");
        assert_eq!(json_of(as_second_key, StatusCode::CREATED).await["id"], by_key["id"]);
    }

    async fn the_sandbox_issues_codes_only_for_a_pending_authorization_from_its_own_page(app: TestApp) {
        let (_, connection) = app.consented_connection("mqjo").await;
        let authorize = authorize_path(&app, &connection).await;
        let state = query_value(&authorize, "state");
        let challenge = query_value(&authorize, "code_challenge");
        let post = |form: Vec<(&'static str, String)>, cookie: Option<String>, origin: Option<&'static str>| {
            let mut request = app.anonymous(Method::POST, "/sandbox/oauth/decision").form(&form);
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            request.send()
        };
        let page = app.anonymous(Method::GET, &authorize).send().await.unwrap();
        let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/sandbox/oauth"), "{cookie}");
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let binding = tests::hidden_field(&page.text().await.unwrap(), "binding");
        let form = |state: &str, challenge: &str, binding: &str| vec![
            ("decision", "approve".to_owned()), ("state", state.to_owned()),
            ("code_challenge", challenge.to_owned()), ("binding", binding.to_owned()),
        ];

        let unknown_state = post(form("made-up-state", &challenge, &binding), Some(cookie.clone()), None).await.unwrap();
        let short_challenge = post(form(&state, "abcde", &binding), Some(cookie.clone()), None).await.unwrap();
        let long_challenge = post(form(&state, &"a".repeat(15_000), &binding), Some(cookie.clone()), None).await.unwrap();
        let other_challenge = post(form(&state, &"b".repeat(43), &binding), Some(cookie.clone()), None).await.unwrap();
        let no_cookie = post(form(&state, &challenge, &binding), None, None).await.unwrap();
        let wrong_binding = post(form(&state, &challenge, "AAAA"), Some(cookie.clone()), None).await.unwrap();
        let cross_site = post(form(&state, &challenge, &binding), Some(cookie.clone()), Some("https://evil.example")).await.unwrap();
        let page_for_unknown = app.anonymous(Method::GET, &authorize.replace(&state, "made-up-state")).send().await.unwrap();
        let from_a_sandboxed_frame = app.anonymous(Method::POST, "/sandbox/oauth/decision").form(&form(&state, &challenge, &binding))
            .header("cookie", cookie.clone()).header("origin", "null").header("sec-fetch-site", "cross-site").send().await.unwrap();

        error_of(unknown_state, StatusCode::BAD_REQUEST).await;
        error_of(short_challenge, StatusCode::BAD_REQUEST).await;
        error_of(long_challenge, StatusCode::BAD_REQUEST).await;
        error_of(other_challenge, StatusCode::BAD_REQUEST).await;
        error_of(no_cookie, StatusCode::FORBIDDEN).await;
        error_of(wrong_binding, StatusCode::FORBIDDEN).await;
        error_of(cross_site, StatusCode::FORBIDDEN).await;
        // The page of an unknown (or answered) authorization is a page for the customer, with no form to post.
        assert_eq!(page_for_unknown.status(), StatusCode::BAD_REQUEST);
        let unknown_page = page_for_unknown.text().await.unwrap();
        assert!(unknown_page.contains("This sign-in was already answered") && !unknown_page.contains("<form"), "{unknown_page}");
        error_of(from_a_sandboxed_frame, StatusCode::FORBIDDEN).await;
        assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_codes").await, 0, "no code was stored");

        // As a browser posts the page's own form: its Origin is `null` (the page sends no referrer).
        let approved = app.anonymous(Method::POST, "/sandbox/oauth/decision").form(&form(&state, &challenge, &binding))
            .header("cookie", cookie.clone()).header("origin", "null").header("sec-fetch-site", "same-origin").send().await.unwrap();
        let again = post(form(&state, &challenge, &binding), Some(cookie), None).await.unwrap();
        assert_eq!(approved.status(), StatusCode::SEE_OTHER);
        error_of(again, StatusCode::CONFLICT).await;
        assert_eq!(app.count("SELECT COUNT(*) FROM sandbox_codes").await, 1, "one code for one authorization");
    }

    async fn a_link_url_stores_only_bounded_custom_values(app: TestApp) {
        let (_, connection) = app.consented_connection("mqjo").await;
        let link = local(connection["linkUrl"].as_str().unwrap());
        let many: Vec<String> = (0..8).map(|i| format!("p{i}={}", "v".repeat(400))).collect();

        let too_much = app.anonymous(Method::GET, &format!("{link}?{}", many.join("&"))).send().await.unwrap();
        let forged_line = app.anonymous(Method::GET, &format!("{link}?linkReturn=popup&linkOrigin=https%3A%2F%2Fa.example%0a2026-01-01%20INFO%20forged%1b%5b31m"))
            .send().await.unwrap();

        let body = error_of(too_much, StatusCode::BAD_REQUEST).await;
        assert!(body["error"].as_str().unwrap().contains("2048 bytes"), "{body}");
        let forged_line = error_of(forged_line, StatusCode::BAD_REQUEST).await;
        assert!(forged_line["error"].as_str().unwrap().contains("control characters"), "no value can forge a log line: {forged_line}");
        assert_eq!(app.count("SELECT COUNT(*) FROM oauth_states").await, 0);
    }

    async fn expired_codes_and_states_are_purged(app: TestApp) {
        let (_, connection) = app.consented_connection("mqjo").await;
        let decided = app.sandbox_decision(&authorize_path(&app, &connection).await, "approve").await;
        assert_eq!(decided.status(), StatusCode::SEE_OTHER);
        authorize_path(&app, &connection).await;
        assert_eq!((app.count("SELECT COUNT(*) FROM sandbox_codes").await, app.count("SELECT COUNT(*) FROM oauth_states").await), (1, 2));
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), Duration::from_secs(5)).await;

        dispatcher.purge_expired().await;
        let kept = (app.count("SELECT COUNT(*) FROM sandbox_codes").await, app.count("SELECT COUNT(*) FROM oauth_states").await);
        clock.advance(3600);
        dispatcher.purge_expired().await;
        let codes_gone = (app.count("SELECT COUNT(*) FROM sandbox_codes").await, app.count("SELECT COUNT(*) FROM oauth_states").await);
        clock.advance(2 * 86_400);
        dispatcher.purge_expired().await;
        let all_gone = (app.count("SELECT COUNT(*) FROM sandbox_codes").await, app.count("SELECT COUNT(*) FROM oauth_states").await);

        assert_eq!(kept, (1, 2), "nothing live is purged");
        assert_eq!(codes_gone, (0, 2), "states stay a day past their lifetime, so a late callback can be told it expired");
        assert_eq!(all_gone, (0, 0));
    }

    async fn a_placeholder_cannot_choose_where_the_customer_is_sent(app: TestApp) {
        let (_, connection) = app.consented_connection("mqjo").await;
        let link = local(connection["linkUrl"].as_str().unwrap());

        for template in ["https://example.com{x}", "https://{x}.example.com/done", "https://example.com:{x}/"] {
            let refused = error_of(app.send_json(Method::PUT, "/profile", &json!({"name": "App", "redirectUrl": template, "whiteListUrls": []})).await, StatusCode::BAD_REQUEST).await;
            assert_eq!(refused["validation"]["errors"][0]["validatorName"], "PlaceholderInOrigin", "{template}");
        }
        json_of(app.send_json(Method::PUT, "/profile", &json!({"name": "App", "redirectUrl": "https://example.com/{x}", "whiteListUrls": []})).await, StatusCode::OK).await;
        // A profile saved before the rule: the journey shows a page instead of following it.
        app.execute_sql("UPDATE profiles SET redirect_url = 'https://example.com{x}'").await;
        let start = app.anonymous(Method::GET, &format!("{link}?x=.evil.example")).send().await.unwrap();
        let decided = app.sandbox_decision(&local(start.headers()["location"].to_str().unwrap()), "approve").await;
        let ended = app.anonymous(Method::GET, &local(decided.headers()["location"].to_str().unwrap())).send().await.unwrap();

        assert_eq!(ended.status(), StatusCode::OK, "no redirect");
        assert!(ended.headers().get("location").is_none());
    }

    async fn the_json_depth_limit_holds_however_the_media_type_is_spelled(app: TestApp) {
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));

        for content_type in ["Application/JSON", "APPLICATION/JSON; charset=utf-8", "application/merge-patch+json"] {
            let response = app.request(Method::POST, "/companies").header("content-type", content_type).body(deep.clone()).send().await.unwrap();

            let body = error_of(response, StatusCode::BAD_REQUEST).await;
            assert!(body["error"].as_str().unwrap().contains("deeper than 32"), "{content_type}: {body}");
        }
    }

    async fn a_customer_cannot_link_an_oauth_platform_without_oauth(app: TestApp) {
        let (company, xero) = app.consented_connection("gbol").await;
        let browser = app.with_key(&app.company_token(&company).await);
        let path = |connection: &Value| format!("/companies/{company}/connections/{}/authorization", connection["id"].as_str().unwrap());

        let by_customer = browser.send_json(Method::PUT, &path(&xero), &json!({"accessToken": "stolen-or-made-up"})).await;

        let body = error_of(by_customer, StatusCode::FORBIDDEN).await;
        assert!(body["error"].as_str().unwrap().contains("linkUrl"), "{body}");
        assert_eq!(app.fetch_connection(&company, &xero).await["status"], "PendingAuth");
        assert_eq!(app.count("SELECT COUNT(*) FROM connection_secrets").await, 0);
        json_of(app.send_json(Method::PUT, &path(&xero), &json!({"accessToken": "imported-by-the-client"})).await, StatusCode::OK).await;
    }

    async fn a_disabled_integration_cannot_be_authorized(app: TestApp) {
        let company = company(&app).await;
        app.consent(&company, &["accounting", "commerce"]).await;
        let stripe = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let sandbox = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "mqjo"})).await, StatusCode::OK).await;
        for key in ["exgd", "mqjo"] {
            json_of(app.send_json(Method::PATCH, &format!("/integrations/{key}/settings"), &json!({"enabled": false})).await, StatusCode::OK).await;
        }
        json_of(app.send_json(Method::PUT, "/profile", &json!({"name": "App", "redirectUrl": "https://app.example/done?s={statusCode}", "whiteListUrls": []})).await, StatusCode::OK).await;

        let credentials = app.send_json(Method::PUT, &format!("/companies/{company}/connections/{}/authorization", stripe["id"].as_str().unwrap()), &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await;
        let oauth = app.anonymous(Method::GET, &local(sandbox["linkUrl"].as_str().unwrap())).send().await.unwrap();

        let body = error_of(credentials, StatusCode::CONFLICT).await;
        assert!(body["error"].as_str().unwrap().contains("disabled"), "{body}");
        assert_eq!(oauth.headers()["location"], "https://app.example/done?s=501");
        assert_eq!(app.fetch_connection(&company, &stripe).await["status"], "PendingAuth");
        assert_eq!(app.fetch_connection(&company, &sandbox).await["status"], "PendingAuth");
    }

    async fn a_company_token_cannot_make_what_outlives_it(app: TestApp) {
        set_invitation_url(&app).await;
        let company = company(&app).await;
        let browser = app.with_key(&app.company_token(&company).await);
        let path = format!("/companies/{company}/invitations");

        let long = browser.post(&path, &json!({"categories": ["banking"], "expiresInHours": 720})).await;
        let default = json_of(browser.post(&path, &json!({"categories": ["banking"]})).await, StatusCode::CREATED).await;
        let by_key = json_of(app.post(&path, &json!({"categories": ["banking"], "expiresInHours": 720})).await, StatusCode::CREATED).await;

        let refused = error_of(long, StatusCode::BAD_REQUEST).await;
        assert_eq!(invalid_items(&refused), ["expiresInHours"]);
        assert_eq!(refused["validation"]["errors"][0]["validatorName"], "TokenLifetime");
        let expires = |body: &Value| chrono::DateTime::parse_from_rfc3339(body["expiresAt"].as_str().unwrap()).unwrap();
        let day = chrono::Utc::now() + chrono::Duration::hours(24);
        assert!(expires(&default) <= day + chrono::Duration::seconds(5), "the default ends with the token: {default}");
        assert!(expires(&by_key) > day + chrono::Duration::days(20), "an API key may invite for 30 days");
    }

    async fn deleting_an_api_key_ends_the_company_tokens_it_issued(app: TestApp) {
        let company = company(&app).await;
        let created = json_of(app.post("/apiKeys", &json!({"name": "front-end server"})).await, StatusCode::CREATED).await;
        let second = app.with_key(created["apiKey"].as_str().unwrap());
        let from_second = app.with_key(&second.company_token(&company).await);
        let from_first = app.with_key(&app.company_token(&company).await);
        json_of(from_second.get("/linkSettings").await, StatusCode::OK).await;

        let deleted = app.delete(&format!("/apiKeys/{}", created["id"].as_str().unwrap())).await;

        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        let refused = error_of(from_second.get("/linkSettings").await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(refused["error"], "Unauthorized");
        json_of(from_first.get("/linkSettings").await, StatusCode::OK).await;
    }

    async fn answers_carry_the_headers_that_keep_them_private(app: TestApp) {
        let company = company(&app).await;
        set_invitation_url(&app).await;
        let invitation = json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"]})).await, StatusCode::CREATED).await;
        let token = invitation["shareUrl"].as_str().unwrap().split("invite=").nth(1).unwrap().to_owned();

        let secrets = [
            app.post("/apiKeys", &json!({"name": "k"})).await,
            app.get(&format!("/companies/{company}/accessToken")).await,
            app.anonymous(Method::POST, "/invitations/exchange").json(&json!({"token": token})).send().await.unwrap(),
            app.post("/webhooks", &json!({"url": "https://hooks.example.com/in"})).await,
            app.get("/companies").await,
        ];
        let docs = app.anonymous(Method::GET, "/docs/").send().await.unwrap();

        for response in &secrets {
            assert!(response.status().is_success(), "{}", response.status());
            assert_eq!(response.headers()["cache-control"], "no-store", "{}", response.url());
            assert_eq!(response.headers()["x-content-type-options"], "nosniff", "{}", response.url());
        }
        assert_eq!(docs.status(), StatusCode::OK);
        let policy = docs.headers()["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe"), "{policy}");
        assert_eq!(docs.headers()["x-frame-options"], "DENY");
        assert_eq!(docs.headers()["x-content-type-options"], "nosniff");
    }

    async fn writes_take_json_or_nothing_so_a_form_elsewhere_cannot_send_them(app: TestApp) {
        let company = company(&app).await;
        let event = json_of(app.get("/events").await, StatusCode::OK).await["results"][0]["id"].as_str().unwrap().to_owned();
        let replay = format!("/events/{event}/replay");
        let send = |method: Method, path: String, content_type: Option<&'static str>, body: &'static str| {
            let mut request = app.request(method, &path).body(body);
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            request.send()
        };

        let form = send(Method::POST, replay.clone(), Some("application/x-www-form-urlencoded"), "").await.unwrap();
        let text = send(Method::POST, replay.clone(), Some("text/plain"), "x").await.unwrap();
        let multipart = send(Method::DELETE, format!("/companies/{company}"), Some("multipart/form-data; boundary=x"), "").await.unwrap();
        let undeclared = send(Method::POST, replay.clone(), None, "x=1").await.unwrap();

        for refused in [form, text, multipart, undeclared] {
            error_of(refused, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        }
        assert_eq!(json_of(app.get(&format!("/companies/{company}")).await, StatusCode::OK).await["id"], company.as_str());
        assert_eq!(send(Method::POST, replay.clone(), None, "").await.unwrap().status(), StatusCode::ACCEPTED);
        assert_eq!(send(Method::POST, replay, Some("application/json"), "{}").await.unwrap().status(), StatusCode::ACCEPTED);
    }

    async fn control_characters_are_refused_where_they_would_be_stored(app: TestApp) {
        let bodies = [
            (json!({"name": "Acme\u{0}Ltd"}), "name"),
            (json!({"name": "Acme", "description": "ref\u{0}4711"}), "description"),
            (json!({"name": "Acme", "tags": {"region": "uk\u{1b}[2J"}}), "tags.region"),
        ];

        for (body, field) in bodies {
            let refused = error_of(app.post("/companies", &body).await, StatusCode::BAD_REQUEST).await;

            assert_eq!(invalid_items(&refused), [field], "{body}");
            assert_eq!(refused["validation"]["errors"][0]["validatorName"], "ControlCharacter");
        }
        let kept = app.create_company(json!({"name": "Acme", "description": "line one\nline two"})).await;
        assert_eq!(kept["description"], "line one\nline two");
        assert_eq!(json_of(app.get("/companies").await, StatusCode::OK).await["totalResults"], 1);
    }
}

on_both_stores! {
    async fn forwarding_headers_are_believed_only_from_trusted_proxies(backend: Backend) {
        let direct = spawn_with(backend, &[]).await;
        let behind_proxy = spawn_with(backend, &["--trusted-proxies", "127.0.0.0/8"]).await;
        let (a, b) = (company(&direct).await, company(&behind_proxy).await);

        assert_eq!(recorded_ip(&direct, &a, "203.0.113.9").await, "127.0.0.1");
        assert_eq!(recorded_ip(&direct, &a, "not-an-ip").await, "127.0.0.1");
        assert_eq!(recorded_ip(&behind_proxy, &b, "203.0.113.9").await, "203.0.113.9");
        assert_eq!(recorded_ip(&behind_proxy, &b, "<script>").await, "127.0.0.1", "never a value that is not an address");
    }

    async fn public_paths_and_failed_authentications_are_limited_per_address(backend: Backend) {
        let app = spawn_with(backend, &["--rate-limit-per-minute", "60", "--rate-limit-burst", "3", "--auth-failures-per-minute", "2"]).await;
        let (_, connection) = app.consented_connection("mqjo").await;
        let link = local(connection["linkUrl"].as_str().unwrap());

        let mut public = Vec::new();
        for _ in 0..4 {
            public.push(app.anonymous(Method::GET, &link).send().await.unwrap().status());
        }
        let health = app.anonymous(Method::GET, "/healthz").send().await.unwrap().status();
        let wrong = || app.anonymous(Method::GET, "/companies").bearer_auth("not-a-key-of-anyone").send();
        let (first, second, third) = (wrong().await.unwrap(), wrong().await.unwrap(), wrong().await.unwrap());
        let right_key_meanwhile = app.get("/companies").await;

        assert_eq!(public, [StatusCode::FOUND, StatusCode::FOUND, StatusCode::FOUND, StatusCode::TOO_MANY_REQUESTS]);
        assert_eq!(health, StatusCode::OK, "health checks are never limited");
        assert_eq!((first.status(), second.status()), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
        assert!(third.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
        let body = error_of(third, StatusCode::TOO_MANY_REQUESTS).await;
        assert!(body["error"].as_str().unwrap().contains("failed authentications"), "{body}");
        assert_eq!(body["canBeRetried"], "Yes");
        error_of(right_key_meanwhile, StatusCode::TOO_MANY_REQUESTS).await;
        let health_meanwhile = app.anonymous(Method::GET, "/healthz").send().await.unwrap();
        assert_eq!(health_meanwhile.status(), StatusCode::OK, "a locked-out address still sees the health check");
    }

    async fn webhook_addresses_that_carry_a_private_one_are_refused(backend: Backend) {
        let app = spawn_with(backend, &["--webhook-allow-private", "false", "--public-url", "https://link.example.com"]).await;
        let hook = json_of(app.post("/webhooks", &json!({"url": "https://hooks.example.com/in"})).await, StatusCode::CREATED).await;
        let id = hook["id"].as_str().unwrap();

        for host in ["[::127.0.0.1]", "[::7f00:1]", "[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::]",
                     "[2002:a9fe:a9fe::]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]", "192.0.0.1", "240.0.0.1", "[::ffff:10.0.0.1]"] {
            let url = format!("https://{host}/in");
            let created = error_of(app.post("/webhooks", &json!({"url": url})).await, StatusCode::BAD_REQUEST).await;
            let patched = error_of(app.send_json(Method::PATCH, &format!("/webhooks/{id}"), &json!({"url": url})).await, StatusCode::BAD_REQUEST).await;

            assert_eq!(created["validation"]["errors"][0]["validatorName"], "PrivateAddress", "{url}");
            assert_eq!(patched["validation"]["errors"][0]["validatorName"], "PrivateAddress", "{url}");
        }
        json_of(app.post("/webhooks", &json!({"url": "https://[2606:4700::1111]/in"})).await, StatusCode::CREATED).await;
    }
}
