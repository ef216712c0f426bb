//! Paired measurement of routines that are compared with each other: rounds in which each routine runs
//! the same number of times, the order rotating from round to round, and per round the ratio of each
//! routine's time to another's. The median ratio over the rounds is robust to what a shared two-core
//! machine does between criterion's measurement windows (a compile starting on the other core slows
//! one benchmark and not the next); criterion's absolute times are kept alongside.

// Each bench that includes this file uses a different part of it.
#![allow(dead_code)]

use std::time::Instant;

/// The time per call of each routine in each round.
#[derive(Debug, Clone)]
pub struct Rounds {
    /// `times[routine][round]`, seconds per call.
    times: Vec<Vec<f64>>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

impl Rounds {
    /// The number of rounds.
    pub fn len(&self) -> usize {
        self.times.first().map_or(0, Vec::len)
    }

    /// Median over the rounds of routine `i`'s seconds per call.
    pub fn seconds(&self, i: usize) -> f64 {
        median(self.times[i].clone())
    }

    /// Median over the rounds of routine `i`'s time divided by routine `j`'s in the same round.
    pub fn ratio(&self, i: usize, j: usize) -> f64 {
        median(
            self.times[i]
                .iter()
                .zip(&self.times[j])
                .map(|(a, b)| a / b)
                .collect(),
        )
    }
}

/// Runs `rounds` rounds of `per_round` calls of each routine.
pub fn measure(rounds: usize, per_round: usize, routines: &mut [&mut dyn FnMut()]) -> Rounds {
    assert!(rounds > 0 && per_round > 0 && !routines.is_empty());
    let n = routines.len();
    let mut times = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let start = Instant::now();
            for _ in 0..per_round {
                (routines[i])();
            }
            times[i].push(start.elapsed().as_secs_f64() / per_round as f64);
        }
    }
    Rounds { times }
}

/// Whether the binary runs as a benchmark (`cargo bench` passes `--bench`), not as a test
/// (`cargo test --benches` runs each benchmark once) nor under a profiler (`--profile-time`): the
/// paired rounds are skipped then.
pub fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|arg| arg == "--bench") && !args.iter().any(|arg| arg == "--profile-time")
}
