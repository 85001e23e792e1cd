//! Errors from the server: every row of the spec's error table decodes into its own variant with
//! its resolution, in both of Zoho's envelopes; bodies that are not Zoho JSON become decode
//! errors that keep the status and a bounded snippet.

mod support;

use support::{client, server, upload};
use zoho_crm::limits::SNIPPET_CHARS;
use zoho_crm::operations::{UploadAttachmentError, UploadAttachmentRequest};
use zoho_crm::{Error, FileSource, Module, Throttle};
use zoho_crm_testkit::CannedReply;

fn small_file() -> FileSource {
    FileSource::from_bytes("a.txt", &b"abc"[..])
}

fn variant_name(error: &UploadAttachmentError) -> &'static str {
    match error {
        UploadAttachmentError::InvalidModule(_) => "INVALID_MODULE",
        UploadAttachmentError::InvalidUrlPattern(_) => "INVALID_URL_PATTERN",
        UploadAttachmentError::OauthScopeMismatch(_) => "OAUTH_SCOPE_MISMATCH",
        UploadAttachmentError::NoPermission(_) => "NO_PERMISSION",
        UploadAttachmentError::InternalError(_) => "INTERNAL_ERROR",
        UploadAttachmentError::InvalidRequestMethod(_) => "INVALID_REQUEST_METHOD",
        UploadAttachmentError::AuthorizationFailed(_) => "AUTHORIZATION_FAILED",
        UploadAttachmentError::InvalidData(_) => "INVALID_DATA",
        UploadAttachmentError::FileSizeMoreThanAllowedSize(_) => "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
        UploadAttachmentError::InvalidToken(_) => "INVALID_TOKEN",
        UploadAttachmentError::InvalidOauthtoken(_) => "INVALID_OAUTHTOKEN",
        UploadAttachmentError::AuthenticationFailure(_) => "AUTHENTICATION_FAILURE",
        UploadAttachmentError::TooManyRequests(_) => "TOO_MANY_REQUESTS",
        UploadAttachmentError::RequiredParamMissing(_) => "REQUIRED_PARAM_MISSING",
        UploadAttachmentError::MandatoryNotFound(_) => "MANDATORY_NOT_FOUND",
        UploadAttachmentError::RateLimitExceeded(_) => "RATE_LIMIT_EXCEEDED",
        UploadAttachmentError::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
        UploadAttachmentError::BodySizeReached(_) => "BODY_SIZE_REACHED",
        UploadAttachmentError::NotAllowed(_) => "NOT_ALLOWED",
        UploadAttachmentError::InvalidRequest(_) => "INVALID_REQUEST",
        UploadAttachmentError::LimitReached(_) => "LIMIT_REACHED",
        UploadAttachmentError::Unknown(_) => "unknown",
        _ => "a variant this test does not know",
    }
}

#[tokio::test]
async fn every_documented_error_decodes_into_its_variant_in_both_envelopes() {
    let server = server().await;
    // No retries, so that 429 and 5xx rows come straight back as typed errors.
    let client = match zoho_crm::Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .retry_policy(zoho_crm::RetryPolicy::never())
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    };
    // The seed's 11 rows, 5 codes from ZOHO-FACTS and 11 cases from Zoho's v8 examples and
    // OpenAPI files (the cases limited to other operations are not the upload's).
    assert_eq!(UploadAttachmentError::DOCUMENTED.len(), 27);
    for case in UploadAttachmentError::DOCUMENTED {
        let message = case
            .message
            .unwrap_or("a message the spec does not document");
        let item = serde_json::json!({
            "code": case.code,
            "details": {"param": "x"},
            "message": message,
            "status": "error",
        });
        for body in [item.clone(), serde_json::json!({ "data": [item.clone()] })] {
            server.respond_next_with(CannedReply::json(case.status, body.clone()));
            let result = client.upload_attachment(upload(small_file())).await;
            let Err(Error::Api(error)) = result else {
                panic!("{body} did not give an API error: {result:?}");
            };
            assert_eq!(variant_name(&error), case.code, "{body}");
            assert_eq!(error.code(), case.code);
            assert_eq!(error.message(), message);
            assert_eq!(error.http_status(), case.status);
            assert_eq!(error.details().get("param"), Some(&serde_json::json!("x")));
            assert_eq!(error.documented(), Some(case));
            assert_eq!(error.resolution(), Some(case.resolution));
            assert_eq!(error.throttle(), case.throttle, "{body}");
            let shown = error.to_string();
            assert!(
                shown.contains(case.code) && shown.contains(message),
                "{shown}"
            );
        }
    }
    assert_eq!(server.attachments().len(), 0);
}

#[tokio::test]
async fn is_helpers_tell_the_codes_apart() {
    let server = server().await;
    let client = client(&server);
    server.respond_next_with(CannedReply::json(
        400,
        serde_json::json!({"data": [{"code": "INVALID_DATA", "details": {}, "message": "invalid file type", "status": "error"}]}),
    ));
    let result = client.upload_attachment(upload(small_file())).await;
    let Some(error) = result.as_ref().err().and_then(Error::api_error) else {
        panic!("{result:?}");
    };
    assert!(error.is_invalid_data());
    assert!(!error.is_invalid_module());
    assert_eq!(
        error.resolution(),
        Some("The attachment that you are trying to upload is of an unsupported file form (.exe).")
    );
}

#[tokio::test]
async fn a_429_says_which_limit_as_far_as_zoho_documents_it() {
    let server = server().await;
    let client = match zoho_crm::Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .retry_policy(zoho_crm::RetryPolicy::never())
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    };
    // TOO_MANY_REQUESTS serves the concurrency cap and spent credits alike; v8's
    // RATE_LIMIT_EXCEEDED names a rate limit; a code Zoho adds later could be either.
    let cases = [
        ("TOO_MANY_REQUESTS", "too many requests", Throttle::Either),
        (
            "RATE_LIMIT_EXCEEDED",
            "API rate limit exceeded. Please retry after some time",
            Throttle::Rate,
        ),
        ("CREDITS_GONE", "a new code", Throttle::Either),
    ];
    for (code, message, throttle) in cases {
        server.respond_next_with(CannedReply::json(
            429,
            serde_json::json!({"code": code, "details": {}, "message": message, "status": "error"}),
        ));
        let result = client.upload_attachment(upload(small_file())).await;
        let Err(error) = result else {
            panic!("{code}: the upload went through");
        };
        assert_eq!(error.throttle(), Some(throttle), "{code}");
    }
    server.respond_next_with(CannedReply::json(
        400,
        serde_json::json!({"code": "INVALID_DATA", "details": {}, "message": "invalid file type", "status": "error"}),
    ));
    let result = client.upload_attachment(upload(small_file())).await;
    assert_eq!(result.err().and_then(|e| e.throttle()), None);
}

#[tokio::test]
async fn an_unlisted_code_is_kept_as_unknown() {
    let server = server().await;
    let client = client(&server);
    server.respond_next_with(CannedReply::json(
        400,
        serde_json::json!({"code": "SOMETHING_NEW", "details": {}, "message": "a new rule", "status": "error"}),
    ));
    let result = client.upload_attachment(upload(small_file())).await;
    let Err(Error::Api(UploadAttachmentError::Unknown(info))) = result else {
        panic!("{result:?}");
    };
    assert_eq!(info.code, "SOMETHING_NEW");
    assert_eq!(info.status, 400);
    assert_eq!(info.message, "a new rule");
}

#[tokio::test]
async fn the_servers_own_rejections_are_typed() {
    let server = server().await;
    let client = client(&server);
    let Ok(widgets) = "Widgets".parse::<Module>() else {
        panic!("a valid custom module name was refused");
    };
    let request = UploadAttachmentRequest::new(widgets, support::RECORD, small_file());
    let result = client.upload_attachment(request).await;
    let Err(Error::Api(error @ UploadAttachmentError::InvalidModule(_))) = result else {
        panic!("{result:?}");
    };
    assert_eq!(error.http_status(), 400);
    assert!(
        error
            .resolution()
            .is_some_and(|r| r.contains("valid module API name"))
    );

    let wrong_token = match zoho_crm::Client::builder()
        .base_url(server.base_url())
        .access_token("not-the-token")
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    };
    let result = wrong_token.upload_attachment(upload(small_file())).await;
    let Err(Error::Api(error @ UploadAttachmentError::InvalidToken(_))) = result else {
        panic!("{result:?}");
    };
    assert_eq!(error.http_status(), 401);
    assert!(error.resolution().is_some_and(|r| r.contains("refresh")));
}

#[tokio::test]
async fn html_truncated_and_empty_bodies_are_decode_errors() {
    let server = server().await;
    let client = client(&server);
    let html = format!(
        "<html><body>502 Bad Gateway{}</body></html>",
        " padding".repeat(200)
    );
    let cases = [
        (502, Some("text/html"), html.clone()),
        (
            200,
            Some("application/json"),
            r#"{"data":[{"code":"SUCCESS","det"#.to_owned(),
        ),
        (200, Some("application/json"), String::new()),
        (500, None, String::new()),
        (200, Some("application/json"), r#"{"data":[]}"#.to_owned()),
    ];
    for (status, content_type, body) in cases {
        server.respond_next_with(CannedReply::raw(status, content_type, body.clone()));
        let result = client.upload_attachment(upload(small_file())).await;
        let Err(Error::Decode(error)) = result else {
            panic!("{status} {body:?} gave {result:?}");
        };
        assert_eq!(error.status, status);
        assert!(error.snippet.chars().count() <= SNIPPET_CHARS);
        let expected: String = body.chars().take(SNIPPET_CHARS).collect();
        assert_eq!(error.snippet, expected);
        assert!(error.to_string().contains(&format!("HTTP {status}")));
    }
}
