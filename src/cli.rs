//! Command-line front end: clap arguments turned once into library values, then one conversion
//! per input. Errors are printed as `xmindconv: FILE: message`.
//!
//! Exit codes: 0 success (also when the reader of our output goes away, as with `| head`),
//! 1 a conversion failed, 2 usage error.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, IsTerminal, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;

use xmindconv::read::{self, Limits, ReadOptions};
use xmindconv::write::{self, Extra, MarkerStyle, TableStyle, WRITERS, WriteOptions, Writer};
use xmindconv::{Document, Error};

const SUCCESS: u8 = 0;
const FAILURE: u8 = 1;
const USAGE: u8 = 2;

/// Convert XMind mind maps (XMind 3 to 8, XMind Zen and XMind 2020 to 2026) to other formats.
#[derive(Parser, Debug)]
#[command(name = "xmindconv", version, about, max_term_width = 100)]
#[command(after_help = "Exit status: 0 success, 1 a conversion failed, 2 usage error.")]
struct Cli {
    /// Input files (.xmind, our .json, Markdown; see -f); `-` or nothing (with a pipe) reads
    /// standard input.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// Input format (see --list-formats). Default: from the input's extension, else from its
    /// content (a zip is XMind; `<opml`, `<map`, a first line `mindmap`, a JSON object; anything
    /// else is Markdown).
    #[arg(short = 'f', long = "from", value_name = "FORMAT", value_parser = parse_reader)]
    from: Option<&'static read::Reader>,

    /// Output format (see --list-formats). Default: from the extension of -o, else markdown.
    #[arg(short = 't', long = "to", value_name = "FORMAT", value_parser = parse_format)]
    to: Option<&'static dyn Writer>,

    /// Write to FILE instead of standard output. With several inputs, a folder (existing, or
    /// ending in `/`) that receives one file per input.
    #[arg(short = 'o', long = "output", value_name = "FILE|DIR")]
    output: Option<PathBuf>,

    /// Only these sheets: a number counting from 1, or a sheet title. Repeatable.
    #[arg(long = "sheet", value_name = "N|TITLE")]
    sheets: Vec<String>,

    /// Only topics down to N levels below the root (0: the root only).
    #[arg(long, value_name = "N")]
    depth: Option<usize>,

    /// Titles and the tree of attached topics only: no floating topics, notes, labels,
    /// markers, links or other extras.
    #[arg(long)]
    titles_only: bool,

    /// Include these extras (comma-separated): floating, notes, labels, markers, links, images,
    /// summaries, boundaries, callouts, relationships, comments, or all.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_extra)]
    with: Vec<Vec<Extra>>,

    /// Leave out these extras (same names as --with).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_extra)]
    without: Vec<Vec<Extra>>,

    /// Markdown: write the root and the next N-1 levels as headings (`#` … `######`), deeper
    /// topics as nested lists. 0 to 6; default 2 (the root and the main topics).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=6))]
    heading_levels: Option<u8>,

    /// Markdown: every topic, the root too, as a nested list item (--heading-levels 0).
    #[arg(long, conflicts_with = "heading_levels")]
    list_only: bool,

    /// Markdown, HTML, CSV: how markers are written, as words (P1, 50%, red flag) or emoji
    /// (1️⃣ ◑ 🚩).
    #[arg(long, value_name = "STYLE", default_value = "words", value_parser = ["words", "emoji"])]
    marker_style: String,

    /// Write the files stored in the map (images, attachments) into DIR, and link to them there
    /// instead of to their place in the archive. Entry names are made safe: nothing is written
    /// outside DIR.
    #[arg(long, value_name = "DIR")]
    extract_media: Option<PathBuf>,

    /// The password of a password-protected map (XMind 2020 and later). Also read from the
    /// environment variable XMINDCONV_PASSWORD, which keeps it out of process listings.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "XMINDCONV_PASSWORD",
        hide_env_values = true
    )]
    password: Option<String>,
    /// CSV and xlsx: one row per root-to-leaf path (`paths`), or per test case by
    /// xmind2testcase's rules (`testcase`: suite, case, preconditions, steps, expected results,
    /// priority). Also `--csv-style`.
    #[arg(long, visible_alias = "csv-style", value_name = "STYLE", default_value = "paths", value_parser = ["paths", "testcase"])]
    table_style: String,

    /// CSV and Zentao: start with a UTF-8 byte order mark, so that Excel reads the file as UTF-8.
    #[arg(long)]
    csv_bom: bool,

    /// CSV and Zentao: write cells that start with = + - @ as they are, instead of with a ' in
    /// front that stops spreadsheets from running them as formulas.
    #[arg(long)]
    csv_keep_formulas: bool,

    /// List the formats (which read, which write) and exit.
    #[arg(long)]
    list_formats: bool,

    /// Also print warnings about input that was read leniently.
    #[arg(short, long)]
    verbose: bool,

    /// Largest uncompressed size of a content entry, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().max_entry_size >> 20)]
    max_size: u64,

    /// Most entries in an archive.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_entries)]
    max_entries: u64,

    /// Largest compression ratio of an entry (zip-bomb guard).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_ratio)]
    max_ratio: u64,

    /// Deepest nesting of topics.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    max_depth: usize,

    /// Longest title, label or note, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().max_text >> 20)]
    max_text: usize,

    /// Most output per input, in MiB (an indented format on a very deep map grows with the
    /// square of the depth).
    #[arg(long, value_name = "MIB", default_value_t = WriteOptions::default().max_output >> 20)]
    max_output: u64,
}

fn parse_format(name: &str) -> std::result::Result<&'static dyn Writer, String> {
    write::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = WRITERS.iter().map(|e| e.name()).collect();
        format!(
            "unknown format {name:?}; known formats: {}",
            names.join(", ")
        )
    })
}

fn parse_reader(name: &str) -> std::result::Result<&'static read::Reader, String> {
    read::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = read::READERS.iter().map(|r| r.name).collect();
        format!(
            "unknown input format {name:?}; known input formats: {}",
            names.join(", ")
        )
    })
}

fn parse_extra(name: &str) -> std::result::Result<Vec<Extra>, String> {
    if name == "all" {
        return Ok(Extra::ALL.to_vec());
    }
    Extra::from_name(name).map(|e| vec![e]).ok_or_else(|| {
        let names: Vec<&str> = Extra::ALL.iter().map(|e| e.name()).collect();
        format!("unknown extra {name:?}; known: {}, all", names.join(", "))
    })
}

/// Everything a conversion needs, decided once from the arguments.
struct Job {
    emitter: &'static dyn Writer,
    emit: WriteOptions,
    read: ReadOptions,
    sheets: Vec<String>,
    verbose: bool,
    /// `--extract-media DIR`.
    media_dir: Option<PathBuf>,
    /// Leave the document to the operating system instead of freeing it (one input only).
    leak: bool,
}

/// Where each input's output goes.
enum Target {
    Stdout,
    File(PathBuf),
    /// One file per input, named after the input.
    Dir(PathBuf),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { SUCCESS });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(SUCCESS),
        Err(e) => {
            eprintln!("xmindconv: {e:#}");
            ExitCode::from(FAILURE)
        }
    }
}

fn usage(msg: impl std::fmt::Display) -> u8 {
    eprintln!(
        "xmindconv: {msg}\nUsage: xmindconv [OPTIONS] [INPUT]...\nFor more information, try '--help'."
    );
    USAGE
}

fn run(cli: Cli) -> Result<u8> {
    if cli.list_formats {
        list_formats(&mut io::stdout().lock())?;
        return Ok(SUCCESS);
    }

    let mut inputs = cli.inputs.clone();
    if inputs.is_empty() {
        if io::stdin().is_terminal() {
            return Ok(usage(
                "no input file (give a map file, or pipe one into standard input)",
            ));
        }
        inputs.push(PathBuf::from("-"));
    }
    if inputs.iter().filter(|p| is_stdin(p)).count() > 1 {
        return Ok(usage("standard input (-) can be read only once"));
    }

    let target = match &cli.output {
        None => Target::Stdout,
        Some(o) if o.is_dir() || o.as_os_str().to_string_lossy().ends_with('/') => {
            Target::Dir(o.clone())
        }
        Some(_) if inputs.len() > 1 => {
            return Ok(usage(
                "several inputs need -o to name a folder (an existing one, or a path ending in /)",
            ));
        }
        Some(o) => Target::File(o.clone()),
    };
    let emitter = match (cli.to, &target) {
        (Some(e), _) => e,
        (None, Target::File(path)) => match write::by_extension(path) {
            Some(e) => e,
            None => {
                return Ok(usage(format!(
                    "cannot tell the format from {}; use -t (see --list-formats)",
                    path.display()
                )));
            }
        },
        (None, _) => write::by_name("markdown").context("the Markdown emitter is missing")?,
    };

    // An archive is no text: not onto a terminal, and not several run together into one
    // stream.
    if emitter.binary() && matches!(target, Target::Stdout) {
        if inputs.len() > 1 {
            return Ok(usage(format!(
                "several inputs written as -t {} need -o to name a folder",
                emitter.name()
            )));
        }
        if io::stdout().is_terminal() {
            return Ok(usage(format!(
                "-t {} writes a binary file: use -o FILE.xmind, or redirect standard output",
                emitter.name()
            )));
        }
    }
    let mut write_opts = WriteOptions::default();
    write_opts.depth = cli.depth;
    write_opts.heading_levels = if cli.list_only {
        Some(0)
    } else {
        cli.heading_levels.map(usize::from)
    };
    if cli.marker_style == "emoji" {
        write_opts.marker_style = MarkerStyle::Emoji;
    }
    if cli.table_style == "testcase" {
        write_opts.table_style = TableStyle::TestCase;
    }
    write_opts.csv_bom = cli.csv_bom;
    write_opts.csv_keep_formulas = cli.csv_keep_formulas;
    write_opts.max_output = cli.max_output.saturating_mul(1 << 20);
    if cli.titles_only {
        write_opts.titles_only();
    }
    for e in cli.with.iter().flatten() {
        write_opts.set(*e, true);
    }
    for e in cli.without.iter().flatten() {
        write_opts.set(*e, false);
    }
    let mut read_opts = ReadOptions::default();
    read_opts.limits.max_entry_size = cli.max_size.saturating_mul(1 << 20);
    read_opts.limits.max_entries = cli.max_entries;
    read_opts.limits.max_ratio = cli.max_ratio;
    read_opts.limits.max_depth = cli.max_depth;
    read_opts.limits.max_text = cli.max_text.saturating_mul(1 << 20);
    read_opts.password = cli.password.clone();
    read_opts.format = cli.from.map(|r| r.name.to_string());
    // Formats that embed the map's files (HTML) read them; --extract-media too.
    read_opts.media = emitter.wants_media();
    if let Some(dir) = &cli.extract_media {
        read_opts.media = true;
        write_opts.media_dir = Some(dir.to_string_lossy().into_owned());
    }
    let job = Job {
        emitter,
        emit: write_opts,
        read: read_opts,
        sheets: cli.sheets.clone(),
        verbose: cli.verbose,
        media_dir: cli.extract_media.clone(),
        leak: inputs.len() == 1,
    };

    if let Target::Dir(dir) = &target {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut stdout = BufWriter::with_capacity(64 << 10, raw_stdout());
    let failed = if inputs.len() == 1 {
        let input = &inputs[0];
        let mut warnings = Vec::new();
        let result = match &target {
            Target::Stdout => convert(&job, input, &mut stdout, &mut warnings),
            Target::File(path) => {
                write_atomically(path, |out| convert(&job, input, out, &mut warnings))
            }
            Target::Dir(dir) => {
                let path = dir.join(output_name(input, job.emitter));
                write_atomically(&path, |out| convert(&job, input, out, &mut warnings))
            }
        };
        for w in warnings {
            eprintln!("{w}");
        }
        match result {
            Ok(()) => 0,
            Err(e) if is_broken_pipe(&e) => return Ok(SUCCESS),
            Err(e) => {
                eprintln!("xmindconv: {}: {e:#}", display_name(input));
                1
            }
        }
    } else {
        match convert_all(&job, &inputs, &target, &mut stdout)? {
            Some(failed) => failed,
            None => return Ok(SUCCESS), // standard output was closed
        }
    };
    if let Err(e) = stdout.flush() {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Ok(SUCCESS);
        }
        return Err(e).context("cannot write to standard output");
    }
    if failed > 0 && inputs.len() > 1 {
        eprintln!("xmindconv: {failed} of {} inputs failed", inputs.len());
    }
    Ok(if failed > 0 { FAILURE } else { SUCCESS })
}

/// One line per format: names, extensions, whether it reads (`-f`) and writes (`-t`), what it is.
/// Writers first, in their table's order, then the formats that only read.
fn list_formats(out: &mut impl Write) -> io::Result<()> {
    let line =
        |out: &mut dyn Write, names: Vec<&str>, exts: Vec<&str>, rw: &str, description: &str| {
            let exts: Vec<String> = exts.iter().map(|x| format!(".{x}")).collect();
            writeln!(
                out,
                "{:<16} {:<16} {:<11} {}",
                names.join(", "),
                exts.join(" "),
                rw,
                description
            )
        };
    for e in WRITERS {
        let mut names = vec![e.name()];
        names.extend(e.aliases());
        let mut exts = e.extensions().to_vec();
        let rw = match read::by_name(e.name()) {
            Some(r) => {
                for x in r.extensions {
                    if !exts.contains(x) {
                        exts.push(x);
                    }
                }
                "read, write"
            }
            None => "write",
        };
        line(out, names, exts, rw, e.description())?;
    }
    for r in read::READERS {
        if write::by_name(r.name).is_none() {
            let mut names = vec![r.name];
            names.extend(r.aliases);
            line(out, names, r.extensions.to_vec(), "read", r.description)?;
        }
    }
    Ok(())
}

/// Standard output without `io::Stdout`'s line buffering, which looks for the last line break in
/// every block written to it: ours are already buffered. (Falls back to `io::Stdout`.)
fn raw_stdout() -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(fs::File::from(fd));
        }
    }
    Box::new(io::stdout().lock())
}

fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

fn display_name(p: &Path) -> String {
    if is_stdin(p) {
        "<stdin>".into()
    } else {
        p.display().to_string()
    }
}

/// `maps/a.xmind` → `a.md` (for `-o DIR`).
fn output_name(input: &Path, emitter: &dyn Writer) -> PathBuf {
    let stem = if is_stdin(input) {
        "stdin".into()
    } else {
        input
            .file_stem()
            .map_or_else(|| "output".into(), |s| s.to_string_lossy().into_owned())
    };
    let ext = emitter.extensions().first().copied().unwrap_or("out");
    PathBuf::from(format!("{stem}.{ext}"))
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// What became of one input of several: reported in input order, whatever order the
/// conversions end in.
struct Outcome {
    /// `-v` warning lines.
    warnings: Vec<String>,
    /// The output, when it goes to standard output.
    output: Option<Spool>,
    result: Result<()>,
}

/// Converts several inputs, as many at a time as there are cores, and reports each one (its
/// warnings, its output on standard output, its error line) in input order as soon as it and
/// every input before it are done. Inputs whose output files have the same name are converted
/// one after the other in input order, so the last one wins as when they run one at a time.
/// Returns how many failed, or `None` when standard output was closed.
fn convert_all(
    job: &Job,
    inputs: &[PathBuf],
    target: &Target,
    stdout: &mut impl Write,
) -> Result<Option<usize>> {
    let out_path = |i: usize| match target {
        Target::Dir(dir) => Some(dir.join(output_name(&inputs[i], job.emitter))),
        Target::Stdout | Target::File(_) => None,
    };
    // Groups of inputs that must run in order (same output file); in order of first input.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: std::collections::HashMap<PathBuf, usize> = Default::default();
    for i in 0..inputs.len() {
        match out_path(i) {
            Some(p) => {
                let g = *group_of.entry(p).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[g].push(i);
            }
            None => groups.push(vec![i]),
        }
    }
    let convert_one = |i: usize| {
        let input = &inputs[i];
        let mut o = Outcome {
            warnings: Vec::new(),
            output: None,
            result: Ok(()),
        };
        o.result = match out_path(i) {
            Some(path) => write_atomically(&path, |out| convert(job, input, out, &mut o.warnings)),
            None => {
                let mut spool = Spool::new();
                // Whatever was written before a failure is passed on, as when writing directly.
                let result = convert(job, input, &mut spool, &mut o.warnings);
                o.output = Some(spool);
                result
            }
        };
        o
    };

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next_group = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    // Outcomes that end before an earlier input's wait in `done`: with standard output as the
    // target, that holds the output of inputs converted while an earlier, bigger one still runs.
    let mut done: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut report = |(i, outcome): (usize, Outcome), next: &mut usize, failed: &mut usize| {
        done.insert(i, outcome);
        while let Some(o) = done.remove(next) {
            let name = display_name(&inputs[*next]);
            *next += 1;
            for w in &o.warnings {
                eprintln!("{w}");
            }
            let copied = match o.output {
                Some(spool) => spool.copy_to(stdout),
                None => Ok(()),
            };
            match copied {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(false),
                other => other.context("cannot write to standard output")?,
            }
            if let Err(e) = o.result {
                eprintln!("xmindconv: {name}: {e:#}");
                *failed += 1;
            }
        }
        Ok::<bool, anyhow::Error>(true)
    };
    std::thread::scope(|scope| {
        // Whatever ends the reporting (done, a closed pipe, an error), the workers stop taking
        // new inputs.
        let _stop = StopOnDrop(&stop);
        for _ in 0..threads.min(groups.len()) {
            let tx = tx.clone();
            let (groups, next_group, stop, convert_one) =
                (&groups, &next_group, &stop, &convert_one);
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(scope, move || {
                    while let Some(group) = groups.get(next_group.fetch_add(1, Ordering::Relaxed)) {
                        for &i in group {
                            if stop.load(Ordering::Relaxed) || tx.send((i, convert_one(i))).is_err()
                            {
                                return;
                            }
                        }
                    }
                })
                .context("cannot start a thread")?;
        }
        drop(tx);
        let (mut next, mut failed) = (0, 0);
        for received in &rx {
            if !report(received, &mut next, &mut failed)? {
                return Ok(None); // standard output was closed
            }
        }
        Ok(Some(failed))
    })
}

/// Where a conversion's standard output waits for its turn: an unnamed temporary file, so that
/// waiting outputs take no memory (and big ones do not grow and move a buffer in memory while
/// other threads work), or memory if no temporary file can be made.
enum Spool {
    File(BufWriter<fs::File>),
    Memory(Vec<u8>),
}

impl Spool {
    fn new() -> Spool {
        match tempfile::tempfile() {
            Ok(f) => Spool::File(BufWriter::with_capacity(64 << 10, f)),
            Err(_) => Spool::Memory(Vec::new()),
        }
    }

    fn copy_to(self, out: &mut impl Write) -> io::Result<()> {
        match self {
            Spool::File(w) => {
                let mut f = w.into_inner().map_err(|e| e.into_error())?;
                f.seek(io::SeekFrom::Start(0))?;
                io::copy(&mut f, out).map(drop)
            }
            Spool::Memory(v) => out.write_all(&v),
        }
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Spool::File(w) => w.write(buf),
            Spool::Memory(v) => v.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Spool::File(w) => w.write_all(buf),
            Spool::Memory(v) => v.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Spool::File(w) => w.flush(),
            Spool::Memory(_) => Ok(()),
        }
    }
}

/// Sets the flag when dropped.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Reads one input and writes it in the chosen format; `-v` warnings go to `warnings`.
fn convert(job: &Job, input: &Path, out: &mut dyn Write, warnings: &mut Vec<String>) -> Result<()> {
    let mut doc = if is_stdin(input) {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        read::read_bytes_with(&bytes, &job.read).map_err(library_error)?
    } else {
        read::read_path_with(input, &job.read).map_err(library_error)?
    };
    if job.verbose {
        for w in &doc.warnings {
            warnings.push(format!("xmindconv: {}: warning: {w}", display_name(input)));
        }
    }
    select_sheets(&mut doc, &job.sheets)?;
    if let Some(dir) = &job.media_dir {
        extract_media(&doc, dir)?;
    }
    job.emitter.write(&doc, &job.emit, out)?;
    if job.verbose {
        for w in job.emitter.warnings(&doc, &job.emit) {
            warnings.push(format!("xmindconv: {}: warning: {w}", display_name(input)));
        }
    }
    if job.leak {
        // The process ends right after its only conversion: freeing a big map topic by topic
        // (hundreds of thousands of strings and lists) would only delay the exit.
        std::mem::forget(doc);
    }
    Ok(())
}

/// Writes every stored file the map refers to under `dir`, at its safe relative path.
fn extract_media(doc: &Document, dir: &Path) -> Result<()> {
    for (entry, bytes) in &doc.media {
        let Some(rel) = xmindconv::media::safe_path(entry) else {
            continue;
        };
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        write_atomically(&path, |out| Ok(out.write_all(bytes)?))?;
    }
    Ok(())
}

fn library_error(e: Error) -> anyhow::Error {
    match e {
        Error::Io(io) if io.kind() == io::ErrorKind::NotFound => anyhow!("no such file"),
        Error::Io(io) if io.kind() == io::ErrorKind::PermissionDenied => {
            anyhow!("permission denied")
        }
        other => anyhow::Error::new(other),
    }
}

/// Keeps the sheets named by `--sheet` (numbers from 1, or titles), in the order given.
fn select_sheets(doc: &mut Document, wanted: &[String]) -> Result<()> {
    if wanted.is_empty() {
        return Ok(());
    }
    let mut picked = Vec::new();
    for w in wanted {
        let index = match w.trim().parse::<usize>() {
            Ok(n) if n >= 1 && n <= doc.sheets.len() => Some(n - 1),
            Ok(_) => None,
            Err(_) => doc.sheets.iter().position(|s| s.title == *w),
        };
        let Some(i) = index else {
            let titles: Vec<String> = doc
                .sheets
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} {:?}", i + 1, s.title))
                .collect();
            bail!("no sheet {w:?}; the map has: {}", titles.join(", "));
        };
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    doc.select_sheets(&picked);
    Ok(())
}

/// Writes through a temporary file in the same folder, renamed over `path` only on success, so
/// a failed run never leaves a partial file or clobbers an existing one.
fn write_atomically(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".xmindconv-");
    // Temporary files are private (0600); the output gets the usual 0666 less the umask.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let mut out = BufWriter::with_capacity(64 << 10, tmp);
    f(&mut out)?;
    let tmp = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
