//! Raw input to line streams: plain text, gzip (streamed) and GitHub's zip log archive
//! (one file per step), read line by line with a bounded line length.

use flate2::read::MultiGzDecoder;
use std::io::{self, BufRead, BufReader, Cursor, Read};

/// Longest line kept, in bytes; the rest of a longer line is skipped (not buffered).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One stream of log lines: a whole log, or one step file of a zip archive.
pub struct Part {
    /// The step name for a file of a zip archive (`3_Run tests.txt` -> `Run tests`).
    pub step: Option<String>,
    pub reader: Box<dyn BufRead + Send>,
}

/// Sniffs the input: gzip is decompressed as a stream, a zip archive is split into its
/// files (ordered by their step number), anything else is read as text.
pub fn open<R: Read + Send + 'static>(reader: R) -> io::Result<Vec<Part>> {
    open_boxed(Box::new(reader))
}

fn open_boxed(reader: Box<dyn Read + Send>) -> io::Result<Vec<Part>> {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        // A gzip may itself hold a zip archive or text.
        return open_boxed(Box::new(MultiGzDecoder::new(reader)));
    }
    if head.starts_with(b"PK\x03\x04") {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        return zip_parts(bytes);
    }
    Ok(vec![Part {
        step: None,
        reader: Box::new(reader),
    }])
}

fn zip_parts(bytes: Vec<u8>) -> io::Result<Vec<Part>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("bad zip archive: {e}")))?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("bad zip entry: {e}"))
        })?;
        if file.is_dir() {
            continue;
        }
        let name = file
            .name()
            .map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad zip entry name: {e}"),
                )
            })?
            .into_owned();
        let mut text = Vec::new();
        file.read_to_end(&mut text)?;
        files.push((step_order(&name), name, text));
    }
    // GitHub's archive holds each job twice: `<n>_<job>.txt` whole, and `<job>/<n>_<step>.txt`
    // per step. Keep the step files when there are any.
    if files.iter().any(|(_, name, _)| name.contains('/')) {
        files.retain(|(_, name, _)| name.contains('/'));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(files
        .into_iter()
        .map(|(_, name, text)| Part {
            step: Some(step_name(&name)),
            reader: Box::new(Cursor::new(text)),
        })
        .collect())
}

/// `build/3_Run tests.txt` -> (job `build`, 3) for ordering.
fn step_order(name: &str) -> (String, u32) {
    let (dir, file) = name.rsplit_once('/').unwrap_or(("", name));
    let number = file
        .split('_')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX);
    (dir.to_string(), number)
}

/// `build/3_Run tests.txt` -> `Run tests`.
pub fn step_name(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    let file = file.strip_suffix(".txt").unwrap_or(file);
    match file.split_once('_') {
        Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest.to_string(),
        _ => file.to_string(),
    }
}

/// Reads lines into a reused buffer, never holding more than [`MAX_LINE_BYTES`] of one
/// line. Returns `Ok(None)` at the end, else whether the line was cut.
pub fn read_line<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut cut = false;
    let mut any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(cut));
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(buf.len());
        let line_part = if done {
            &chunk[..take - 1]
        } else {
            &chunk[..take]
        };
        if line_part.len() > room {
            cut = true;
        }
        buf.extend_from_slice(&line_part[..line_part.len().min(room)]);
        reader.consume(take);
        if done {
            return Ok(Some(cut));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bounded_lines() {
        let long = "x".repeat(MAX_LINE_BYTES + 10);
        let text = format!("a\n{long}\nb");
        let mut r = Cursor::new(text.into_bytes());
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), Some(false));
        assert_eq!(buf, b"a");
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), Some(true));
        assert_eq!(buf.len(), MAX_LINE_BYTES);
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), Some(false));
        assert_eq!(buf, b"b");
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), None);
    }

    #[test]
    fn names_steps_of_zip_files() {
        assert_eq!(step_name("build/3_Run tests.txt"), "Run tests");
        assert_eq!(step_order("build/12_x.txt"), ("build".into(), 12));
    }
}
