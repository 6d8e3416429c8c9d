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
    /// The signed journey link the hosted journey was opened from; revoking it ends the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lnk: Option<Uuid>,
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
            lnk: None,
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
    /// Where the token came from, which decides what it opens.
    pub source: TokenSource,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
}

/// Where a company token came from. Each source is a different proof of who
/// holds it, so each opens a different set of operations (see `crate::auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// The client's back end, with an API key (`GET /companies/{companyId}/accessToken`):
    /// the client vouches for the customer.
    ApiKey(Uuid),
    /// The hosted journey opened from this signed link, or by the browser holding its session.
    SignedLink(Uuid),
    /// This invitation, exchanged by whoever holds its share URL.
    Invitation(Uuid),
    /// The hosted journey or the component's token endpoint reached by the bare
    /// company id, which anyone who learns the URL may do: no proof of who it is.
    CompanyId,
}

impl TokenSource {
    /// The source the claims name, or `None` for claims that name none.
    fn of(claims: &Claims) -> Option<Self> {
        if let Some(invitation) = claims.inv {
            return Some(Self::Invitation(invitation));
        }
        if let Some(key) = claims.key {
            return Some(Self::ApiKey(key));
        }
        if claims.via.as_deref() == Some(HOSTED_PAGE) {
            return Some(claims.lnk.map_or(Self::CompanyId, Self::SignedLink));
        }
        // An invitation token (of a share URL) is its invitation's own.
        (claims.aud == INVITATION_AUDIENCE).then_some(Self::Invitation(claims.jti))
    }

    /// Whether the holder showed it is the customer (or someone the customer
    /// or the client invited): anything but the bare company id.
    pub fn proves_customer(self) -> bool {
        !matches!(self, Self::CompanyId)
    }

    /// Whether the holder may manage the company's own settings and people
    /// (reminders, invitations): the client's back end, or a signed link.
    pub fn owns_company(self) -> bool {
        matches!(self, Self::ApiKey(_) | Self::SignedLink(_))
    }
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

    /// The scope of a token, or `None` for anything not a valid, unexpired
    /// token of ours, or one that names no source.
    pub fn verify(&self, token: &str) -> Option<CompanyScope> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        Some(CompanyScope {
            client: claims.cid.into(),
            company: claims.sub.into(),
            token_id: claims.jti,
            categories: claims.cat.as_deref().map(CategorySet::of),
            source: TokenSource::of(&claims)?,
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

        let key = Uuid::new_v4();

        let token = signer
            .sign(&Claims {
                key: Some(key),
                ..Claims::new(client, company)
            })
            .unwrap();

        let scope = signer.verify(&token).unwrap();
        assert_eq!((scope.client, scope.company), (client, company));
        assert_eq!(scope.source, TokenSource::ApiKey(key));
    }

    #[test]
    fn foreign_expired_and_misaddressed_tokens_are_refused() {
        let signer = TokenSigner::new(&[7; 32]);
        let claims = Claims {
            key: Some(Uuid::new_v4()),
            ..Claims::new(ClientId::new(), CompanyId::new())
        };
        assert!(signer.verify(&signer.sign(&claims).unwrap()).is_some());
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
    fn a_token_names_where_it_came_from_or_is_refused() {
        let signer = TokenSigner::new(&[7; 32]);
        let claims = Claims::new(ClientId::new(), CompanyId::new());
        let link = Uuid::new_v4();
        let hosted = Claims {
            via: Some(HOSTED_PAGE.into()),
            ..claims.clone()
        };
        let signed = Claims {
            lnk: Some(link),
            ..hosted.clone()
        };
        let source = |c: &Claims| signer.verify(&signer.sign(c).unwrap()).map(|s| s.source);

        assert_eq!(source(&hosted), Some(TokenSource::CompanyId));
        assert_eq!(source(&signed), Some(TokenSource::SignedLink(link)));
        assert_eq!(source(&claims), None, "a token that names no source");
        assert!(!TokenSource::CompanyId.proves_customer());
        assert!(TokenSource::Invitation(link).proves_customer());
        assert!(!TokenSource::Invitation(link).owns_company());
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
