//! Tests of file sources: the checks a file passes before it is sent, and the bytes sent.

use super::*;
use crate::image_header::ImageFormat;
use crate::image_header::tests::png_header;
use futures_util::StreamExt as _;

/// What a refusal says, or nothing when there was none.
fn refusal_text<T>(result: &Result<T, ValidationError>) -> String {
    result
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default()
}

const LIMITS: UploadLimits = UploadLimits {
    max_file_bytes: 10,
    forbidden_extensions: &["exe"],
    image: None,
};

async fn collect(mut opened: OpenedFile) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = opened.stream.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

#[tokio::test]
async fn a_short_reader_is_an_error_not_a_short_body() {
    let opened = FileSource::from_reader("a.txt", 8, &b"abc"[..])
        .open(&LIMITS)
        .await
        .map_err(|e| e.to_string());
    let Ok(opened) = opened else {
        panic!("open failed: {opened:?}");
    };
    let err = collect(opened).await.err().map(|e| e.kind());
    assert_eq!(err, Some(std::io::ErrorKind::UnexpectedEof));
}

#[tokio::test]
async fn a_reader_is_read_up_to_its_declared_length() {
    let opened = FileSource::from_reader("a.txt", 3, &b"abcdef"[..])
        .open(&LIMITS)
        .await;
    let bytes = match opened {
        Ok(opened) => collect(opened).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert_eq!(bytes, Ok(b"abc".to_vec()));
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_is_refused_before_it_is_opened_and_a_symlink_to_a_file_is_fine() {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    };
    let fifo = dir.path().join("pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
    let opened = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        FileSource::from_path(&fifo).open(&LIMITS),
    )
    .await;
    let Ok(result) = opened else {
        // Unblock the stuck `open` (a FIFO opens once both ends are open), then fail.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        panic!("opening a FIFO blocked");
    };
    let error = result.err();
    let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
    assert!(
        matches!(error, Some(ValidationError::NotRegularFile { .. })),
        "{error:?}"
    );
    assert!(
        message.contains("FIFO") && message.contains("not a regular file"),
        "{message}"
    );
    assert!(!message.contains("permissions"), "{message}");
    let file = dir.path().join("real.txt");
    assert!(std::fs::write(&file, b"abc").is_ok());
    let link = dir.path().join("link.txt");
    assert!(std::os::unix::fs::symlink(&file, &link).is_ok());
    let opened = FileSource::from_path(&link).open(&LIMITS).await;
    assert_eq!(
        opened.map(|o| (o.name().to_owned(), o.length())).ok(),
        Some(("link.txt".to_owned(), 3))
    );
}

/// A file of `length` bytes, each byte a function of its offset.
fn patterned_file(length: usize) -> (tempfile::NamedTempFile, Vec<u8>) {
    let bytes: Vec<u8> = (0..length).map(|i| (i % 251) as u8).collect();
    let file = match tempfile::NamedTempFile::new() {
        Ok(file) => file,
        Err(e) => panic!("{e}"),
    };
    assert!(std::fs::write(file.path(), &bytes).is_ok());
    (file, bytes)
}

const LARGE: UploadLimits = UploadLimits {
    max_file_bytes: 1 << 30,
    forbidden_extensions: &[],
    image: None,
};

#[tokio::test]
async fn a_file_of_several_chunks_is_sent_whole_with_its_progress() {
    let (file, bytes) = patterned_file(2 * CHUNK_BYTES + CHUNK_BYTES / 2 + 7);
    let reported = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let source = FileSource::from_path(file.path()).on_progress({
        let reported = std::sync::Arc::clone(&reported);
        move |sent| {
            if let Ok(mut reported) = reported.lock() {
                reported.push(sent);
            }
        }
    });
    let opened = match source.open(&LARGE).await {
        Ok(opened) => opened,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(opened.length(), bytes.len() as u64);
    let sent = collect(opened).await.map_err(|e| e.to_string());
    assert!(
        sent.as_ref().is_ok_and(|sent| *sent == bytes),
        "{:?}",
        sent.map(|s| s.len())
    );
    let reported = reported.lock().map(|r| r.clone()).unwrap_or_default();
    let expected = vec![
        CHUNK_BYTES as u64,
        2 * CHUNK_BYTES as u64,
        bytes.len() as u64,
    ];
    assert_eq!(reported, expected);
}

#[tokio::test]
async fn a_file_cut_short_after_the_check_is_an_error_and_one_that_grew_is_sent_as_checked() {
    let length = CHUNK_BYTES + 100;
    let (file, bytes) = patterned_file(length);
    let opened = match FileSource::from_path(file.path()).open(&LARGE).await {
        Ok(opened) => opened,
        Err(e) => panic!("{e}"),
    };
    let cut = std::fs::OpenOptions::new()
        .write(true)
        .open(file.path())
        .and_then(|f| f.set_len(10));
    assert!(cut.is_ok());
    let err = collect(opened).await.err().map(|e| e.kind());
    assert_eq!(err, Some(std::io::ErrorKind::UnexpectedEof));

    assert!(std::fs::write(file.path(), &bytes).is_ok());
    let opened = match FileSource::from_path(file.path()).open(&LARGE).await {
        Ok(opened) => opened,
        Err(e) => panic!("{e}"),
    };
    let grown = std::fs::OpenOptions::new()
        .append(true)
        .open(file.path())
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"more"));
    assert!(grown.is_ok());
    let sent = collect(opened).await.map_err(|e| e.to_string());
    assert_eq!(sent, Ok(bytes));
}

async fn open_bytes(
    name: &str,
    bytes: &[u8],
    limits: &UploadLimits,
) -> Result<OpenedFile, ValidationError> {
    FileSource::from_bytes(name, bytes.to_vec())
        .open(limits)
        .await
}

#[tokio::test]
async fn names_are_sent_and_checked_without_leading_and_trailing_spaces_and_tabs() {
    let opened = open_bytes(" \treport.pdf \t ", b"%PDF", &LIMITS).await;
    assert_eq!(
        opened
            .map(|o| (o.name().to_owned(), o.media_type().to_owned()))
            .ok(),
        Some(("report.pdf".to_owned(), "application/pdf".to_owned()))
    );
    for name in ["evil.exe ", "\tevil.EXE\t", "  evil.exe  "] {
        let refused = open_bytes(name, b"MZ", &LIMITS).await;
        assert!(
            matches!(&refused, Err(ValidationError::ForbiddenExtension { name, extension }) if (name == "evil.exe" || name == "evil.EXE") && extension == "exe"),
            "{name:?}: {refused:?}"
        );
    }
    for name in ["   ", "\t", " \t "] {
        let refused = open_bytes(name, b"a", &LIMITS).await;
        assert!(
            matches!(refused, Err(ValidationError::InvalidFileName { .. })),
            "{name:?}: {refused:?}"
        );
    }
    // A tab inside the name is still a control character.
    let refused = open_bytes("a\tb.txt", b"a", &LIMITS).await;
    assert!(matches!(
        refused,
        Err(ValidationError::InvalidFileName { .. })
    ));
}

#[tokio::test]
async fn names_with_encoded_words_are_refused_saying_what_they_would_be_stored_as() {
    for name in [
        "=?UTF-8?Q?evil.exe?=",
        "=?utf-8?q?evil.exe?=",
        "=?UTF-8?B?ZXZpbC5leGU=?=",
        " =?UTF-8?b?ZXZpbC5leGU=?= ",
    ] {
        let refused = open_bytes(name, b"MZ", &LIMITS).await;
        let message = refusal_text(&refused);
        assert!(
            matches!(&refused, Err(ValidationError::EncodedFileName { read_as: Some(read_as), .. }) if read_as == "evil.exe"),
            "{name:?}: {refused:?}"
        );
        assert!(
            message.contains("would be stored as \"evil.exe\"") && message.contains("rename"),
            "{message}"
        );
    }
    let refused = open_bytes("photo =?KOI8-R?B?8NLJ18XU?=.jpg", b"a", &LIMITS).await;
    let message = refusal_text(&refused);
    assert!(
        matches!(
            refused,
            Err(ValidationError::EncodedFileName { read_as: None, .. })
        ),
        "{message}"
    );
    assert!(message.contains("another name"), "{message}");
    // A plain `=?` that starts no encoded word is an ordinary name.
    let opened = open_bytes("what=?.txt", b"a", &LIMITS).await;
    assert_eq!(
        opened.map(|o| o.name().to_owned()).ok().as_deref(),
        Some("what=?.txt")
    );
}

#[tokio::test]
async fn a_path_named_with_an_encoded_word_is_refused_before_it_is_opened() {
    let refused = FileSource::from_path_named("/no/such/file", "=?UTF-8?Q?a.txt?=")
        .open(&LIMITS)
        .await;
    assert!(
        matches!(refused, Err(ValidationError::EncodedFileName { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn media_types_follow_the_sent_name() {
    for (name, expected) in [
        ("a.PNG", "image/png"),
        ("a.csv", "text/csv"),
        ("a.unknownext", "application/octet-stream"),
        ("README", "application/octet-stream"),
    ] {
        let opened = open_bytes(name, b"a", &LIMITS).await;
        assert_eq!(
            opened.map(|o| o.media_type().to_owned()).ok().as_deref(),
            Some(expected),
            "{name}"
        );
    }
}

const PHOTOS: UploadLimits = UploadLimits {
    max_file_bytes: 1 << 30,
    forbidden_extensions: &[],
    image: Some(ImageLimits {
        formats: &[ImageFormat::Png, ImageFormat::Jpeg],
        max_pixels: 10_000_000,
    }),
};

/// A PNG header of this size, then `length` bytes in all, each a function of its offset.
fn png_file(width: u32, height: u32, length: usize) -> Vec<u8> {
    let mut bytes = png_header(width, height);
    bytes.extend((bytes.len()..length).map(|i| (i % 251) as u8));
    bytes
}

#[tokio::test]
async fn images_are_checked_from_their_header() {
    let fine = open_bytes("a.png", &png_file(3000, 2000, 100), &PHOTOS).await;
    assert_eq!(fine.map(|o| o.length()).ok(), Some(100));

    let big = open_bytes("big.png", &png_file(4000, 2750, 100), &PHOTOS).await;
    let message = refusal_text(&big);
    assert!(
        matches!(
            big,
            Err(ValidationError::TooManyPixels {
                width: 4000,
                height: 2750,
                pixels: 11_000_000,
                limit: 10_000_000,
                ..
            })
        ),
        "{message}"
    );
    assert!(
        message.contains("4000x2750") && message.contains("scale"),
        "{message}"
    );

    let text = open_bytes("notes.png", b"just some text, not a picture", &PHOTOS).await;
    let message = refusal_text(&text);
    assert!(
        matches!(text, Err(ValidationError::NotAnImage { found: None, .. })),
        "{message}"
    );
    assert!(message.contains("not a PNG or JPEG image"), "{message}");

    let gif = open_bytes("a.gif", b"GIF89a\x10\x00\x10\x00\x00\x00\x00", &PHOTOS).await;
    let message = refusal_text(&gif);
    assert!(
        matches!(
            gif,
            Err(ValidationError::NotAnImage {
                found: Some(ImageFormat::Gif),
                ..
            })
        ),
        "{message}"
    );
    assert!(message.contains("it is a GIF image"), "{message}");

    let truncated = open_bytes("cut.png", &png_header(10, 10)[..20], &PHOTOS).await;
    let message = refusal_text(&truncated);
    assert!(
        matches!(truncated, Err(ValidationError::UnreadableImage { .. })),
        "{message}"
    );
    assert!(message.contains("truncated"), "{message}");
}

#[tokio::test]
async fn the_size_is_checked_before_the_image() {
    let limits = UploadLimits {
        max_file_bytes: 10,
        ..PHOTOS
    };
    let refused = open_bytes("notes.png", b"plain text, too long", &limits).await;
    assert!(
        matches!(refused, Err(ValidationError::FileTooLarge { .. })),
        "{refused:?}"
    );
    let (file, _) = patterned_file(20);
    let refused = FileSource::from_path_named(file.path(), "a.png")
        .open(&limits)
        .await;
    assert!(
        matches!(refused, Err(ValidationError::FileTooLarge { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_checked_image_path_streams_the_whole_file_from_its_start() {
    let bytes = png_file(640, 480, 2 * CHUNK_BYTES + 1234);
    let file = match tempfile::NamedTempFile::new() {
        Ok(file) => file,
        Err(e) => panic!("{e}"),
    };
    assert!(std::fs::write(file.path(), &bytes).is_ok());
    let opened = match FileSource::from_path_named(file.path(), "photo.png")
        .open(&PHOTOS)
        .await
    {
        Ok(opened) => opened,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(opened.media_type(), "image/png");
    let sent = collect(opened).await.map_err(|e| e.to_string());
    assert!(
        sent.as_ref().is_ok_and(|sent| *sent == bytes),
        "{:?}",
        sent.map(|s| s.len())
    );

    let text = patterned_file(100).0;
    let refused = FileSource::from_path_named(text.path(), "a.png")
        .open(&PHOTOS)
        .await;
    assert!(
        matches!(refused, Err(ValidationError::NotAnImage { .. })),
        "{refused:?}"
    );
}

/// A JPEG whose frame header comes after `segments` APP1 segments of 65535 bytes.
fn jpeg_after_segments(segments: usize) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xd8];
    for _ in 0..segments {
        bytes.extend_from_slice(&[0xff, 0xe1, 0xff, 0xff]);
        bytes.extend(std::iter::repeat_n(0u8, 65533));
    }
    bytes.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80]);
    bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    bytes.extend((0..1000).map(|i| (i % 7) as u8));
    bytes
}

#[tokio::test]
async fn a_checked_reader_sends_the_bytes_it_read_for_the_check_then_the_rest() {
    let bytes = jpeg_after_segments(3);
    let length = bytes.len() as u64;
    let reader = std::io::Cursor::new(bytes.clone());
    let opened = FileSource::from_reader("photo.jpg", length, reader)
        .open(&PHOTOS)
        .await;
    let sent = match opened {
        Ok(opened) => collect(opened).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert!(
        sent.as_ref().is_ok_and(|sent| *sent == bytes),
        "{:?}",
        sent.map(|s| s.len())
    );

    // A reader holding more than its declared length is still read up to that length only.
    let mut longer = png_file(10, 10, 5000);
    let declared = longer.len() as u64;
    let sent_part = longer.clone();
    longer.extend_from_slice(b"trailing bytes past the declared length");
    let opened = FileSource::from_reader("photo.png", declared, std::io::Cursor::new(longer))
        .open(&PHOTOS)
        .await;
    let sent = match opened {
        Ok(opened) => collect(opened).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert_eq!(sent, Ok(sent_part));
}

#[tokio::test]
async fn a_header_not_found_in_the_first_mib_is_unreadable_from_a_path() {
    let bytes = jpeg_after_segments(17);
    assert!(bytes.len() > MAX_HEADER_BYTES);
    let file = match tempfile::NamedTempFile::new() {
        Ok(file) => file,
        Err(e) => panic!("{e}"),
    };
    assert!(std::fs::write(file.path(), &bytes).is_ok());
    let refused = FileSource::from_path_named(file.path(), "a.jpg")
        .open(&PHOTOS)
        .await;
    let message = refusal_text(&refused);
    assert!(
        matches!(refused, Err(ValidationError::UnreadableImage { .. })),
        "{message}"
    );
    assert!(message.contains("first 1 MiB"), "{message}");
    // Within the first MiB, the same layout is read.
    let bytes = jpeg_after_segments(15);
    assert!(std::fs::write(file.path(), &bytes).is_ok());
    let opened = FileSource::from_path_named(file.path(), "a.jpg")
        .open(&PHOTOS)
        .await;
    assert_eq!(opened.map(|o| o.length()).ok(), Some(bytes.len() as u64));
}

#[tokio::test]
async fn bytes_over_the_limit_are_refused() {
    let err = FileSource::from_bytes("a.txt", vec![0u8; 11])
        .open(&LIMITS)
        .await;
    assert!(matches!(
        err,
        Err(ValidationError::FileTooLarge {
            size: 11,
            limit: 10,
            ..
        })
    ));
}
