//! The environment a log reveals: runner image and version, and the tool versions that
//! setup steps print (node, npm, python, pip, rustc, cargo, java, go, terraform, docker).

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// (key, literal that must be on the line, regex with a `v` group for the value).
const PROBES: &[(&str, &str, &str)] = &[
    (
        "runner",
        "runner version",
        r"Current runner version: '(?P<v>[\d.]+)'",
    ),
    (
        "runner",
        "gitlab-runner",
        r"Running with gitlab-runner (?P<v>\d+\.\d+\.\d+)",
    ),
    (
        "runner_image",
        "Image: ",
        r"^Image: (?P<v>[A-Za-z][\w.-]*)$",
    ),
    (
        "runner_image_version",
        "Version: ",
        r"^Version: (?P<v>\d{8}\.\d+(?:\.\d+)?)$",
    ),
    (
        "runner_image",
        "executor with image",
        r"executor with image (?P<v>\S+)",
    ),
    ("os", "Distributor ID:", r"Distributor ID:\s*(?P<v>\w+)"),
    ("node", "Node.js v", r"Node\.js v(?P<v>\d+\.\d+\.\d+)"),
    (
        "node",
        "/node/",
        r"/hostedtoolcache/node/(?P<v>\d+\.\d+\.\d+)/",
    ),
    ("node", "node/v", r"\bnode/v(?P<v>\d+\.\d+\.\d+)"),
    ("npm", "npm/", r"\bnpm/(?P<v>\d+\.\d+\.\d+) node/"),
    ("npm", "npm  v", r"npm ERR! npm  v(?P<v>\d+\.\d+\.\d+)"),
    ("node", "node v", r"npm ERR! node v(?P<v>\d+\.\d+\.\d+)"),
    (
        "python",
        "CPython",
        r"set up CPython \((?P<v>\d+\.\d+\.\d+)",
    ),
    (
        "python",
        "/Python/",
        r"/hostedtoolcache/Python/(?P<v>\d+\.\d+\.\d+)/",
    ),
    ("python", "Python 3", r"^Python (?P<v>3\.\d+\.\d+)\s*$"),
    ("pip", "pip ", r"^pip (?P<v>\d+\.\d+(?:\.\d+)?) from "),
    ("rustc", "rustc ", r"\brustc (?P<v>1\.\d+\.\d+)"),
    ("cargo", "cargo ", r"^cargo (?P<v>1\.\d+\.\d+)"),
    (
        "java",
        "version \"",
        r#"(?:openjdk|java) version "(?P<v>\d+[\d._]*)""#,
    ),
    (
        "java",
        "Java_",
        r"/hostedtoolcache/Java_\w+?_jdk/(?P<v>\d+[\d.]*)",
    ),
    (
        "go",
        "go version go",
        r"go version go(?P<v>\d+\.\d+(?:\.\d+)?)",
    ),
    ("go", "/go/", r"/hostedtoolcache/go/(?P<v>\d+\.\d+\.\d+)/"),
    (
        "terraform",
        "Terraform v",
        r"^Terraform v(?P<v>\d+\.\d+\.\d+)",
    ),
    (
        "docker",
        "Docker version",
        r"Docker version (?P<v>\d+\.\d+\.\d+)",
    ),
    (
        "kubectl",
        "Client Version",
        r"Client Version: v?(?P<v>\d+\.\d+\.\d+)",
    ),
    (
        "helm",
        "BuildInfo",
        r#"BuildInfo\{Version:"v(?P<v>\d+\.\d+\.\d+)""#,
    ),
];

// Probe ids are tracked in a u64 bit set.
const _: () = assert!(PROBES.len() <= 64);

static PROBE_REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PROBES
        .iter()
        .map(|p| Regex::new(p.2).expect("probe regex compiles"))
        .collect()
});

/// The literal each probe needs on a line; the caller finds them (ASCII
/// case-insensitively) and passes their ids to [`Environment::observe`].
pub fn probe_literals() -> impl Iterator<Item = &'static str> {
    PROBES.iter().map(|p| p.1)
}

/// Tool versions found so far; the first value seen for a key wins.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub values: BTreeMap<String, String>,
}

impl Environment {
    /// Reads whatever versions `text` states; `probes` has bit `i` set when the `i`th
    /// of [`probe_literals`] occurs in it.
    pub fn observe(&mut self, probes: u64, text: &str) {
        for id in super::set_bits(probes) {
            let key = PROBES[id].0;
            if self.values.contains_key(key) {
                continue;
            }
            if let Some(v) = PROBE_REGEXES[id].captures(text).and_then(|c| c.name("v")) {
                self.values.insert(key.to_string(), v.as_str().to_string());
            }
        }
    }

    /// The version of `tool` (e.g. `node`), if the log stated it.
    pub fn version(&self, tool: &str) -> Option<&str> {
        self.values.get(tool).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions() {
        let mut env = Environment::default();
        for line in [
            "Current runner version: '2.311.0'",
            "Image: ubuntu-22.04",
            "Version: 20240115.1.0",
            "Found in cache @ /opt/hostedtoolcache/node/20.11.0/x64",
            "Successfully set up CPython (3.11.7)",
            "go version go1.21.5 linux/amd64",
            "rustc 1.75.0 (82e1608df 2023-12-21)",
            "Node.js v18.19.0",
        ] {
            env.observe(crate::logtext::naive_bits(probe_literals(), line), line);
        }
        assert_eq!(env.version("runner"), Some("2.311.0"));
        assert_eq!(env.version("runner_image"), Some("ubuntu-22.04"));
        assert_eq!(env.version("runner_image_version"), Some("20240115.1.0"));
        assert_eq!(env.version("node"), Some("20.11.0"));
        assert_eq!(env.version("python"), Some("3.11.7"));
        assert_eq!(env.version("go"), Some("1.21.5"));
        assert_eq!(env.version("rustc"), Some("1.75.0"));
    }
}
