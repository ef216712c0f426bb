//! `cargo xtask conformance [--filter S[,S...]]`: proof that the generated clients speak their specs.
//!
//! For each spec of the corpus (`../shared/corpus/`, `INDEX.tsv` order) and for `spec/awal.yaml`, it
//! generates the standalone crate (as `corpus` does, into `target/corpus/<stem>/`), builds its command
//! line (`cargo build --features cli`, sharing `target/corpus-target`), starts Stoplight Prism on the
//! spec (`prism mock -d`, `prism.rs`), and calls every operation through the command line's machine
//! interface, `<bin> --verbose call <name> --input JSON`, twice: with the required parameters and body
//! fields only, then with every one (`inputs.rs`: the spec's examples where they are valid, values built
//! from the schemas otherwise).
//!
//! An operation passes when, in both calls, Prism **accepted the request** (no error in its
//! `sl-violations` header, and no error answer of Prism's own, such as the 401 for missing credentials
//! or the 422 for an invalid request; and the client did not refuse the input) and **the answer was
//! decoded** (exit code 0, and the printed body parses as JSON where the spec documents JSON).
//! A failure `xtask/conformance-exceptions.tsv` lists (by spec, operation or `*`, and text of the
//! failure or `*`, with the reason) does not count as failed.
//!
//! One line per spec (operations, requests accepted, answers decoded, the first failure), then
//! `N passed, M failed`; the calls of each spec, one per line, go to
//! `target/conformance/<stem>/calls.tsv`.

mod inputs;
mod pattern;
mod prism;
mod values;

use crate::corpus::{self, Checker, Generated};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use values::Spec;

/// The known exceptions, relative to the project root.
pub const EXCEPTIONS: &str = "xtask/conformance-exceptions.tsv";
/// Where the run keeps its files, relative to the project root.
pub const WORK: &str = "target/conformance";
/// How long one call may take (a call the client retries included).
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// A failure that Prism or the spec causes, not the client, with the reason, which anyone can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// The spec's file name.
    pub spec: String,
    /// The operation's subcommand name, or `*` for any.
    pub operation: String,
    /// Text the failure contains, or `*` for any failure.
    pub failure: String,
    /// Why it cannot pass.
    pub reason: String,
}

impl Exception {
    /// Whether this exception covers `operation` of `spec` failing with `failure`.
    pub fn covers(&self, spec: &str, operation: &str, failure: &str) -> bool {
        self.spec == spec
            && (self.operation == "*" || self.operation == operation)
            && (self.failure == "*" || failure.contains(&self.failure))
    }

    /// Whether this exception excuses `spec` failing as a whole with `why` (no operation could be
    /// called): only a spec-wide entry can.
    pub fn excuses_broken(&self, spec: &str, why: &str) -> bool {
        self.operation == "*" && self.covers(spec, "*", why)
    }
}

/// Reads the exceptions file: `spec <TAB> operation <TAB> failure <TAB> reason` per line, `#` comments.
pub fn exceptions(root: &Path) -> Result<Vec<Exception>, String> {
    let path = root.join(EXCEPTIONS);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(4, '\t').map(str::trim).collect();
        match fields.as_slice() {
            [spec, operation, failure, reason]
                if !reason.is_empty() && !operation.is_empty() && !failure.is_empty() =>
            {
                out.push(Exception {
                    spec: (*spec).to_owned(),
                    operation: (*operation).to_owned(),
                    failure: (*failure).to_owned(),
                    reason: (*reason).to_owned(),
                })
            }
            _ => {
                return Err(format!(
                    "{}:{}: expected `spec<TAB>operation<TAB>failure<TAB>reason`",
                    path.display(),
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

/// How one operation fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The subcommand name.
    pub operation: String,
    /// Prism accepted every request.
    pub accepted: bool,
    /// Every answer was decoded.
    pub decoded: bool,
    /// The first thing that went wrong.
    pub failure: Option<String>,
    /// The reason, when the operation is a known exception.
    pub exception: Option<String>,
}

impl Outcome {
    /// Accepted and decoded.
    pub fn passed(&self) -> bool {
        self.accepted && self.decoded
    }
}

/// How one spec fared.
#[derive(Debug, Clone, Default)]
pub struct SpecRun {
    /// The spec's file name.
    pub spec: String,
    /// Every operation's outcome.
    pub outcomes: Vec<Outcome>,
    /// Why no operation could be called (the spec did not generate, the crate did not build, Prism
    /// did not start), with the number of operations the spec has.
    pub broken: Option<(String, usize)>,
    /// The known exception (`<spec> * <text>`) that covers why the spec is broken: every operation is
    /// then a known exception rather than a failure.
    pub broken_known: Option<String>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl SpecRun {
    /// Operations that passed or are known exceptions; operations that failed otherwise.
    pub fn counts(&self) -> (usize, usize, usize) {
        if let Some((_, operations)) = &self.broken {
            return match self.broken_known {
                Some(_) => (0, 0, *operations),
                None => (0, *operations, 0),
            };
        }
        let passed = self.outcomes.iter().filter(|o| o.passed()).count();
        let excepted = self
            .outcomes
            .iter()
            .filter(|o| !o.passed() && o.exception.is_some())
            .count();
        (passed, self.outcomes.len() - passed - excepted, excepted)
    }

    /// One aligned line; `width` is the spec column's.
    pub fn line(&self, width: usize) -> String {
        let count = |f: fn(&Outcome) -> bool| self.outcomes.iter().filter(|o| f(o)).count();
        let first = match &self.broken {
            Some((why, _)) => why.clone(),
            None => self
                .outcomes
                .iter()
                .find(|o| !o.passed() && o.exception.is_none())
                .map(|o| {
                    format!(
                        "{}: {}",
                        o.operation,
                        o.failure.as_deref().unwrap_or("failed")
                    )
                })
                .unwrap_or_default(),
        };
        let operations = match &self.broken {
            Some((_, n)) => *n,
            None => self.outcomes.len(),
        };
        let (_, _, excepted) = self.counts();
        let mut line = format!(
            "{:<width$}  {:>5} {:>8} {:>7} {:>6} {:>6.0}",
            self.spec,
            operations,
            count(|o| o.accepted),
            count(|o| o.decoded),
            excepted,
            self.seconds,
        );
        if !first.is_empty() {
            let _ = write!(line, "  {}", corpus::shorten(&first, 300));
        }
        line
    }
}

/// The column headers matching [`SpecRun::line`].
pub fn header(width: usize) -> String {
    format!(
        "{:<width$}  {:>5} {:>8} {:>7} {:>6} {:>6}  first failure",
        "spec", "ops", "accepted", "decoded", "known", "secs"
    )
}

/// `N passed, M failed` over operations, and the known exceptions.
pub fn summary(runs: &[SpecRun]) -> String {
    let (mut passed, mut failed, mut excepted) = (0, 0, 0);
    for run in runs {
        let (p, f, e) = run.counts();
        passed += p;
        failed += f;
        excepted += e;
    }
    let mut line = format!("{passed} passed, {failed} failed");
    if excepted > 0 {
        let _ = write!(line, " ({excepted} known exceptions, not counted)");
    }
    line
}

/// The specs to run: the corpus specs whose file name contains one of `filters` (all when empty), in
/// `INDEX.tsv` order, then the Awal spec when it matches; as (name shown, path, crate stem, number of
/// operations the index lists).
fn selected(
    root: &Path,
    filters: &[String],
) -> Result<Vec<(String, PathBuf, String, usize)>, String> {
    let corpus_dir = root.join(corpus::CORPUS);
    let counts = operation_counts(&corpus_dir);
    let mut out: Vec<(String, PathBuf, String, usize)> = corpus::specs(&corpus_dir, filters)?
        .into_iter()
        .map(|spec| {
            let stem = spec
                .rsplit_once('.')
                .map_or(spec.as_str(), |(s, _)| s)
                .to_owned();
            let operations = counts.get(&spec).copied().unwrap_or(0);
            (spec.clone(), corpus_dir.join(&spec), stem, operations)
        })
        .collect();
    let awal = crate::SPEC;
    if filters.is_empty() || filters.iter().any(|f| awal.contains(f.as_str())) {
        out.push((awal.to_owned(), root.join(awal), "awal".to_owned(), 27));
    }
    Ok(out)
}

/// The `operations` column of `INDEX.tsv`, by file name.
fn operation_counts(corpus_dir: &Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(corpus_dir.join("INDEX.tsv")).unwrap_or_default();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = header.iter().position(|h| *h == "operations");
    lines
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let count = fields.get(column?)?.trim().parse().ok()?;
            Some((fields.first()?.trim().to_owned(), count))
        })
        .collect()
}

/// Runs the specs `filters` select, printing each line as it is known.
pub fn run(root: &Path, filters: &[String]) -> Result<Vec<SpecRun>, String> {
    let specs = selected(root, filters)?;
    if specs.is_empty() {
        return Err(format!("no spec matches {filters:?}"));
    }
    let exceptions = exceptions(root)?;
    let prism = prism::install(root)?;
    let work = root.join(WORK);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let samples = values::Samples::write(&work.join("files"))?;
    let width = specs.iter().map(|s| s.0.len()).max().unwrap_or(4).max(4);
    println!("{}", header(width));
    let mut checker = Checker::new(root);
    let mut runs = Vec::new();
    for (name, path, stem, operations) in &specs {
        let start = Instant::now();
        let mut run = SpecRun {
            spec: name.clone(),
            ..SpecRun::default()
        };
        let context = Context {
            spec: name,
            prism: &prism,
            work: &work.join(stem),
            samples: &samples,
            exceptions: exceptions.iter().filter(|e| e.spec == *name).collect(),
        };
        match run_spec(root, path, stem, &mut checker, &context) {
            Ok(outcomes) => run.outcomes = outcomes,
            Err(why) => {
                run.broken_known = context
                    .exceptions
                    .iter()
                    .find(|e| e.excuses_broken(name, &why))
                    .map(|e| e.reason.clone());
                run.broken = Some((why, *operations));
            }
        }
        run.seconds = start.elapsed().as_secs_f64();
        println!("{}", run.line(width));
        let _ = std::io::stdout().flush();
        runs.push(run);
    }
    let unused: Vec<String> = exceptions
        .iter()
        .filter(|e| {
            let runs_of_spec: Vec<&SpecRun> = runs
                .iter()
                .filter(|r| r.spec == e.spec && (r.broken.is_none() || r.broken_known.is_some()))
                .collect();
            !runs_of_spec.is_empty()
                && !runs_of_spec.iter().any(|r| {
                    let broken = r
                        .broken
                        .as_ref()
                        .is_some_and(|(why, _)| e.excuses_broken(&r.spec, why));
                    broken
                        || r.outcomes.iter().any(|o| {
                            !o.passed()
                                && e.covers(
                                    &r.spec,
                                    &o.operation,
                                    o.failure.as_deref().unwrap_or(""),
                                )
                        })
                })
        })
        .map(|e| format!("{} {} {}", e.spec, e.operation, e.failure))
        .collect();
    if !unused.is_empty() {
        eprintln!(
            "note: these known exceptions passed and can be removed from {EXCEPTIONS}: {}",
            unused.join(", ")
        );
    }
    Ok(runs)
}

/// What the calls of one spec share.
struct Context<'a> {
    spec: &'a str,
    prism: &'a Path,
    work: &'a Path,
    samples: &'a values::Samples,
    exceptions: Vec<&'a Exception>,
}

/// Generates, builds and serves one spec, and calls every operation.
fn run_spec(
    root: &Path,
    spec_path: &Path,
    stem: &str,
    checker: &mut Checker,
    context: &Context<'_>,
) -> Result<Vec<Outcome>, String> {
    let dir = match corpus::generate(root, spec_path, stem) {
        Generated::Crate { dir, .. } => dir,
        Generated::Refused(diagnostics) => {
            let first = diagnostics
                .0
                .iter()
                .find(|d| d.severity == codegen::Severity::Error)
                .map(|d| format!("{} {}", d.pointer, d.message))
                .unwrap_or_default();
            return Err(format!("not generated: {first}"));
        }
        Generated::Failed(why) => return Err(format!("not generated: {why}")),
        Generated::Panicked(why) => return Err(format!("generator panicked: {why}")),
    };
    let built = checker.run(&dir, "build", Some(codegen::emit::CLI));
    if !built.success {
        return Err(format!(
            "not built: {}",
            built.first_problem.unwrap_or_default()
        ));
    }
    let binary = built
        .executables
        .first()
        .cloned()
        .ok_or("cargo built no binary")?;
    let listed = Command::new(&binary)
        .arg("operations")
        .output()
        .map_err(|e| format!("running {}: {e}", binary.display()))?;
    let document: Value = serde_json::from_slice(&listed.stdout)
        .map_err(|e| format!("`operations` printed no JSON: {e}"))?;
    let text =
        std::fs::read_to_string(spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    // Prism judges the spec as written; the inputs are built from it in the 3.0 model the generator
    // reads (a 3.1 document rewritten: `type` arrays, `const`, `$defs` ...).
    let written = parse_spec(&text)?;
    let spec = Spec::new(in_the_3_0_model(&text)?);
    std::fs::create_dir_all(context.work)
        .map_err(|e| format!("{}: {e}", context.work.display()))?;
    let judged = context.work.join("prism-spec.json");
    let copy = serde_json::to_vec(&without_examples(&written, false))
        .map_err(|e| format!("writing the spec for Prism: {e}"))?;
    std::fs::write(&judged, copy).map_err(|e| format!("{}: {e}", judged.display()))?;
    let operations = document["operations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if operations.is_empty() {
        // Nothing to call (a document of webhooks only); Prism refuses to serve it anyway.
        let _ = std::fs::remove_file(&binary);
        return Ok(Vec::new());
    }
    let prism_log = context.work.join("prism.log");
    let _ = std::fs::remove_file(&prism_log);
    let mut server = prism::Server::start(context.prism, &judged, &prism_log)?;
    let env = environment(&spec, &document, context.samples);
    let sends_authorization = sends_authorization(&spec, &document);
    let caller = Caller {
        binary: &binary,
        env: &env,
    };
    let mut log = String::from("operation\tcall\texit\taccepted\tdecoded\tfailure\tinput\n");
    let mut outcomes = Vec::new();
    for op in &operations {
        let name = op["name"].as_str().unwrap_or_default();
        let method = op["method"].as_str().unwrap_or_default();
        let path = op["path"].as_str().unwrap_or_default();
        let mut outcome = match inputs::plan(&spec, method, path, context.samples) {
            Ok(plan) => {
                let mut calls = vec![("required", &plan.required)];
                if inputs::differ(&plan) {
                    calls.push(("all", &plan.all));
                }
                let mut outcome = Outcome {
                    operation: name.to_owned(),
                    accepted: true,
                    decoded: true,
                    failure: None,
                    exception: None,
                };
                let header = plan
                    .authorization
                    .as_ref()
                    .filter(|_| !sends_authorization)
                    .map(|value| format!("Authorization: {value}"));
                for (which, input) in calls {
                    // A request Prism crashes on (it has such bugs; see the exceptions) fails that call
                    // only: Prism is started again, and a call that found it dead (it may die a moment
                    // after answering the one before) is made once more.
                    let call_at = |url: &str| {
                        caller.call(url, name, input, header.as_deref(), plan.json_answer)
                    };
                    if !server.alive() {
                        server.restart()?;
                    }
                    let mut call = call_at(&server.base_url);
                    let unreachable = call
                        .failure
                        .as_deref()
                        .is_some_and(|f| f.starts_with("request failed"));
                    if unreachable && !server.alive_after(Duration::from_secs(2)) {
                        server.restart()?;
                        call = call_at(&server.base_url);
                    }
                    let _ = writeln!(
                        log,
                        "{name}\t{which}\t{}\t{}\t{}\t{}\t{input}",
                        call.exit.map_or("-".to_owned(), |c| c.to_string()),
                        call.accepted,
                        call.decoded,
                        call.failure.as_deref().unwrap_or(""),
                    );
                    outcome.accepted &= call.accepted;
                    outcome.decoded &= call.decoded;
                    if outcome.failure.is_none() {
                        outcome.failure = call.failure.map(|f| format!("{f} ({which} fields)"));
                    }
                }
                outcome
            }
            Err(why) => Outcome {
                operation: name.to_owned(),
                accepted: false,
                decoded: false,
                failure: Some(format!("no input: {why}")),
                exception: None,
            },
        };
        if !outcome.passed() {
            let failure = outcome.failure.as_deref().unwrap_or("");
            outcome.exception = context
                .exceptions
                .iter()
                .find(|e| e.covers(context.spec, name, failure))
                .map(|e| e.reason.clone());
        }
        outcomes.push(outcome);
    }
    drop(server);
    // Rebuilt (linked) on the next run; a large spec's binary is tens of MB.
    let _ = std::fs::remove_file(&binary);
    let calls = context.work.join("calls.tsv");
    std::fs::write(&calls, log).map_err(|e| format!("{}: {e}", calls.display()))?;
    Ok(outcomes)
}

/// A spec's text as JSON (JSON or YAML), as written: the loader's first step, and nothing of what it
/// makes of it.
fn parse_spec(text: &str) -> Result<Value, String> {
    codegen::load::parse_text(text).map_err(|d| format!("the spec does not parse: {d}"))
}

/// A spec's JSON in the 3.0 model: a 3.1 document as the loader's 3.1 stage rewrites it, a 3.0 one as
/// written.
fn in_the_3_0_model(text: &str) -> Result<Value, String> {
    let mut document =
        codegen::load::Document::parse(text).map_err(|d| format!("the spec does not load: {d}"))?;
    document
        .upgrade()
        .map_err(|d| format!("the spec does not load: {d}"))?;
    Ok(document.tree().clone())
}

/// The spec as Prism reads it: without its examples and extensions (`x-...`). Prism's dynamic mode uses
/// neither, and its `$ref` resolver follows a `$ref` inside an example value (GitHub's SCIM examples
/// hold `"$ref": "https://api.github.com/..."` as data) out to the network, or inside an extension to a
/// file the corpus does not have (Train Travel's `x-topics` refers to `./docs/getting-started.md`).
/// Maps keyed by names the spec chooses (properties, parameters, status codes ...) keep an entry called
/// `example` or `x-...`.
fn without_examples(value: &Value, names: bool) -> Value {
    const NAME_MAPS: [&str; 16] = [
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
        "mapping",
        "schemas",
        "parameters",
        "responses",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "paths",
        "encoding",
        "variables",
    ];
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| {
                    names
                        || (key.as_str() != "example"
                            && key.as_str() != "examples"
                            && !key.starts_with("x-"))
                })
                .map(|(key, item)| {
                    (
                        key.clone(),
                        without_examples(item, NAME_MAPS.contains(&key.as_str()) && !names),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| without_examples(item, false))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The credential variables the command line reads, each with a value the spec's scheme accepts: for an
/// API key sent where a parameter of the same name is declared, a value of that parameter's schema
/// (PagerDuty's `Authorization` has a pattern); otherwise a plain token.
fn environment(spec: &Spec, document: &Value, samples: &values::Samples) -> Vec<(String, String)> {
    let mut env = Vec::new();
    for credential in document["credentials"].as_array().into_iter().flatten() {
        let scheme_name = credential["scheme"].as_str().unwrap_or_default();
        let scheme = spec
            .root()
            .pointer(&format!(
                "/components/securitySchemes/{}",
                scheme_name.replace('~', "~0").replace('/', "~1")
            ))
            .map(|s| spec.resolve(s));
        let value = scheme
            .and_then(|scheme| api_key_value(spec, scheme, samples))
            .unwrap_or_else(|| "conformance".to_owned());
        for variable in credential["env"].as_array().into_iter().flatten() {
            if let Some(variable) = variable.as_str() {
                env.push((variable.to_owned(), value.clone()));
            }
        }
    }
    env
}

/// Whether one of the credentials the command line reads is sent as `Authorization` (basic, bearer,
/// OAuth, or an API key of that name).
fn sends_authorization(spec: &Spec, document: &Value) -> bool {
    document["credentials"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["scheme"].as_str())
        .filter_map(|name| {
            let pointer = format!(
                "/components/securitySchemes/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            spec.root().pointer(&pointer).map(|s| spec.resolve(s))
        })
        .any(|scheme| match scheme.get("type").and_then(Value::as_str) {
            Some("http" | "oauth2" | "openIdConnect") => true,
            Some("apiKey") => {
                scheme.get("in").and_then(Value::as_str) == Some("header")
                    && scheme
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
            }
            _ => false,
        })
}

/// A value for an API key that a declared parameter of the same name and place describes.
fn api_key_value(spec: &Spec, scheme: &Value, samples: &values::Samples) -> Option<String> {
    if scheme.get("type").and_then(Value::as_str) != Some("apiKey") {
        return None;
    }
    let name = scheme.get("name").and_then(Value::as_str)?;
    let place = scheme.get("in").and_then(Value::as_str)?;
    let mut candidates: Vec<&Value> = Vec::new();
    if let Some(parameters) = spec
        .root()
        .pointer("/components/parameters")
        .and_then(Value::as_object)
    {
        candidates.extend(parameters.values());
    }
    let parameter = candidates.into_iter().map(|p| spec.resolve(p)).find(|p| {
        p.get("in").and_then(Value::as_str) == Some(place)
            && p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })?;
    let builder = values::Builder::new(spec, values::Fill::Required, samples);
    match builder.value(parameter.get("schema")?, values::Place::Json)? {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// Runs the command line of one crate.
struct Caller<'a> {
    binary: &'a Path,
    env: &'a [(String, String)],
}

/// What one call came to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    exit: Option<i32>,
    accepted: bool,
    decoded: bool,
    failure: Option<String>,
}

impl Caller<'_> {
    fn call(
        &self,
        base_url: &str,
        name: &str,
        input: &Value,
        header: Option<&str>,
        json_answer: bool,
    ) -> Call {
        let mut command = Command::new(self.binary);
        command.args(["--base-url", base_url, "--verbose"]);
        if let Some(header) = header {
            command.args(["--header", header]);
        }
        command
            .args(["call", name, "--input"])
            .arg(input.to_string())
            // Only what the run sets: no credentials or base URL of the developer's shell.
            .env_clear()
            .envs(std::env::var_os("PATH").map(|p| ("PATH".to_owned(), p)))
            .envs(self.env.iter().map(|(k, v)| (k.clone(), v.clone())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = match run_with_timeout(command, CALL_TIMEOUT) {
            Ok(output) => output,
            Err(why) => {
                return Call {
                    exit: None,
                    accepted: false,
                    decoded: false,
                    failure: Some(why),
                }
            }
        };
        judge(&output, json_answer)
    }
}

/// What a process printed, and how it ended.
struct Output {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

fn run_with_timeout(mut command: Command, timeout: Duration) -> Result<Output, String> {
    let mut child = command
        .spawn()
        .map_err(|e| format!("running the CLI: {e}"))?;
    // Read both pipes on threads, so that a full pipe never blocks the child.
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stdout.as_mut() {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stderr.as_mut() {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > timeout => {
                // The child this run started, by its own handle.
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the call took more than {} s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for the CLI: {e}")),
        }
    };
    Ok(Output {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    })
}

/// Whether Prism accepted the request, and whether the answer was decoded, from what `--verbose
/// call` printed: the answer's status and headers (`sl-violations` among them), then the body on
/// stdout or one error line on stderr.
fn judge(output: &Output, json_answer: bool) -> Call {
    let mut violations: Vec<String> = Vec::new();
    let mut problem_json = false;
    let mut status: Option<u16> = None;
    let mut error_line = None;
    // `--verbose` shows a failed call's body after the headers and a blank line.
    let mut body = String::new();
    let mut in_body = false;
    for line in output.stderr.lines() {
        if in_body && !line.starts_with("error: ") {
            body.push_str(line);
            body.push('\n');
            continue;
        }
        if line.is_empty() && status.is_some() {
            in_body = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("HTTP ") {
            status = rest.split(' ').next().and_then(|s| s.parse().ok());
        } else if let Some(rest) = line.strip_prefix("sl-violations: ") {
            if let Ok(Value::Array(list)) = serde_json::from_str::<Value>(rest) {
                for violation in list {
                    let severity = violation["severity"].as_str().unwrap_or_default();
                    // Prism also reports its own answers that break the spec (`response...`): not
                    // the client's doing.
                    let about_request = violation["location"][0].as_str() == Some("request");
                    if severity.eq_ignore_ascii_case("error") && about_request {
                        let location: Vec<String> = violation["location"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|p| p.as_str().map(str::to_owned))
                            .collect();
                        violations.push(format!(
                            "{}: {}",
                            location.join("."),
                            violation["message"].as_str().unwrap_or_default()
                        ));
                    }
                }
            }
        } else if line
            .to_ascii_lowercase()
            .starts_with("content-type: application/problem+json")
        {
            problem_json = true;
        } else if let Some(rest) = line.strip_prefix("error: ") {
            error_line = Some(rest.to_owned());
        }
    }
    let code = output.code;
    let prism_error = problem_json
        && error_line
            .as_deref()
            .is_some_and(|e| e.contains("stoplight.io/prism/errors#"));
    let refused = code == Some(2);
    let accepted = violations.is_empty() && !prism_error && !refused && status.is_some();
    let mut decoded = code == Some(0);
    let mut failure = if !violations.is_empty() {
        Some(format!("Prism: {}", violations.join("; ")))
    } else if prism_error {
        let text = error_line.clone().unwrap_or_default();
        Some(format!("Prism: {}", prism_problem(&body, &text)))
    } else if refused {
        Some(format!(
            "client refused: {}",
            error_line.clone().unwrap_or_default()
        ))
    } else {
        None
    };
    if decoded && json_answer {
        let body = String::from_utf8_lossy(&output.stdout);
        if !body.trim().is_empty() {
            if let Err(e) = serde_json::from_str::<Value>(&body) {
                decoded = false;
                failure.get_or_insert(format!("the printed body is not JSON: {e}"));
            }
        }
    }
    if !decoded && failure.is_none() {
        failure = Some(match &error_line {
            Some(line) => line.clone(),
            None => format!("exit code {code:?}"),
        });
    }
    Call {
        exit: code,
        accepted,
        decoded,
        // One line, for the report and the calls file (a message may quote a stack trace).
        failure: failure.map(|f| f.split_whitespace().collect::<Vec<_>>().join(" ")),
    }
}

/// What Prism's own error answer says: `UNPROCESSABLE_ENTITY: Invalid request: body.links: must be
/// array` (its kind, title and the violations it lists) from the body `--verbose` shows, or the kind
/// and title from the start of the body in the error line.
fn prism_problem(body: &str, error_line: &str) -> String {
    let Ok(problem) = serde_json::from_str::<Value>(body.trim()) else {
        let kind = error_line
            .split("stoplight.io/prism/errors#")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("error");
        let title = error_line
            .split("\"title\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("");
        return format!("{kind}: {title}");
    };
    let kind = problem["type"]
        .as_str()
        .and_then(|t| t.split('#').nth(1))
        .unwrap_or("error");
    let mut text = format!("{kind}: {}", problem["title"].as_str().unwrap_or(""));
    let details: Vec<String> = problem["validation"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            let location: Vec<&str> = v["location"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            format!(
                "{}: {}",
                location.join("."),
                v["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    if !details.is_empty() {
        text.push_str(": ");
        text.push_str(&details.join("; "));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(code: i32, stdout: &str, stderr: &str) -> Output {
        Output {
            code: Some(code),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.to_owned(),
        }
    }

    #[test]
    fn a_spec_prism_cannot_serve_counts_as_known_only_with_a_spec_wide_entry() {
        let broken = |known: Option<&str>| SpecRun {
            spec: "big.json".to_owned(),
            broken: Some(("Prism did not listen within 900 s: ...".to_owned(), 3)),
            broken_known: known.map(str::to_owned),
            ..SpecRun::default()
        };
        assert_eq!(broken(None).counts(), (0, 3, 0));
        assert_eq!(broken(Some("Prism cannot load it")).counts(), (0, 0, 3));
    }

    #[test]
    fn calls_are_judged_by_violations_prism_errors_and_exit_codes() {
        let ok = judge(
            &output(
                0,
                "{\"a\": 1}\n",
                "HTTP 200 OK\ncontent-type: application/json\n",
            ),
            true,
        );
        assert!(ok.accepted && ok.decoded && ok.failure.is_none());

        let violated = judge(
            &output(
                1,
                "",
                "HTTP 422 Unprocessable Entity\nsl-violations: [{\"location\":[\"request\",\"query\",\"limit\"],\"severity\":\"Error\",\"message\":\"must be integer\"}]\nerror: HTTP 422 Unprocessable Entity: {}\n",
            ),
            true,
        );
        assert!(!violated.accepted && !violated.decoded);
        assert_eq!(
            violated.failure.as_deref(),
            Some("Prism: request.query.limit: must be integer")
        );

        let unauthorized = judge(
            &output(
                1,
                "",
                "HTTP 401 Unauthorized\ncontent-type: application/problem+json\nerror: HTTP 401 Unauthorized: {\"type\":\"https://stoplight.io/prism/errors#UNAUTHORIZED\",\"title\":\"Invalid security scheme used\"}\n",
            ),
            true,
        );
        assert!(!unauthorized.accepted);
        assert_eq!(
            unauthorized.failure.as_deref(),
            Some("Prism: UNAUTHORIZED: Invalid security scheme used")
        );

        let problem = r#"{"type":"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY","title":"Invalid request","validation":[{"location":["body","links"],"severity":"Error","message":"must be array"}]}"#;
        let unprocessable = judge(
            &output(
                1,
                "",
                &format!("HTTP 422 Unprocessable Entity\ncontent-type: application/problem+json\n\n{problem}\nerror: HTTP 422 Unprocessable Entity: {problem}\n"),
            ),
            true,
        );
        assert!(!unprocessable.accepted);
        assert_eq!(
            unprocessable.failure.as_deref(),
            Some("Prism: UNPROCESSABLE_ENTITY: Invalid request: body.links: must be array")
        );

        let refused = judge(
            &output(2, "", "error: the body: missing field `name`\n"),
            true,
        );
        assert!(!refused.accepted && !refused.decoded);

        let undecoded = judge(
            &output(
                1,
                "",
                "HTTP 200 OK\nerror: HTTP 200 OK: the response body did not match\n",
            ),
            true,
        );
        assert!(undecoded.accepted && !undecoded.decoded);

        let warning_only = judge(
            &output(0, "[]", "HTTP 200 OK\nsl-violations: [{\"location\":[],\"severity\":\"Warning\",\"message\":\"w\"}]\n"),
            true,
        );
        assert!(warning_only.accepted && warning_only.decoded);

        let not_json = judge(&output(0, "plain", "HTTP 200 OK\n"), true);
        assert!(!not_json.decoded);
        assert!(judge(&output(0, "plain", "HTTP 200 OK\n"), false).decoded);
    }

    #[test]
    fn the_exceptions_file_is_well_formed() {
        let root = crate::project_root();
        let listed = exceptions(&root).expect("the file reads");
        for exception in &listed {
            assert!(
                exception.reason.len() > 20,
                "{exception:?}: say why, so that someone can check it"
            );
            assert!(
                exception.operation != "*" || exception.failure != "*",
                "{exception:?}: a whole spec is not an exception"
            );
        }
        let any = Exception {
            spec: "a.yaml".into(),
            operation: "*".into(),
            failure: "must be array".into(),
            reason: "r".into(),
        };
        assert!(any.covers("a.yaml", "op", "Prism: x must be array"));
        assert!(!any.covers("a.yaml", "op", "Prism: x must be integer"));
        assert!(!any.covers("b.yaml", "op", "Prism: x must be array"));
        // A spec no operation of which could be called is excused by a spec-wide entry only.
        assert!(any.excuses_broken("a.yaml", "Prism: must be array"));
        assert!(!any.excuses_broken("a.yaml", "Prism did not listen within 900 s"));
        let one = Exception {
            operation: "op".into(),
            ..any
        };
        assert!(!one.excuses_broken("a.yaml", "Prism: must be array"));
    }

    #[test]
    fn prism_reads_the_spec_without_examples_and_extensions_but_with_properties_named_so() {
        let spec = serde_json::json!({
            "x-topics": [{"content": {"$ref": "./docs/getting-started.md"}}],
            "components": {
                "examples": {"scim": {"value": {"$ref": "https://api.example.test/x"}}},
                "schemas": {"example": {"type": "object", "example": {"a": 1},
                    "properties": {"example": {"type": "string", "example": "x"}, "examples": {"type": "array"},
                        "x-id": {"type": "string", "x-internal": true}}}}
            },
            "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "example": 1, "schema": {"type": "integer"}}]}}}
        });
        assert_eq!(
            without_examples(&spec, false),
            serde_json::json!({
                "components": {
                    "schemas": {"example": {"type": "object",
                        "properties": {"example": {"type": "string"}, "examples": {"type": "array"},
                            "x-id": {"type": "string"}}}}
                },
                "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}]}}}
            })
        );
    }

    #[test]
    fn yaml_specs_keep_big_numbers_and_integer_keys() {
        let spec = parse_spec("a:\n  minimum: -9223372036854775809\n  200: ok\n").expect("YAML");
        assert_eq!(spec["a"]["200"], "ok");
        assert!(spec["a"]["minimum"].as_f64().is_some_and(|f| f < -9.2e18));
    }

    #[test]
    fn the_index_gives_operation_counts() {
        let counts = operation_counts(&crate::project_root().join(corpus::CORPUS));
        assert_eq!(counts.get("oai-petstore.yaml"), Some(&3));
    }
}
