//! Zoho's token endpoint as it really answers: refusals come as HTTP 200 with an `error` field
//! (or, when throttled, as a page of text that names the error), lifetimes come as
//! `expires_in_sec` in seconds beside a legacy `expires_in` in milliseconds (or only
//! `expires_in`, in seconds), as numbers or strings, and a token names the `api_domain` it is
//! for. This module reads such an answer into an [`IssuedToken`] or an [`AuthError`].

use std::time::Duration;

use secrecy::SecretString;

use crate::auth_error::{AuthError, TokenErrorKind};
use crate::profile::OAuthProfile;
use crate::redact::Secrets;
use crate::token::{AccessToken, IssuedToken, MAX_TOKEN_LIFETIME};

/// Interprets a token endpoint answer. Success bodies hold secrets, so they are never quoted in
/// errors; refusals are, with `secrets` (what the request sent) redacted, since a server may
/// echo the form.
pub(crate) fn parse_token_response(
    status: u16,
    body: &[u8],
    profile: &OAuthProfile,
    secrets: &Secrets,
) -> Result<IssuedToken, AuthError> {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let quoted = || crate::response::snippet(&secrets.bytes(body.to_vec()));
    let Some(json) = json.filter(serde_json::Value::is_object) else {
        let text = String::from_utf8_lossy(body);
        if let Some(doc) = profile.errors.iter().find(|doc| text.contains(doc.error)) {
            return Err(rejected(doc.error, profile, secrets));
        }
        return Err(AuthError::Http {
            status,
            snippet: quoted(),
        });
    };
    if let Some(error) = json.get("error").and_then(serde_json::Value::as_str) {
        return Err(rejected(error, profile, secrets));
    }
    if status != 200 {
        return Err(AuthError::Http {
            status,
            snippet: quoted(),
        });
    }
    let Some(token) = json.get("access_token").and_then(serde_json::Value::as_str) else {
        return Err(AuthError::Decode(
            "the answer has neither access_token nor error".into(),
        ));
    };
    let access_token = AccessToken::new(token)
        .map_err(|_| AuthError::Decode("the access_token is not a usable header value".into()))?;
    let seconds = |key: &str| json.get(key).and_then(lifetime_seconds);
    // Older answers give `expires_in` in milliseconds beside `expires_in_sec` in seconds.
    let expires_in = match (seconds("expires_in_sec"), seconds("expires_in")) {
        (Some(secs), _) | (None, Some(secs)) => Duration::from_secs(secs),
        (None, None) => profile.default_lifetime,
    }
    .min(MAX_TOKEN_LIFETIME);
    let text = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(IssuedToken {
        access_token,
        expires_in,
        api_domain: text("api_domain"),
        refresh_token: text("refresh_token").map(SecretString::from),
    })
}

/// A lifetime in whole seconds: a non-negative number (a fraction is cut, a huge one saturates)
/// or such a number in a string; anything else (negative, text, null) is no lifetime.
fn lifetime_seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                // `as` saturates at u64::MAX.
                .map(|f| f as u64)
        }),
        serde_json::Value::String(s) => s
            .trim()
            .parse::<serde_json::Number>()
            .ok()
            .and_then(|n| lifetime_seconds(&serde_json::Value::Number(n))),
        _ => None,
    }
}

fn rejected(error: &str, profile: &OAuthProfile, secrets: &Secrets) -> AuthError {
    let doc = profile.errors.iter().find(|doc| doc.error == error);
    AuthError::Rejected {
        kind: doc.map_or(TokenErrorKind::Other, |d| d.kind),
        error: secrets.text(error).chars().take(100).collect(),
        resolution: doc.map_or(
            "the accounts server gave an error this SDK does not know; check the client id, secret and data centre",
            |d| d.resolution,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    use crate::profile::TokenErrorDoc;

    const PROFILE: OAuthProfile = OAuthProfile {
        token_path: "/oauth/v2/token",
        errors: &[
            TokenErrorDoc {
                error: "invalid_client",
                kind: TokenErrorKind::InvalidClient,
                resolution: "check the client",
            },
            TokenErrorDoc {
                error: "Access Denied",
                kind: TokenErrorKind::Throttled,
                resolution: "wait",
            },
        ],
        default_lifetime: Duration::from_secs(3600),
    };

    #[test]
    fn expiry_comes_in_seconds_or_legacy_milliseconds() {
        for body in [
            r#"{"access_token":"1000.a","expires_in":3600,"api_domain":"https://www.zohoapis.eu"}"#,
            r#"{"access_token":"1000.a","expires_in":3600000,"expires_in_sec":3600}"#,
        ] {
            let issued = parse_token_response(200, body.as_bytes(), &PROFILE, &Secrets::new());
            assert_eq!(
                issued.map(|i| i.expires_in).ok(),
                Some(Duration::from_secs(3600)),
                "{body}"
            );
        }
    }

    #[test]
    fn refusals_in_200_answers_are_typed() {
        let refused = parse_token_response(
            200,
            br#"{"error":"invalid_client"}"#,
            &PROFILE,
            &Secrets::new(),
        );
        assert_eq!(
            refused.err().and_then(|e| e.kind()),
            Some(TokenErrorKind::InvalidClient)
        );
        let throttled = parse_token_response(
            200,
            b"<html>Access Denied</html>",
            &PROFILE,
            &Secrets::new(),
        );
        assert_eq!(
            throttled.err().and_then(|e| e.kind()),
            Some(TokenErrorKind::Throttled)
        );
        let unknown =
            parse_token_response(200, br#"{"error":"new_thing"}"#, &PROFILE, &Secrets::new());
        assert_eq!(
            unknown.err().and_then(|e| e.kind()),
            Some(TokenErrorKind::Other)
        );
        let missing = parse_token_response(
            200,
            br#"{"token_type":"Bearer"}"#,
            &PROFILE,
            &Secrets::new(),
        );
        assert!(matches!(missing, Err(AuthError::Decode(_))));
    }

    #[test]
    fn no_lifetime_a_server_sends_can_panic_and_huge_ones_are_capped() {
        let lifetime = |body: &str| {
            parse_token_response(200, body.as_bytes(), &PROFILE, &Secrets::new())
                .map(|issued| (issued.expires_in, issued.expires_at(SystemTime::now())))
        };
        let max = u64::MAX;
        for body in [
            format!(r#"{{"access_token":"1000.a","expires_in":{max}}}"#),
            format!(r#"{{"access_token":"1000.a","expires_in_sec":{max},"expires_in":{max}}}"#),
            r#"{"access_token":"1000.a","expires_in":1e308}"#.to_owned(),
            r#"{"access_token":"1000.a","expires_in":"99999999999999999999"}"#.to_owned(),
            format!(r#"{{"access_token":"1000.a","expires_in_sec":"{max}"}}"#),
        ] {
            let Ok((expires_in, expires_at)) = lifetime(&body) else {
                panic!("refused: {body}");
            };
            assert_eq!(expires_in, MAX_TOKEN_LIFETIME, "{body}");
            assert!(expires_at > SystemTime::now(), "{body}");
        }
        for body in [
            r#"{"access_token":"1000.a","expires_in":-1}"#,
            r#"{"access_token":"1000.a","expires_in":-1e308}"#,
            r#"{"access_token":"1000.a","expires_in":"soon"}"#,
            r#"{"access_token":"1000.a","expires_in":null,"expires_in_sec":[1]}"#,
            r#"{"access_token":"1000.a","expires_in":{"s":1}}"#,
        ] {
            let got = lifetime(body).map(|(expires_in, _)| expires_in).ok();
            assert_eq!(got, Some(PROFILE.default_lifetime), "{body}");
        }
        let fraction = lifetime(r#"{"access_token":"1000.a","expires_in":59.9}"#);
        assert_eq!(fraction.ok().map(|(e, _)| e), Some(Duration::from_secs(59)));
        let issued = IssuedToken {
            access_token: AccessToken::new("1000.a").unwrap_or_else(|e| panic!("{e}")),
            expires_in: Duration::MAX,
            api_domain: None,
            refresh_token: None,
        };
        let now = SystemTime::now();
        assert_eq!(issued.expires_at(now), now);
    }

    #[test]
    fn an_echoed_form_is_redacted_from_refusals() {
        let secrets = Secrets::new()
            .with("client-s3cret")
            .with("1000.refresh/token");
        let echo = "grant_type=refresh_token&client_secret=client-s3cret&refresh_token=1000.refresh%2Ftoken";
        let http = parse_token_response(502, echo.as_bytes(), &PROFILE, &secrets);
        let json = parse_token_response(
            200,
            br#"{"error":"bad client-s3cret for 1000.refresh\/token"}"#,
            &PROFILE,
            &secrets,
        );
        for error in [http.err(), json.err()] {
            let Some(error) = error else {
                panic!("accepted");
            };
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(!shown.contains("refresh/token"), "{shown}");
            assert!(!shown.contains("refresh%2Ftoken"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }
}
