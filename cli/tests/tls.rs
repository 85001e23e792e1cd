//! `SSL_CERT_FILE` adds roots: the CLI talks https to a server whose certificate only that file
//! vouches for (the test kit's `TlsFront`), and refuses it without the file.

mod common;

use common::{RECORD, command, run, server, tempdir, write};
use zoho_crm_testkit::TlsFront;

#[tokio::test]
async fn ssl_cert_file_makes_a_private_certificate_trusted() {
    let server = server().await;
    let front = match TlsFront::start(server.local_addr()).await {
        Ok(front) => front,
        Err(e) => panic!("cannot start the TLS front: {e}"),
    };
    let dir = tempdir();
    let ca = write(dir.path(), "ca.pem", front.cert_pem().as_bytes());
    server.insert_file("Leads", RECORD, "over-tls.txt", b"x");
    let base = front.base_url();
    let args = [
        "--api-base",
        &base,
        "--token",
        server.token(),
        "list",
        "--module",
        "Leads",
        "--record",
        RECORD,
    ];
    let mut trusted = command(dir.path(), &args);
    trusted.env("SSL_CERT_FILE", &ca);
    let trusted = run(trusted).await;
    trusted.expect(0);
    assert!(trusted.stdout.contains("over-tls.txt"), "{trusted:#?}");

    let mut untrusted = command(dir.path(), &args);
    untrusted.env_remove("SSL_CERT_FILE");
    run(untrusted).await.expect(1);

    let mut broken = command(dir.path(), &args);
    broken.env("SSL_CERT_FILE", dir.path().join("missing.pem"));
    let broken = run(broken).await;
    broken.expect(2);
    assert!(broken.stderr.contains("SSL_CERT_FILE"), "{}", broken.stderr);

    // A FIFO is refused at once, not read (a read would wait for a writer for ever).
    let fifo_path = dir.path().join("ca.fifo");
    common::mkfifo(&fifo_path);
    let mut fifo = command(dir.path(), &args);
    fifo.env("SSL_CERT_FILE", &fifo_path);
    let fifo = common::run_within(fifo, std::time::Duration::from_secs(20)).await;
    fifo.expect(2);
    assert!(fifo.stderr.contains("regular file"), "{}", fifo.stderr);
}
