//! The table of `detailedErrorCode`s: one number per kind of refusal.
//!
//! A code's first three digits are its HTTP status (`40402` is a 404), so the
//! status never has to be stated twice. Numbers are never reused: a kind that
//! goes away keeps its number retired. The README's table and the journey's
//! `web/src/error-codes.ts` are held to this one by tests.

use actix_web::http::StatusCode;

macro_rules! error_codes {
    ($($variant:ident = $number:literal, $name:literal, $retry:literal, $meaning:literal;)+) => {
        /// A kind of refusal, with its stable number.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $meaning] $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the table's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The number sent as `detailedErrorCode`.
            pub const fn number(self) -> i32 {
                match self { $(ErrorCode::$variant => $number,)+ }
            }

            /// The code's name in snake case, as the docs list it.
            pub const fn name(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name,)+ }
            }

            /// Whether the same request may succeed later: `Yes`, `No` or `Unknown`.
            pub const fn can_be_retried(self) -> &'static str {
                match self { $(ErrorCode::$variant => $retry,)+ }
            }

            /// What the code means, in a sentence.
            pub const fn meaning(self) -> &'static str {
                match self { $(ErrorCode::$variant => $meaning,)+ }
            }
        }
    };
}

error_codes! {
    InvalidRequest = 40001, "invalid_request", "No", "A field of the body, or a parameter, is not valid; `validation.errors` names each one.";
    InvalidQuery = 40002, "invalid_query", "No", "The `query` parameter cannot be parsed or names an unknown property.";
    MalformedBody = 40003, "malformed_body", "No", "The body is not JSON, or not the JSON this operation takes.";
    InvalidPathParameter = 40004, "invalid_path_parameter", "No", "An id in the path is not a UUID, or another path parameter is not valid.";
    InvalidQueryString = 40005, "invalid_query_string", "No", "The query string cannot be read.";
    BodyTooDeep = 40006, "body_too_deep", "No", "The body nests arrays and objects too deeply.";
    InvalidIdempotencyKey = 40007, "invalid_idempotency_key", "No", "The `Idempotency-Key` header is not 1 to 255 visible ASCII characters.";
    InvalidLinkUrlValues = 40008, "invalid_link_url_values", "No", "A Link URL carries too many, too long or unprintable custom values.";
    AuthorizationUnknown = 40009, "authorization_unknown", "No", "An OAuth authorization is unknown, used or expired: start again from the Link URL.";
    InvalidAuthorizationRequest = 40010, "invalid_authorization_request", "No", "An OAuth request or answer is not well formed (state, PKCE challenge, decision).";
    NotASandboxConnection = 40011, "not_a_sandbox_connection", "No", "The operation exists for Sandbox connections only.";
    WebhookConsumerLimitReached = 40012, "webhook_consumer_limit_reached", "No", "The client has as many webhook consumers as it may have.";
    MalformedRequest = 40013, "malformed_request", "No", "The request cannot be read: its line, its headers or its framing.";
    CredentialsRefused = 40014, "credentials_refused", "No", "The client's credentials verifier refused the typed credentials; `error` is its message for the customer.";
    MissingCredentials = 40101, "missing_credentials", "No", "No `Authorization` header, or one that is not an API key or a bearer token.";
    UnknownApiKey = 40102, "unknown_api_key", "No", "The API key is not known (never issued, or deleted).";
    InvalidCompanyToken = 40103, "invalid_company_token", "No", "The company access token is not valid, has expired, or is for another company.";
    CredentialEnded = 40104, "credential_ended", "No", "What issued the company token (an API key, a journey link, an invitation) was deleted, revoked or has expired.";
    InvalidInvitationToken = 40105, "invalid_invitation_token", "No", "The invitation token is not valid or belongs to another client.";
    TokenNotAllowed = 40301, "token_not_allowed", "No", "This kind of token does not open this operation; the message names the credential that does.";
    OriginNotAllowed = 40302, "origin_not_allowed", "No", "The request's `Origin` is not in the client's CORS settings.";
    ConsentRequired = 40303, "consent_required", "No", "The customer has not consented to share this category of data.";
    OutsideInvitation = 40304, "outside_invitation", "No", "The invitation this token came from does not cover this category.";
    SignedLinkRequired = 40305, "signed_link_required", "No", "The client requires signed links: a bare company id does not open the journey.";
    ConnectionLinked = 40306, "connection_linked", "No", "A customer may not end a linked connection this way; withdrawing consent or the client's back end does.";
    OAuthImportRequiresApiKey = 40307, "oauth_import_requires_api_key", "No", "An OAuth platform's tokens are imported with an API key; customers go through its Link URL.";
    ForeignPage = 40308, "foreign_page", "No", "The request does not come from the page that must make it (the journey's or the Sandbox's own).";
    InvitationEnded = 40309, "invitation_ended", "No", "The invitation was revoked or has expired.";
    EmailNotAllowed = 40310, "email_not_allowed", "No", "The journey may not send this email (email invitations are off, or the address is not the journey's to choose).";
    CredentialsImportRequiresApiKey = 40311, "credentials_import_requires_api_key", "No", "An import-only platform's credential is imported by the client's back end with an API key; customers are never asked for it.";
    RouteNotFound = 40401, "route_not_found", "No", "No operation has this path.";
    CompanyNotFound = 40402, "company_not_found", "No", "No company has this id for this client.";
    ConnectionNotFound = 40403, "connection_not_found", "No", "No connection has this id for this company.";
    IntegrationNotFound = 40404, "integration_not_found", "No", "No integration has this platform key.";
    AssetNotFound = 40405, "asset_not_found", "No", "No image, script or style sheet has this name.";
    EventNotFound = 40406, "event_not_found", "No", "No event (or event and webhook consumer pair) has this id.";
    WebhookNotFound = 40407, "webhook_not_found", "No", "No webhook consumer has this id.";
    ConsentNotFound = 40408, "consent_not_found", "No", "No consent record has this id for this company.";
    JourneyLinkNotFound = 40409, "journey_link_not_found", "No", "No journey link has this id or value.";
    ApiKeyNotFound = 40410, "api_key_not_found", "No", "No API key has this id.";
    InvitationNotFound = 40411, "invitation_not_found", "No", "No invitation has this id for this company.";
    LinkSettingsVersionNotFound = 40412, "link_settings_version_not_found", "No", "The link settings have no such version.";
    MethodNotAllowed = 40501, "method_not_allowed", "No", "The path exists but not with this method; `Allow` lists the methods.";
    BodyTimeout = 40801, "body_timeout", "Unknown", "The request body did not arrive in time.";
    ConcurrentChange = 40901, "concurrent_change", "Yes", "The resource changed while the request was handled; read it again and retry.";
    LimitReached = 40902, "limit_reached", "No", "The client has as many of these as it may have (API keys, companies, …).";
    TransitionRefused = 40903, "transition_refused", "No", "The connection or consent is not in a state that allows this change.";
    IntegrationDisabled = 40904, "integration_disabled", "No", "The integration is disabled for the client's customers.";
    AccountingConnectionExists = 40905, "accounting_connection_exists", "No", "The company already has an active accounting connection.";
    IdempotencyKeyReused = 40906, "idempotency_key_reused", "No", "The `Idempotency-Key` was used with another request.";
    IdempotencyKeyInProgress = 40907, "idempotency_key_in_progress", "Yes", "A request with this `Idempotency-Key` is still being handled.";
    JourneyLinkUsed = 40908, "journey_link_used", "No", "The journey link was already used; its session has moved on.";
    AuthorizationDecided = 40909, "authorization_decided", "No", "An authorization code was already issued for this authorization.";
    NoSandboxGrant = 40910, "no_sandbox_grant", "No", "The Sandbox connection holds no grant to act on.";
    StateConflict = 40911, "state_conflict", "No", "The request conflicts with the current state of what it names.";
    IntegrationNotReady = 40912, "integration_not_ready", "No", "A journey cannot connect this platform now (no OAuth application registered, or import-only); `notReadyReason` on the integration says why.";
    JourneyLinkEnded = 41001, "journey_link_ended", "No", "The journey link was revoked or has expired.";
    BodyTooLarge = 41301, "body_too_large", "No", "The request body is larger than the limit.";
    QueryStringTooLong = 41401, "query_string_too_long", "No", "The query string is longer than the limit.";
    UnsupportedMediaType = 41501, "unsupported_media_type", "No", "A body was sent as something other than `application/json`.";
    RateLimited = 42901, "rate_limited", "Yes", "A rate limit is used up; `Retry-After` says when to retry.";
    EmailLimitReached = 42902, "email_limit_reached", "Yes", "The journey has sent as many emails as a day allows for this company or client.";
    HeadersTooLarge = 43101, "headers_too_large", "No", "A request header is larger than the limit.";
    Internal = 50001, "internal", "Unknown", "Link API failed; the `correlationId` finds the cause in its log.";
    CredentialsVerifierUnavailable = 50201, "credentials_verifier_unavailable", "Yes", "The client's credentials verifier gave no usable answer (timeout, 5xx, unreachable); nothing was saved.";
    StoreUnavailable = 50301, "store_unavailable", "Yes", "The database does not answer; `Retry-After` says when to retry.";
}

impl ErrorCode {
    /// The HTTP status of every answer with this code: its first three digits.
    pub fn status(self) -> StatusCode {
        u16::try_from(self.number() / 100)
            .ok()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The code of a refusal the HTTP framework made before any handler ran,
    /// known only by its status; an unlisted 4xx is answered as a 400.
    pub fn of_status(status: StatusCode) -> Self {
        match status.as_u16() {
            404 => Self::RouteNotFound,
            405 => Self::MethodNotAllowed,
            408 => Self::BodyTimeout,
            413 => Self::BodyTooLarge,
            414 => Self::QueryStringTooLong,
            415 => Self::UnsupportedMediaType,
            431 => Self::HeadersTooLarge,
            503 => Self::StoreUnavailable,
            400..=499 => Self::MalformedRequest,
            _ => Self::Internal,
        }
    }

    /// The table as Markdown rows: number, name, status, retry, meaning.
    pub fn markdown_table() -> String {
        let mut table = String::from(
            "| Code | Name | Status | `canBeRetried` | Meaning |\n|---|---|---|---|---|\n",
        );
        for code in Self::ALL {
            table.push_str(&format!(
                "| {} | `{}` | {} | {} | {} |\n",
                code.number(),
                code.name(),
                code.status().as_u16(),
                code.can_be_retried(),
                code.meaning()
            ));
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_each_number_starts_with_a_real_status() {
        let numbers: HashSet<i32> = ErrorCode::ALL.iter().map(|c| c.number()).collect();
        let names: HashSet<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();

        assert_eq!(numbers.len(), ErrorCode::ALL.len());
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            let status = code.number() / 100;
            assert_eq!(i32::from(code.status().as_u16()), status, "{code:?}");
            assert!(code.status().is_client_error() || code.status().is_server_error());
            assert!(["Yes", "No", "Unknown"].contains(&code.can_be_retried()));
        }
    }

    #[test]
    fn a_refusal_known_only_by_its_status_keeps_that_status_where_the_table_has_it() {
        for status in [404, 405, 408, 413, 414, 415, 431, 500, 503] {
            let status = StatusCode::from_u16(status).unwrap();

            assert_eq!(ErrorCode::of_status(status).status(), status);
        }
    }

    #[test]
    fn the_readme_lists_the_table_as_it_is() {
        let readme = include_str!("../../README.md");

        assert!(
            readme.contains(&ErrorCode::markdown_table()),
            "README.md's table of error codes is out of date; paste ErrorCode::markdown_table():\n{}",
            ErrorCode::markdown_table()
        );
    }

    #[test]
    fn the_journeys_codes_are_the_tables() {
        let module = include_str!("../../web/src/error-codes.ts");
        let mut seen = 0;
        for line in module.lines() {
            let Some((name, number)) = line.trim().trim_end_matches(',').split_once(": ") else {
                continue;
            };
            let Ok(number) = number.parse::<i32>() else {
                continue;
            };
            let code = ErrorCode::ALL
                .iter()
                .find(|c| c.number() == number)
                .unwrap_or_else(|| panic!("web/src/error-codes.ts: {number} is not in the table"));
            assert_eq!(
                snake_case(name),
                code.name(),
                "web/src/error-codes.ts: {name}"
            );
            seen += 1;
        }
        assert!(seen > 0, "web/src/error-codes.ts lists no code");
    }

    fn snake_case(camel: &str) -> String {
        camel.chars().fold(String::new(), |mut out, c| {
            if c.is_ascii_uppercase() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            out
        })
    }
}
