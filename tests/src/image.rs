//! A small image header reader for record photos: the format from the magic bytes and the
//! width and height from the header (PNG's `IHDR`, GIF's logical screen, BMP's DIB header,
//! JPEG's first `SOFn` segment found by walking the markers). It reads only the first bytes
//! of a file it is given, and the JPEG walk is bounded, so a hostile file costs nothing.

/// The image formats Zoho accepts as record photos.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG (`image/png`).
    Png,
    /// JPEG (`image/jpeg`).
    Jpeg,
    /// GIF, 87a or 89a (`image/gif`).
    Gif,
    /// Windows bitmap (`image/bmp`).
    Bmp,
}

impl ImageFormat {
    /// The media type served with a photo of this format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Bmp => "image/bmp",
        }
    }
}

/// What a header says about an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// The format, from the magic bytes.
    pub format: ImageFormat,
    /// The width in pixels (never 0).
    pub width: u64,
    /// The height in pixels (never 0).
    pub height: u64,
}

impl ImageInfo {
    /// The pixel count, width times height.
    pub fn pixels(&self) -> u64 {
        self.width.saturating_mul(self.height)
    }
}

/// The most JPEG segments walked before giving up on finding the frame header.
const MAX_JPEG_SEGMENTS: usize = 1024;

fn be16(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 2)?;
    Some(u64::from(u16::from_be_bytes([b[0], b[1]])))
}

fn le16(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 2)?;
    Some(u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn be32(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 4)?;
    Some(u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads the format and size of the image starting with `head`; `None` when it is none of
/// the four formats or its header is cut short or names a zero width or height.
pub fn read_header(head: &[u8]) -> Option<ImageInfo> {
    let (format, width, height) = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        if head.get(12..16)? != b"IHDR" {
            return None;
        }
        (ImageFormat::Png, be32(head, 16)?, be32(head, 20)?)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        (ImageFormat::Gif, le16(head, 6)?, le16(head, 8)?)
    } else if head.starts_with(b"BM") {
        let (width, height) = bmp_size(head)?;
        (ImageFormat::Bmp, width, height)
    } else if head.starts_with(&[0xFF, 0xD8]) {
        let (width, height) = jpeg_size(head)?;
        (ImageFormat::Jpeg, width, height)
    } else {
        return None;
    };
    (width > 0 && height > 0).then_some(ImageInfo {
        format,
        width,
        height,
    })
}

/// BMP: a 12-byte `BITMAPCOREHEADER` has 16-bit sizes, later headers signed 32-bit ones (a
/// negative height is a top-down bitmap).
fn bmp_size(head: &[u8]) -> Option<(u64, u64)> {
    match le32(head, 14)? {
        12 => Some((le16(head, 18)?, le16(head, 20)?)),
        size if size >= 40 => {
            let signed = |at: usize| {
                let b = head.get(at..at + 4)?;
                Some(u64::from(
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]]).unsigned_abs(),
                ))
            };
            Some((signed(18)?, signed(22)?))
        }
        _ => None,
    }
}

/// JPEG: walks the segments after `SOI` to the first frame header (`SOF0`..`SOF15` but
/// `DHT`, `JPG` and `DAC`) and reads its height and width.
fn jpeg_size(head: &[u8]) -> Option<(u64, u64)> {
    let mut at = 2;
    for _ in 0..MAX_JPEG_SEGMENTS {
        if *head.get(at)? != 0xFF {
            return None;
        }
        // Fill bytes: any number of 0xFF before the marker code.
        while *head.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *head.get(at)?;
        at += 1;
        match marker {
            // Markers without a length: TEM and RST0..RST7.
            0x01 | 0xD0..=0xD7 => continue,
            // End of image or start of scan before any frame header.
            0xD9 | 0xDA => return None,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                // Length (2), precision (1), height (2), width (2).
                return Some((be16(head, at + 5)?, be16(head, at + 3)?));
            }
            _ => {
                let len = usize::try_from(be16(head, at)?).ok()?;
                if len < 2 {
                    return None;
                }
                at += len;
            }
        }
    }
    None
}

/// A minimal PNG header (signature and `IHDR` chunk, CRC not checked) for a
/// `width` x `height` image: for tests and demos of the resolution limit.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), compression, filter, interlace; a CRC placeholder.
    bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn reads_each_format() {
        let png = read_header(&png_header(640, 480));
        assert_eq!(
            png,
            Some(ImageInfo {
                format: ImageFormat::Png,
                width: 640,
                height: 480
            })
        );
        assert_eq!(png.map(|i| i.pixels()), Some(307_200));

        let gif = read_header(b"GIF89a\x20\x03\x58\x02\x00\x00\x00");
        assert_eq!(
            gif.map(|i| (i.format, i.width, i.height)),
            Some((ImageFormat::Gif, 800, 600))
        );

        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&100i32.to_le_bytes());
        bmp.extend_from_slice(&(-50i32).to_le_bytes());
        assert_eq!(
            read_header(&bmp).map(|i| (i.width, i.height)),
            Some((100, 50))
        );

        // SOI, an APP0 segment of 16 bytes, fill bytes, then SOF2 (progressive).
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend_from_slice(&[0; 14]);
        jpeg.extend_from_slice(&[0xFF, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80]);
        assert_eq!(
            read_header(&jpeg).map(|i| (i.format, i.width, i.height)),
            Some((ImageFormat::Jpeg, 640, 480))
        );
    }

    #[test]
    fn refuses_what_is_not_a_readable_image() {
        assert_eq!(read_header(b"hello, world"), None);
        assert_eq!(read_header(b""), None);
        assert_eq!(read_header(&png_header(640, 480)[..20]), None);
        assert_eq!(read_header(&png_header(0, 480)), None);
        // A JPEG whose scan starts before any frame header, and one cut short.
        assert_eq!(read_header(&[0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]), None);
        assert_eq!(
            read_header(&[0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, 0x01]),
            None
        );
        // A segment length below 2 would loop forever.
        assert_eq!(
            read_header(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00, 0xFF]),
            None
        );
    }
}
