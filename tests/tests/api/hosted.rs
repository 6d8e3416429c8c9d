//! The hosted journey's server side: the page at a company's `redirect`, its
//! company token, its assets, the OAuth hand-off back to it, and its end.
//! (The journey itself runs in a real browser: `web/test/`.)

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{json_of, local, on_both_stores, TestApp, PUBLIC};

fn meta(page: &str, name: &str) -> String {
    let marker = format!("<meta name=\"{name}\" content=\"");
    let start = page.find(&marker).unwrap() + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

async fn open(app: &TestApp, company: &Value) -> (reqwest::header::HeaderMap, String) {
    let page = app
        .anonymous(Method::GET, &local(company["redirect"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    (headers, page.text().await.unwrap())
}

async fn set_redirect(app: &TestApp, template: &str) {
    let profile = json!({"name": "Acme Lending", "redirectUrl": template, "whiteListUrls": []});
    json_of(
        app.send_json(Method::PUT, "/profile", &profile).await,
        StatusCode::OK,
    )
    .await;
}

on_both_stores! {
    async fn a_companys_redirect_opens_its_journey_with_a_token_for_that_company_alone(app: TestApp) {
        let company = app.create_company(json!({"name": "Bolt Cycles"})).await;
        let other = app.new_company("Other").await;
        let id = company["id"].as_str().unwrap();

        let (headers, page) = open(&app, &company).await;

        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(meta(&page, "link-api-company"), id);
        assert!(page.contains("<script type=\"module\" src=\"/link/assets/hosted.js?v="), "{page}");
        let browser = app.with_key(&meta(&page, "link-api-token"));
        json_of(browser.get(&format!("/companies/{id}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!(json_of(browser.get("/profile").await, StatusCode::OK).await["name"], "Default client");
        assert!(page.contains("<title>Default client</title>"), "the tab names who asks, the client: {page}");
        assert_eq!(browser.get(&format!("/companies/{other}/linkStatus")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(browser.get("/companies").await.status(), StatusCode::FORBIDDEN);
        let same_origin = browser.request(Method::POST, &format!("/companies/{id}/consents"))
            .header("origin", PUBLIC).json(&json!({"categories": ["accounting"]})).send().await.unwrap();
        assert_eq!(same_origin.status(), StatusCode::CREATED, "the page's own origin needs no CORS settings");
    }

    async fn the_clients_logo_and_icon_are_the_only_images_allowed_from_elsewhere(app: TestApp) {
        let profile = json!({"name": "Acme Lending", "redirectUrl": "https://app.acme.example/done", "logoUrl": "https://cdn.acme.example/brand/logo.png",
                             "iconUrl": "https://static.acme.example:8443/icon.png?v=2&x=\"><script>"});
        json_of(app.send_json(Method::PUT, "/profile", &profile).await, StatusCode::OK).await;
        let company = app.create_company(json!({"name": "Bolt Cycles"})).await;

        let (headers, page) = open(&app, &company).await;

        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("img-src 'self' data: https://cdn.acme.example https://static.acme.example:8443;"), "{policy}");
        assert!(page.contains("<link rel=\"icon\" href=\"https://static.acme.example:8443/icon.png?v=2&amp;x=&quot;&gt;&lt;script&gt;\">"), "{page}");
        assert!(!page.contains("<script>"), "the address is written as text");
    }

    async fn the_bundle_is_served_from_the_binary_and_cached_for_good(app: TestApp) {
        let script = app.anonymous(Method::GET, "/link/assets/hosted.js").send().await.unwrap();
        let style = app.anonymous(Method::GET, "/link/assets/hosted.css").send().await.unwrap();
        let missing = app.anonymous(Method::GET, "/link/assets/other.js").send().await.unwrap();

        assert_eq!(script.status(), StatusCode::OK);
        assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert_eq!(script.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(script.text().await.unwrap().len() > 1000);
        assert!(style.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
        tests::error_of(missing, StatusCode::NOT_FOUND).await;
        for path in ["/link/assets/hosted.js", "/link/sdk.js"] {
            let whole = app.anonymous(Method::GET, path).send().await.unwrap().bytes().await.unwrap().len();
            let gzipped = app.anonymous(Method::GET, path).header("accept-encoding", "gzip").send().await.unwrap();
            assert_eq!(gzipped.headers()["content-encoding"], "gzip", "{path}");
            let sent = gzipped.bytes().await.unwrap().len();
            assert!(sent * 2 < whole, "{path}: {sent} of {whole} bytes");
        }
        let api = app.request(Method::GET, "/companies").header("accept-encoding", "gzip").send().await.unwrap();
        assert!(api.headers().get("content-encoding").is_none(), "the API's answers are not compressed");
    }

    async fn a_link_to_no_company_answers_a_page_that_says_so(app: TestApp) {
        let unknown = app.anonymous(Method::GET, "/link/company/0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41").send().await.unwrap();
        let malformed = app.anonymous(Method::GET, "/link/company/not-an-id").send().await.unwrap();

        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        assert!(unknown.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(unknown.text().await.unwrap().contains("This link leads nowhere"));
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        assert!(malformed.text().await.unwrap().contains("This link is not valid"));
    }

    async fn the_oauth_hand_off_returns_to_the_hosted_journey_when_it_started_there(app: TestApp) {
        set_redirect(&app, "https://app.example/done?s={statusCode}").await;
        let (company, connection) = app.consented_connection("mqjo").await;
        let link = local(connection["linkUrl"].as_str().unwrap());

        let start = app.anonymous(Method::GET, &format!("{link}?linkReturn=hosted&ref=order-42")).send().await.unwrap();
        let decided = app.sandbox_decision(&local(start.headers()["location"].to_str().unwrap()), "approve").await;
        let back = app.anonymous(Method::GET, &local(decided.headers()["location"].to_str().unwrap())).send().await.unwrap();

        let location = back.headers()["location"].to_str().unwrap();
        let id = connection["id"].as_str().unwrap();
        assert_eq!(location, format!("{PUBLIC}/link/company/{company}?ref=order-42&connectionId={id}&statusCode=200&statusText=Linked"));
        assert_eq!(app.fetch_connection(&company, &connection).await["status"], "Linked");
    }

    async fn the_end_of_the_journey_sends_the_customer_to_the_clients_redirect_url(app: TestApp) {
        let company = app.new_company("Bolt Cycles").await;
        let finish = format!("/link/company/{company}/finish?ref=order%2042");

        let without = app.anonymous(Method::GET, &finish).send().await.unwrap();
        set_redirect(&app, "https://app.example/done?c={companyId}&s={statusCode}&ref={ref}").await;
        let with = app.anonymous(Method::GET, &finish).send().await.unwrap();

        assert_eq!(without.status(), StatusCode::OK);
        assert!(without.text().await.unwrap().contains("All done"));
        assert_eq!(with.status(), StatusCode::FOUND);
        assert_eq!(with.headers()["location"], format!("https://app.example/done?c={company}&s=200&ref=order%2042"));
    }
}

on_both_stores! {
    async fn a_customer_may_abandon_an_unfinished_connection_but_no_other(app: TestApp) {
        let (company, pending) = app.consented_connection("mqjo").await;
        let linked = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let linked_path = format!("/companies/{company}/connections/{}", linked["id"].as_str().unwrap());
        json_of(app.send_json(Method::PUT, &format!("{linked_path}/authorization"), &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await, StatusCode::OK).await;
        let browser = app.with_key(&app.company_token(&company).await);

        let abandoned = browser.delete(&format!("/companies/{company}/connections/{}", pending["id"].as_str().unwrap())).await;
        let refused = browser.delete(&linked_path).await;

        assert_eq!(abandoned.status(), StatusCode::OK);
        tests::error_of(refused, StatusCode::FORBIDDEN).await;
        let left = json_of(app.get(&format!("/companies/{company}/connections")).await, StatusCode::OK).await;
        assert_eq!(left["totalResults"], 1);
        assert_eq!(left["results"][0]["status"], "Linked");
    }
}

on_both_stores! {
    async fn a_customer_may_unlink_a_linked_connection_and_its_access_is_destroyed(app: TestApp) {
        let (company, connection) = app.consented_connection("exgd").await;
        let path = format!("/companies/{company}/connections/{}", connection["id"].as_str().unwrap());
        json_of(app.send_json(Method::PUT, &format!("{path}/authorization"), &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await, StatusCode::OK).await;
        let secrets = || app.count("SELECT COUNT(*) FROM connection_secrets");
        assert_eq!(secrets().await, 1);
        let browser = app.with_key(&app.company_token(&company).await);

        let other = browser.send_json(Method::PATCH, &path, &json!({"status": "Linked"})).await;
        let unlinked = json_of(browser.send_json(Method::PATCH, &path, &json!({"status": "Unlinked"})).await, StatusCode::OK).await;
        let again = browser.send_json(Method::PATCH, &path, &json!({"status": "Unlinked"})).await;

        tests::error_of(other, StatusCode::BAD_REQUEST).await;
        assert_eq!(unlinked["status"], "Unlinked");
        tests::error_of(again, StatusCode::CONFLICT).await;
        assert_eq!(secrets().await, 0, "the customer's unlink destroys the stored access");
        let history = json_of(app.get(&format!("{path}/history")).await, StatusCode::OK).await;
        let last = &history["results"][2];
        assert_eq!((last["cause"].as_str(), last["actor"].as_str(), last["to"].as_str()), (Some("UnlinkedByCustomer"), Some("customer"), Some("Unlinked")));
        let elsewhere = app.new_company("Other").await;
        let outsider = app.with_key(&app.company_token(&elsewhere).await);
        tests::error_of(outsider.send_json(Method::PATCH, &path, &json!({"status": "Unlinked"})).await, StatusCode::NOT_FOUND).await;
    }
}

on_both_stores! {
    async fn the_hosted_journey_settings_have_defaults_and_are_checked(app: TestApp) {
        let defaults = json_of(app.get("/linkSettings").await, StatusCode::OK).await;
        let bad = app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"primaryColour": "blue", "primaryColourDark": "#12345", "helpUrl": "ftp://help"}})).await;
        let chosen = json!({"showLandingPage": false, "showSandbox": false, "showSecuredBy": false, "requireSignedLinks": false, "primaryColour": "#ffd000", "helpUrl": "https://help.example/link"});
        let saved = json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": chosen})).await, StatusCode::OK).await;

        assert_eq!(defaults["hostedJourney"], json!({"showLandingPage": true, "showSandbox": true, "showSecuredBy": true, "requireSignedLinks": false}));
        let refused = tests::error_of(bad, StatusCode::BAD_REQUEST).await;
        let mut fields = tests::invalid_items(&refused);
        fields.sort();
        assert_eq!(fields, ["hostedJourney.helpUrl", "hostedJourney.primaryColour", "hostedJourney.primaryColourDark"]);
        assert_eq!(saved["hostedJourney"], chosen);
        let company = app.new_company("Acme").await;
        let browser = app.with_key(&app.company_token(&company).await);
        assert_eq!(json_of(browser.get("/linkSettings").await, StatusCode::OK).await["hostedJourney"], chosen, "the journey reads them with its token");
        let texts = json!({"en": {"landingTitle": "Hello {client}", "exitConfirmation": "Your progress is saved."}, "fr-CA": {"start": "Allons-y"}});
        let worded = json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"texts": texts, "defaultLocale": "fr-CA"}})).await, StatusCode::OK).await;
        assert_eq!(worded["hostedJourney"]["texts"], texts);
        assert_eq!(worded["hostedJourney"]["defaultLocale"], "fr-CA");
        let unspoken = app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"defaultLocale": "fr_CA<b>"}})).await;
        assert_eq!(tests::invalid_items(&tests::error_of(unspoken, StatusCode::BAD_REQUEST).await), ["hostedJourney.defaultLocale"]);
        let wrong = app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"texts": {
            "not a locale": {"start": "Go"}, "de": {"colour": "Blau", "landingBody": "x".repeat(501)}}}})).await;
        let mut wrong_fields = tests::invalid_items(&tests::error_of(wrong, StatusCode::BAD_REQUEST).await);
        wrong_fields.sort();
        assert_eq!(wrong_fields, ["hostedJourney.texts.de.colour", "hostedJourney.texts.de.landingBody", "hostedJourney.texts.not a locale"]);
    }
}

async fn signed_link(app: &TestApp, company: &str, body: Value) -> Value {
    json_of(
        app.post(&format!("/companies/{company}/links"), &body)
            .await,
        StatusCode::CREATED,
    )
    .await
}

async fn open_with(app: &TestApp, url: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = app.anonymous(Method::GET, &local(url));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// What the journey page does to open the signed link in its address.
async fn open_link(
    app: &TestApp,
    company: &str,
    url: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let link = url.split("link=").nth(1).unwrap();
    let mut request = app
        .anonymous(Method::POST, &format!("/link/company/{company}/session"))
        .json(&json!({"link": link}));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

on_both_stores! {
    async fn a_signed_link_opens_the_journey_once_and_lets_that_browser_come_back(app: TestApp) {
        let company = app.new_company("Signed Ltd").await;
        let bare = format!("{PUBLIC}/link/company/{company}");
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"requireSignedLinks": true}})).await, StatusCode::OK).await;
        let link = signed_link(&app, &company, json!({"expiresInMinutes": 30})).await;
        let url = link["url"].as_str().unwrap();

        let without_link = open_with(&app, &bare, None).await;
        let scanned = open_with(&app, url, None).await;
        let scanned_again = open_with(&app, url, None).await;
        let first = open_link(&app, &company, url, None).await;
        let cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
        let session = cookie.split(';').next().unwrap().to_owned();
        let page_token = json_of(first, StatusCode::OK).await["accessToken"].as_str().unwrap().to_owned();
        let reused_elsewhere = open_with(&app, url, None).await;
        let opened_elsewhere = open_link(&app, &company, url, None).await;
        let reused_here = open_with(&app, url, Some(&session)).await;
        let opened_here_again = open_link(&app, &company, url, Some(&session)).await;
        let back_from_provider = open_with(&app, &format!("{bare}?connectionId=x&statusCode=200"), Some(&session)).await;
        let forged = open_with(&app, &bare, Some(&format!("link_journey={}.AAAA", link["id"].as_str().unwrap()))).await;

        assert_eq!(without_link.status(), StatusCode::FORBIDDEN);
        assert!(without_link.text().await.unwrap().contains("Open the link you were sent"));
        assert_eq!(scanned.status(), StatusCode::OK);
        let scanned = scanned.text().await.unwrap();
        assert!(scanned.contains("<meta name=\"link-api-token\" content=\"\">"), "a look at the address gives no token: {scanned}");
        assert_eq!(scanned_again.status(), StatusCode::OK, "and uses nothing up");
        assert_eq!(app.with_key(&page_token).get(&format!("/companies/{company}/consents")).await.status(), StatusCode::OK);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains(&format!("Path=/link/company/{company}")), "{cookie}");
        assert_eq!(reused_elsewhere.status(), StatusCode::CONFLICT);
        assert!(reused_elsewhere.text().await.unwrap().contains("already used"));
        let opened_elsewhere = tests::error_of(opened_elsewhere, StatusCode::CONFLICT).await;
        assert!(opened_elsewhere["error"].as_str().unwrap().contains("already used"), "{opened_elsewhere}");
        assert_eq!(reused_here.status(), StatusCode::OK);
        assert_eq!(opened_here_again.status(), StatusCode::OK, "the browser holding the session may ask again");
        assert_eq!(back_from_provider.status(), StatusCode::OK);
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        let revoked = app.delete(&format!("/companies/{company}/links/{}", link["id"].as_str().unwrap())).await;
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        assert_eq!(open_with(&app, &bare, Some(&session)).await.status(), StatusCode::FORBIDDEN, "revoking ends the session");
        assert_eq!(open_with(&app, url, None).await.status(), StatusCode::GONE);
        tests::error_of(open_link(&app, &company, url, Some(&session)).await, StatusCode::GONE).await;
    }

    async fn bad_signed_links_answer_clear_pages_and_errors(app: TestApp) {
        let company = app.new_company("Signed Ltd").await;
        let other = app.new_company("Other Ltd").await;
        let expired = signed_link(&app, &company, json!({"expiresInMinutes": 1})).await;
        app.execute_sql("UPDATE journey_links SET expires_at = created_sentinel").await;
        let foreign = signed_link(&app, &other, json!({})).await;
        let browser = app.with_key(&app.company_token(&company).await);

        let gone = open_with(&app, expired["url"].as_str().unwrap(), None).await;
        let unknown = open_with(&app, &format!("{PUBLIC}/link/company/{company}?link=made-up"), None).await;
        let elsewhere = open_with(&app, &foreign["url"].as_str().unwrap().replace(&other, &company), None).await;
        let by_customer = browser.post(&format!("/companies/{company}/links"), &json!({})).await;
        let too_long = app.post(&format!("/companies/{company}/links"), &json!({"expiresInMinutes": 10081})).await;
        let no_company = app.post(&format!("/companies/{}/links", uuid::Uuid::new_v4()), &json!({})).await;
        let no_body = app.request(Method::POST, &format!("/companies/{company}/links")).send().await.unwrap();

        assert_eq!(gone.status(), StatusCode::GONE);
        assert!(gone.text().await.unwrap().contains("expired"));
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND, "a link opens only its own company's journey");
        let foreign_url = foreign["url"].as_str().unwrap();
        tests::error_of(open_link(&app, &company, foreign_url, None).await, StatusCode::NOT_FOUND).await;
        let at_home = open_link(&app, &other, foreign_url, None).await;
        assert_eq!(at_home.status(), StatusCode::OK, "opening it at another company's URL did not use it up");
        tests::error_of(open_link(&app, &company, expired["url"].as_str().unwrap(), None).await, StatusCode::GONE).await;
        tests::error_of(open_link(&app, &company, "?link=made-up", None).await, StatusCode::NOT_FOUND).await;
        let fresh = signed_link(&app, &company, json!({})).await;
        let from_elsewhere = app.anonymous(Method::POST, &format!("/link/company/{company}/session"))
            .header("origin", "https://evil.example").json(&json!({"link": fresh["url"].as_str().unwrap().split("link=").nth(1).unwrap()})).send().await.unwrap();
        tests::error_of(from_elsewhere, StatusCode::FORBIDDEN).await;
        let no_link = app.anonymous(Method::POST, &format!("/link/company/{company}/session")).json(&json!({})).send().await.unwrap();
        tests::error_of(no_link, StatusCode::BAD_REQUEST).await;
        let not_a_company = app.anonymous(Method::POST, "/link/company/not-an-id/session").json(&json!({"link": "x"})).send().await.unwrap();
        tests::error_of(not_a_company, StatusCode::NOT_FOUND).await;
        assert_eq!(open_link(&app, &company, fresh["url"].as_str().unwrap(), None).await.status(), StatusCode::OK, "the refused attempts used nothing up");
        tests::error_of(by_customer, StatusCode::FORBIDDEN).await;
        assert_eq!(tests::invalid_items(&tests::error_of(too_long, StatusCode::BAD_REQUEST).await), ["expiresInMinutes"]);
        tests::error_of(no_company, StatusCode::NOT_FOUND).await;
        assert_eq!(no_body.status(), StatusCode::CREATED, "the body may be left out");
    }
}

on_both_stores! {
    async fn a_link_that_no_longer_opens_the_journey_says_so_in_the_customers_language_and_names_the_client(app: TestApp) {
        set_redirect(&app, "").await;
        let help = json!({"hostedJourney": {"helpUrl": "https://help.acme.example/link"}});
        json_of(app.send_json(Method::PUT, "/linkSettings", &help).await, StatusCode::OK).await;
        let company = app.create_company(json!({"name": "Bolt Cycles"})).await;
        let id = company["id"].as_str().unwrap();
        let link = json_of(app.post(&format!("/companies/{id}/links"), &json!({})).await, StatusCode::CREATED).await;
        let revoked = app.delete(&format!("/companies/{id}/links/{}", link["id"].as_str().unwrap())).await;
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let url = local(link["url"].as_str().unwrap());
        let page = |accept: &'static str, url: String| {
            let asked = app.anonymous(Method::GET, &url).header("accept-language", accept).send();
            async move {
                let answer = asked.await.unwrap();
                assert_eq!(answer.status(), StatusCode::GONE);
                answer.text().await.unwrap()
            }
        };

        let french = page("fr-CH, en;q=0.5", url.clone()).await;
        let german = page("fr-CH", format!("{url}&locale=de-AT")).await;
        let unshipped = page("ja-JP, ko;q=0.8", url.clone()).await;

        assert!(french.contains("<html lang=\"fr\" dir=\"ltr\">"), "{french}");
        assert!(french.contains("<h1>Ce lien a expiré</h1>"), "{french}");
        assert!(french.contains("Demandez un nouveau lien à Acme Lending."), "{french}");
        assert!(french.contains("<a href=\"https://help.acme.example/link\" rel=\"noopener noreferrer\">Besoin d’aide ? Contactez Acme Lending</a>"), "{french}");
        assert!(german.contains("<h1>Dieser Link ist abgelaufen</h1>") && german.contains("Bitten Sie Acme Lending um einen neuen Link."), "{german}");
        assert!(unshipped.contains("<html lang=\"en\" dir=\"ltr\">") && unshipped.contains("Ask Acme Lending for a new link."), "{unshipped}");
        let arabic = page("ar-EG, en;q=0.3", url.clone()).await;
        assert!(arabic.contains("<html lang=\"ar\" dir=\"rtl\">") && arabic.contains("<h1>انتهت صلاحية هذا الرابط</h1>"), "{arabic}");
        assert!(arabic.contains("اطلب من Acme Lending رابطًا جديدًا."), "{arabic}");
    }

    async fn the_sandbox_speaks_the_customers_language_and_its_page_met_again_says_how_to_go_back(app: TestApp) {
        set_redirect(&app, "").await;
        let (_, connection) = app.consented_connection("mqjo").await;
        let start = app.anonymous(Method::GET, &local(connection["linkUrl"].as_str().unwrap())).send().await.unwrap();
        let authorize = local(start.headers()["location"].to_str().unwrap());
        let in_spanish = |url: &str| app.anonymous(Method::GET, url).header("accept-language", "es-MX,es;q=0.9").send();

        let page = in_spanish(&authorize).await.unwrap().text().await.unwrap();
        assert!(page.contains("<html lang=\"es\" dir=\"ltr\">") && page.contains("Acme Lending solicita leer") && page.contains(">Autorizar</button>"), "{page}");
        let decided = app.sandbox_decision(&authorize, "approve").await;
        assert_eq!(decided.status(), StatusCode::SEE_OTHER);
        let back = local(decided.headers()["location"].to_str().unwrap());
        app.anonymous(Method::GET, &back).send().await.unwrap();
        let again = in_spanish(&authorize).await.unwrap();

        assert_eq!(again.status(), StatusCode::BAD_REQUEST);
        assert!(again.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let again = again.text().await.unwrap();
        assert!(again.contains("<h1>Este inicio de sesión ya tiene respuesta</h1>") && again.contains("botón Atrás"), "{again}");
    }
}
