//! Stoplight Prism, the judge: installed from the npm registry into `target/conformance/prism/` at the
//! version `xtask/prism/package-lock.json` pins (with its whole dependency tree, by `npm ci`), and run
//! as `prism mock -d SPEC` on a free port of 127.0.0.1, one server per spec.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Prism is installed, relative to the project root.
pub const DIR: &str = "target/conformance/prism";
/// The pinned manifest and lock file, relative to the project root.
pub const PINNED: &str = "xtask/prism";
/// How long a server may take to load its spec (Stripe's takes minutes on a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(900);
/// The seed of Prism's generated answers: the same answers on every run.
const SEED: &str = "14";

/// Installs the pinned Prism unless it is there already; returns the path of its command.
pub fn install(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join(DIR);
    let command = dir.join("node_modules/.bin/prism");
    let pinned = root.join(PINNED);
    let lock = std::fs::read_to_string(pinned.join("package-lock.json"))
        .map_err(|e| format!("{}: {e}", pinned.join("package-lock.json").display()))?;
    // Installed from this very lock file: nothing to do.
    let installed = std::fs::read_to_string(dir.join("package-lock.json")).ok();
    if command.exists() && installed.as_deref() == Some(lock.as_str()) {
        return Ok(command);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(pinned.join(file), dir.join(file))
            .map_err(|e| format!("copying {file}: {e}"))?;
    }
    eprintln!("installing Stoplight Prism into {DIR} (npm ci) ...");
    let output = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        // Prism's dependencies phone home from their install scripts unless told not to; scripts are
        // not run anyway.
        .env("SCARF_ANALYTICS", "false")
        .output()
        .map_err(|e| format!("running npm (Node.js and npm must be installed): {e}"))?;
    if !output.status.success() || !command.exists() {
        return Err(format!(
            "npm ci failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(command)
}

/// A running Prism server, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// What it was started with, to start it again.
    prism: PathBuf,
    spec: PathBuf,
    log: PathBuf,
}

impl Server {
    /// Starts `prism mock -d` for `spec` and waits until it accepts connections; its log goes to `log`.
    pub fn start(prism: &Path, spec: &Path, log: &Path) -> Result<Self, String> {
        let port = free_port()?;
        // Appended to: a Prism started again after a crash keeps the first one's log.
        let log_file = std::fs::File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let err_file = log_file
            .try_clone()
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let child = Command::new(prism)
            .args([
                "mock",
                "--dynamic",
                "--seed",
                SEED,
                "--host",
                "127.0.0.1",
                "--port",
            ])
            .arg(port.to_string())
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", prism.display()))?;
        let mut server = Server {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            prism: prism.to_path_buf(),
            spec: spec.to_path_buf(),
            log: log.to_path_buf(),
        };
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "Prism stopped ({status}) before it listened: {}",
                    server.last_words()
                ));
            }
            if listening(port) {
                return Ok(server);
            }
            if start.elapsed() > START_TIMEOUT {
                return Err(format!(
                    "Prism did not listen within {} s: {}",
                    START_TIMEOUT.as_secs(),
                    server.last_words()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Starts Prism again, as it was started, after it stopped (on a new port: see `base_url`).
    pub fn restart(&mut self) -> Result<(), String> {
        *self = Server::start(&self.prism, &self.spec, &self.log)?;
        Ok(())
    }

    /// Whether the server is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Whether the server is still running after `grace` (a crashing Prism takes a moment to exit).
    pub fn alive_after(&mut self, grace: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < grace {
            if !self.alive() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.alive()
    }

    /// The last lines of the log, on one line.
    fn last_words(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(3)..].join(" | ")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The server this run started, by its own handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now.
fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("binding 127.0.0.1: {e}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|e| format!("reading the port: {e}"))
}

/// Whether Prism answers HTTP on the port (it binds before it has loaded the spec only briefly).
fn listening(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        "GET /__conformance_probe__ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = [0u8; 12];
    stream
        .read(&mut answer)
        .is_ok_and(|n| answer[..n].starts_with(b"HTTP/1."))
}
