//! logdoc: names the known error in a raw CI log, shows the lines that prove it and
//! says what fixes it and what does not.
//!
//! Data flows one way: catalog files -> [`catalog`] (typed, validated entries) ->
//! the matcher and index (built once, immutable) -> rendering.

pub mod catalog;
pub mod index;
pub mod logtext;
