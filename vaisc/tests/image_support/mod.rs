//! Pictures for the game tests: reading the BMP frames a game saves with `SDL_SaveBMP`, and
//! writing them as PNG files for the guide, with a small encoder of our own (stored zlib
//! blocks, no compression library).

/// An RGB picture, rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// `width * height` pixels, each `[r, g, b]`.
    pub pixels: Vec<[u8; 3]>,
}

impl Image {
    pub fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.pixels[y * self.width + x]
    }

    /// How many pixels differ from `other` (same size).
    pub fn differences(&self, other: &Image) -> usize {
        assert_eq!((self.width, self.height), (other.width, other.height));
        self.pixels
            .iter()
            .zip(&other.pixels)
            .filter(|(a, b)| a != b)
            .count()
    }
}

fn u16_at(b: &[u8], i: usize) -> usize {
    usize::from(u16::from_le_bytes([b[i], b[i + 1]]))
}

fn i32_at(b: &[u8], i: usize) -> i32 {
    i32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Decodes an uncompressed 24- or 32-bit BMP (what `SDL_SaveBMP` writes for RGB surfaces:
/// pixels stored blue first, rows bottom-up unless the height is negative).
pub fn read_bmp(bytes: &[u8]) -> Result<Image, String> {
    if bytes.len() < 54 || &bytes[..2] != b"BM" {
        return Err("not a BMP file".into());
    }
    let data = i32_at(bytes, 10) as usize;
    let width = i32_at(bytes, 18);
    let height = i32_at(bytes, 22);
    let bpp = u16_at(bytes, 28);
    let compression = i32_at(bytes, 30);
    // 3 is BI_BITFIELDS, which SDL writes for 32-bit pixels in the usual BGRA order.
    if !(bpp == 24 || bpp == 32) || !(compression == 0 || compression == 3) || width <= 0 {
        return Err(format!(
            "unsupported BMP: {bpp} bits, compression {compression}"
        ));
    }
    let (w, h) = (width as usize, height.unsigned_abs() as usize);
    let step = bpp / 8;
    let stride = (w * step).div_ceil(4) * 4;
    if bytes.len() < data + stride * h {
        return Err("BMP pixel data is cut short".into());
    }
    let mut pixels = Vec::with_capacity(w * h);
    for y in 0..h {
        let row = if height > 0 { h - 1 - y } else { y };
        let start = data + row * stride;
        for x in 0..w {
            let p = &bytes[start + x * step..];
            pixels.push([p[2], p[1], p[0]]);
        }
    }
    Ok(Image {
        width: w,
        height: h,
        pixels,
    })
}

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// `data` as a zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65535).peekable();
    if blocks.peek().is_none() {
        out.extend([1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = blocks.peek().is_none();
        let len = block.len() as u16;
        out.push(u8::from(last));
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(block);
    }
    out.extend(adler32(data).to_be_bytes());
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(kind);
    out.extend(data);
    out.extend(crc32(&[kind, data]).to_be_bytes());
}

/// Encodes `image` as a PNG: with a palette when it has at most 256 colours (a game frame
/// usually has a handful, which keeps the file a third of the size), else 8-bit RGB.
pub fn png(image: &Image) -> Vec<u8> {
    let mut palette: Vec<[u8; 3]> = Vec::new();
    for p in &image.pixels {
        if palette.len() > 256 {
            break;
        }
        if !palette.contains(p) {
            palette.push(*p);
        }
    }
    let indexed = palette.len() <= 256;
    let mut raw = Vec::new();
    for row in image.pixels.chunks(image.width) {
        raw.push(0); // filter type: none
        for p in row {
            if indexed {
                let i = palette.iter().position(|c| c == p).unwrap_or(0);
                raw.push(i as u8);
            } else {
                raw.extend(p);
            }
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend((image.width as u32).to_be_bytes());
    header.extend((image.height as u32).to_be_bytes());
    // Bit depth 8; colour type 3 (palette) or 2 (RGB); deflate; adaptive filters; no interlace.
    header.extend([8, if indexed { 3 } else { 2 }, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    if indexed {
        let plte: Vec<u8> = palette.iter().flatten().copied().collect();
        chunk(&mut out, b"PLTE", &plte);
    }
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn checksums_match_known_values() {
    // The check values of the CRC-32 and Adler-32 specifications.
    assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
    assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    let stream = zlib_stored(&[7; 70000]);
    // Two stored blocks: 65535 bytes, then the last 4465.
    assert_eq!(&stream[2..7], &[0, 0xFF, 0xFF, 0, 0]);
    assert_eq!(stream[2 + 5 + 65535], 1);
}
