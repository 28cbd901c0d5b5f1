//! The tokenizer's fast path: chunks made only of letters that no prefix, suffix or infix
//! pattern of the language can match in are one token each (unless they are a rule string or
//! start a special-case pattern), so they skip the patterns and the memo.
//!
//! Which letters qualify is derived once per language from the patterns themselves, not listed
//! by hand: a walk of each pattern's lazy DFA over the UTF-8 bytes of the letters shows whether
//! any string of them holds a match. Lookarounds, which the DFA cannot run, are first rewritten
//! into what they can mean inside such a string: a positive one whose body matches no string of
//! the letters never holds (the alternative it is in is dropped); every other is removed, which
//! only widens the pattern. Anything the walk cannot decide counts as a match.

use std::collections::HashSet;

use regex_automata::hybrid::dfa::DFA;
use regex_automata::util::start;
use regex_automata::Anchored;

use super::pyre::replace_lookarounds;

/// Letters are looked for below this code point (Latin, Greek and Cyrillic).
const LIMIT: usize = 0x500;

/// A set of letters below [`LIMIT`].
#[derive(Clone)]
pub(crate) struct Letters {
    bits: [u64; LIMIT / 64],
}

/// A pattern that matches nothing (an empty class), for lookarounds that never hold.
const NEVER: &str = "[a&&b]";

impl Letters {
    /// Every alphabetic code point below [`LIMIT`].
    fn alphabetic() -> Letters {
        Letters::of(|c| c.is_alphabetic())
    }

    /// The ASCII letters.
    fn ascii() -> Letters {
        Letters::of(|c| c.is_ascii_alphabetic())
    }

    fn of(keep: impl Fn(char) -> bool) -> Letters {
        let mut bits = [0u64; LIMIT / 64];
        for c in (0..LIMIT as u32)
            .filter_map(char::from_u32)
            .filter(|&c| keep(c))
        {
            bits[c as usize / 64] |= 1 << (c as usize % 64);
        }
        Letters { bits }
    }

    #[inline]
    fn has(&self, c: u32) -> bool {
        (c as usize) < LIMIT && self.bits[c as usize / 64] & (1 << (c % 64)) != 0
    }

    /// The largest of the alphabetic letters below [`LIMIT`] and the ASCII letters in which
    /// none of `patterns` (Rust syntax, unanchored searches) can match, if either.
    pub(crate) fn untouched_by(patterns: &[&str]) -> Option<Letters> {
        [Letters::alphabetic(), Letters::ascii()]
            .into_iter()
            .find(|letters| patterns.iter().all(|p| !letters.may_match(p)))
    }

    /// Whether `chunk` is non-empty and made only of these letters.
    #[inline]
    pub(crate) fn cover(&self, chunk: &str) -> bool {
        let b = chunk.as_bytes();
        if b.is_ascii() {
            return !b.is_empty() && b.iter().all(|&c| self.has(u32::from(c)));
        }
        chunk.chars().all(|c| self.has(c as u32))
    }

    /// Whether `pattern` may match (possibly empty) somewhere in some string of these letters;
    /// true when the walk cannot tell. Each lookaround is first replaced by [`NEVER`] (a
    /// positive one whose body cannot match in these letters) or removed (any other).
    fn may_match(&self, pattern: &str) -> bool {
        let plain = replace_lookarounds(pattern, |head, body| {
            if !head.contains('!') && !self.may_match(body) {
                NEVER
            } else {
                ""
            }
        });
        self.walk(&plain).unwrap_or(true)
    }

    /// Breadth-first walk of the lazy DFA of `pattern` (no lookarounds) over the UTF-8 bytes
    /// of these letters: `Some(true)` if a match state is reachable, `None` if undecided.
    fn walk(&self, pattern: &str) -> Option<bool> {
        let dfa = DFA::builder()
            .configure(DFA::config().cache_capacity(64 << 20))
            .build(pattern)
            .ok()?;
        let mut cache = dfa.create_cache();
        let start = dfa
            .start_state(&mut cache, &start::Config::new().anchored(Anchored::No))
            .ok()?;
        let edges = self.edges(&dfa);
        // A state is a DFA state and a position in a letter's UTF-8 bytes: 0 between letters,
        // else the lead byte read so far.
        let mut seen = HashSet::new();
        let mut todo = vec![(start, 0u8)];
        seen.insert((start, 0u8));
        while let Some((state, lead)) = todo.pop() {
            if lead == 0 && dfa.next_eoi_state(&mut cache, state).ok()?.is_match() {
                return Some(true);
            }
            for &(byte, next_lead) in &edges[usize::from(lead)] {
                let next = dfa.next_state(&mut cache, state, byte).ok()?;
                if next.is_match() {
                    return Some(true);
                }
                if next.is_quit() {
                    return None;
                }
                if !next.is_dead() && seen.insert((next, next_lead)) {
                    todo.push((next, next_lead));
                }
            }
            if cache.clear_count() > 0 {
                return None; // state ids were invalidated
            }
        }
        Some(false)
    }

    /// Per byte position (0, or a lead byte read), the bytes that continue a letter and the
    /// position after them; one byte per DFA byte class and next position.
    fn edges(&self, dfa: &DFA) -> Vec<Vec<(u8, u8)>> {
        let classes = dfa.byte_classes();
        let mut edges = vec![Vec::new(); 256];
        let mut seen = HashSet::new();
        let mut add = |from: u8, byte: u8, to: u8, edges: &mut Vec<Vec<(u8, u8)>>| {
            if seen.insert((from, classes.get(byte), to)) {
                edges[usize::from(from)].push((byte, to));
            }
        };
        for c in (0..LIMIT as u32).filter(|&c| self.has(c)) {
            let mut buf = [0u8; 4];
            let ch = char::from_u32(c).expect("letters are chars");
            match *ch.encode_utf8(&mut buf).as_bytes() {
                [b] => add(0, b, 0, &mut edges),
                [lead, cont] => {
                    add(0, lead, lead, &mut edges);
                    add(lead, cont, 0, &mut edges);
                }
                _ => unreachable!("code points below U+0800 take at most two bytes"),
            }
        }
        edges
    }
}

#[cfg(test)]
mod tests {
    use super::Letters;

    #[test]
    fn finds_matches_in_letters() {
        let letters = Letters::alphabetic();
        assert!(letters.may_match("(?:km|m)$"));
        assert!(letters.may_match("ä"));
        assert!(letters.may_match("x*"), "empty matches count");
        assert!(!letters.may_match(r"\.$"));
        assert!(!letters.may_match("^[0-9]"));
        assert!(!letters.may_match("[a&&b]"));
    }

    #[test]
    fn reads_lookarounds_as_they_hold_in_letters() {
        let letters = Letters::alphabetic();
        // Units follow digits only: never inside a string of letters.
        assert!(!letters.may_match("(?<=[0-9])(?:km|m)$"));
        // A lookbehind that letters satisfy is dropped: the rest matches.
        assert!(letters.may_match("(?<=[a-z])s$"));
        // Negative lookarounds are dropped (the pattern only widens).
        assert!(letters.may_match("(?<![0-9])s$"));
        assert!(!letters.may_match(r"(?<=[a-z])\.(?=[A-Z])"));
        // Nested: the inner lookahead never holds, so the outer lookbehind's body cannot match.
        assert!(!letters.may_match("(?<=a(?=[0-9]))b"));
        // Only the alternative with the lookaround is dropped.
        assert!(letters.may_match("(?<=[0-9])m|q"));
    }

    #[test]
    fn undecidable_patterns_count_as_matches() {
        // The lazy DFA refuses Unicode word boundaries on non-ASCII input.
        assert!(Letters::alphabetic().may_match(r"\bé"));
    }

    #[test]
    fn falls_back_to_ascii_letters() {
        let letters = Letters::untouched_by(&["ß$"]).expect("ASCII letters are untouched");
        assert!(letters.cover("Strasse"));
        assert!(!letters.cover("Straße"));
        assert!(Letters::untouched_by(&["e"]).is_none());
        let all = Letters::untouched_by(&[r"\.$"]).expect("untouched");
        assert!(all.cover("Straße") && all.cover("Жж") && all.cover("Ωμέγα"));
        assert!(!all.cover("ἀ"), "above U+0500");
        assert!(!all.cover("") && !all.cover("a.") && !all.cover("a b") && !all.cover("a1"));
    }
}
