//! Version conditions such as `node >=18 <20`, attached to version rows and fixes and
//! checked against the tool versions read from a log.

use std::cmp::Ordering;

/// A tool name and a conjunction of comparisons on its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub tool: String,
    bounds: Vec<(Op, Vec<u64>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Requirement {
    /// Parses `<tool> <op><version> [<op><version>...]`, ops `<`, `<=`, `>`, `>=`, `=`.
    pub fn parse(text: &str) -> Result<Requirement, String> {
        let mut words = text.split_whitespace();
        let tool = words
            .next()
            .ok_or("empty version condition; write e.g. `node >=18`")?;
        let mut bounds = Vec::new();
        for word in words {
            let (op, rest) = [
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("<", Op::Lt),
                (">", Op::Gt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(s, op)| word.strip_prefix(s).map(|r| (*op, r)))
            .ok_or_else(|| {
                format!("`{word}` in `{text}` needs one of <, <=, >, >=, = before the version")
            })?;
            let version = parse_version(rest)
                .ok_or_else(|| format!("`{rest}` in `{text}` is not a version like 18 or 1.2.3"))?;
            bounds.push((op, version));
        }
        if bounds.is_empty() {
            return Err(format!(
                "`{text}` has no version bound; write e.g. `{tool} >=18`"
            ));
        }
        Ok(Requirement {
            tool: tool.to_ascii_lowercase(),
            bounds,
        })
    }

    /// Whether `version` (e.g. `20.11.1`, `v18`) satisfies every bound; `None` when it
    /// cannot be read as a version.
    pub fn matches(&self, version: &str) -> Option<bool> {
        let have = parse_version(version.trim_start_matches(['v', 'V']))?;
        Some(self.bounds.iter().all(|(op, want)| {
            // Compare only as many components as the bound names: `<20` holds for 19.9.
            let n = want.len().min(have.len());
            let ord = have[..n].cmp(&want[..n]);
            match op {
                Op::Lt => ord == Ordering::Less,
                Op::Le => ord != Ordering::Greater,
                Op::Gt => ord == Ordering::Greater,
                Op::Ge => ord != Ordering::Less,
                Op::Eq => ord == Ordering::Equal,
            }
        }))
    }
}

/// Leading dotted numbers of a version string: `20.11.1-beta` -> [20, 11, 1].
fn parse_version(text: &str) -> Option<Vec<u64>> {
    let numeric: Vec<u64> = text
        .split('.')
        .map_while(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    (!numeric.is_empty()).then_some(numeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let r = Requirement::parse("node >=18 <20").unwrap();
        assert_eq!(r.matches("v18.19.0"), Some(true));
        assert_eq!(r.matches("20.1.0"), Some(false));
        assert_eq!(r.matches("16"), Some(false));
        assert_eq!(r.matches("abc"), None);
    }

    #[test]
    fn rejects_bad_conditions() {
        assert!(Requirement::parse("node").is_err());
        assert!(Requirement::parse("node 18").is_err());
        assert!(Requirement::parse("node >=x").is_err());
    }
}
