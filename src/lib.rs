//! logdoc: names the known error in a raw CI log, shows the lines that prove it and
//! says what fixes it and what does not.
//!
//! Data flows one way: catalog files -> [`catalog`] (typed, validated entries) ->
//! the matcher and index (built once, immutable) -> rendering. [`import`] turns other
//! knowledge bases into catalog files and exports entries back; [`server`] serves
//! the diagnosis, the entries and search over HTTP.

pub mod catalog;
pub mod eval;
pub mod import;
pub mod index;
pub mod logtext;
pub mod matcher;
pub mod render;
pub mod server;
