//! Lowercase hex, written straight into a `String` (signatures, multipart boundaries).

/// Appends `bytes` as lowercase hex, without the intermediate string of `hex::encode`.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}
