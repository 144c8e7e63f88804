//! [`AppError`]: every error a handler returns, answered as RFC 9457 problem details
//! (`application/problem+json`) with a stable `type` per [`Kind`]. User errors show
//! their message; internal errors show a generic one while the cause is logged.

use super::json::to_html_safe_json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

/// Media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What went wrong, with its status and stable problem `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A query or JSON parameter is malformed or out of range (400).
    InvalidParameter,
    /// The body is not valid JSON or not the expected object (400).
    InvalidJson,
    /// The body does not decode as its declared encoding (bad gzip or zip) (400).
    BadEncoding,
    /// `lang` names a language the catalog does not speak (400).
    UnknownLanguage,
    /// No entry or route by that name (404).
    NotFound,
    /// The route exists, the method does not (405).
    MethodNotAllowed,
    /// The body, or what it decompresses to, is over the limit (413).
    BodyTooLarge,
    /// Content type, charset or content coding not supported (415).
    UnsupportedMediaType,
    /// The log is empty (422).
    EmptyLog,
    /// Too many diagnoses waiting (429).
    TooManyRequests,
    /// The request took longer than the configured timeout (503).
    Timeout,
    /// The server is shutting down (503).
    ShuttingDown,
    /// A fault of the server (500).
    Internal,
}

impl Kind {
    /// All kinds, for documentation and tests.
    pub const ALL: [Kind; 13] = [
        Kind::InvalidParameter,
        Kind::InvalidJson,
        Kind::BadEncoding,
        Kind::UnknownLanguage,
        Kind::NotFound,
        Kind::MethodNotAllowed,
        Kind::BodyTooLarge,
        Kind::UnsupportedMediaType,
        Kind::EmptyLog,
        Kind::TooManyRequests,
        Kind::Timeout,
        Kind::ShuttingDown,
        Kind::Internal,
    ];

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            Kind::InvalidParameter | Kind::InvalidJson | Kind::BadEncoding => {
                StatusCode::BAD_REQUEST
            }
            Kind::UnknownLanguage => StatusCode::BAD_REQUEST,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::EmptyLog => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Kind::Timeout | Kind::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable last segment of the problem `type`.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::InvalidParameter => "invalid-parameter",
            Kind::InvalidJson => "invalid-json",
            Kind::BadEncoding => "bad-encoding",
            Kind::UnknownLanguage => "unknown-language",
            Kind::NotFound => "not-found",
            Kind::MethodNotAllowed => "method-not-allowed",
            Kind::BodyTooLarge => "body-too-large",
            Kind::UnsupportedMediaType => "unsupported-media-type",
            Kind::EmptyLog => "empty-log",
            Kind::TooManyRequests => "too-many-requests",
            Kind::Timeout => "timeout",
            Kind::ShuttingDown => "shutting-down",
            Kind::Internal => "internal",
        }
    }

    /// The problem `type` URI, e.g. `urn:logdoc:problem:body-too-large`.
    pub fn type_uri(self) -> String {
        format!("urn:logdoc:problem:{}", self.slug())
    }

    /// A short summary that does not change between occurrences.
    pub fn title(self) -> &'static str {
        match self {
            Kind::InvalidParameter => "Invalid parameter",
            Kind::InvalidJson => "Invalid JSON body",
            Kind::BadEncoding => "Body does not decode",
            Kind::UnknownLanguage => "Unknown language",
            Kind::NotFound => "Not found",
            Kind::MethodNotAllowed => "Method not allowed",
            Kind::BodyTooLarge => "Body too large",
            Kind::UnsupportedMediaType => "Unsupported media type",
            Kind::EmptyLog => "Empty log",
            Kind::TooManyRequests => "Too many requests",
            Kind::Timeout => "Request timed out",
            Kind::ShuttingDown => "Shutting down",
            Kind::Internal => "Internal server error",
        }
    }
}

/// RFC 9457 problem details as serialized.
#[derive(Debug, Serialize)]
pub struct Problem<'a> {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: &'a str,
    #[serde(flatten)]
    pub extra: &'a Map<String, Value>,
}

/// An error answered as problem details.
#[derive(Debug)]
pub struct AppError {
    pub kind: Kind,
    /// Shown to the client (never for [`Kind::Internal`]).
    pub detail: String,
    /// Extra members of the problem object.
    pub extra: Map<String, Value>,
    /// The cause of an internal error, logged and never shown.
    cause: Option<String>,
    /// Ask the client to close the connection (the body was left unread).
    close: bool,
}

impl AppError {
    /// A user error with a message.
    pub fn new(kind: Kind, detail: impl Into<String>) -> AppError {
        AppError {
            kind,
            detail: detail.into(),
            extra: Map::new(),
            cause: None,
            close: false,
        }
    }

    /// An internal error: `cause` is logged, the client sees a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        AppError {
            kind: Kind::Internal,
            detail: "the server failed to answer; the cause is in its log".to_string(),
            extra: Map::new(),
            cause: Some(cause.to_string()),
            close: false,
        }
    }

    /// Adds a member to the problem object.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> AppError {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// 404 for an entry id.
    pub fn no_entry(id: &str) -> AppError {
        AppError::new(Kind::NotFound, format!("no entry with id `{id}`")).with("id", id)
    }

    /// 413 with the limit.
    pub fn too_large(limit: usize, after_decompression: bool) -> AppError {
        let what = if after_decompression {
            "the decompressed body"
        } else {
            "the body"
        };
        let mut error = AppError::new(
            Kind::BodyTooLarge,
            format!("{what} is larger than the limit of {limit} bytes"),
        )
        .with("limit_bytes", limit);
        error.close = !after_decompression;
        error
    }

    /// The problem object: `type`, `title`, `status`, `detail`, then the extras.
    pub fn problem(&self) -> Problem<'_> {
        Problem {
            kind: self.kind.type_uri(),
            title: self.kind.title(),
            status: self.kind.status().as_u16(),
            detail: &self.detail,
            extra: &self.extra,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.title(), self.detail)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(error = %cause, "internal error");
        }
        let body = to_html_safe_json(&self.problem()).unwrap_or_default();
        let mut response = (self.kind.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match self.kind {
            Kind::TooManyRequests | Kind::Timeout => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Kind::ShuttingDown => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// `Result` of handlers.
pub type AppResult<T> = Result<T, AppError>;
