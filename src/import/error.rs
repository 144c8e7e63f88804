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
    /// The file is not JSON of the expected shape.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON has the expected shape but its content cannot become a valid entry.
    #[error("{0}")]
    Invalid(String),
    /// An entry could not be written as TOML.
    #[error("cannot write TOML: {0}")]
    Toml(#[from] toml::ser::Error),
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
