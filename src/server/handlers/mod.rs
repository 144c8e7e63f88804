//! One module per group of routes; each handler reads the shared [`super::App`] and
//! answers JSON, text or HTML, or an [`super::AppError`].

pub mod diagnose;
pub mod errors;
pub mod machine;
pub mod ops;
pub mod search;
