//! Turning entries and reports into what people and programs read: localized entry
//! content, the diagnosis JSON object, text and Markdown.

pub mod localize;
pub mod report;

pub use localize::{Localized, language, localize};
pub use report::{ReportView, markdown, text, view};
