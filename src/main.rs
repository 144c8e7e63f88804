//! The `logdoc` command line.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use logdoc::catalog::{self, Severity};
use logdoc::import;
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
    ///
    /// Every source file is tried; bad ones are listed with the reason. Exits 0 when
    /// all were imported, 1 when some were skipped, 2 on bad usage.
    Import(ImportArgs),
    /// Write a catalog entry in another knowledge base's JSON shape.
    Export(ExportArgs),
    /// Render the static docs site.
    BuildSite,
    /// Measure matching quality on labelled CI logs.
    Eval,
}

/// Knowledge bases `logdoc import` reads.
#[derive(Clone, Copy, ValueEnum)]
enum ImportSource {
    /// deadends.dev canons: a directory of `<domain>/<slug>/<env>.json`.
    Deadends,
    /// errorcanon entries: a JSON file or a directory of them.
    Errorcanon,
}

#[derive(Args)]
struct ImportArgs {
    /// The knowledge base to read.
    source: ImportSource,
    /// Source file or directory.
    src: PathBuf,
    /// Catalog directory to write (created if missing; files of the same path are
    /// overwritten, others left alone).
    #[arg(long)]
    out: PathBuf,
}

/// Shapes `logdoc export` writes.
#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// The errorcanon JSON entry.
    Errorcanon,
}

#[derive(Args)]
struct ExportArgs {
    /// The shape to write.
    format: ExportFormat,
    /// Entry id, e.g. `policy/github-actions-oidc-token-permission-denied`.
    id: String,
    #[arg(long = "catalog", default_value = DEFAULT_CATALOG)]
    catalogs: Vec<PathBuf>,
    /// Output file (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
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
        Command::Import(args) => import(&args),
        Command::Export(args) => export(&args),
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

fn import(args: &ImportArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut progress = |done: usize, total: usize| {
        if done < total {
            eprintln!("logdoc import: {done}/{total} files");
        }
    };
    let result = match args.source {
        ImportSource::Deadends => import::deadends::convert(&args.src, &mut progress),
        ImportSource::Errorcanon => import::errorcanon::convert(&args.src, &mut progress),
    };
    let import = result.context("cannot read the source")?;
    import::write(&args.out, &import.files).context("cannot write the catalog")?;
    let report = &import.report;
    for skipped in &report.skipped {
        println!("skipped {}: {}", skipped.path.display(), skipped.reason);
    }
    for note in &report.notes {
        println!("{note}");
    }
    println!("{}", report.summary());
    eprintln!(
        "logdoc import: wrote {} files to {} in {:.2?}",
        import.files.len(),
        args.out.display(),
        started.elapsed()
    );
    Ok(if report.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn export(args: &ExportArgs) -> Result<ExitCode> {
    let loaded = catalog::load(&args.catalogs);
    let Some(entry) = loaded.catalog.get(&args.id) else {
        let problems = loaded
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        anyhow::bail!(
            "no entry `{}` in {} ({problems} catalog errors; run `logdoc check`)",
            args.id,
            args.catalogs
                .iter()
                .map(|c| c.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let text = match args.format {
        ExportFormat::Errorcanon => import::errorcanon::to_json(entry),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            if let Err(err) = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                && err.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(err).context("cannot write to standard output");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
