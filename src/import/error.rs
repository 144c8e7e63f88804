//! The importers' error type: what went wrong, and with which file.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error of one source file (or of the output directory), with its path.
///
/// Per-file errors never stop an import: the file is listed as skipped with this
/// error as the reason. Only errors of the source or output directory as a whole are
/// returned from the `import` functions.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct ImportError {
    /// The file or directory concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong with a file.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not JSON.
    #[error("invalid JSON: {0}")]
    Json(serde_json::Error),
    /// The file is JSON, but not of the expected shape (e.g. a required field is missing).
    #[error("not {what}: {error}")]
    Shape {
        /// What the file should be, e.g. `a deadends.dev canon`.
        what: &'static str,
        error: serde_json::Error,
    },
    /// The JSON has the expected shape but its content cannot become a valid entry.
    #[error("{0}")]
    Invalid(String),
    /// An entry could not be written as TOML.
    #[error("cannot write TOML: {0}")]
    Toml(#[from] toml::ser::Error),
}

impl From<serde_json::Error> for ErrorKind {
    fn from(error: serde_json::Error) -> ErrorKind {
        ErrorKind::Json(error)
    }
}

impl ErrorKind {
    /// A JSON error, as [`ErrorKind::Shape`] when the JSON itself was fine.
    pub fn json(what: &'static str, error: serde_json::Error) -> ErrorKind {
        match error.classify() {
            serde_json::error::Category::Data => ErrorKind::Shape { what, error },
            _ => ErrorKind::Json(error),
        }
    }
}

impl ImportError {
    /// An error of `path`.
    pub fn new(path: &Path, kind: impl Into<ErrorKind>) -> ImportError {
        ImportError {
            path: path.to_path_buf(),
            kind: kind.into(),
        }
    }

    /// A content error of `path`.
    pub fn invalid(path: &Path, message: impl fmt::Display) -> ImportError {
        ImportError::new(path, ErrorKind::Invalid(message.to_string()))
    }
}
