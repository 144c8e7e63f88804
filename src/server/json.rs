//! JSON responses that are safe to embed in HTML: `<`, `>`, `&`, U+2028 and U+2029
//! inside strings are written as `\u` escapes. The value is the same JSON (a parser
//! reads back the very same strings), but a log line such as `</script><script>`
//! never appears raw in a response body.

use super::error::AppError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use std::io;

/// A compact formatter escaping the characters HTML and JavaScript treat specially.
struct HtmlSafe(CompactFormatter);

impl Formatter for HtmlSafe {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let bytes = fragment.as_bytes();
        if !bytes.iter().any(|b| matches!(b, b'<' | b'>' | b'&' | 0xE2)) {
            return writer.write_all(bytes);
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escaped = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&bytes[start..i])?;
            writer.write_all(escaped.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&bytes[start..])
    }
}

/// Serializes `value` as compact, HTML-safe JSON.
pub fn to_html_safe_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1024);
    write_html_safe_json(&mut out, value)?;
    Ok(out)
}

/// Writes `value` as compact, HTML-safe JSON.
pub fn write_html_safe_json<W: io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, HtmlSafe(CompactFormatter));
    value.serialize(&mut ser)
}

/// A JSON response (`application/json`), HTML-safe.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match to_html_safe_json(&self.0) {
            Ok(bytes) => JsonBytes(bytes).into_response(),
            Err(err) => {
                AppError::internal(format!("cannot serialize a response: {err}")).into_response()
            }
        }
    }
}

/// Bytes already serialized as JSON.
pub struct JsonBytes(pub Vec<u8>);

impl IntoResponse for JsonBytes {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html_and_reads_back_the_same() {
        let text = "</script><script>alert(1)</script> & {{ x }} \u{2028} ok";
        let value = serde_json::json!({ "line": text, "<k>": 1 });
        let bytes = to_html_safe_json(&value).unwrap();
        let raw = String::from_utf8(bytes.clone()).unwrap();
        assert!(!raw.contains('<') && !raw.contains('>') && !raw.contains('&'));
        assert!(!raw.contains('\u{2028}'));
        let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn leaves_other_text_alone() {
        let value = serde_json::json!({ "t": "ünïcode — “quotes” 中文 \"q\" \\ \n" });
        let ours = to_html_safe_json(&value).unwrap();
        assert_eq!(ours, serde_json::to_vec(&value).unwrap());
    }
}
