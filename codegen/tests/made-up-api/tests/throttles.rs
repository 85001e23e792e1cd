//! Which limit a 429 came from is the spec's: the made-up Widget Store documents one code per
//! kind (`SLOW_DOWN` a rate, `OUT_OF_TOKENS` a quota, `BUSY` either), and its errors say so
//! over real HTTP; a code the spec does not know, or another status, says nothing more.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use made_up_api_fixture::operations::ListWidgetsRequest;
use made_up_api_fixture::{Client, JsonValue, Module, RetryPolicy, Throttle};
use serde_json::json;

/// The status and code the server answers every listing with.
type Answer = Arc<Mutex<(u16, &'static str)>>;

async fn widgets(State(answer): State<Answer>) -> (StatusCode, Json<JsonValue>) {
    let (status, code) = match answer.lock() {
        Ok(answer) => *answer,
        Err(poisoned) => *poisoned.into_inner(),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(json!({"code": code, "status": "error", "message": "refused", "details": {}})),
    )
}

async fn start() -> (Client, Answer) {
    let answer: Answer = Arc::new(Mutex::new((429, "BUSY")));
    let app = axum::Router::new()
        .route("/store/v1/Shelves/12/widgets", get(widgets))
        .with_state(Arc::clone(&answer));
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => panic!("bind: {e}"),
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => panic!("addr: {e}"),
    };
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .access_token("key")
        .retry_policy(RetryPolicy::never())
        .build();
    match client {
        Ok(client) => (client, answer),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn each_429_says_the_limit_its_code_is_documented_for() {
    let (client, answer) = start().await;
    let cases = [
        (429, "SLOW_DOWN", Some(Throttle::Rate)),
        (429, "OUT_OF_TOKENS", Some(Throttle::Quota)),
        (429, "BUSY", Some(Throttle::Either)),
        (429, "NEVER_DOCUMENTED", Some(Throttle::Either)),
        (404, "NO_SUCH_SHELF", None),
    ];
    for (status, code, throttle) in cases {
        if let Ok(mut answer) = answer.lock() {
            *answer = (status, code);
        }
        let result = client
            .list_widgets(ListWidgetsRequest::new(Module::Shelves, "12"))
            .await;
        let Err(error) = result else {
            panic!("{code}: the listing went through");
        };
        assert_eq!(error.throttle(), throttle, "{code}: {error}");
        let api = error
            .api_error()
            .map(|e| (e.code().to_owned(), e.throttle()));
        assert_eq!(api, Some((code.to_owned(), throttle)), "{code}");
    }
}
