//! Token requests to real providers over HTTPS (or HTTP on loopback), with
//! reqwest: the HTTP side of `app::oauth::TokenEndpoint`.

use app::oauth::{
    Grant, RevokeRequest, TokenEndpoint, TokenError, TokenRequest, Tokens, TOKEN_TIMEOUT,
};
use async_trait::async_trait;
use domain::integration::ClientAuthMethod;
use serde::Deserialize;

/// Token requests over HTTPS (or HTTP on loopback) with reqwest.
pub struct HttpTokenEndpoint {
    client: reqwest::Client,
}

impl HttpTokenEndpoint {
    pub fn new() -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(TOKEN_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { client })
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
}

#[async_trait]
impl TokenEndpoint for HttpTokenEndpoint {
    async fn request(&self, request: TokenRequest<'_>) -> Result<Tokens, TokenError> {
        let form: Vec<(&str, &str)> = match request.grant {
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => vec![
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", code_verifier),
            ],
            Grant::RefreshToken { refresh_token } => vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        };
        let response = self
            .post(
                request.token_url,
                request.client_auth,
                (request.client_id, request.client_secret),
                form,
            )
            .await?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| TokenError::Unreachable(e.without_url().to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|_| TokenError::Malformed);
        }
        let error = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .and_then(|b| b.error);
        if status.as_u16() == 400 && error.as_deref() == Some("invalid_grant") {
            return Err(TokenError::InvalidGrant);
        }
        Err(TokenError::Refused(status.as_u16()))
    }

    async fn revoke(&self, request: RevokeRequest<'_>) -> Result<(), TokenError> {
        let form = vec![
            ("token", request.token),
            ("token_type_hint", request.token_type_hint),
        ];
        let response = self
            .post(
                request.revoke_url,
                request.client_auth,
                (request.client_id, request.client_secret),
                form,
            )
            .await?;
        // RFC 7009: 200 whether or not the token was still valid.
        if response.status().is_success() {
            Ok(())
        } else {
            Err(TokenError::Refused(response.status().as_u16()))
        }
    }
}

impl HttpTokenEndpoint {
    /// Posts a form to a provider, authenticating the client as it expects.
    async fn post(
        &self,
        url: &str,
        client_auth: ClientAuthMethod,
        (client_id, client_secret): (&str, &str),
        mut form: Vec<(&str, &str)>,
    ) -> Result<reqwest::Response, TokenError> {
        let mut call = self.client.post(url).header("accept", "application/json");
        match client_auth {
            ClientAuthMethod::Basic => call = call.basic_auth(client_id, Some(client_secret)),
            ClientAuthMethod::Post => {
                form.push(("client_id", client_id));
                form.push(("client_secret", client_secret));
            }
        }
        call.form(&form)
            .send()
            .await
            .map_err(|e| TokenError::Unreachable(e.without_url().to_string()))
    }
}
