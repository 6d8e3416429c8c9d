//! The origin of a web address, in the one strict shape that may reach a
//! browser's policy, a CORS check or an allow-list.

use domain::ids::ClientId;
use domain::ports::{CorsRepository, RepoError};

/// The origin of an http(s) URL as browsers write it (`https://host[:port]`,
/// lower case), when its host is a DNS name of letters, digits and hyphens
/// between dots, or an IP literal; `None` for anything else. The URL parser
/// alone lets through hosts such as `x;report-uri`, which would add a
/// directive to a Content-Security-Policy.
pub fn web_origin(address: &str) -> Option<String> {
    let url = url::Url::parse(address.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host_ok = match url.host()? {
        url::Host::Domain(domain) => domain.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }),
        url::Host::Ipv4(_) | url::Host::Ipv6(_) => true,
    };
    host_ok.then(|| url.origin().ascii_serialization())
}

/// Whether `origin` may act as one of the client's pages: it is the
/// service's own (`own`) or among the client's CORS origins.
pub async fn allowed<S>(
    store: &S,
    own: &str,
    client: ClientId,
    origin: &str,
) -> Result<bool, RepoError>
where
    S: CorsRepository + ?Sized,
{
    Ok(origin == own
        || store
            .cors_origins(client)
            .await?
            .iter()
            .any(|o| o == origin))
}

#[cfg(test)]
mod tests {
    use super::web_origin;

    #[test]
    fn an_origin_is_scheme_host_and_port_in_lower_case() {
        assert_eq!(
            web_origin("https://CDN.Example:8443/logo.png?x=1").as_deref(),
            Some("https://cdn.example:8443")
        );
        assert_eq!(
            web_origin("http://127.0.0.1/a").as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(
            web_origin("https://[::1]/").as_deref(),
            Some("https://[::1]")
        );
    }

    #[test]
    fn hosts_that_could_carry_a_directive_are_refused() {
        for address in [
            "https://x;report-uri/l.png",
            "https://x;sandbox",
            "https://a*.example/",
            "https://a b.example/",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://files.example/",
            "https://",
        ] {
            assert_eq!(web_origin(address), None, "{address}");
        }
    }
}
