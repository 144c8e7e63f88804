//! The `logdoc` command line.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use logdoc::catalog::{self, Catalog, Severity};
use logdoc::import;
use logdoc::index::Index;
use logdoc::matcher::{self, Baseline, Matcher, Options};
use logdoc::render;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Names the known error in a raw CI log, shows the lines that prove it, and says what
/// fixes it and what does not.
#[derive(Parser)]
#[command(name = "logdoc", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The bundled catalog, used when no `--catalog` is given: `catalog` in the working
/// directory, or else the one beside the sources the binary was built from (see
/// [`resolve_catalog`]).
const DEFAULT_CATALOG: &str = "catalog";

/// Where the bundled catalog was when the binary was built.
const BUILT_CATALOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");

/// `dir`, except that the default name, when the working directory has no such
/// directory, means the bundled catalog the binary was built with: `logdoc diagnose
/// job.log` works from any directory.
fn resolve_catalog(dir: &Path) -> PathBuf {
    let built = Path::new(BUILT_CATALOG);
    if dir == Path::new(DEFAULT_CATALOG) && !dir.is_dir() && built.is_dir() {
        built.to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

#[derive(Subcommand)]
enum Command {
    /// Validate catalog directories: report every problem as `path:line: message`.
    ///
    /// Checks the format (unknown keys, required fields, rates, dates, URLs, regexes,
    /// translations, related ids) and runs every example and counter-example through
    /// the matcher. Exits 0 when there are no errors (warnings are printed but do not
    /// fail), 1 when there are, 2 on bad usage.
    Check {
        /// Catalog directories, merged (default: the bundled `catalog`).
        dirs: Vec<PathBuf>,
    },
    /// Diagnose raw CI logs: name the known error, the lines that prove it, the fixes.
    ///
    /// Reads plain text, gzip, or a GitHub log archive (zip). Exits 0 when it ran,
    /// whatever it found; 2 on bad usage or unreadable input.
    Diagnose(DiagnoseArgs),
    /// Serve the JSON API and the entry pages over HTTP.
    ///
    /// Routes: POST /api/v1/diagnose (text/plain, gzip, zip or JSON {"log": ...});
    /// GET /api/v1/errors, /api/v1/errors/{id}, /errors/{id}.json, /errors/{id}.md,
    /// /{lang}/errors/{id}/, /api/v1/search?q=, /api/v1/stats, /api/v1/errors.ndjson,
    /// /llms.txt, /openapi.json, /healthz, /metrics. Every option can also be set by
    /// the environment variable shown. Logs go to stderr; `LOGDOC_LOG` sets the level
    /// (e.g. `warn`, `info,logdoc=debug`; default `info`). Stops gracefully on SIGTERM
    /// or SIGINT: in-flight requests finish, new ones get 503.
    Serve(ServeArgs),
    /// Full-text search over the catalog.
    ///
    /// Exits 0 when something was found, 1 when nothing was, 2 on errors.
    Search(SearchArgs),
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
    ///
    /// DIR holds `cases.json` (a list of {case, source, ci, key_line, expected, note})
    /// and `cases/<case>.log`. Reports precision@1, recall@3, MRR, abstention on cases
    /// with an empty `expected`, key-line accuracy, diagnosis time and every miss.
    /// Exits 0 when it ran.
    Eval(EvalArgs),
}

#[derive(Args)]
struct DiagnoseArgs {
    /// Catalog directory; repeat to merge several. The default `catalog` means the
    /// bundled catalog when the working directory has none.
    #[arg(long = "catalog", default_value = DEFAULT_CATALOG)]
    catalogs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Language of titles, root causes and fixes (en, zh, de, ru, pt, ko); English
    /// where a translation is missing.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Log of a passing run of the same job: its lines are treated as noise.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Most diagnoses per log.
    #[arg(long, default_value_t = 3)]
    top: usize,
    /// Log files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Args)]
struct EvalArgs {
    /// Catalog directory; repeat to merge several. The default `catalog` means the
    /// bundled catalog when the working directory has none.
    #[arg(long = "catalog", default_value = DEFAULT_CATALOG)]
    catalogs: Vec<PathBuf>,
    /// `text` for people, `json` for machines.
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    format: EvalFormat,
    /// The labelled set.
    dir: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum EvalFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Md,
    Json,
    Jsonl,
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
            if err
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("logdoc: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check { dirs } => Ok(check(&dirs)),
        Command::Diagnose(args) => diagnose(args),
        Command::Serve(args) => serve(args),
        Command::Search(args) => search(&args),
        Command::Import(args) => import(&args),
        Command::Export(args) => export(&args),
        Command::BuildSite => not_built("build-site"),
        Command::Eval(args) => eval(args),
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LOGDOC_ADDR", default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Catalog directory; repeat to merge several (in the variable: comma-separated).
    /// The default `catalog` means the bundled catalog when the working directory has
    /// none.
    #[arg(long = "catalog", env = "LOGDOC_CATALOG", value_delimiter = ',', default_value = DEFAULT_CATALOG)]
    catalogs: Vec<PathBuf>,
    /// Database for outcome reports and occurrences (accepted, not used yet).
    #[arg(long, env = "LOGDOC_DATABASE_URL")]
    database: Option<String>,
    /// Prefix of the `url` and `api_url` links, e.g. https://logdoc.example.org
    /// (default: root-relative links).
    #[arg(long, env = "LOGDOC_PUBLIC_URL")]
    public_url: Option<String>,
    /// Largest request body, also after gzip/zip decompression (K, M, G suffixes).
    #[arg(long, env = "LOGDOC_MAX_BODY", default_value = "32M", value_parser = logdoc::server::config::parse_size)]
    max_body: usize,
    /// Longest time for one request, upload included (`30s`, `500ms`).
    #[arg(long, env = "LOGDOC_REQUEST_TIMEOUT", default_value = "30s", value_parser = logdoc::server::config::parse_duration)]
    request_timeout: std::time::Duration,
    /// Diagnoses running at once (default: the number of CPUs).
    #[arg(long, env = "LOGDOC_MAX_DIAGNOSES")]
    max_diagnoses: Option<usize>,
    /// Diagnose requests allowed beyond the running ones (uploading or waiting for a
    /// slot); more get 429.
    #[arg(long, env = "LOGDOC_DIAGNOSE_QUEUE", default_value_t = 128)]
    diagnose_queue: usize,
    /// Largest request head (request line and headers); larger gets 431. At least 8K.
    #[arg(long, env = "LOGDOC_MAX_HEADER_BYTES", default_value = "64K", value_parser = logdoc::server::config::parse_size)]
    max_header_bytes: usize,
    /// Most headers in one request.
    #[arg(long, env = "LOGDOC_MAX_HEADERS", default_value_t = 100)]
    max_headers: usize,
    /// Time a client has to send the request head.
    #[arg(long, env = "LOGDOC_HEADER_TIMEOUT", default_value = "10s", value_parser = logdoc::server::config::parse_duration)]
    header_timeout: std::time::Duration,
    /// After SIGTERM/SIGINT, keep the port open this long answering 503 (for load
    /// balancers to notice) before closing it.
    #[arg(long, env = "LOGDOC_SHUTDOWN_DELAY", default_value = "0s", value_parser = logdoc::server::config::parse_duration)]
    shutdown_delay: std::time::Duration,
    /// After SIGTERM/SIGINT, longest wait for in-flight requests.
    #[arg(long, env = "LOGDOC_SHUTDOWN_TIMEOUT", default_value = "30s", value_parser = logdoc::server::config::parse_duration)]
    shutdown_timeout: std::time::Duration,
    /// Log format on stderr.
    #[arg(long, env = "LOGDOC_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// Log format of `logdoc serve`.
#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn serve(args: ServeArgs) -> Result<ExitCode> {
    use logdoc::server;
    server::init_logging(match args.log_format {
        LogFormat::Text => server::LogFormat::Text,
        LogFormat::Json => server::LogFormat::Json,
    });
    let defaults = server::Config::default();
    let config = server::Config {
        addr: args.addr,
        public_url: args.public_url.unwrap_or_default(),
        max_body: args.max_body,
        request_timeout: args.request_timeout,
        max_diagnoses: args.max_diagnoses.unwrap_or(defaults.max_diagnoses),
        diagnose_queue: args.diagnose_queue,
        max_header_bytes: args.max_header_bytes,
        max_headers: args.max_headers,
        header_timeout: args.header_timeout,
        shutdown_delay: args.shutdown_delay,
        shutdown_timeout: args.shutdown_timeout,
    };
    let catalog = load_catalog(&args.catalogs)?;
    server::run(config, catalog, args.database)?;
    Ok(ExitCode::SUCCESS)
}

fn not_built(name: &str) -> Result<ExitCode> {
    eprintln!("logdoc {name}: not built yet");
    Ok(ExitCode::from(2))
}

fn check(dirs: &[PathBuf]) -> ExitCode {
    let default = [PathBuf::from(DEFAULT_CATALOG)];
    let dirs: Vec<PathBuf> = if dirs.is_empty() { &default } else { dirs }
        .iter()
        .map(|d| resolve_catalog(d))
        .collect();
    let loaded = catalog::load(&dirs);
    let mut problems = loaded.problems;
    let matcher = Matcher::new(&loaded.catalog);
    problems.extend(matcher::examples::check(&loaded.catalog, &matcher));
    for problem in &problems {
        println!("{problem}");
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    let translations: usize = loaded
        .catalog
        .entries()
        .iter()
        .map(|e| e.translations.len())
        .sum();
    eprintln!(
        "checked {} entries ({translations} translations): {errors} errors, {warnings} warnings",
        loaded.catalog.len()
    );
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Loads catalogs for use (not for checking): a missing directory is fatal, problems
/// in single files are reported and those entries left out.
fn load_catalog(dirs: &[PathBuf]) -> Result<Catalog> {
    let dirs: Vec<PathBuf> = dirs.iter().map(|d| resolve_catalog(d)).collect();
    for dir in &dirs {
        if !dir.is_dir() {
            bail!(
                "catalog directory {} does not exist (give one with --catalog DIR)",
                dir.display()
            );
        }
    }
    let loaded = catalog::load(&dirs);
    let errors = loaded
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!(
            "logdoc: warning: the catalog has {errors} problems; entries with errors are left out (run `logdoc check` for details)"
        );
    }
    Ok(loaded.catalog)
}

fn diagnose(args: DiagnoseArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.catalogs)?;
    let matcher = Matcher::new(&catalog);
    let lang = render::language(Some(&args.lang));
    if lang != args.lang.to_ascii_lowercase() {
        bail!(
            "unknown language `{}`; use one of {}",
            args.lang,
            catalog::LANGS.join(", ")
        );
    }
    let baseline = match &args.baseline {
        Some(path) => Some(
            Baseline::from_reader(open_input(path)?)
                .with_context(|| format!("cannot read baseline {}", path.display()))?,
        ),
        None => None,
    };
    let index = Index::build(&catalog).context("cannot build the search index")?;
    let options = Options {
        top: args.top,
        baseline: baseline.as_ref(),
        fuzzy: Some(&index),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    for path in &args.files {
        let name = path.display().to_string();
        let report = open_input(path).and_then(|reader| {
            let reader: Box<dyn io::Read + Send> = if io::stderr().is_terminal() {
                Box::new(Progress::new(reader, &name, io::stderr(), PROGRESS_STEP))
            } else {
                reader
            };
            matcher
                .diagnose(&name, reader, &options)
                .with_context(|| format!("cannot read {name}"))
        });
        let report = match report {
            Ok(report) => report,
            Err(err) => {
                eprintln!("logdoc: {err:#}");
                failed = true;
                continue;
            }
        };
        let view = render::view(report, &catalog, lang);
        match args.format {
            Format::Text => write!(out, "{}", render::text(&view))?,
            Format::Md => write!(out, "{}", render::markdown(&view))?,
            Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&view)?)?,
            Format::Jsonl => writeln!(out, "{}", serde_json::to_string(&view)?)?,
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn eval(args: EvalArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.catalogs)?;
    let matcher = Matcher::new(&catalog);
    let index = Index::build(&catalog).context("cannot build the search index")?;
    let options = Options {
        fuzzy: Some(&index),
        ..Options::default()
    };
    let evaluation = logdoc::eval::run(&args.dir, &matcher, &options)?;
    match args.format {
        EvalFormat::Text => print!("{}", logdoc::eval::text(&evaluation)),
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&evaluation)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// How often [`Progress`] reports: every 64 MiB read.
const PROGRESS_STEP: u64 = 64 << 20;

/// A reader that tells `out` how much of a long input it has read (`job.log: 512 MiB
/// read`, rewritten in place every `step` bytes) and clears that line at the end. Used
/// when stderr is a terminal: a 1 GB log takes seconds.
struct Progress<R, W: Write> {
    inner: R,
    name: String,
    out: W,
    step: u64,
    read: u64,
    shown: bool,
}

impl<R, W: Write> Progress<R, W> {
    fn new(inner: R, name: &str, out: W, step: u64) -> Self {
        Progress {
            inner,
            name: name.to_string(),
            out,
            step,
            read: 0,
            shown: false,
        }
    }
}

impl<R: io::Read, W: Write> io::Read for Progress<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let before = self.read / self.step;
        self.read += n as u64;
        // Progress is a courtesy: a failed write to the terminal must not fail the read.
        if n == 0 && self.shown {
            let _ = write!(self.out, "\r\x1b[K");
            self.shown = false;
        } else if self.read / self.step > before {
            let _ = write!(self.out, "\r{}: {} MiB read", self.name, self.read >> 20);
            let _ = self.out.flush();
            self.shown = true;
        }
        Ok(n)
    }
}

/// A file, or standard input for `-`.
fn open_input(path: &Path) -> Result<Box<dyn io::Read + Send>> {
    if path == Path::new("-") {
        return Ok(Box::new(io::stdin()));
    }
    if path.is_dir() {
        bail!("{} is a directory, not a log file", path.display());
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Box::new(file))
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
    let catalog = load_catalog(&args.catalogs)?;
    let Some(entry) = catalog.get(&args.id) else {
        bail!(
            "no entry `{}` in the catalog (run `logdoc check` if you expected one)",
            args.id
        );
    };
    let text = match args.format {
        ExportFormat::Errorcanon => import::errorcanon::to_json(entry),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `logdoc search`.
#[derive(Args)]
struct SearchArgs {
    /// Catalog directories, merged (default: the bundled `catalog`).
    #[arg(long = "catalog", default_value = DEFAULT_CATALOG)]
    catalogs: Vec<PathBuf>,
    /// Search only this language's text (default: the languages of the query's
    /// script, English first for Latin script).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(catalog::LANGS))]
    lang: Option<String>,
    /// Most hits to print.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// `text` for people, `json` for programs (one object: query, lang, hits).
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    format: SearchFormat,
    /// Words to search for (tantivy query syntax: `"a phrase"`, `tags:npm`, `a OR b`).
    #[arg(required = true)]
    query: Vec<String>,
}

/// Output format of `logdoc search`.
#[derive(Clone, Copy, ValueEnum)]
enum SearchFormat {
    Text,
    Json,
}

fn search(args: &SearchArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.catalogs)?;
    let index = logdoc::index::Index::build(&catalog)?;
    let query = args.query.join(" ");
    let hits = index.search(&query, args.lang.as_deref(), args.limit)?;

    let mut out = io::stdout().lock();
    match args.format {
        SearchFormat::Json => {
            let doc = serde_json::json!({"query": query, "lang": args.lang, "hits": hits});
            writeln!(out, "{doc}")?;
        }
        SearchFormat::Text => {
            for hit in &hits {
                writeln!(out, "{:>7.2}  {} [{}]", hit.score, hit.id, hit.lang)?;
                writeln!(out, "         {}", hit.title)?;
                writeln!(out, "         {}", hit.snippet_text().replace('\n', " "))?;
            }
            if hits.is_empty() {
                eprintln!("no entries match `{query}`");
            }
        }
    }
    out.flush()?;
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn progress_reports_each_step_and_clears_at_the_end() {
        let data = vec![b'x'; 3 << 20];
        let mut shown = Vec::new();
        let mut copy = Vec::new();
        let mut reader = Progress::new(&data[..], "job.log", &mut shown, 1 << 20);
        let mut buf = [0u8; 64 << 10];
        loop {
            let n = reader.read(&mut buf).unwrap();
            copy.extend_from_slice(&buf[..n]);
            if n == 0 {
                break;
            }
        }
        assert_eq!(copy, data, "the bytes pass through unchanged");
        let shown = String::from_utf8(shown).unwrap();
        assert_eq!(
            shown,
            "\rjob.log: 1 MiB read\rjob.log: 2 MiB read\rjob.log: 3 MiB read\r\x1b[K"
        );
    }

    #[test]
    fn progress_says_nothing_on_short_inputs() {
        let mut shown = Vec::new();
        let mut copy = Vec::new();
        Progress::new(&b"short log\n"[..], "x", &mut shown, 1 << 20)
            .read_to_end(&mut copy)
            .unwrap();
        assert!(shown.is_empty());
    }
}
