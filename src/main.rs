//! The `logdoc` command line.

use anyhow::Result;
use clap::{Parser, Subcommand};
use logdoc::catalog::{self, Severity};
use std::path::PathBuf;
use std::process::ExitCode;

/// Names the known error in a raw CI log, shows the lines that prove it, and says what
/// fixes it and what does not.
#[derive(Parser)]
#[command(name = "logdoc", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The bundled catalog, used when no `--catalog` is given.
const DEFAULT_CATALOG: &str = "catalog";

#[derive(Subcommand)]
enum Command {
    /// Validate catalog directories: report every problem as `path:line: message`.
    ///
    /// Exits 0 when there are no errors (warnings are printed but do not fail), 1 when
    /// there are, 2 on bad usage.
    Check {
        /// Catalog directories, merged (default: the bundled `catalog`).
        dirs: Vec<PathBuf>,
    },
    /// Diagnose raw CI logs: name the known error, the lines that prove it, the fixes.
    Diagnose {
        #[arg(long = "catalog", default_value = DEFAULT_CATALOG)]
        catalogs: Vec<PathBuf>,
        /// Log files (`-` reads standard input).
        files: Vec<PathBuf>,
    },
    /// Serve the JSON API and the web pages over HTTP.
    Serve,
    /// Full-text search over the catalog.
    ///
    /// Exits 0 when something was found, 1 when nothing was, 2 on errors.
    Search(SearchArgs),
    /// Import another knowledge base into catalog files.
    Import,
    /// Render the static docs site.
    BuildSite,
    /// Measure matching quality on labelled CI logs.
    Eval,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("logdoc: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check { dirs } => Ok(check(&dirs)),
        Command::Diagnose { .. } => not_built("diagnose"),
        Command::Serve => not_built("serve"),
        Command::Search(args) => search(&args),
        Command::Import => not_built("import"),
        Command::BuildSite => not_built("build-site"),
        Command::Eval => not_built("eval"),
    }
}

fn not_built(name: &str) -> Result<ExitCode> {
    eprintln!("logdoc {name}: not built yet");
    Ok(ExitCode::from(2))
}

fn check(dirs: &[PathBuf]) -> ExitCode {
    let dirs = if dirs.is_empty() {
        vec![PathBuf::from(DEFAULT_CATALOG)]
    } else {
        dirs.to_vec()
    };
    let loaded = catalog::load(&dirs);
    for problem in &loaded.problems {
        println!("{problem}");
    }
    let errors = loaded
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = loaded.problems.len() - errors;
    eprintln!(
        "checked {} entries ({} translations): {errors} errors, {warnings} warnings",
        loaded.catalog.len(),
        loaded
            .catalog
            .entries()
            .iter()
            .map(|e| e.translations.len())
            .sum::<usize>()
    );
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Arguments of `logdoc search`.
#[derive(clap::Args)]
struct SearchArgs {
    /// Catalog directories, merged (default: the bundled `catalog`).
    #[arg(long = "catalog", default_value = DEFAULT_CATALOG)]
    catalogs: Vec<PathBuf>,
    /// Search only this language's text (default: all, each entry in its best language).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(catalog::LANGS))]
    lang: Option<String>,
    /// Most hits to print.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// `text` for people, `json` for programs (one object: query, lang, hits).
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    format: SearchFormat,
    /// Words to search for (tantivy query syntax: `"a phrase"`, `tags:npm`, `a AND b`).
    #[arg(required = true)]
    query: Vec<String>,
}

/// Output format of `logdoc search`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SearchFormat {
    Text,
    Json,
}

fn search(args: &SearchArgs) -> Result<ExitCode> {
    use std::io::Write;

    let loaded = catalog::load(&args.catalogs);
    if loaded.has_errors() {
        let errors = loaded
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error);
        if loaded.catalog.is_empty() {
            let first = errors.map(ToString::to_string).next().unwrap_or_default();
            anyhow::bail!("no catalog entries loaded: {first}");
        }
        eprintln!(
            "logdoc search: {} catalog errors (see `logdoc check`); searching the {} entries that loaded",
            errors.count(),
            loaded.catalog.len()
        );
    }
    let index = logdoc::index::Index::build(&loaded.catalog)?;
    let query = args.query.join(" ");
    let hits = index.search(&query, args.lang.as_deref(), args.limit)?;

    let mut out = std::io::stdout().lock();
    let written = match args.format {
        SearchFormat::Json => {
            let doc = serde_json::json!({"query": query, "lang": args.lang, "hits": hits});
            writeln!(out, "{doc}")
        }
        SearchFormat::Text => hits.iter().try_for_each(|hit| {
            writeln!(out, "{:>7.2}  {} [{}]", hit.score, hit.id, hit.lang)?;
            writeln!(out, "         {}", hit.title)?;
            writeln!(out, "         {}", hit.snippet_text().replace('\n', " "))
        }),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(err) => return Err(err.into()),
    }
    if hits.is_empty() {
        if let SearchFormat::Text = args.format {
            eprintln!("no entries match `{query}`");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
