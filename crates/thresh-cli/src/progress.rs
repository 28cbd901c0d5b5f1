//! Progress on stderr: a bar with documents/s, MB/s and ETA on a terminal; a line every ten
//! seconds otherwise (logs, CI).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use thresh::run::Progress;

/// Reports progress of a run.
pub enum Reporter {
    /// Nothing.
    Quiet,
    /// An indicatif bar over raw input bytes.
    Bar(ProgressBar),
    /// Periodic plain lines.
    Lines(Mutex<LineState>),
}

/// State of line-oriented progress.
pub struct LineState {
    started: Instant,
    last: Instant,
    total: u64,
}

impl Reporter {
    /// A reporter for stderr: quiet, a bar on a terminal, lines otherwise.
    pub fn new(quiet: bool) -> Self {
        if quiet {
            Reporter::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(4));
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {percent:>3}% {binary_bytes}/{binary_total_bytes} {msg} eta {eta}",
                )
                .expect("valid template"),
            );
            Reporter::Bar(bar)
        } else {
            let now = Instant::now();
            Reporter::Lines(Mutex::new(LineState {
                started: now,
                last: now,
                total: 0,
            }))
        }
    }
}

fn rates(docs: u64, bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-6);
    format!(
        "{docs} docs, {:.0} docs/s, {:.1} MB/s",
        docs as f64 / secs,
        bytes as f64 / 1e6 / secs
    )
}

impl Progress for Reporter {
    fn start(&self, raw_bytes: u64, files: u64) {
        match self {
            Reporter::Quiet => {}
            Reporter::Bar(bar) => bar.set_length(raw_bytes),
            Reporter::Lines(state) => {
                let mut s = state.lock().expect("progress lock");
                s.total = raw_bytes;
                eprintln!(
                    "thresh: {files} input files, {:.1} MB to read",
                    raw_bytes as f64 / 1e6
                );
            }
        }
    }

    fn update(&self, docs: u64, raw_bytes: u64, bytes: u64) {
        match self {
            Reporter::Quiet => {}
            Reporter::Bar(bar) => {
                bar.set_position(raw_bytes);
                bar.set_message(rates(docs, bytes, bar.elapsed()));
            }
            Reporter::Lines(state) => {
                let mut s = state.lock().expect("progress lock");
                if s.last.elapsed() >= Duration::from_secs(10) {
                    s.last = Instant::now();
                    let done = if s.total > 0 {
                        100.0 * raw_bytes as f64 / s.total as f64
                    } else {
                        100.0
                    };
                    eprintln!(
                        "thresh: {done:.1}% {}",
                        rates(docs, bytes, s.started.elapsed())
                    );
                }
            }
        }
    }

    fn finish(&self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
