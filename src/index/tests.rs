//! Tests on tiny in-RAM indexes built from `tests/fixtures/index`.

use super::*;
use crate::catalog;
use std::path::Path;
use std::sync::LazyLock;

const OIDC: &str = "policy/github-actions-oidc-token-permission-denied";
const NPM: &str = "node/npm-ci-lockfile-out-of-sync";
const GIT: &str = "git/permission-denied-publickey";
const DOCKER: &str = "docker/no-space-left-on-device";
const PYTHON: &str = "python/module-not-found";

fn fixture_catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/index");
    let loaded = catalog::load(&[dir]);
    assert!(loaded.problems.is_empty(), "{:#?}", loaded.problems);
    loaded.catalog
}

static INDEX: LazyLock<Index> = LazyLock::new(|| Index::build(&fixture_catalog()).unwrap());

fn ids(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn one_document_per_entry_and_language() {
    // 5 entries, 6 translations.
    assert_eq!(INDEX.num_docs(), 11);
}

#[test]
fn english_words_are_stemmed() {
    // "install packages" is in the npm title and signature, "Installing packages" in
    // the Python body.
    let hits = INDEX.search("installing package", Some("en"), 10).unwrap();
    assert_eq!(ids(&hits), [NPM, PYTHON]);
    assert!(
        hits[0].snippet_html.contains("<b>"),
        "{}",
        hits[0].snippet_html
    );

    let hits = INDEX.search("denying permissions", None, 10).unwrap();
    assert!(ids(&hits).contains(&GIT), "{hits:?}");
    assert!(ids(&hits).contains(&OIDC), "{hits:?}");
}

#[test]
fn title_and_signature_outrank_body() {
    // "disk" is a tag-like word only in the docker body; "space" is in its title.
    let hits = INDEX.search("space", None, 10).unwrap();
    assert_eq!(hits[0].id, DOCKER);
    // A word in the OIDC title beats the same word deep in another body.
    let hits = INDEX.search("token", Some("en"), 10).unwrap();
    assert_eq!(hits[0].id, OIDC);
}

#[test]
fn chinese_query_finds_chinese_text() {
    let hits = INDEX.search("令牌", None, 10).unwrap();
    assert_eq!(ids(&hits), [OIDC]);
    assert_eq!(hits[0].lang, "zh");
    assert_eq!(
        hits[0].title,
        "GitHub Actions OIDC 令牌请求被拒绝：缺少 id-token 权限"
    );
    assert!(
        hits[0].snippet_html.contains("<b>令牌</b>"),
        "{}",
        hits[0].snippet_html
    );

    // A longer run is searched as its bigrams: 权限 matches although 令牌权限 never occurs.
    let hits = INDEX.search("令牌权限", Some("zh"), 10).unwrap();
    assert_eq!(ids(&hits), [OIDC]);
    // A quoted run is an exact phrase.
    assert!(
        INDEX
            .search("\"令牌权限\"", Some("zh"), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(&INDEX.search("\"令牌请求\"", Some("zh"), 10).unwrap()),
        [OIDC]
    );

    let hits = INDEX.search("磁盘已满", None, 10).unwrap();
    assert_eq!(ids(&hits), [DOCKER]);
}

#[test]
fn korean_query_finds_korean_text() {
    let hits = INDEX.search("토큰", None, 10).unwrap();
    assert_eq!(ids(&hits), [OIDC]);
    assert_eq!(hits[0].lang, "ko");
    // Particles attached to the word do not prevent the match (토큰을 contains 토큰).
    let hits = INDEX.search("권한이", Some("ko"), 10).unwrap();
    assert_eq!(ids(&hits), [OIDC]);
}

#[test]
fn german_and_russian_are_stemmed() {
    // The German text has "Berechtigung" and "Berechtigungen".
    let hits = INDEX.search("berechtigungen", None, 10).unwrap();
    assert_eq!(ids(&hits), [OIDC]);
    assert_eq!(hits[0].lang, "de");
    // Russian: "ключа"/"ключ" in the text, "ключи" asked.
    let hits = INDEX.search("ключи", None, 10).unwrap();
    assert_eq!(ids(&hits), [GIT]);
    assert_eq!(hits[0].lang, "ru");
}

#[test]
fn lang_filter_and_english_fallback() {
    // The pt translation only has a title: its root cause falls back to English.
    let hits = INDEX.search("lockfile", Some("pt"), 10).unwrap();
    assert_eq!(ids(&hits), [NPM]);
    assert_eq!(hits[0].lang, "pt");
    assert!(hits[0].title.starts_with("npm ci recusa"));
    // The git entry has no zh translation, so a zh search cannot find it.
    assert!(
        INDEX
            .search("publickey", Some("zh"), 10)
            .unwrap()
            .is_empty()
    );
    // The zh docker document has the English fixes.
    let hits = INDEX.search("prune", Some("zh"), 10).unwrap();
    assert_eq!(ids(&hits), [DOCKER]);
    // Unknown languages find nothing instead of failing.
    assert!(INDEX.search("lockfile", Some("xx"), 10).unwrap().is_empty());
}

#[test]
fn without_lang_each_entry_appears_once() {
    // "oidc" is in the en, zh, ko and de titles.
    let hits = INDEX.search("oidc", None, 10).unwrap();
    assert_eq!(ids(&hits), [OIDC]);
    let hits = INDEX.search("oidc", None, 1).unwrap();
    assert_eq!(hits.len(), 1);
}

#[test]
fn entries_with_every_word_come_first() {
    // Only the OIDC entry has both words; git has "denied" in its title and signature.
    let hits = INDEX.search("token denied", None, 10).unwrap();
    assert_eq!(hits[0].id, OIDC, "{hits:?}");
    assert!(ids(&hits).contains(&GIT), "{hits:?}");
    // No entry has both: the ones with either still come.
    let hits = INDEX.search("ssh lockfile", None, 10).unwrap();
    assert_eq!(hits.len(), 2, "{hits:?}");
}

#[test]
fn english_queries_find_english_documents() {
    // The zh, ko and de OIDC documents hold the English signature and fixes too.
    for query in ["permission denied", "ACTIONS_ID_TOKEN_REQUEST_URL", "prune"] {
        let hits = INDEX.search(query, None, 10).unwrap();
        assert!(!hits.is_empty(), "{query}");
        assert!(hits.iter().all(|h| h.lang == "en"), "{query}: {hits:?}");
    }
}

#[test]
fn limit_is_respected() {
    let hits = INDEX.search("the", None, 2).unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits[0].score >= hits[1].score);
    assert!(INDEX.search("the", None, 0).unwrap().is_empty());
    assert!(!INDEX.search("the", None, usize::MAX).unwrap().is_empty());
}

#[test]
fn snippets_are_escaped_apart_from_highlights() {
    let hits = INDEX.search("script", None, 10).unwrap();
    assert_eq!(ids(&hits), [NPM]);
    let html = &hits[0].snippet_html;
    assert!(html.contains("&lt;<b>script</b>&gt;"), "{html}");
    assert!(html.contains("&quot;x&quot;"), "{html}");
    assert!(html.contains("&amp; more"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    let without_highlights = html.replace("<b>", "").replace("</b>", "");
    assert!(!without_highlights.contains(['<', '>']), "{html}");
    assert!(
        hits[0]
            .snippet_text()
            .contains("<script>alert(\"x\")</script> & more")
    );
}

#[test]
fn hit_without_snippet_text_shows_root_cause() {
    // `tags:` searches a raw field: no text field has a highlight.
    let hits = INDEX.search("tags:ssh", None, 10).unwrap();
    assert_eq!(ids(&hits), [GIT]);
    assert!(
        hits[0].snippet_html.starts_with("The SSH agent"),
        "{}",
        hits[0].snippet_html
    );
}

#[test]
fn field_syntax_works() {
    let hits = INDEX.search("domain:python", None, 10).unwrap();
    assert_eq!(ids(&hits), [PYTHON]);
    let hits = INDEX.search("title_en:docker", None, 10).unwrap();
    assert_eq!(ids(&hits), [DOCKER]);
}

#[test]
fn signatures_match_lines_with_other_variables() {
    let line = "failed to register layer: write /var/lib/docker/overlay2/9a8b7c6d5e4f/diff/opt/app/big.bin: no space left on device";
    let matches = INDEX.signature_matches(line, 5);
    assert_eq!(matches[0].id, DOCKER, "{matches:?}");
    assert!(matches[0].coverage > 0.99, "{matches:?}");

    let matches = INDEX.signature_matches("ModuleNotFoundError: No module named 'numpy'", 5);
    assert_eq!(matches[0].id, PYTHON, "{matches:?}");
    assert!(matches[0].coverage > 0.99, "{matches:?}");

    let line = "npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.";
    let matches = INDEX.match_signatures(line, 5);
    assert_eq!(matches[0].0, NPM, "{matches:?}");

    let matches =
        INDEX.match_signatures("git@gitlab.example.com: Permission denied (publickey).", 5);
    assert_eq!(matches[0].0, GIT, "{matches:?}");
}

#[test]
fn partial_lines_have_partial_coverage() {
    let matches = INDEX.signature_matches("error: no space left", 5);
    let docker = matches.iter().find(|m| m.id == DOCKER).unwrap();
    assert!(docker.coverage > 0.0 && docker.coverage < 0.8, "{docker:?}");
    // Self-scores are positive and a line equal to the signature covers it fully.
    let own = INDEX.self_score(GIT).unwrap();
    assert!(own > 0.0);
    let matches = INDEX.signature_matches("git@github.com: Permission denied (publickey).", 5);
    assert_eq!(matches[0].id, GIT);
    assert!((matches[0].score - own).abs() < 1e-3, "{matches:?} {own}");
    assert_eq!(INDEX.self_score("no/such-entry"), None);
}

#[test]
fn localized_signature_matches_in_its_language() {
    let matches = INDEX.signature_matches("mkdir: 写入失败：设备上没有空间", 5);
    assert_eq!(matches[0].id, DOCKER, "{matches:?}");
    assert_eq!(matches[0].lang, "zh");
    assert!(matches[0].coverage > 0.99, "{matches:?}");
}

#[test]
fn unrelated_lines_match_nothing() {
    assert!(
        INDEX
            .match_signatures("Compiling serde v1.0.0", 5)
            .is_empty()
    );
    assert!(
        INDEX
            .match_signatures("12345 0xdeadbeef1 /usr/lib/x", 5)
            .is_empty()
    );
}

/// Inputs that break naive query handling.
fn odd_inputs() -> Vec<String> {
    let mut inputs: Vec<String> = [
        "",
        " ",
        "!!!...;;;",
        "\"((:^",
        "\"",
        "(((((",
        ")))",
        "a^nan",
        "a^1e999",
        "a^-1",
        "title_en:",
        ":",
        "*",
        "-",
        "-token",
        "NOT",
        "AND OR NOT",
        "[a TO",
        "{* TO *}",
        "id:[a TO z]",
        "ord:>3",
        "ord:[1 TO 2]",
        "\"a b\"~99999999999999999999",
        "\"permission denied\"*",
        "IN [a b",
        "lang:zh",
        "tags:",
        "\\",
        "\u{0}\u{1}\u{feff}",
        "🦀🦀🦀 令 ㄱ",
        "ي + عربى",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.push("permission denied ".repeat(6000)); // ~100 KB
    inputs.push("x".repeat(100_000));
    inputs.push("令牌".repeat(20_000));
    inputs.push("(".repeat(50_000));
    inputs.push("NOT ".repeat(10_000));
    inputs.push("a:(".repeat(10_000));
    inputs.push(format!("{}a{}", "(".repeat(8), ")".repeat(8)));
    inputs.push(format!("{}a", "NOT ".repeat(8)));
    inputs.push(format!("{}{}", "(".repeat(8), "NOT ".repeat(8)));
    inputs
}

#[test]
fn odd_input_never_fails_or_panics() {
    for input in odd_inputs() {
        for lang in [None, Some("en"), Some("zh"), Some("")] {
            INDEX
                .search(&input, lang, 10)
                .unwrap_or_else(|e| panic!("{input:?}: {e}"));
        }
        INDEX.match_signatures(&input, 10);
        INDEX.signature_matches(&input, 0);
    }
}

#[test]
fn long_line_is_cheap() {
    let line = "no space left on device ".repeat(5000);
    let start = std::time::Instant::now();
    let matches = INDEX.match_signatures(&line, 5);
    assert_eq!(matches[0].0, DOCKER);
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn empty_catalog_builds_an_empty_index() {
    let index = Index::build(&Catalog::default()).unwrap();
    assert_eq!(index.num_docs(), 0);
    assert!(index.search("anything", None, 10).unwrap().is_empty());
    assert!(index.match_signatures("anything", 10).is_empty());
}

#[test]
fn index_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Index>();
}

#[test]
fn translations_override_by_item_and_fall_back_per_field() {
    let catalog = fixture_catalog();
    let entry = catalog.get(OIDC).unwrap();
    let zh = text::DocText::translated(entry, 1, &entry.translations["zh"]);
    assert!(zh.title.contains("令牌"));
    // The fix's action is translated, its `how` is not: the English YAML stays.
    assert!(
        zh.fixes.contains("在工作流权限中授予 `id-token: write`"),
        "{}",
        zh.fixes
    );
    assert!(
        zh.fixes.contains("permissions:\n  id-token: write"),
        "{}",
        zh.fixes
    );
    assert!(
        !zh.fixes.contains("Grant `id-token: write`"),
        "{}",
        zh.fixes
    );
    // The dead end is not translated at all.
    assert!(zh.fixes.contains("Store AWS keys as repository secrets"));
    // No zh signature: the English one.
    assert_eq!(zh.signature, entry.meta.signature);
    assert!(zh.body.starts_with("发生了什么"));
    // The fix is searchable in Chinese.
    let hits = INDEX.search("授予", Some("zh"), 10).unwrap();
    assert_eq!(ids(&hits), [OIDC]);
}
