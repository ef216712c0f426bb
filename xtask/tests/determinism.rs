//! Generation gives the same bytes in separate processes. Comparing two generations within one process
//! cannot see output that depends on the process: its hashing seeds (std's `HashMap` draws new keys in
//! each process), how many threads generation runs and how the work is cut for them, or the
//! environment. So the built `xtask` binary generates each spec twice as a standalone crate, with one
//! thread and then four ([`codegen::THREADS_VAR`]), under different stack sizes, locales, time zones
//! and working directories: every file of the two crates must be byte for byte the same, and the
//! warnings printed the same, in the same order.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The specs generated: the Awal spec and every feature fixture that generates.
const SPECS: [&str; 11] = [
    "spec/awal.yaml",
    "tests/fixtures/features.yaml",
    "tests/fixtures/deep-refs.yaml",
    "tests/fixtures/security.yaml",
    "tests/fixtures/operations/operations.yaml",
    "tests/fixtures/schemas/all_of.yaml",
    "tests/fixtures/schemas/formats.yaml",
    "tests/fixtures/schemas/maps_nullable.yaml",
    "tests/fixtures/schemas/names.yaml",
    "tests/fixtures/schemas/recursion.yaml",
    "tests/fixtures/schemas/unions.yaml",
];

/// The two runs: what each sets in the environment, and what it removes.
struct Run {
    set: &'static [(&'static str, &'static str)],
    remove: &'static [&'static str],
}

const RUNS: [Run; 2] = [
    Run {
        set: &[(codegen::THREADS_VAR, "1"), ("TZ", "UTC"), ("LC_ALL", "C")],
        remove: &["RUST_MIN_STACK", "LANG"],
    },
    Run {
        set: &[
            (codegen::THREADS_VAR, "4"),
            // The worker threads' stacks (the first run has none: it generates on the main thread).
            ("RUST_MIN_STACK", "16777216"),
            ("TZ", "Asia/Riyadh"),
            ("LC_ALL", "ar_SA.UTF-8"),
            ("LANG", "ar_SA.UTF-8"),
            ("AWAL_DETERMINISM_NOISE", "shifts the environment block"),
        ],
        remove: &[],
    },
];

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(current) = dirs.pop() {
        let entries =
            fs::read_dir(&current).unwrap_or_else(|e| panic!("{}: {e}", current.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", current.display()))
                .path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let relative = path.strip_prefix(dir).map(Path::to_path_buf);
                // Walked from `dir`, so every path is under it.
                out.insert(relative.unwrap_or(path), bytes);
            }
        }
    }
    out
}

/// The first line where `a` and `b` differ, for the failure message.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    match a.lines().zip(b.lines()).position(|(x, y)| x != y) {
        Some(i) => format!(
            "line {}:\n  one thread:   {}\n  four threads: {}",
            i + 1,
            a.lines().nth(i).unwrap_or_default(),
            b.lines().nth(i).unwrap_or_default()
        ),
        None => format!("{} lines against {}", a.lines().count(), b.lines().count()),
    }
}

#[test]
fn two_processes_with_different_threads_and_environments_generate_the_same_bytes() {
    let root = xtask::project_root();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("determinism");
    let _ = fs::remove_dir_all(&scratch);
    // Each spec's crate is written to the same path in both runs (the first run's copy is moved
    // aside), in case a generated file names where it is. Within a run, the specs generate at once.
    let dir = |spec: usize| scratch.join(spec.to_string());
    for spec in 0..SPECS.len() {
        fs::create_dir_all(dir(spec)).expect("a scratch directory under target/");
    }
    // What each run printed on stderr, per spec: the warnings, which must come in the same order.
    let mut warnings: Vec<Vec<String>> = vec![Vec::new(); SPECS.len()];
    for (index, run) in RUNS.iter().enumerate() {
        let children: Vec<_> = SPECS
            .iter()
            .enumerate()
            .map(|(spec, path)| {
                let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
                command
                    .args(["gen", "--spec"])
                    .arg(root.join(path))
                    .arg("--out")
                    .arg(dir(spec).join("crate"))
                    .current_dir(if index == 0 { &root } else { &scratch })
                    .env("NO_COLOR", "1")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                for (name, value) in run.set {
                    command.env(name, value);
                }
                for name in run.remove {
                    command.env_remove(name);
                }
                command.spawn().expect("the xtask binary starts")
            })
            .collect();
        for (spec, child) in children.into_iter().enumerate() {
            let output = child.wait_with_output().expect("the xtask binary runs");
            assert!(
                output.status.success(),
                "{}, run {index}: {}\n{}",
                SPECS[spec],
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
            fs::rename(
                dir(spec).join("crate"),
                dir(spec).join(format!("run{index}")),
            )
            .expect("the crate is moved aside");
            warnings[spec].push(String::from_utf8_lossy(&output.stderr).into_owned());
        }
    }
    for (spec, path) in SPECS.iter().enumerate() {
        let one = files(&dir(spec).join("run0"));
        let four = files(&dir(spec).join("run1"));
        assert!(
            one.contains_key(Path::new("src/generated/types.rs")),
            "{path}: no generated types in {:?}",
            one.keys()
        );
        assert_eq!(
            one.keys().collect::<Vec<_>>(),
            four.keys().collect::<Vec<_>>(),
            "{path}: the two runs wrote different files"
        );
        assert_eq!(
            warnings[spec][0], warnings[spec][1],
            "{path}: the runs warned differently"
        );
        for (file, bytes) in &one {
            assert!(
                bytes == &four[file],
                "{path}: {} differs between the runs at {}",
                file.display(),
                first_difference(bytes, &four[file])
            );
        }
    }
    fs::remove_dir_all(&scratch).expect("the scratch directory is removed");
}
