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
    Search,
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
        Command::Search => not_built("search"),
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
