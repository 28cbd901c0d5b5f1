//! The ordered parallel engine: batches in, results out in input order, on many threads, with
//! a bounded number of batches in memory.
//!
//! One thread pulls batches from the source, `threads` workers map them, and the calling
//! thread consumes the results strictly in input order (a reorder buffer holds results that
//! finish early). A batch may only be pulled when fewer than `max_in_flight` batches are
//! between source and consumer, so memory is bounded by `max_in_flight` × batch size however
//! fast or slow each stage is, and the consumer sees exactly the sequence it would see with
//! one thread: output is byte-identical whatever the thread count.

use std::collections::BTreeMap;
use std::thread;

use crossbeam_channel::{bounded, unbounded};

/// Maps `items` with `map` on `threads` worker threads and passes the results to `consume`
/// in input order. With `threads <= 1` everything runs on the calling thread. Stops early,
/// returning the error, when `consume` fails.
pub fn run_ordered<T, U, E, I, M, C>(
    threads: usize,
    max_in_flight: usize,
    items: I,
    map: M,
    mut consume: C,
) -> Result<(), E>
where
    T: Send,
    U: Send,
    I: Iterator<Item = T> + Send,
    M: Fn(T) -> U + Sync,
    C: FnMut(U) -> Result<(), E>,
{
    if threads <= 1 {
        for item in items {
            consume(map(item))?;
        }
        return Ok(());
    }
    let max_in_flight = max_in_flight.max(threads + 1);
    let (token_tx, token_rx) = bounded::<()>(max_in_flight);
    for _ in 0..max_in_flight {
        token_tx.send(()).expect("token channel has room");
    }
    let (work_tx, work_rx) = bounded::<(u64, T)>(threads);
    let (done_tx, done_rx) = unbounded::<(u64, U)>();
    let map = &map;
    // The closure owns the token sender and the result receiver, so when it returns early on
    // an error they are dropped before the scope joins: the source stops at its next token
    // and the workers at their next send.
    thread::scope(move |scope| {
        scope.spawn(move || {
            let mut items = items;
            let mut seq = 0u64;
            // A token is taken before each batch is read and given back once it is consumed.
            while token_rx.recv().is_ok() {
                let Some(item) = items.next() else { break };
                if work_tx.send((seq, item)).is_err() {
                    break;
                }
                seq += 1;
            }
        });
        for _ in 0..threads {
            let work_rx = work_rx.clone();
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                for (seq, item) in work_rx.iter() {
                    if done_tx.send((seq, map(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(work_rx);
        drop(done_tx);
        let mut next = 0u64;
        let mut pending = BTreeMap::new();
        for (seq, result) in done_rx.iter() {
            pending.insert(seq, result);
            while let Some(result) = pending.remove(&next) {
                consume(result)?;
                next += 1;
                let _ = token_tx.send(());
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn results_arrive_in_input_order_whatever_the_thread_count() {
        for threads in [1, 2, 3, 8] {
            let mut out = Vec::new();
            run_ordered::<_, _, (), _, _, _>(
                threads,
                4,
                0..200u64,
                |i| {
                    // Uneven work so results finish out of order.
                    if i % 7 == 0 {
                        std::thread::sleep(Duration::from_micros(300));
                    }
                    i * 2
                },
                |x| {
                    out.push(x);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(
                out,
                (0..200).map(|i| i * 2).collect::<Vec<_>>(),
                "threads={threads}"
            );
        }
    }

    #[test]
    fn in_flight_batches_are_bounded() {
        let live = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let items = (0..100).inspect(|_| {
            let now = live.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
        });
        run_ordered::<_, _, (), _, _, _>(
            4,
            6,
            items,
            |i| i,
            |_| {
                std::thread::sleep(Duration::from_micros(100));
                live.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            },
        )
        .unwrap();
        assert!(
            peak.load(Ordering::SeqCst) <= 6,
            "peak {}",
            peak.load(Ordering::SeqCst)
        );
    }

    #[test]
    fn consumer_error_stops_the_run() {
        let mut seen = 0;
        let result = run_ordered(
            2,
            4,
            0..1_000_000u64,
            |i| i,
            |i| {
                seen += 1;
                if i == 10 {
                    Err("stop")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result, Err("stop"));
        assert_eq!(seen, 11);
    }
}
