//! Proxy variables naming another host (127.0.0.2) never see a plain-http call (to 127.0.0.1).
//! A test binary of its own:
//! it sets process-wide variables, before any runtime thread exists, and holds one test only,
//! so nothing else in the process reads the environment meanwhile.

mod support;

use support::oauth::{Zoho, build};
use support::upload;
use zoho_crm::FileSource;
use zoho_crm_testkit::OtherHost;
use zoho_crm_testkit::other_host::OTHER_HOST_IP;

#[test]
fn proxy_variables_naming_another_host_do_not_see_plain_http_calls() {
    let listener = match std::net::TcpListener::bind((OTHER_HOST_IP, 0)) {
        Ok(listener) => listener,
        Err(e) => panic!("cannot listen on 127.0.0.2: {e}"),
    };
    let proxy = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}"),
        Err(e) => panic!("{e}"),
    };
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        // SAFETY: no other thread runs yet in this process (the test harness thread waits for
        // this one, this binary has no other test, and the runtime is started below).
        unsafe { std::env::set_var(name, &proxy) };
    }
    for name in ["NO_PROXY", "no_proxy", "REQUEST_METHOD"] {
        // SAFETY: as above.
        unsafe { std::env::remove_var(name) };
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => panic!("{e}"),
    };
    runtime.block_on(async {
        let proxy = match OtherHost::with_listener(listener) {
            Ok(proxy) => proxy,
            Err(e) => panic!("{e}"),
        };
        let zoho = Zoho::start().await;
        let client = build(zoho.builder());
        let result = client
            .upload_attachment(upload(FileSource::from_bytes("a.txt", &b"abc"[..])))
            .await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(zoho.api.attachment_count(), 1);
        assert_eq!(zoho.accounts.refresh_count(), 1);
        assert_eq!(proxy.connection_count(), 0, "{}", proxy.received_text());
    });
}
