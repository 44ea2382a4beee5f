//! The backup file: a header line naming what it holds, then the database copy encrypted in
//! chunks with AES-256-GCM (the STREAM construction of the `aead` crate, each chunk also
//! authenticating the header). A flipped byte anywhere, a truncated file or a reordered chunk
//! fails authentication; a backup made under another master key is named as such.
//!
//! ```text
//! GERBANG-BACKUP 1\n
//! {"backend":"sqlite","created_at":…,"schema_version":…,"key_id":"…","nonce":"…","tool":"…"}\n
//! then, per chunk: one byte (0 = more follow, 1 = last), a u32 big-endian length, the ciphertext
//! ```

use std::io::{Read, Write};

use aes_gcm::aead::stream::{DecryptorBE32, EncryptorBE32};
use aes_gcm::aead::{KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8] = b"GERBANG-BACKUP 1\n";
/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
/// STREAM's nonce prefix for a 12-byte nonce and a 32-bit counter (plus its last-chunk flag).
const NONCE_LEN: usize = 7;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    /// `sqlite` or `postgres`: what the payload is (a SQLite file, or a `pg_dump` archive).
    pub backend: String,
    pub created_at: i64,
    /// The newest migration applied in the copied database.
    pub schema_version: i64,
    /// Names the master key the backup is encrypted under (derived from it; reveals nothing).
    pub key_id: String,
    pub nonce: String,
    /// The Gerbang version that wrote it.
    pub tool: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not a Gerbang backup (the file does not start with GERBANG-BACKUP 1)")]
    NotABackup,
    #[error("the backup header cannot be read: {0}")]
    BadHeader(String),
    #[error("made under another master key: give the master key of the system this backup came from")]
    ForeignKey,
    #[error("the backup is corrupt or was altered (chunk {0} fails its check)")]
    Corrupt(u64),
    #[error("the backup is cut short (it ends before its last chunk)")]
    Truncated,
    #[error("the backup has bytes after its last chunk")]
    TrailingBytes,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Writes `header` then `payload`, encrypted, to `out`; returns the payload's length.
pub fn seal(
    key: &[u8; 32],
    header: &Header,
    payload: &mut impl Read,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, FormatError> {
    let header_line = header_bytes(header)?;
    out.write_all(MAGIC)?;
    out.write_all(&header_line)?;
    let nonce = hex::decode(&header.nonce).map_err(|e| FormatError::BadHeader(e.to_string()))?;
    if nonce.len() != NONCE_LEN {
        return Err(FormatError::BadHeader("nonce length".into()));
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let mut stream = EncryptorBE32::from_aead(cipher, nonce.as_slice().into());
    let (mut buf, mut next) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
    let mut filled = read_full(payload, &mut buf)?;
    let mut total = 0u64;
    loop {
        let next_filled = if filled == CHUNK { read_full(payload, &mut next)? } else { 0 };
        let last = next_filled == 0;
        let aad = header_line.as_slice();
        let chunk = Payload { msg: &buf[..filled], aad };
        total += filled as u64;
        if last {
            let sealed = stream.encrypt_last(chunk).map_err(|_| FormatError::Corrupt(0))?;
            write_chunk(out, 1, &sealed)?;
            progress(total);
            return Ok(total);
        }
        let sealed = stream.encrypt_next(chunk).map_err(|_| FormatError::Corrupt(0))?;
        write_chunk(out, 0, &sealed)?;
        progress(total);
        std::mem::swap(&mut buf, &mut next);
        filled = next_filled;
    }
}

/// Reads the header only (no key needed).
pub fn read_header(input: &mut impl Read) -> Result<(Header, Vec<u8>), FormatError> {
    let mut magic = [0u8; MAGIC.len()];
    input.read_exact(&mut magic).map_err(|_| FormatError::NotABackup)?;
    if magic != MAGIC {
        return Err(FormatError::NotABackup);
    }
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        input.read_exact(&mut byte).map_err(|_| FormatError::BadHeader("no end of line".into()))?;
        line.push(byte[0]);
        if byte[0] == b'\n' {
            break;
        }
        if line.len() > 4096 {
            return Err(FormatError::BadHeader("the header line is too long".into()));
        }
    }
    let header: Header =
        serde_json::from_slice(&line[..line.len() - 1]).map_err(|e| FormatError::BadHeader(e.to_string()))?;
    Ok((header, line))
}

/// Checks and decrypts the payload after the header into `out`; returns its length.
pub fn open(
    key: &[u8; 32],
    key_id: &str,
    input: &mut impl Read,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> Result<(Header, u64), FormatError> {
    let (header, header_line) = read_header(input)?;
    if header.key_id != key_id {
        return Err(FormatError::ForeignKey);
    }
    let nonce = hex::decode(&header.nonce).map_err(|e| FormatError::BadHeader(e.to_string()))?;
    if nonce.len() != NONCE_LEN {
        return Err(FormatError::BadHeader("nonce length".into()));
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let mut stream = DecryptorBE32::from_aead(cipher, nonce.as_slice().into());
    let (mut total, mut index) = (0u64, 0u64);
    loop {
        let mut flag = [0u8; 1];
        if input.read(&mut flag)? == 0 {
            return Err(FormatError::Truncated);
        }
        let mut len = [0u8; 4];
        input.read_exact(&mut len).map_err(|_| FormatError::Truncated)?;
        let len = u32::from_be_bytes(len) as usize;
        if len > CHUNK + 16 {
            return Err(FormatError::Corrupt(index));
        }
        let mut sealed = vec![0u8; len];
        input.read_exact(&mut sealed).map_err(|_| FormatError::Truncated)?;
        let chunk = Payload { msg: &sealed, aad: &header_line };
        let plain = match flag[0] {
            0 => stream.decrypt_next(chunk).map_err(|_| FormatError::Corrupt(index))?,
            1 => {
                let plain = stream.decrypt_last(chunk).map_err(|_| FormatError::Corrupt(index))?;
                out.write_all(&plain)?;
                total += plain.len() as u64;
                progress(total);
                let mut rest = [0u8; 1];
                if input.read(&mut rest)? != 0 {
                    return Err(FormatError::TrailingBytes);
                }
                return Ok((header, total));
            }
            _ => return Err(FormatError::Corrupt(index)),
        };
        out.write_all(&plain)?;
        total += plain.len() as u64;
        index += 1;
        progress(total);
    }
}

/// A fresh random nonce prefix, hex.
pub fn new_nonce() -> String {
    let mut n = [0u8; NONCE_LEN];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut n);
    hex::encode(n)
}

fn header_bytes(header: &Header) -> Result<Vec<u8>, FormatError> {
    let mut line = serde_json::to_vec(header).map_err(|e| FormatError::BadHeader(e.to_string()))?;
    line.push(b'\n');
    Ok(line)
}

fn write_chunk(out: &mut impl Write, flag: u8, sealed: &[u8]) -> std::io::Result<()> {
    out.write_all(&[flag])?;
    out.write_all(&(sealed.len() as u32).to_be_bytes())?;
    out.write_all(sealed)
}

/// Fills `buf` as far as the input allows; returns how much was read (less only at the end).
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            backend: "sqlite".into(),
            created_at: 1,
            schema_version: 8,
            key_id: "k".into(),
            nonce: new_nonce(),
            tool: "test".into(),
        }
    }

    fn sealed(len: usize) -> (Vec<u8>, Vec<u8>) {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let mut out = Vec::new();
        seal(&[3u8; 32], &header(), &mut data.as_slice(), &mut out, &mut |_| {}).unwrap();
        (data, out)
    }

    #[test]
    fn round_trips_at_chunk_edges() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK] {
            let (data, file) = sealed(len);
            let mut back = Vec::new();
            let (_, n) = open(&[3u8; 32], "k", &mut file.as_slice(), &mut back, &mut |_| {}).unwrap();
            assert_eq!((n as usize, back), (len, data), "{len}");
        }
    }

    #[test]
    fn any_change_is_caught() {
        let (_, file) = sealed(2 * CHUNK + 10);
        let head = MAGIC.len() + 10;
        for at in [head, file.len() / 2, file.len() - 1] {
            let mut bad = file.clone();
            bad[at] ^= 0x01;
            assert!(open(&[3u8; 32], "k", &mut bad.as_slice(), &mut Vec::new(), &mut |_| {}).is_err(), "{at}");
        }
        let cut = &file[..file.len() - 20];
        assert!(matches!(
            open(&[3u8; 32], "k", &mut &cut[..], &mut Vec::new(), &mut |_| {}),
            Err(FormatError::Truncated)
        ));
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(
            open(&[3u8; 32], "k", &mut longer.as_slice(), &mut Vec::new(), &mut |_| {}),
            Err(FormatError::TrailingBytes)
        ));
        assert!(matches!(
            open(&[3u8; 32], "other", &mut file.as_slice(), &mut Vec::new(), &mut |_| {}),
            Err(FormatError::ForeignKey)
        ));
        assert!(open(&[4u8; 32], "k", &mut file.as_slice(), &mut Vec::new(), &mut |_| {}).is_err());
        assert!(matches!(
            open(&[3u8; 32], "k", &mut &b"hello"[..], &mut Vec::new(), &mut |_| {}),
            Err(FormatError::NotABackup)
        ));
    }
}
