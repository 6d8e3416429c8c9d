//! Company access tokens: short-lived JWTs a client hands to its journey UI
//! in the browser, opening a few endpoints for one company only.
//!
//! Signed with HS256 under a key derived from the newest encryption key, so
//! every replica with the same configuration accepts every replica's tokens.
//! Only HS256 is accepted (so `alg: none` and other algorithms are refused),
//! and issuer, audience and expiry are required.

use chrono::{DateTime, Utc};
use domain::ids::{ClientId, CompanyId};
use domain::link_settings::CategorySet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who issues company tokens.
pub const ISSUER: &str = "link-api";
/// Whom company tokens are for.
pub const AUDIENCE: &str = "link-api:company";
/// Whom invitation tokens (carried by share URLs) are for: they can only be
/// exchanged for a company token, never used as one.
pub const INVITATION_AUDIENCE: &str = "link-api:invitation";
/// How long a company token lives, in seconds.
pub const LIFETIME_SECONDS: i64 = 86_400;

/// The claims of a company token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The company.
    pub sub: Uuid,
    /// The client the company belongs to.
    pub cid: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// A unique id; an invitation token's is the invitation's.
    pub jti: Uuid,
    /// The categories the token is limited to (tokens made from an invitation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cat: Option<Vec<String>>,
    /// The invitation a company token was made from; revoking it ends the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inv: Option<Uuid>,
    /// The API key that issued a company token; revoking the key ends the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Uuid>,
    /// What else issued a company token: [`HOSTED_PAGE`] for the hosted journey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// The `via` of tokens the hosted journey page is given for its company.
pub const HOSTED_PAGE: &str = "hosted";

impl Claims {
    /// Fresh claims for a company, valid from now for a day.
    pub fn new(client: ClientId, company: CompanyId) -> Self {
        let now = Utc::now().timestamp();
        Self {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: company.as_uuid(),
            cid: client.as_uuid(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
            jti: Uuid::new_v4(),
            cat: None,
            inv: None,
            key: None,
            via: None,
        }
    }
}

/// What a valid company token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanyScope {
    pub client: ClientId,
    pub company: CompanyId,
    pub token_id: Uuid,
    /// The categories the token is limited to; `None` for all.
    pub categories: Option<CategorySet>,
    /// The invitation the token was made from.
    pub invitation: Option<Uuid>,
    /// The API key that issued the token.
    pub issued_by: Option<Uuid>,
    /// Whether the hosted journey page was given the token.
    pub hosted: bool,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
}

/// Issues and checks the tokens of one audience.
pub struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenSigner {
    /// A signer of company tokens.
    pub fn new(secret: &[u8]) -> Self {
        Self::for_audience(secret, AUDIENCE)
    }

    /// A signer whose tokens are for `audience` only.
    pub fn for_audience(secret: &[u8], audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// The same signer, accepting tokens past their expiry: for invitation
    /// tokens, whose stored invitation decides (and can tell expired from revoked).
    pub fn ignoring_expiry(mut self) -> Self {
        self.validation.validate_exp = false;
        self
    }

    /// Signs claims.
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The scope of a token, or `None` for anything not a valid, unexpired token of ours.
    pub fn verify(&self, token: &str) -> Option<CompanyScope> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        Some(CompanyScope {
            client: claims.cid.into(),
            company: claims.sub.into(),
            token_id: claims.jti,
            categories: claims.cat.as_deref().map(CategorySet::of),
            invitation: claims.inv,
            issued_by: claims.key,
            hosted: claims.via.as_deref() == Some(HOSTED_PAGE),
            expires_at: DateTime::from_timestamp(claims.exp, 0)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_names_its_company() {
        let signer = TokenSigner::new(&[7; 32]);
        let (client, company) = (ClientId::new(), CompanyId::new());

        let token = signer.sign(&Claims::new(client, company)).unwrap();

        let scope = signer.verify(&token).unwrap();
        assert_eq!((scope.client, scope.company), (client, company));
    }

    #[test]
    fn foreign_expired_and_misaddressed_tokens_are_refused() {
        let signer = TokenSigner::new(&[7; 32]);
        let claims = Claims::new(ClientId::new(), CompanyId::new());
        let expired = Claims {
            iat: 0,
            exp: 60,
            ..claims.clone()
        };
        let elsewhere = Claims {
            aud: "someone-else".into(),
            ..claims.clone()
        };

        assert!(signer
            .verify(&TokenSigner::new(&[8; 32]).sign(&claims).unwrap())
            .is_none());
        assert!(signer.verify(&signer.sign(&expired).unwrap()).is_none());
        assert!(signer.verify(&signer.sign(&elsewhere).unwrap()).is_none());
        let token = signer.sign(&claims).unwrap();
        let (unsigned, _) = token.rsplit_once('.').unwrap();
        assert!(signer.verify(&format!("{unsigned}.")).is_none());
    }

    #[test]
    fn an_invitation_token_is_not_a_company_token() {
        let companies = TokenSigner::new(&[7; 32]);
        let invitations = TokenSigner::for_audience(&[7; 32], INVITATION_AUDIENCE);
        let claims = Claims {
            aud: INVITATION_AUDIENCE.into(),
            cat: Some(vec!["banking".into()]),
            ..Claims::new(ClientId::new(), CompanyId::new())
        };

        let token = invitations.sign(&claims).unwrap();

        assert!(companies.verify(&token).is_none());
        let scope = invitations.verify(&token).unwrap();
        assert_eq!(scope.categories.unwrap().names(), ["banking"]);
    }
}
