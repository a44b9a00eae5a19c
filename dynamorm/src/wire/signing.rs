//! Signature Version 4 for DynamoDB's JSON requests. Every request is a
//! `POST /` with the same four signed headers (five with a session token),
//! so the canonical request is written directly, and the day's signing key
//! is derived once per day and credentials instead of once per request.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use aws_smithy_types::date_time::{DateTime, Format};
use sha2::{Digest, Sha256};

use crate::hex;

/// The content type of DynamoDB's JSON protocol.
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The signing name of DynamoDB.
const SERVICE: &str = "dynamodb";

/// Signs requests for one region and host.
#[derive(Debug)]
pub(crate) struct Signer {
    region: String,
    host: String,
    key: Mutex<Option<DayKey>>,
}

/// A signing key, for the day and the credentials it was derived for.
struct DayKey {
    date: String,
    access_key_id: String,
    secret: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for DayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DayKey")
            .field("date", &self.date)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// The headers a signed request carries besides its content type, host and target.
#[derive(Debug)]
pub(crate) struct Signature {
    /// `x-amz-date`.
    pub amz_date: String,
    /// `authorization`.
    pub authorization: String,
}

impl Signer {
    /// A signer for requests to `host` (the URL's authority) in `region`.
    pub(crate) fn new(region: &str, host: &str) -> Self {
        Signer {
            region: region.to_owned(),
            host: host.to_owned(),
            key: Mutex::new(None),
        }
    }

    /// Signs a request with `target` (`DynamoDB_20120810.GetItem`) and
    /// `body`, at `now`.
    pub(crate) fn sign(
        &self,
        credentials: &Credentials,
        target: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Signature {
        let amz_date = amz_date(now);
        let date = &amz_date[..8];
        let token = credentials.session_token();
        let signed_headers = if token.is_some() {
            "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        } else {
            "content-type;host;x-amz-date;x-amz-target"
        };
        let mut canonical = String::with_capacity(320);
        let _ = write!(
            canonical,
            "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{}\nx-amz-date:{amz_date}\n",
            self.host
        );
        if let Some(token) = token {
            let _ = writeln!(canonical, "x-amz-security-token:{}", token.trim());
        }
        let _ = write!(
            canonical,
            "x-amz-target:{target}\n\n{signed_headers}\n{}",
            hex::encode(&Sha256::digest(body))
        );
        let scope = format!("{date}/{}/{SERVICE}/aws4_request", self.region);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex::encode(&Sha256::digest(canonical.as_bytes()))
        );
        let signature = self.with_key(credentials, date, now, |key| {
            calculate_signature(key, string_to_sign.as_bytes())
        });
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id()
        );
        Signature {
            amz_date,
            authorization,
        }
    }

    /// Runs `f` with the signing key of `date` for `credentials`, deriving
    /// it when the day or the credentials changed.
    fn with_key<T>(
        &self,
        credentials: &Credentials,
        date: &str,
        now: SystemTime,
        f: impl FnOnce(&[u8]) -> T,
    ) -> T {
        let mut cached = self
            .key
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = cached.as_ref().is_some_and(|k| {
            k.date == date
                && k.access_key_id == credentials.access_key_id()
                && k.secret == credentials.secret_access_key()
        });
        if !current {
            let key =
                generate_signing_key(credentials.secret_access_key(), now, &self.region, SERVICE);
            *cached = Some(DayKey {
                date: date.to_owned(),
                access_key_id: credentials.access_key_id().to_owned(),
                secret: credentials.secret_access_key().to_owned(),
                key: key.as_ref().to_vec(),
            });
        }
        let key = cached
            .as_ref()
            .map(|k| k.key.as_slice())
            .unwrap_or_default();
        f(key)
    }
}

/// `20261206T101500Z`: the time to the second, as SigV4 writes it.
pub(crate) fn amz_date(now: SystemTime) -> String {
    let seconds = DateTime::from(now).secs();
    let iso = DateTime::from_secs(seconds)
        .fmt(Format::DateTime)
        .unwrap_or_default();
    iso.chars().filter(|c| *c != '-' && *c != ':').collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;

    use super::*;

    /// The signature aws-sigv4's general signer computes for the same request.
    fn reference(credentials: &Credentials, host: &str, body: &str, now: SystemTime) -> String {
        let identity: Identity = credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-west-1")
            .name("dynamodb")
            .time(now)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers = [
            ("content-type", CONTENT_TYPE),
            ("host", host),
            ("x-amz-target", "DynamoDB_20120810.GetItem"),
        ];
        let url = format!("http://{host}/");
        let request = SignableRequest::new(
            "POST",
            &url,
            headers.into_iter(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(request, &params).unwrap().into_parts();
        let (headers, _) = instructions.into_parts();
        headers
            .iter()
            .find(|h| h.name() == "authorization")
            .map(|h| h.value().to_owned())
            .unwrap()
    }

    #[test]
    fn signatures_match_the_sdks_signer_with_and_without_a_session_token() {
        let now = UNIX_EPOCH + Duration::from_secs(1_765_000_000);
        let body = r#"{"TableName":"things","Key":{"id":{"S":"k"}}}"#;
        for credentials in [
            Credentials::new("AKIDEXAMPLE", "secret/key", None, None, "test"),
            Credentials::new(
                "AKIDEXAMPLE",
                "secret/key",
                Some("the token".into()),
                None,
                "test",
            ),
        ] {
            let signer = Signer::new("eu-west-1", "127.0.0.1:8000");
            let ours = signer.sign(
                &credentials,
                "DynamoDB_20120810.GetItem",
                body.as_bytes(),
                now,
            );
            assert_eq!(
                ours.authorization,
                reference(&credentials, "127.0.0.1:8000", body, now)
            );
            // The cached key signs the next request the same way.
            let again = signer.sign(
                &credentials,
                "DynamoDB_20120810.GetItem",
                body.as_bytes(),
                now,
            );
            assert_eq!(again.authorization, ours.authorization);
        }
    }

    #[test]
    fn a_new_day_or_new_credentials_derive_a_new_key() {
        let signer = Signer::new("eu-west-1", "h");
        let day = UNIX_EPOCH + Duration::from_secs(1_765_000_000);
        let next = day + Duration::from_secs(86_400);
        let one = Credentials::new("A", "one", None, None, "test");
        let two = Credentials::new("A", "two", None, None, "test");
        let first = signer.sign(&one, "T", b"", day).authorization;
        let rotated = signer.sign(&two, "T", b"", day).authorization;
        let tomorrow = signer.sign(&two, "T", b"", next).authorization;
        assert_ne!(first, rotated);
        assert_ne!(rotated, tomorrow);
        assert_eq!(signer.sign(&one, "T", b"", day).authorization, first);
    }

    #[test]
    fn a_signer_never_shows_its_secret_or_key() {
        let signer = Signer::new("eu-west-1", "h");
        let credentials = Credentials::new("AKID", "very-secret", None, None, "test");
        signer.sign(&credentials, "T", b"", SystemTime::now());
        let shown = format!("{signer:?}");
        assert!(
            shown.contains("AKID") && !shown.contains("very-secret"),
            "{shown}"
        );
    }

    #[test]
    fn amz_dates_are_basic_iso_8601_to_the_second() {
        let now = UNIX_EPOCH + Duration::from_millis(1_765_000_000_250);
        assert_eq!(amz_date(now), "20251206T054640Z");
    }
}
