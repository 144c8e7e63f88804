//! Turning a source knowledge base's ids into valid catalog ids.
//!
//! Catalog id segments are lowercase ASCII letters, digits, `-` and `_` and do not
//! start with `-` (see `catalog::validate`). Source ids such as
//! `cmake/policy-cmp-warning/cmake3.28-linux` are mapped deterministically: uppercase
//! letters become lowercase, every other refused character becomes `_`, and a leading
//! `-` gets a `_` before it. So `cmake3.28-linux` becomes `cmake3_28-linux`.

/// A source id mapped to a catalog id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedId {
    /// The catalog id.
    pub id: String,
    /// Whether it differs from the source id.
    pub changed: bool,
}

/// Maps `source` (2 or 3 `/`-separated segments) to a catalog id; the error says why
/// the id cannot be mapped.
pub fn map_id(source: &str) -> Result<MappedId, String> {
    let segments: Vec<&str> = source.split('/').collect();
    if !(2..=3).contains(&segments.len()) {
        return Err(format!(
            "id `{source}` has {} segments; a catalog id has 2 or 3 (`<domain>/<slug>[/<variant>]`)",
            segments.len()
        ));
    }
    let mut mapped = Vec::with_capacity(segments.len());
    for segment in segments {
        if segment.trim().is_empty() {
            return Err(format!("id `{source}` has an empty segment"));
        }
        mapped.push(map_segment(segment));
    }
    let id = mapped.join("/");
    let changed = id != source;
    Ok(MappedId { id, changed })
}

/// Maps one id segment; see the module docs.
pub fn map_segment(segment: &str) -> String {
    let mut out: String = segment
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    if out.starts_with('-') {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_valid_ids() {
        let m = map_id("grpc/deadline-exceeded/grpc1-linux").unwrap();
        assert_eq!(m.id, "grpc/deadline-exceeded/grpc1-linux");
        assert!(!m.changed);
    }

    #[test]
    fn maps_refused_characters() {
        let m = map_id("cmake/policy-cmp-warning/cmake3.28-linux").unwrap();
        assert_eq!(m.id, "cmake/policy-cmp-warning/cmake3_28-linux");
        assert!(m.changed);
        assert_eq!(map_segment("-Foo+Bar"), "_-foo_bar");
    }

    #[test]
    fn refuses_unmappable_ids() {
        assert!(map_id("one").is_err());
        assert!(map_id("a/b/c/d").is_err());
        assert!(map_id("a//c").is_err());
    }
}
