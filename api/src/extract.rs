//! Extractor settings that send every malformed input through [`ApiError`],
//! so bad JSON, a bad path id or a bad query string get the documented body.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{mime, web, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// Whether a media type is JSON: `application/json`, or any type with the
/// `+json` suffix, in any letter case.
pub fn is_json(mime: &mime::Mime) -> bool {
    mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON)
}

/// Whether a request declares a JSON body. The JSON extractor, the depth
/// limit and the operations without a body all ask this, so none of them
/// can be told apart by how a content type is spelled.
pub fn declares_json(request: &impl HttpMessage) -> bool {
    matches!(request.mime_type(), Ok(Some(mime)) if is_json(&mime))
}

/// The answer to a body that did not arrive in time.
pub fn body_timed_out() -> ApiError {
    ApiError::new(
        ErrorCode::BodyTimeout,
        "The request body did not arrive in time.",
    )
}

/// Whether a payload error is the body deadline passing.
pub fn timed_out(error: &actix_web::error::PayloadError) -> bool {
    matches!(error, actix_web::error::PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .content_type(|mime| is_json(&mime))
        .error_handler(|error, _| json_error(error).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|error: PathError, request| path_error(error, request).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _| {
        ApiError::new(
            ErrorCode::InvalidQueryString,
            format!("The query string is not valid: {error}"),
        )
        .into()
    })
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::new(
            ErrorCode::BodyTooLarge,
            format!("The request body is {length} bytes; the limit is {limit}."),
        ),
        JsonPayloadError::Overflow { limit } => ApiError::new(
            ErrorCode::BodyTooLarge,
            format!("The request body is larger than the limit of {limit} bytes."),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the request body as JSON, with `Content-Type: application/json`.",
        ),
        JsonPayloadError::Deserialize(error) => body_not_valid(&error, ""),
        JsonPayloadError::Payload(error) if timed_out(&error) => body_timed_out(),
        other => ApiError::new(
            ErrorCode::MalformedBody,
            format!("The request body could not be read: {other}"),
        ),
    }
}

/// The error of a body that is not JSON, or not of the operation's shape;
/// `field` is where in it, when known.
fn body_not_valid(error: &serde_json::Error, field: &str) -> ApiError {
    let at = if field.is_empty() {
        String::new()
    } else {
        format!(" at `{field}`")
    };
    ApiError::new(
        ErrorCode::MalformedBody,
        format!("The request body is not valid JSON for this operation{at}: {error}."),
    )
}

fn path_error(error: PathError, request: &HttpRequest) -> ApiError {
    let bad = request
        .match_info()
        .iter()
        .find(|(_, value)| uuid::Uuid::parse_str(value).is_err());
    match bad {
        Some((name, value)) => ApiError::new(ErrorCode::InvalidPathParameter, format!(
            "`{value}` is not a valid {name}: expected a UUID such as 8a210b68-6988-11ed-a1eb-0242ac120002."
        )),
        None => ApiError::new(ErrorCode::InvalidPathParameter, format!("A path parameter is not valid: {error}")),
    }
}

/// Parses a JSON body that may be left out entirely, or be JSON `null`
/// (then `T::default()`).
pub fn optional_json<T: DeserializeOwned + Default>(
    request: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    if !declares_json(request) {
        return Err(json_error(JsonPayloadError::ContentType));
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| body_not_valid(&e, ""))?;
    from_value_strict::<Option<T>>(value).map(Option::unwrap_or_default)
}

/// A JSON request body, read into `T` strictly: where `T` has a struct, the
/// body must have an object. (serde would also fill a struct from an array of
/// its fields in order, so `["Acme"]` would pass for `{"name": "Acme"}`.)
/// Size limits, the content type and error bodies are those of `web::Json`.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> actix_web::FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(request, payload);
        Box::pin(async move {
            let web::Json(value) = value.await?;
            Ok(Json(from_value_strict(value)?))
        })
    }
}

/// Reads a JSON value strictly (see [`Json`]); the error names the field
/// that did not fit, as a dotted path such as `shown.accounting.dataTypes`.
fn from_value_strict<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(strict::Strict(value)).map_err(|error| {
        let path = error.path().to_string();
        body_not_valid(error.inner(), if path == "." { "" } else { &path })
    })
}

mod strict {
    //! A deserializer over a JSON value that hands structs only objects.

    use serde::de::{
        self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
    };
    use serde_json::{Error, Map, Value};

    pub struct Strict(pub Value);

    impl<'de> Deserializer<'de> for Strict {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Object(map) => visitor.visit_map(Fields::new(map)),
                Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
                Value::Number(number) => match whole(&number) {
                    Some(Whole::Signed(n)) => visitor.visit_i64(n),
                    Some(Whole::Unsigned(n)) => visitor.visit_u64(n),
                    None => Value::Number(number).deserialize_any(visitor),
                },
                other => other.deserialize_any(visitor),
            }
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            match self.0 {
                Value::Object(map) => visitor.visit_map(Fields::new(map)),
                other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
            }
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Null => visitor.visit_none(),
                _ => visitor.visit_some(self),
            }
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            self.0.deserialize_enum(name, variants, visitor)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
        }
    }

    enum Whole {
        Signed(i64),
        Unsigned(u64),
    }

    /// A number written with a fraction of zero, such as `104.0`, as the
    /// integer it is: JSON Schema counts it as an integer, so an `integer`
    /// field of the contract must take it.
    fn whole(number: &serde_json::Number) -> Option<Whole> {
        let float = number.as_f64().filter(|_| number.is_f64())?;
        const TWO_63: f64 = 9_223_372_036_854_775_808.0;
        if float.fract() != 0.0 {
            None
        } else if (0.0..2.0 * TWO_63).contains(&float) {
            Some(Whole::Unsigned(float as u64))
        } else if (-TWO_63..0.0).contains(&float) {
            Some(Whole::Signed(float as i64))
        } else {
            None
        }
    }

    fn unexpected(value: &Value) -> de::Unexpected<'_> {
        match value {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::Number(_) => de::Unexpected::Other("number"),
            Value::String(s) => de::Unexpected::Str(s),
            Value::Array(_) => de::Unexpected::Seq,
            Value::Object(_) => de::Unexpected::Map,
        }
    }

    struct Items(std::vec::IntoIter<Value>);

    impl<'de> SeqAccess<'de> for Items {
        type Error = Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, Error> {
            self.0
                .next()
                .map(|v| seed.deserialize(Strict(v)))
                .transpose()
        }

        fn size_hint(&self) -> Option<usize> {
            Some(self.0.len())
        }
    }

    struct Fields {
        entries: serde_json::map::IntoIter,
        value: Option<Value>,
    }

    impl Fields {
        fn new(map: Map<String, Value>) -> Self {
            Self {
                entries: map.into_iter(),
                value: None,
            }
        }
    }

    impl<'de> MapAccess<'de> for Fields {
        type Error = Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, Error> {
            match self.entries.next() {
                Some((key, value)) => {
                    self.value = Some(value);
                    seed.deserialize(key.into_deserializer()).map(Some)
                }
                None => Ok(None),
            }
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
            let value = self
                .value
                .take()
                .ok_or_else(|| de::Error::custom("a value was asked for before its key"))?;
            seed.deserialize(Strict(value))
        }

        fn size_hint(&self) -> Option<usize> {
            Some(self.entries.len())
        }
    }

    #[cfg(test)]
    mod tests {
        use serde::Deserialize;

        use super::Strict;

        #[derive(Debug, Deserialize, PartialEq)]
        struct Outer {
            name: Option<String>,
            inner: Option<Inner>,
            list: Option<Vec<Inner>>,
        }

        #[derive(Debug, Deserialize, PartialEq)]
        struct Inner {
            flag: bool,
        }

        fn parse(json: &str) -> Result<Outer, serde_json::Error> {
            Outer::deserialize(Strict(serde_json::from_str(json).unwrap()))
        }

        #[test]
        fn objects_fill_structs_at_every_depth() {
            let outer = parse(r#"{"name": "Acme", "inner": {"flag": true}, "list": [{"flag": false}], "extra": [1]}"#)
                .unwrap();
            assert_eq!(outer.name.as_deref(), Some("Acme"));
            assert_eq!(outer.inner, Some(Inner { flag: true }));
            assert_eq!(outer.list, Some(vec![Inner { flag: false }]));
        }

        #[test]
        fn arrays_never_fill_structs() {
            for json in [
                r#"["Acme"]"#,
                r#"{"inner": [true]}"#,
                r#"{"list": [[false]]}"#,
                "7",
            ] {
                let error = parse(json).unwrap_err().to_string();
                assert!(error.contains("expected struct"), "{json}: {error}");
            }
        }

        #[test]
        fn whole_numbers_with_a_fraction_of_zero_fill_integers() {
            let read = |json: &str| -> Result<i64, serde_json::Error> {
                Deserialize::deserialize(Strict(serde_json::from_str(json).unwrap()))
            };
            assert_eq!(read("104.0").unwrap(), 104);
            assert_eq!(read("-3.0").unwrap(), -3);
            assert_eq!(read("1e2").unwrap(), 100);
            assert!(read("104.5").is_err());
            assert!(read("1e30").is_err());
            let float: f64 = Deserialize::deserialize(Strict(serde_json::json!(2.0))).unwrap();
            assert_eq!(float, 2.0);
        }

        #[test]
        fn nulls_and_maps_read_as_before() {
            let outer = parse(r#"{"name": null, "inner": null}"#).unwrap();
            assert_eq!((outer.name, outer.inner), (None, None));
            let map: std::collections::BTreeMap<String, String> =
                Deserialize::deserialize(Strict(serde_json::json!({"a": "b"}))).unwrap();
            assert_eq!(map["a"], "b");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_media_types_are_recognised_in_any_letter_case() {
        for json in [
            "application/json",
            "Application/JSON",
            "application/problem+json",
            "APPLICATION/JSON; charset=utf-8",
        ] {
            assert!(super::is_json(&json.parse().unwrap()), "{json}");
        }
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/jsonp",
            "multipart/form-data",
        ] {
            assert!(!super::is_json(&other.parse().unwrap()), "{other}");
        }
    }
}
