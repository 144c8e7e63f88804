//! `logdoc search` end to end, on the fixture catalog of the index tests.

use std::path::Path;
use std::process::{Command, Output};

fn search(args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new(env!("CARGO_BIN_EXE_logdoc"))
        .current_dir(root)
        .arg("search")
        .args(["--catalog", "tests/fixtures/index"])
        .args(args)
        .output()
        .expect("logdoc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

#[test]
fn text_output_lists_id_title_and_plain_snippet() {
    let output = search(&["lockfile", "script"]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    let first = text.lines().next().unwrap();
    assert!(
        first.ends_with("node/npm-ci-lockfile-out-of-sync [en]"),
        "{text}"
    );
    assert!(text.contains("npm ci refuses to install"), "{text}");
    // Plain text: no highlight tags, entities decoded.
    assert!(text.contains("<script>alert(\"x\")</script>"), "{text}");
    assert!(!text.contains("<b>") && !text.contains("&lt;"), "{text}");
}

#[test]
fn json_output_with_lang_filter() {
    let output = search(&["--lang", "zh", "--format", "json", "令牌"]);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["query"], "令牌");
    assert_eq!(json["lang"], "zh");
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0]["id"],
        "policy/github-actions-oidc-token-permission-denied"
    );
    assert_eq!(hits[0]["lang"], "zh");
    assert!(hits[0]["score"].as_f64().unwrap() > 0.0);
    assert!(
        hits[0]["snippet_html"]
            .as_str()
            .unwrap()
            .contains("<b>令牌</b>")
    );
}

#[test]
fn words_are_joined_and_limit_applies() {
    let output = search(&[
        "--limit",
        "2",
        "--format",
        "json",
        "permission",
        "denied",
        "space",
    ]);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["query"], "permission denied space");
    assert_eq!(json["hits"].as_array().unwrap().len(), 2);
}

#[test]
fn nothing_found_exits_1() {
    let output = search(&["zzzzqqq"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn odd_query_is_not_an_error() {
    let output = search(&["\"((:^", "[a TO", "*"]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(search(&["--lang", "xx", "token"]).status.code(), Some(2));
    assert_eq!(search(&[]).status.code(), Some(2));
    let missing = Command::new(env!("CARGO_BIN_EXE_logdoc"))
        .args(["search", "--catalog", "/nonexistent/catalog", "token"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
}
