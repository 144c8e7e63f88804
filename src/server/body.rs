//! Request bodies of `POST /api/v1/diagnose`: what the headers declare ([`Form`]),
//! reading with a size limit ([`read`]), and turning the bytes into what the matcher
//! reads ([`unpack`]) with the same limit on every decompressed form, so a gzip or zip
//! bomb is refused instead of filling memory.

use super::error::{AppError, AppResult, Kind};
use axum::body::Body;
use axum::http::{HeaderMap, header};
use bytes::{Bytes, BytesMut};
use flate2::read::MultiGzDecoder;
use futures_util::StreamExt;
use std::io::{self, Read};

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Gzip inside gzip is opened this many times at most.
const MAX_GZIP_LAYERS: usize = 3;

/// What the body is, by its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `{"log": "...", "lang": ..., "top": ..., "file": ...}`.
    Json,
    /// A log as text, gzip or zip, recognised by its first bytes.
    Sniffed,
    /// `application/gzip`: must be gzip.
    Gzip,
    /// `application/zip`: must be a zip archive (a GitHub log archive).
    Zip,
}

/// The body's form and how many gzip content codings wrap it.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    pub form: Form,
    pub gzip_codings: usize,
}

/// The media types `POST /api/v1/diagnose` accepts, for messages.
pub const ACCEPTED: &str =
    "text/plain, application/json, application/gzip, application/zip, application/octet-stream";

/// Reads `Content-Type` and `Content-Encoding`; 415 for anything unsupported.
pub fn declared(headers: &HeaderMap) -> AppResult<Declared> {
    let mut gzip_codings = 0;
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("\u{fffd}");
        for coding in text.split(',').map(|c| c.trim().to_ascii_lowercase()) {
            match coding.as_str() {
                "" | "identity" => {}
                "gzip" | "x-gzip" => gzip_codings += 1,
                other => {
                    return Err(AppError::new(
                        Kind::UnsupportedMediaType,
                        format!("content coding `{other}` is not supported; use gzip or none"),
                    ));
                }
            }
        }
    }
    if gzip_codings > MAX_GZIP_LAYERS {
        return Err(AppError::new(
            Kind::UnsupportedMediaType,
            "more than three gzip content codings",
        ));
    }
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(Declared {
            form: Form::Sniffed,
            gzip_codings,
        });
    };
    let text = value.to_str().unwrap_or("\u{fffd}").to_ascii_lowercase();
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or("").trim().to_string();
    let charset = parts
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string())
        .next();
    let unsupported = || {
        AppError::new(
            Kind::UnsupportedMediaType,
            format!("content type `{essence}` is not supported; use one of {ACCEPTED}"),
        )
        .with("accepted", ACCEPTED)
    };
    let form = match essence.as_str() {
        "application/json" => Form::Json,
        e if e.starts_with("application/") && e.ends_with("+json") => Form::Json,
        e if e.starts_with("text/") => Form::Sniffed,
        "application/octet-stream" => Form::Sniffed,
        "application/gzip" | "application/x-gzip" => Form::Gzip,
        "application/zip" | "application/x-zip-compressed" | "application/x-zip" => Form::Zip,
        _ => return Err(unsupported()),
    };
    if let Some(charset) = charset
        && !matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii")
    {
        return Err(AppError::new(
            Kind::UnsupportedMediaType,
            format!("charset `{charset}` is not supported; send UTF-8"),
        ));
    }
    Ok(Declared { form, gzip_codings })
}

/// Reads the whole body, refusing it (413) once it passes `limit` bytes; a declared
/// `Content-Length` over the limit is refused before reading anything.
pub async fn read(headers: &HeaderMap, body: Body, limit: usize) -> AppResult<Bytes> {
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > limit as u64) {
        return Err(AppError::too_large(limit, false));
    }
    let capacity = declared_length.map_or(64 << 10, |n| n as usize);
    let mut buf = BytesMut::with_capacity(capacity);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::new(
                Kind::InvalidParameter,
                format!("cannot read the request body: {e}"),
            )
        })?;
        if buf.len() + chunk.len() > limit {
            return Err(AppError::too_large(limit, false));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Removes `layers` gzip content codings.
pub fn decode_codings(mut bytes: Vec<u8>, layers: usize, limit: usize) -> AppResult<Vec<u8>> {
    for _ in 0..layers {
        if !bytes.starts_with(GZIP_MAGIC) {
            return Err(AppError::new(
                Kind::BadEncoding,
                "Content-Encoding says gzip but the body is not gzip",
            ));
        }
        bytes = gunzip(&bytes, limit)?;
    }
    Ok(bytes)
}

/// Turns a raw log body into bytes the matcher reads: gzip opened (each layer checked
/// against `limit`), a zip archive checked entry by entry against `limit`, an empty
/// log refused (422).
pub fn unpack(mut bytes: Vec<u8>, form: Form, limit: usize) -> AppResult<Vec<u8>> {
    if form == Form::Gzip && !bytes.starts_with(GZIP_MAGIC) {
        return Err(AppError::new(
            Kind::BadEncoding,
            "the body is declared application/gzip but is not gzip",
        ));
    }
    let mut layers = 0;
    while bytes.starts_with(GZIP_MAGIC) {
        layers += 1;
        if layers > MAX_GZIP_LAYERS {
            return Err(AppError::new(
                Kind::BadEncoding,
                "more than three layers of gzip",
            ));
        }
        bytes = gunzip(&bytes, limit)?;
    }
    if form == Form::Zip && !bytes.starts_with(ZIP_MAGIC) {
        return Err(AppError::new(
            Kind::BadEncoding,
            "the body is declared application/zip but is not a zip archive",
        ));
    }
    let empty = if bytes.starts_with(ZIP_MAGIC) {
        check_zip(&bytes, limit)? == 0
    } else {
        bytes.iter().all(u8::is_ascii_whitespace)
    };
    if empty {
        return Err(AppError::new(Kind::EmptyLog, "the log is empty"));
    }
    Ok(bytes)
}

/// Decompresses one gzip stream (members concatenated), at most `limit` bytes.
fn gunzip(bytes: &[u8], limit: usize) -> AppResult<Vec<u8>> {
    let mut out = Vec::with_capacity((bytes.len() * 4).min(limit));
    MultiGzDecoder::new(bytes)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            AppError::new(
                Kind::BadEncoding,
                format!("the body is not valid gzip: {e}"),
            )
        })?;
    if out.len() > limit {
        return Err(AppError::too_large(limit, true));
    }
    Ok(out)
}

/// Decompresses every file of a zip archive into nothing, counting bytes: 413 past
/// `limit` in total, 400 for a broken archive. Returns the total.
fn check_zip(bytes: &[u8], limit: usize) -> AppResult<u64> {
    let bad = |e: &dyn std::fmt::Display| {
        AppError::new(
            Kind::BadEncoding,
            format!("the body is not a valid zip archive: {e}"),
        )
    };
    let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let file = archive.by_index(i).map_err(|e| bad(&e))?;
        if file.is_dir() {
            continue;
        }
        let left = (limit as u64).saturating_sub(total);
        let n = io::copy(&mut file.take(left + 1), &mut io::sink()).map_err(|e| bad(&e))?;
        total += n;
        if total > limit as u64 {
            return Err(AppError::too_large(limit, true));
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn reads_declarations() {
        let d = declared(&headers(&[(
            header::CONTENT_TYPE,
            "text/plain; charset=UTF-8",
        )]))
        .unwrap();
        assert_eq!(d.form, Form::Sniffed);
        let d = declared(&headers(&[
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_ENCODING, "gzip"),
        ]))
        .unwrap();
        assert_eq!((d.form, d.gzip_codings), (Form::Json, 1));
        for bad in [
            (header::CONTENT_TYPE, "image/png"),
            (header::CONTENT_TYPE, "text/plain; charset=utf-16"),
            (header::CONTENT_ENCODING, "br"),
        ] {
            let e = declared(&headers(&[bad])).unwrap_err();
            assert_eq!(e.kind, Kind::UnsupportedMediaType);
        }
    }

    #[test]
    fn opens_nested_gzip_within_the_limit() {
        let text = b"error: boom\n".repeat(10);
        assert_eq!(unpack(gz(&gz(&text)), Form::Sniffed, 1000).unwrap(), text);
        let e = unpack(gz(&vec![b'a'; 2000]), Form::Gzip, 1000).unwrap_err();
        assert_eq!(e.kind, Kind::BodyTooLarge);
        let e = unpack(b"plain".to_vec(), Form::Gzip, 1000).unwrap_err();
        assert_eq!(e.kind, Kind::BadEncoding);
        let e = unpack(vec![0x1f, 0x8b, 0, 1, 2], Form::Sniffed, 1000).unwrap_err();
        assert_eq!(e.kind, Kind::BadEncoding);
    }

    #[test]
    fn refuses_empty_logs() {
        let e = unpack(b" \n\t\n".to_vec(), Form::Sniffed, 1000).unwrap_err();
        assert_eq!(e.kind, Kind::EmptyLog);
        let e = unpack(gz(b""), Form::Sniffed, 1000).unwrap_err();
        assert_eq!(e.kind, Kind::EmptyLog);
    }
}
