//! spaCy 3.8's rule-based tokenizer (`spacy.blank(lang)`), ported from its `tokenizer.pyx`:
//! whitespace chunking, exceptions ("rules"), prefix/suffix/infix splitting, URL and token
//! matches, and the special-case matcher pass that re-merges rule strings split by affixes.
//!
//! Tokens are byte ranges of the input text; whitespace tokens are included (the sentencizer
//! needs them). Chunks of letters no pattern can touch are one token without further work
//! ([`Letters`]); other chunk results are memoised per thread (they depend only on the chunk
//! string).

use std::cell::RefCell;

use super::letters::Letters;
use super::memo::{ChunkMemo, FxMap, FxSet, MAX_CHUNK, PAT_BIT};
use super::pyre::{strip_lookarounds, translate, translate_branches};
use super::pyws::is_space;
use super::tables::LangTables;

/// One token: `text[start..end]`, and whether one `' '` follows it (spaCy's `whitespace_`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub space: bool,
    /// The token text starts some special-case pattern.
    pat: bool,
}

/// A compiled pattern: the `regex` crate when it accepts it, else `fancy_regex` (lookaround),
/// guarded by a `regex` prefilter (the pattern without its lookarounds, which matches whenever
/// the full pattern does).
enum Rx {
    Plain(regex::Regex),
    Fancy {
        re: fancy_regex::Regex,
        pre: Option<regex::Regex>,
    },
}

fn plain(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(16 << 20)
        .build()
}

/// Compiled-program size limit: the tables have large Unicode classes (and fr's token match
/// is case-insensitive), far above the crates' 10 MB defaults.
const SIZE_LIMIT: usize = 1 << 30;

impl Rx {
    fn new(pattern: &str) -> Rx {
        match plain(pattern) {
            Ok(re) => Rx::Plain(re),
            Err(_) => Rx::Fancy {
                re: fancy_regex::RegexBuilder::new(pattern)
                    .delegate_size_limit(SIZE_LIMIT)
                    .delegate_dfa_size_limit(16 << 20)
                    .build()
                    .unwrap_or_else(|e| {
                        panic!("embedded spaCy pattern compiles: {e}: {pattern:.200}")
                    }),
                pre: plain(&strip_lookarounds(pattern)).ok(),
            },
        }
    }

    /// Leftmost-first match in `s` starting at or after byte `pos` (lookbehind sees `s[..pos]`).
    /// A fancy-regex backtracking-limit error counts as no match.
    #[inline]
    fn find_at(&self, s: &str, pos: usize) -> Option<(usize, usize)> {
        match self {
            Rx::Plain(re) => re.find_at(s, pos).map(|m| (m.start(), m.end())),
            Rx::Fancy { re, pre } => {
                if pre.as_ref().is_some_and(|p| p.find_at(s, pos).is_none()) {
                    return None;
                }
                re.find_from_pos(s, pos)
                    .ok()
                    .flatten()
                    .map(|m| (m.start(), m.end()))
            }
        }
    }

    #[inline]
    fn is_match(&self, s: &str) -> bool {
        match self {
            Rx::Plain(re) => re.is_match(s),
            Rx::Fancy { re, pre } => {
                pre.as_ref().is_none_or(|p| p.is_match(s)) && re.is_match(s).unwrap_or(false)
            }
        }
    }
}

/// Groups alternatives into as few compiled patterns as possible, keeping their order:
/// consecutive alternatives the `regex` crate accepts are joined into one pattern.
fn group_branches(branches: &[String]) -> Vec<Rx> {
    let mut out = Vec::new();
    let mut easy: Vec<&str> = Vec::new();
    let flush = |easy: &mut Vec<&str>, out: &mut Vec<Rx>| {
        if !easy.is_empty() {
            out.push(Rx::new(&easy.join("|")));
            easy.clear();
        }
    };
    for b in branches {
        if plain(b).is_ok() {
            easy.push(b);
        } else {
            flush(&mut easy, &mut out);
            out.push(Rx::new(b));
        }
    }
    flush(&mut easy, &mut out);
    out
}

thread_local! {
    /// Chunk memos of this thread, indexed by [`Tokenizer::memo_slot`].
    static MEMOS: RefCell<Vec<ChunkMemo>> = const { RefCell::new(Vec::new()) };
}

/// The compiled tokenizer of one language.
pub(crate) struct Tokenizer {
    /// Index of this language's memo in the per-thread caches.
    memo_slot: usize,
    /// Prefix alternatives in list order; the first that matches at 0 wins.
    prefix: Vec<Rx>,
    /// Suffix alternatives; the one starting leftmost (the longest suffix) wins.
    suffix: Vec<Rx>,
    infix: Option<Rx>,
    token_match: Option<Rx>,
    url_match: Option<Rx>,
    /// Rule string → end offsets (bytes) of its tokens within the string.
    rules: FxMap<Box<str>, Box<[u32]>>,
    /// First token text of a special-case pattern → indices into `patterns`.
    pattern_starts: FxMap<Box<str>, Vec<u32>>,
    /// Special-case patterns (affix-only tokenisations of rule strings), deduplicated.
    patterns: Vec<Vec<Box<str>>>,
    /// Letters in which no prefix, suffix or infix matches, if the patterns leave any.
    letters: Option<Letters>,
    /// Rule strings and pattern starts made of [`Tokenizer::letters`]: the chunks of letters
    /// that still need the full rules.
    special_letters: FxSet<Box<str>>,
}

impl Tokenizer {
    /// Compiles the tables of one language; `memo_slot` identifies its per-thread memo.
    pub(crate) fn new(t: &LangTables, memo_slot: usize) -> Tokenizer {
        let branches = |p: &Option<String>| {
            p.as_deref().map_or_else(Vec::new, |p| {
                translate_branches(p).expect("embedded spaCy pattern translates")
            })
        };
        // Python `re.match` semantics: anchored at the start only.
        let anchored = |p: &Option<String>| {
            p.as_deref().map(|p| {
                Rx::new(&format!(
                    "^(?:{})",
                    translate(p).expect("embedded spaCy pattern translates")
                ))
            })
        };
        let prefix = branches(&t.prefix_regex);
        let suffix = branches(&t.suffix_regex);
        let infix = t
            .infix_regex
            .as_deref()
            .map(|p| translate(p).expect("embedded spaCy pattern translates"));
        let patterns: Vec<&str> = prefix
            .iter()
            .chain(&suffix)
            .chain(&infix)
            .map(String::as_str)
            .collect();
        let letters = Letters::untouched_by(&patterns);
        let mut rules = FxMap::default();
        for (key, toks) in &t.rules {
            if toks.concat() != *key {
                continue; // spaCy rejects such rules; none exist in the tables.
            }
            let mut end = 0u32;
            let ends: Box<[u32]> = toks
                .iter()
                .map(|tok| {
                    end += tok.len() as u32;
                    end
                })
                .collect();
            rules.insert(key.as_str().into(), ends);
        }
        let mut tok = Tokenizer {
            memo_slot,
            prefix: group_branches(&prefix),
            suffix: group_branches(&suffix),
            infix: infix.as_deref().map(Rx::new),
            token_match: anchored(&t.token_match_regex),
            url_match: anchored(&t.url_match_regex),
            rules,
            pattern_starts: FxMap::default(),
            patterns: Vec::new(),
            letters,
            special_letters: FxSet::default(),
        };
        let mut seen: FxMap<Vec<Box<str>>, ()> = FxMap::default();
        let mut toks = Vec::new();
        for key in &t.special_matcher_keys {
            toks.clear();
            tok.affix_only_tokens(key, &mut toks);
            let pattern: Vec<Box<str>> = toks.iter().map(|t| key[t.start..t.end].into()).collect();
            if pattern.is_empty() || seen.insert(pattern.clone(), ()).is_some() {
                continue;
            }
            let id = tok.patterns.len() as u32;
            tok.pattern_starts
                .entry(pattern[0].clone())
                .or_default()
                .push(id);
            tok.patterns.push(pattern);
        }
        if let Some(letters) = &tok.letters {
            tok.special_letters = (tok.rules.keys())
                .chain(tok.pattern_starts.keys())
                .filter(|k| letters.cover(k))
                .cloned()
                .collect();
        }
        tok
    }

    /// The letters of the fast path, if any.
    #[cfg(test)]
    pub(crate) fn letters(&self) -> Option<&Letters> {
        self.letters.as_ref()
    }

    /// Whether `chunk` is one token by the fast path: made of [`Tokenizer::letters`], and
    /// neither a rule string nor the start of a special-case pattern.
    #[inline]
    fn plain_word(&self, chunk: &str) -> bool {
        self.letters.as_ref().is_some_and(|l| l.cover(chunk))
            && !self.special_letters.contains(chunk)
    }

    /// Length in bytes of the prefix of `s` (0 if none): the first alternative matching at 0.
    fn prefix_len(&self, s: &str) -> usize {
        if s.is_empty() {
            return 0;
        }
        self.prefix
            .iter()
            .find_map(|rx| rx.find_at(s, 0))
            .map_or(0, |(a, b)| b - a)
    }

    /// Length in bytes of the suffix of `s` (0 if none): the match of `s1$|s2$|…` that starts
    /// leftmost. Lookbehinds see only `s`.
    fn suffix_len(&self, s: &str) -> usize {
        if s.is_empty() {
            return 0;
        }
        let start = self
            .suffix
            .iter()
            .filter_map(|rx| rx.find_at(s, 0))
            .map(|(a, _)| a)
            .min();
        start.map_or(0, |a| s.len() - a)
    }

    #[inline]
    fn is_rule(&self, specials: bool, s: &str) -> bool {
        specials && self.rules.contains_key(s)
    }

    /// spaCy `_split_affixes` + `_attach_tokens` for one chunk: pushes its token ranges
    /// (relative to `chunk`, tiling it) onto `out`. `specials = false` ignores the rules (used to
    /// build the special-case patterns).
    fn split_chunk(&self, chunk: &str, specials: bool, out: &mut Vec<(usize, usize)>) {
        if specials {
            if let Some(ends) = self.rules.get(chunk) {
                push_rule(ends, 0, out);
                return;
            }
        }
        let (mut a, mut b) = (0, chunk.len());
        let mut prefixes: Vec<(usize, usize)> = Vec::new();
        let mut suffixes: Vec<(usize, usize)> = Vec::new();
        let mut last = usize::MAX;
        while a < b && b - a != last {
            let s = &chunk[a..b];
            if self.token_match.as_ref().is_some_and(|tm| tm.is_match(s))
                || self.is_rule(specials, s)
            {
                break;
            }
            last = s.len();
            let pl = self.prefix_len(s);
            if pl > 0 && pl < s.len() && self.is_rule(specials, &s[pl..]) {
                prefixes.push((a, a + pl));
                a += pl;
                break;
            }
            let sl = self.suffix_len(&s[pl..]);
            if sl > 0 && sl < s.len() && self.is_rule(specials, &s[..s.len() - sl]) {
                suffixes.push((b - sl, b));
                b -= sl;
                break;
            }
            if pl > 0 && sl > 0 && pl + sl <= s.len() {
                prefixes.push((a, a + pl));
                suffixes.push((b - sl, b));
                a += pl;
                b -= sl;
            } else if pl > 0 {
                prefixes.push((a, a + pl));
                a += pl;
            } else if sl > 0 {
                suffixes.push((b - sl, b));
                b -= sl;
            }
        }
        out.extend_from_slice(&prefixes);
        if a < b {
            let s = &chunk[a..b];
            match self.rules.get(s).filter(|_| specials) {
                Some(ends) => push_rule(ends, a, out),
                None if self.token_match.as_ref().is_some_and(|tm| tm.is_match(s))
                    || self.url_match.as_ref().is_some_and(|um| um.is_match(s)) =>
                {
                    out.push((a, b))
                }
                None => self.split_infixes(s, a, out),
            }
        }
        out.extend(suffixes.iter().rev());
    }

    /// Splits `s` (at offset `base` of its chunk) on infixes, as spaCy does with
    /// `infix_finditer`: an infix at position 0 is ignored, empty infixes make no token.
    fn split_infixes(&self, s: &str, base: usize, out: &mut Vec<(usize, usize)>) {
        let mut start = 0;
        if let Some(infix) = &self.infix {
            // Python `finditer`: non-overlapping, leftmost-first; after an empty match the
            // search resumes one character later.
            let mut pos = 0;
            while pos <= s.len() {
                let Some((ms, me)) = infix.find_at(s, pos) else {
                    break;
                };
                if ms != 0 {
                    if ms != start {
                        out.push((base + start, base + ms));
                    }
                    if ms != me {
                        out.push((base + ms, base + me));
                    }
                    start = me;
                }
                pos = if me > ms {
                    me
                } else {
                    match s[me..].chars().next() {
                        Some(c) => me + c.len_utf8(),
                        None => break,
                    }
                };
            }
        }
        if start < s.len() {
            out.push((base + start, base + s.len()));
        }
    }

    /// The whitespace chunks of `text` (spaCy `_tokenize_affixes`), as
    /// `(start, end, followed_by_space)`: maximal runs of whitespace / non-whitespace; a
    /// whitespace run that starts with `' '` loses that space to the preceding token.
    fn for_each_chunk(text: &str, mut f: impl FnMut(usize, usize, bool)) {
        let bytes = text.as_bytes();
        let Some(first) = text.chars().next() else {
            return;
        };
        let mut in_ws = is_space(first);
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let (c, len) = if b < 0x80 {
                (b as char, 1)
            } else {
                let c = text[i..].chars().next().expect("i is at a char boundary");
                (c, c.len_utf8())
            };
            if is_space(c) != in_ws {
                if c == ' ' {
                    // Non-whitespace → whitespace starting with ' ': the chunk keeps the space.
                    f(start, i, true);
                    start = i + 1;
                } else {
                    if start < i {
                        f(start, i, false);
                    }
                    start = i;
                }
                in_ws = !in_ws;
            }
            i += len;
        }
        if start < bytes.len() {
            f(start, bytes.len(), false);
        }
    }

    /// The tokens of `text` by affixes and infixes alone (rules ignored, no matcher pass): how
    /// spaCy builds its special-case patterns.
    fn affix_only_tokens(&self, text: &str, out: &mut Vec<Tok>) {
        let mut ranges = Vec::new();
        Self::for_each_chunk(text, |s, e, space| {
            ranges.clear();
            self.split_chunk(&text[s..e], false, &mut ranges);
            let n = ranges.len();
            for (k, &(a, b)) in ranges.iter().enumerate() {
                out.push(Tok {
                    start: s + a,
                    end: s + b,
                    space: space && k + 1 == n,
                    pat: false,
                });
            }
        });
    }

    fn starts_pattern(&self, tok: &str) -> bool {
        self.pattern_starts.contains_key(tok)
    }

    /// All spaCy tokens of `text` (whitespace tokens included), after the special-case matcher.
    pub(crate) fn tokens(&self, text: &str, out: &mut Vec<Tok>) {
        self.tokens_with(text, out, true);
    }

    /// [`Tokenizer::tokens`], with or without the fast path for chunks of plain letters.
    pub(crate) fn tokens_with(&self, text: &str, out: &mut Vec<Tok>, fast: bool) {
        out.clear();
        out.reserve(text.len() / 4);
        let mut any_pat = false;
        let mut ranges = Vec::new();
        MEMOS.with(|memos| {
            let mut memos = memos.borrow_mut();
            if memos.len() <= self.memo_slot {
                memos.resize_with(self.memo_slot + 1, ChunkMemo::default);
            }
            let memo = &mut memos[self.memo_slot];
            Self::for_each_chunk(text, |s, e, space| {
                let chunk = &text[s..e];
                if fast && self.plain_word(chunk) {
                    out.push(Tok {
                        start: s,
                        end: e,
                        space,
                        pat: false,
                    });
                    return;
                }
                if chunk.len() <= MAX_CHUNK {
                    if let Some(ends) = memo.get(chunk) {
                        push_cached(ends, s, space, out, &mut any_pat);
                        return;
                    }
                }
                ranges.clear();
                self.split_chunk(chunk, true, &mut ranges);
                let n = ranges.len();
                let first = out.len();
                for (k, &(a, b)) in ranges.iter().enumerate() {
                    let pat = self.starts_pattern(&chunk[a..b]);
                    any_pat |= pat;
                    out.push(Tok {
                        start: s + a,
                        end: s + b,
                        space: space && k + 1 == n,
                        pat,
                    });
                }
                if chunk.len() <= MAX_CHUNK {
                    let ends: Box<[u8]> = out[first..]
                        .iter()
                        .map(|t| (t.end - s) as u8 | if t.pat { PAT_BIT } else { 0 })
                        .collect();
                    memo.insert(chunk, ends);
                }
            });
        });
        if any_pat {
            self.merge_special_cases(text, out);
        }
    }

    /// spaCy's special-case matcher pass (`_apply_special_cases` with `faster_heuristics`):
    /// finds token runs equal to a pattern, keeps the longest (then leftmost) non-overlapping
    /// ones, and replaces a kept run by its rule's tokens if its text is a rule string.
    fn merge_special_cases(&self, text: &str, toks: &mut Vec<Tok>) {
        let tok_text = |t: &Tok| &text[t.start..t.end];
        let mut matches: Vec<(usize, usize)> = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if !t.pat {
                continue;
            }
            let Some(ids) = self.pattern_starts.get(tok_text(t)) else {
                continue;
            };
            for &id in ids {
                let p = &self.patterns[id as usize];
                let end = i + p.len();
                if end <= toks.len()
                    && p.iter()
                        .zip(&toks[i..end])
                        .all(|(pt, t)| **pt == *tok_text(t))
                {
                    matches.push((i, end));
                }
            }
        }
        if matches.is_empty() {
            return;
        }
        matches.sort_by_key(|&(a, b)| (b - a, std::cmp::Reverse(a)));
        let mut seen = vec![false; toks.len()];
        let mut keep_end = vec![usize::MAX; toks.len()];
        let mut kept = false;
        for &(a, b) in matches.iter().rev() {
            if !seen[a] && !seen[b - 1] {
                keep_end[a] = b;
                kept = true;
            }
            seen[a..b].iter_mut().for_each(|s| *s = true);
        }
        if !kept {
            return;
        }
        let old = std::mem::take(toks);
        let mut i = 0;
        while i < old.len() {
            let b = keep_end[i];
            if b == usize::MAX {
                toks.push(old[i]);
                i += 1;
                continue;
            }
            let (start, end) = (old[i].start, old[b - 1].end);
            match self.rules.get(&text[start..end]) {
                Some(ends) => {
                    let mut prev = start;
                    for (k, &e) in ends.iter().enumerate() {
                        let e = start + e as usize;
                        let space = k + 1 == ends.len() && old[b - 1].space;
                        toks.push(Tok {
                            start: prev,
                            end: e,
                            space,
                            pat: false,
                        });
                        prev = e;
                    }
                }
                None => toks.extend_from_slice(&old[i..b]),
            }
            i = b;
        }
    }
}

fn push_rule(ends: &[u32], base: usize, out: &mut Vec<(usize, usize)>) {
    let mut prev = base;
    for &e in ends {
        let e = base + e as usize;
        out.push((prev, e));
        prev = e;
    }
}

#[inline]
fn push_cached(ends: &[u8], s: usize, space: bool, out: &mut Vec<Tok>, any_pat: &mut bool) {
    let mut prev = s;
    let n = ends.len();
    for (k, &e) in ends.iter().enumerate() {
        let pat = e & PAT_BIT != 0;
        *any_pat |= pat;
        let end = s + usize::from(e & !PAT_BIT);
        out.push(Tok {
            start: prev,
            end,
            space: space && k + 1 == n,
            pat,
        });
        prev = end;
    }
}
