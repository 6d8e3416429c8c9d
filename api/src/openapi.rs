//! The OpenAPI document, generated from the handlers themselves.

use actix_web::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::dto::error::ErrorMessage;
use crate::routes;

/// Reusable error responses, each the documented error body with an example.
pub mod responses {
    use serde_json::json;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

    macro_rules! error_response {
        ($name:ident, $code:ident, $description:literal, $error:literal) => {
            #[doc = $description]
            pub struct $name;

            impl<'s> utoipa::ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    let code = crate::error::ErrorCode::$code;
                    let example = json!({
                        "statusCode": code.status().as_u16(),
                        "service": crate::error::SERVICE_NAME,
                        "error": $error,
                        "correlationId": "bc997528a9d7abb9161ef45f05d38599",
                        "canBeRetried": code.can_be_retried(),
                        "detailedErrorCode": code.number()
                    });
                    let content = ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorMessage")))
                        .example(Some(example))
                        .build();
                    let response = ResponseBuilder::new()
                        .description($description)
                        .content("application/json", content)
                        .build();
                    (stringify!($name), response.into())
                }
            }
        };
    }

    error_response!(
        BadRequest,
        InvalidRequest,
        "The request is not valid: a field, the body or a path or query parameter.",
        "name is required."
    );
    error_response!(
        MalformedQuery,
        InvalidQuery,
        "A parameter is not valid, for example a `query` that cannot be parsed.",
        "Error parsing query - Could not resolve property colour on Company"
    );
    error_response!(
        Unauthorized,
        UnknownApiKey,
        "The API key or token is missing, not known or no longer valid; `detailedErrorCode` says which.",
        "Unauthorized"
    );
    error_response!(
        Forbidden,
        TokenNotAllowed,
        "The credential does not open this operation (a company access token where an API key is needed, an origin \
         outside the CORS settings, a consent missing …); `detailedErrorCode` says which.",
        "A company access token cannot call GET /companies; use an API key."
    );
    error_response!(
        NotFound,
        CompanyNotFound,
        "The resource does not exist, or belongs to another client.",
        "Company 8a210b68-6988-11ed-a1eb-0242ac120002 not found"
    );
    error_response!(
        Conflict,
        LimitReached,
        "The request conflicts with the current state, for example a limit is reached.",
        "Maximum number of API keys (10) reached. Delete an unused key and try again."
    );
    error_response!(
        PayloadTooLarge,
        BodyTooLarge,
        "The request body is larger than the service accepts.",
        "The request body is 300000 bytes; the limit is 262144."
    );
    error_response!(
        UriTooLong,
        QueryStringTooLong,
        "The query string is longer than the service reads (4096 bytes).",
        "The query string is longer than 4096 bytes."
    );
    error_response!(
        UnsupportedMediaType,
        UnsupportedMediaType,
        "The request body is not JSON.",
        "Send the request body as JSON, with `Content-Type: application/json`."
    );
    error_response!(
        TooManyRequests,
        RateLimited,
        "A rate limit is used up: the API key's, the company's (for company tokens), the address's (on public \
         operations), or the address's failed authentications. `Retry-After` says when to retry.",
        "Too many requests: the rate limit of this API key or company is used up; retry after 2 seconds."
    );
    error_response!(InternalError, Internal, "The service failed. The body reveals nothing internal; the correlation id finds the cause in the log.",
        "There is a problem with the server. Please try again later.");
    error_response!(
        Unavailable,
        StoreUnavailable,
        "The store is unreachable for now; retry later.",
        "The store is temporarily unavailable. Please try again shortly."
    );

    /// Declares a set of error responses that operations list together.
    macro_rules! error_set {
        ($(#[$doc:meta])* $name:ident: $(($status:literal, $response:ident)),+) => {
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                    [$(($status, stringify!($response))),+]
                        .into_iter()
                        .map(|(status, name)| (status.to_owned(), RefOr::Ref(Ref::from_response_name(name))))
                        .collect()
                }
            }
        };
    }

    error_set!(
        /// Errors of an operation that reads a list.
        ListErrors: ("400", MalformedQuery), ("401", Unauthorized), ("403", Forbidden), ("429", TooManyRequests), ("500", InternalError), ("503", Unavailable)
    );
    error_set!(
        /// Errors of an operation that creates from a JSON body.
        CreateErrors: ("400", BadRequest), ("401", Unauthorized), ("403", Forbidden), ("413", PayloadTooLarge),
            ("415", UnsupportedMediaType), ("429", TooManyRequests), ("500", InternalError), ("503", Unavailable)
    );
    error_set!(
        /// Errors of an operation on one resource named in the path.
        ItemErrors: ("400", BadRequest), ("401", Unauthorized), ("403", Forbidden), ("404", NotFound), ("429", TooManyRequests),
            ("500", InternalError), ("503", Unavailable)
    );
    error_set!(
        /// Errors of an operation that changes one resource from a JSON body.
        ItemWriteErrors: ("400", BadRequest), ("401", Unauthorized), ("403", Forbidden), ("404", NotFound), ("413", PayloadTooLarge),
            ("415", UnsupportedMediaType), ("429", TooManyRequests), ("500", InternalError), ("503", Unavailable)
    );
}

/// The parts of the document that are not attached to a handler.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Link API",
        description = "Self-hosted REST backend for build-your-own authorization journeys. \
            Compatible with the Codat Platform API for companies, connections, integrations, \
            access tokens and webhooks.\n\nAuthenticate with `Authorization: Basic base64(API key)` \
            or `Authorization: Bearer API key`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    security(("auth_header" = [])),
    modifiers(&SecuritySchemes),
    components(
        schemas(ErrorMessage),
        responses(
            responses::BadRequest,
            responses::MalformedQuery,
            responses::Unauthorized,
            responses::Forbidden,
            responses::NotFound,
            responses::Conflict,
            responses::PayloadTooLarge,
            responses::UriTooLong,
            responses::UnsupportedMediaType,
            responses::TooManyRequests,
            responses::InternalError,
            responses::Unavailable,
        )
    ),
    tags(
        (name = "Companies", description = "The client's customers, each with its own journey."),
        (
            name = "Connections",
            description = "A company's connections to platforms, their state machine and its history."
        ),
        (
            name = "Link settings",
            description = "How the client's journey presents each category, its consent texts, and whether consent is required."
        ),
        (
            name = "Consents",
            description = "The append-only, hash-chained ledger of each company's consents."
        ),
        (
            name = "Journey",
            description = "Where a company stands in its journey, and invitations that hand the journey to someone else."
        ),
        (
            name = "Integrations",
            description = "The catalogue of platforms a customer can connect, and the client's settings for each."
        ),
        (
            name = "Webhooks",
            description = "Webhook consumers, the event log, deliveries and replays."
        ),
        (name = "Settings", description = "API keys and other settings of the client."),
        (
            name = "Sandbox",
            description = "The built-in Sandbox OAuth provider, for trying whole journeys locally."
        ),
        (name = "Health", description = "Liveness and readiness, without authentication."),
    )
)]
struct BaseDocument;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        let mut header = ApiKeyValue::new("Authorization");
        header.description = Some(
            "`Basic ` followed by the base64 of your API key, as Codat's SDKs send it, or `Bearer ` followed by the key."
                .into(),
        );
        components.add_security_scheme(
            "auth_header",
            SecurityScheme::ApiKey(ApiKey::Header(header)),
        );
    }
}

/// The whole document: the base plus every registered handler.
pub fn document() -> Document {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(BaseDocument::openapi())
        .configure(routes::configure)
        .split_for_parts();
    document_idempotency_keys(&mut document);
    document_shared_rules(&mut document);
    document_error_codes(&mut document);
    document
}

/// Lists the table of `detailedErrorCode`s where a reader of the error body looks.
fn document_error_codes(document: &mut Document) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;

    let Some(RefOr::T(Schema::Object(body))) = document
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("ErrorMessage"))
    else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(code))) = body.properties.get_mut("detailedErrorCode") {
        code.description = Some(format!(
            "The kind of refusal, from one table: every refusal of a kind has its number, and a \
             number's first three digits are its status. Key on it rather than on `error`, \
             whose wording may change. New codes may be added.\n\n{}",
            crate::error::ErrorCode::markdown_table()
        ));
    }
}

/// States what every operation shares, so no handler can leave it out: a
/// platform key's shape, the 414 of an operation with query parameters, the
/// 415 of an operation that takes a body or changes something (a body that
/// is not JSON is refused), and the 429 of every operation a rate limit
/// applies to (all but the health checks), with its `Retry-After`.
fn document_shared_rules(document: &mut Document) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ObjectBuilder, Ref, Type};

    document_retry_after(document);
    for item in document.paths.paths.values_mut() {
        let operations = [
            (false, item.get.as_mut()),
            (true, item.post.as_mut()),
            (true, item.put.as_mut()),
            (true, item.patch.as_mut()),
            (true, item.delete.as_mut()),
        ];
        for (writes, operation) in operations {
            let Some(operation) = operation else { continue };
            let health = operation
                .tags
                .as_ref()
                .is_some_and(|tags| tags.iter().any(|t| t == "Health"));
            if !health {
                operation
                    .responses
                    .responses
                    .entry("429".into())
                    .or_insert_with(|| Ref::from_response_name("TooManyRequests").into());
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.name == "platformKey" {
                    parameter.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some("^[a-z]{4}$"))
                            .examples(["gbol"])
                            .into(),
                    );
                }
            }
            let has_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| p.parameter_in == ParameterIn::Query);
            if has_query {
                operation
                    .responses
                    .responses
                    .entry("414".into())
                    .or_insert_with(|| Ref::from_response_name("UriTooLong").into());
            }
            if operation.request_body.is_some() || writes {
                operation
                    .responses
                    .responses
                    .entry("415".into())
                    .or_insert_with(|| Ref::from_response_name("UnsupportedMediaType").into());
            }
        }
    }
}

/// The 429 answer says in `Retry-After` when to try again.
fn document_retry_after(document: &mut Document) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{ObjectBuilder, RefOr, Type};

    let Some(RefOr::T(response)) = document
        .components
        .as_mut()
        .and_then(|c| c.responses.get_mut("TooManyRequests"))
    else {
        return;
    };
    let header = HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        )
        .description(Some("Seconds to wait before sending the request again."))
        .build();
    response.headers.insert("Retry-After".into(), header);
}

/// Adds the optional `Idempotency-Key` header to every authenticated
/// operation that honours it.
fn document_idempotency_keys(document: &mut Document) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Ref, Required, Type};

    let parameter = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: a repeat with the same key and body within 24 hours gets the first \
             response (marked `Idempotent-Replayed: true`) without the work being done again; the same \
             key with another body is a 409, as is a repeat while the first is still running. Keys are \
             per client; a server error forgets the key.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(crate::idempotency::MAX_KEY_LEN))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    for (path, item) in document.paths.paths.iter_mut() {
        let operations = [
            (actix_web::http::Method::POST, item.post.as_mut()),
            (actix_web::http::Method::PUT, item.put.as_mut()),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let public = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            if crate::idempotency::applies(&method, path) && !public {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(parameter.clone());
                operation
                    .responses
                    .responses
                    .entry("409".into())
                    .or_insert_with(|| Ref::from_response_name("Conflict").into());
            }
        }
    }
}
