//! Image formats and sizes read from the first bytes of a file, without decoding it: the
//! signature tells the format (PNG, JPEG, GIF, BMP) and the header its width and height.
//!
//! [`inspect`] is a pure function over a prefix of the file; the caller reads more and asks
//! again while the answer is [`Inspection::Incomplete`], up to [`MAX_HEADER_BYTES`].

/// An image format that an upload may be required to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    /// PNG (signature `89 50 4E 47 0D 0A 1A 0A`, size from the IHDR chunk).
    Png,
    /// JPEG (`FF D8`, size from the first start-of-frame segment).
    Jpeg,
    /// GIF (`GIF87a` or `GIF89a`, size of the logical screen).
    Gif,
    /// BMP (`BM`, size from the BITMAPCOREHEADER or BITMAPINFOHEADER).
    Bmp,
}

impl ImageFormat {
    /// The format's usual name: `PNG`, `JPEG`, `GIF` or `BMP`.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Gif => "GIF",
            ImageFormat::Bmp => "BMP",
        }
    }
}

impl std::fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The formats an operation accepts for an uploaded image and its largest size. When an
/// operation's [`UploadLimits`](crate::UploadLimits) has these, a file is checked from its
/// header before it is sent (it is never decoded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageLimits {
    /// The formats accepted.
    pub formats: &'static [ImageFormat],
    /// The largest width × height accepted, in pixels.
    pub max_pixels: u64,
}

/// The formats in words, for messages: "a PNG or JPEG", "a PNG, JPEG or GIF"; "an accepted"
/// when there are none.
pub(crate) fn list(formats: &[ImageFormat]) -> String {
    let names: Vec<&str> = formats.iter().map(|format| format.name()).collect();
    match names.split_last() {
        None => "an accepted".to_owned(),
        Some((only, [])) => format!("a {only}"),
        Some((last, rest)) => format!("a {} or {last}", rest.join(", ")),
    }
}

/// The most bytes read from the start of a file to find its size: a JPEG may put large
/// metadata segments (EXIF, ICC profiles, thumbnails) before its frame header.
pub(crate) const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// The most JPEG segments skipped before its frame header is given up on.
const MAX_JPEG_SEGMENTS: usize = 1000;

/// What a file's first bytes say about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inspection {
    /// An image of this format and size.
    Sized {
        /// The format.
        format: ImageFormat,
        /// The width in pixels.
        width: u32,
        /// The height in pixels.
        height: u32,
    },
    /// The bytes start with no known image signature.
    Unknown,
    /// The bytes end before the signature (`None`) or the size (`Some`) could be read.
    Incomplete(Option<ImageFormat>),
    /// The signature is this format's, but its header is malformed.
    Corrupt(ImageFormat, &'static str),
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const SIGNATURES: [(&[u8], ImageFormat); 5] = [
    (PNG_SIGNATURE, ImageFormat::Png),
    (b"\xff\xd8", ImageFormat::Jpeg),
    (b"GIF87a", ImageFormat::Gif),
    (b"GIF89a", ImageFormat::Gif),
    (b"BM", ImageFormat::Bmp),
];

/// Reads the format and size from `prefix`, the first bytes of a file (all of it, or at least
/// as many as the answer needs; ask again with more while the answer is `Incomplete`).
pub(crate) fn inspect(prefix: &[u8]) -> Inspection {
    let mut could_be = false;
    for (signature, format) in SIGNATURES {
        if prefix.starts_with(signature) {
            return match format {
                ImageFormat::Png => png(prefix),
                ImageFormat::Jpeg => jpeg(prefix),
                ImageFormat::Gif => gif(prefix),
                ImageFormat::Bmp => bmp(prefix),
            };
        }
        could_be |= signature.starts_with(prefix);
    }
    if could_be {
        Inspection::Incomplete(None)
    } else {
        Inspection::Unknown
    }
}

/// A sized image, or `Corrupt` when a side is zero.
fn sized(format: ImageFormat, width: u32, height: u32) -> Inspection {
    if width == 0 || height == 0 {
        return Inspection::Corrupt(format, "its header gives a width or height of zero");
    }
    Inspection::Sized {
        format,
        width,
        height,
    }
}

fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// PNG: the signature, then the IHDR chunk (length 13) with the width and height, big-endian.
fn png(prefix: &[u8]) -> Inspection {
    let format = ImageFormat::Png;
    let (Some(length), Some(kind), Some(width), Some(height)) = (
        array::<4>(prefix, 8),
        array::<4>(prefix, 12),
        array::<4>(prefix, 16),
        array::<4>(prefix, 20),
    ) else {
        return Inspection::Incomplete(Some(format));
    };
    if &kind != b"IHDR" || u32::from_be_bytes(length) != 13 {
        return Inspection::Corrupt(format, "the PNG does not start with its IHDR chunk");
    }
    let (width, height) = (u32::from_be_bytes(width), u32::from_be_bytes(height));
    if width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Inspection::Corrupt(format, "its header gives a width or height over 2^31 - 1");
    }
    sized(format, width, height)
}

/// GIF: the signature, then the logical screen's width and height, little-endian.
fn gif(prefix: &[u8]) -> Inspection {
    let format = ImageFormat::Gif;
    let (Some(width), Some(height)) = (array::<2>(prefix, 6), array::<2>(prefix, 8)) else {
        return Inspection::Incomplete(Some(format));
    };
    sized(
        format,
        u32::from(u16::from_le_bytes(width)),
        u32::from(u16::from_le_bytes(height)),
    )
}

/// BMP: a 14-byte file header, then a DIB header whose size tells its kind: 12 bytes
/// (BITMAPCOREHEADER, 16-bit sides) or 40 or more (BITMAPINFOHEADER and its successors, 32-bit
/// signed sides; a negative height means the rows are stored top-down).
fn bmp(prefix: &[u8]) -> Inspection {
    let format = ImageFormat::Bmp;
    let Some(header_size) = array::<4>(prefix, 14) else {
        return Inspection::Incomplete(Some(format));
    };
    match u32::from_le_bytes(header_size) {
        12 => {
            let (Some(width), Some(height)) = (array::<2>(prefix, 18), array::<2>(prefix, 20))
            else {
                return Inspection::Incomplete(Some(format));
            };
            sized(
                format,
                u32::from(u16::from_le_bytes(width)),
                u32::from(u16::from_le_bytes(height)),
            )
        }
        40.. => {
            let (Some(width), Some(height)) = (array::<4>(prefix, 18), array::<4>(prefix, 22))
            else {
                return Inspection::Incomplete(Some(format));
            };
            let width = i32::from_le_bytes(width);
            if width < 0 {
                return Inspection::Corrupt(format, "its header gives a negative width");
            }
            sized(
                format,
                width.unsigned_abs(),
                i32::from_le_bytes(height).unsigned_abs(),
            )
        }
        _ => Inspection::Corrupt(format, "the BMP's header is of no known size"),
    }
}

/// JPEG: after SOI, segments (`FF`, a marker, and for most markers a 2-byte big-endian length
/// that counts itself) up to the first start-of-frame (SOF0-3, 5-7, 9-11, 13-15), which holds
/// the precision, then the height and width.
fn jpeg(prefix: &[u8]) -> Inspection {
    let format = ImageFormat::Jpeg;
    let incomplete = Inspection::Incomplete(Some(format));
    let mut at = 2;
    for _ in 0..MAX_JPEG_SEGMENTS {
        let Some(&byte) = prefix.get(at) else {
            return incomplete;
        };
        if byte != 0xff {
            return Inspection::Corrupt(format, "a JPEG segment does not start with a marker");
        }
        // Any number of 0xFF fill bytes may come before a marker.
        while prefix.get(at) == Some(&0xff) {
            at += 1;
        }
        let Some(&marker) = prefix.get(at) else {
            return incomplete;
        };
        at += 1;
        match marker {
            // Markers without a segment: TEM and the restart markers.
            0x01 | 0xd0..=0xd7 => continue,
            0xd8 => return Inspection::Corrupt(format, "the JPEG starts twice"),
            0xd9 => return Inspection::Corrupt(format, "the JPEG ends before its frame header"),
            0xda => {
                return Inspection::Corrupt(
                    format,
                    "the JPEG's image data comes before its frame header",
                );
            }
            0x00 => return Inspection::Corrupt(format, "a JPEG marker is 0"),
            _ => {}
        }
        let Some(length) = array::<2>(prefix, at) else {
            return incomplete;
        };
        let length = usize::from(u16::from_be_bytes(length));
        if length < 2 {
            return Inspection::Corrupt(format, "a JPEG segment's length is less than 2");
        }
        if is_start_of_frame(marker) {
            // Length, precision, height, width.
            let (Some(height), Some(width)) =
                (array::<2>(prefix, at + 3), array::<2>(prefix, at + 5))
            else {
                return incomplete;
            };
            if length < 8 {
                return Inspection::Corrupt(format, "the JPEG's frame header is too short");
            }
            return sized(
                format,
                u32::from(u16::from_be_bytes(width)),
                u32::from(u16::from_be_bytes(height)),
            );
        }
        at += length;
    }
    Inspection::Corrupt(
        format,
        "the JPEG has over 1000 segments before its frame header",
    )
}

fn is_start_of_frame(marker: u8) -> bool {
    matches!(marker, 0xc0..=0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PNG's signature and IHDR chunk (CRC not checked, so zero).
    pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = PNG_SIGNATURE.to_vec();
        bytes.extend_from_slice(&13u32.to_be_bytes());
        bytes.extend_from_slice(b"IHDR");
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
        bytes.extend_from_slice(&[0; 4]);
        bytes
    }

    /// A JPEG's SOI, a JFIF APP0 segment and an SOF0 frame header.
    fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = vec![0xff, 0xd8];
        bytes.extend_from_slice(&[0xff, 0xe0, 0x00, 0x10]);
        bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        bytes.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08]);
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        bytes
    }

    fn gif_header(version: &[u8; 6], width: u16, height: u16) -> Vec<u8> {
        let mut bytes = version.to_vec();
        bytes.extend_from_slice(&width.to_le_bytes());
        bytes.extend_from_slice(&height.to_le_bytes());
        bytes.extend_from_slice(&[0, 0, 0]);
        bytes
    }

    fn bmp_info_header(width: i32, height: i32) -> Vec<u8> {
        let mut bytes = b"BM".to_vec();
        bytes.extend_from_slice(&[0; 12]);
        bytes.extend_from_slice(&40u32.to_le_bytes());
        bytes.extend_from_slice(&width.to_le_bytes());
        bytes.extend_from_slice(&height.to_le_bytes());
        bytes.extend_from_slice(&[1, 0, 24, 0]);
        bytes.extend_from_slice(&[0; 24]);
        bytes
    }

    fn bmp_core_header(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = b"BM".to_vec();
        bytes.extend_from_slice(&[0; 12]);
        bytes.extend_from_slice(&12u32.to_le_bytes());
        bytes.extend_from_slice(&width.to_le_bytes());
        bytes.extend_from_slice(&height.to_le_bytes());
        bytes.extend_from_slice(&[1, 0, 24, 0]);
        bytes
    }

    fn size(format: ImageFormat, width: u32, height: u32) -> Inspection {
        Inspection::Sized {
            format,
            width,
            height,
        }
    }

    #[test]
    fn each_format_gives_its_size() {
        assert_eq!(
            inspect(&png_header(4000, 2750)),
            size(ImageFormat::Png, 4000, 2750)
        );
        assert_eq!(
            inspect(&jpeg_header(640, 480)),
            size(ImageFormat::Jpeg, 640, 480)
        );
        assert_eq!(
            inspect(&gif_header(b"GIF87a", 3, 5)),
            size(ImageFormat::Gif, 3, 5)
        );
        assert_eq!(
            inspect(&gif_header(b"GIF89a", 300, 200)),
            size(ImageFormat::Gif, 300, 200)
        );
        assert_eq!(
            inspect(&bmp_info_header(16, 9)),
            size(ImageFormat::Bmp, 16, 9)
        );
        assert_eq!(
            inspect(&bmp_info_header(16, -9)),
            size(ImageFormat::Bmp, 16, 9)
        );
        assert_eq!(
            inspect(&bmp_core_header(7, 8)),
            size(ImageFormat::Bmp, 7, 8)
        );
    }

    #[test]
    fn a_jpeg_frame_header_is_found_past_other_segments_and_fill_bytes() {
        let mut bytes = vec![0xff, 0xd8];
        // An EXIF segment of 60000 bytes, a restart marker, fill bytes, then SOF2.
        bytes.extend_from_slice(&[0xff, 0xe1]);
        bytes.extend_from_slice(&60000u16.to_be_bytes());
        bytes.extend(std::iter::repeat_n(0xffu8, 60000 - 2));
        bytes.extend_from_slice(&[0xff, 0xd0, 0xff, 0xff, 0xff, 0xc2, 0x00, 0x11, 0x08]);
        bytes.extend_from_slice(&[0x0b, 0xb8, 0x0f, 0xa0]);
        bytes.extend_from_slice(&[0; 10]);
        assert_eq!(inspect(&bytes), size(ImageFormat::Jpeg, 4000, 3000));
        assert_eq!(
            inspect(&bytes[..30000]),
            Inspection::Incomplete(Some(ImageFormat::Jpeg))
        );
    }

    #[test]
    fn format_lists_read_as_words() {
        assert_eq!(list(&[]), "an accepted");
        assert_eq!(list(&[ImageFormat::Png]), "a PNG");
        assert_eq!(
            list(&[ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Gif]),
            "a PNG, JPEG or GIF"
        );
    }

    #[test]
    fn text_and_short_files_are_not_images() {
        assert_eq!(inspect(b"hello, this is plain text"), Inspection::Unknown);
        assert_eq!(inspect(b"%PDF-1.7\n"), Inspection::Unknown);
        assert_eq!(inspect(b""), Inspection::Incomplete(None));
        assert_eq!(inspect(b"GIF8"), Inspection::Incomplete(None));
        assert_eq!(inspect(b"\x89PN"), Inspection::Incomplete(None));
        assert_eq!(inspect(b"GIF90a\x01\x00\x01\x00"), Inspection::Unknown);
    }

    #[test]
    fn truncated_headers_are_incomplete_at_every_length() {
        for whole in [
            png_header(10, 10),
            jpeg_header(10, 10),
            gif_header(b"GIF89a", 10, 10),
            bmp_info_header(10, 10),
            bmp_core_header(10, 10),
        ] {
            let format = match inspect(&whole) {
                Inspection::Sized { format, .. } => format,
                other => panic!("{other:?}"),
            };
            let needed = (0..whole.len())
                .find(|&n| matches!(inspect(&whole[..n]), Inspection::Sized { .. }))
                .unwrap_or(whole.len());
            for n in 0..needed {
                let inspection = inspect(&whole[..n]);
                assert!(
                    matches!(inspection, Inspection::Incomplete(f) if f.is_none_or(|f| f == format)),
                    "{format:?} cut to {n}: {inspection:?}"
                );
            }
        }
    }

    #[test]
    fn jpeg_segments_that_loop_or_lie_are_corrupt_or_bounded() {
        // A segment whose length (0 or 1) would not move past itself.
        for length in [0u16, 1] {
            let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0];
            bytes.extend_from_slice(&length.to_be_bytes());
            bytes.extend_from_slice(&[0; 64]);
            assert!(
                matches!(inspect(&bytes), Inspection::Corrupt(ImageFormat::Jpeg, _)),
                "{length}"
            );
        }
        // A length that points into the middle of nowhere: not a marker there.
        let mut lying = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0xaa, 0xbb, 0x12, 0x34];
        lying.extend_from_slice(&[0; 32]);
        assert!(matches!(
            inspect(&lying),
            Inspection::Corrupt(ImageFormat::Jpeg, _)
        ));
        // A length past the end of the data read so far: more is needed.
        let long = [0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0, 0];
        assert_eq!(
            inspect(&long),
            Inspection::Incomplete(Some(ImageFormat::Jpeg))
        );
        // Endless tiny segments are given up on after a bounded number.
        let mut many = vec![0xff, 0xd8];
        for _ in 0..5000 {
            many.extend_from_slice(&[0xff, 0xfe, 0x00, 0x02]);
        }
        assert!(matches!(
            inspect(&many),
            Inspection::Corrupt(ImageFormat::Jpeg, _)
        ));
        // Endless restart markers too.
        let mut restarts = vec![0xff, 0xd8];
        for _ in 0..5000 {
            restarts.extend_from_slice(&[0xff, 0xd0]);
        }
        assert!(matches!(
            inspect(&restarts),
            Inspection::Corrupt(ImageFormat::Jpeg, _)
        ));
        // Image data or the end before any frame header.
        for marker in [0xda, 0xd9, 0xd8] {
            let bytes = [0xff, 0xd8, 0xff, marker, 0x00, 0x04, 0, 0];
            assert!(matches!(
                inspect(&bytes),
                Inspection::Corrupt(ImageFormat::Jpeg, _)
            ));
        }
    }

    #[test]
    fn malformed_headers_are_corrupt() {
        let mut no_ihdr = png_header(1, 1);
        no_ihdr[12..16].copy_from_slice(b"IDAT");
        assert!(matches!(
            inspect(&no_ihdr),
            Inspection::Corrupt(ImageFormat::Png, _)
        ));
        assert!(matches!(
            inspect(&png_header(0, 5)),
            Inspection::Corrupt(ImageFormat::Png, _)
        ));
        assert!(matches!(
            inspect(&png_header(u32::MAX, 5)),
            Inspection::Corrupt(ImageFormat::Png, _)
        ));
        assert!(matches!(
            inspect(&bmp_info_header(-3, 5)),
            Inspection::Corrupt(ImageFormat::Bmp, _)
        ));
        let mut odd_bmp = bmp_info_header(3, 5);
        odd_bmp[14] = 20;
        assert!(matches!(
            inspect(&odd_bmp),
            Inspection::Corrupt(ImageFormat::Bmp, _)
        ));
        assert_eq!(
            inspect(&bmp_info_header(3, i32::MIN)),
            size(ImageFormat::Bmp, 3, 1 << 31)
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for length in 0..2000usize {
            let mut bytes = Vec::with_capacity(length);
            for _ in 0..length {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(state as u8);
            }
            let signature = SIGNATURES[length % SIGNATURES.len()].0;
            let cut = signature.len().min(bytes.len());
            bytes[..cut].copy_from_slice(&signature[..cut]);
            let _ = inspect(&bytes);
        }
    }
}
