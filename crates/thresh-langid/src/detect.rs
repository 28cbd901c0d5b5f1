//! Language identification of one text.
//!
//! 1. A bounded sample: the whole text up to [`SAMPLE_BYTES`], else four evenly spaced windows
//!    of a quarter of that each, so a 1 MB page costs what a 4 KB one does and every part of
//!    it is represented.
//! 2. The sample's words (letters only, lower-cased) and the script of each. The dominant
//!    script decides alone when a single supported language uses it (Greek, Hangul, Thai, …);
//!    a script no supported language uses gives `und`.
//! 3. Otherwise every chunk of about [`CHUNK_LETTERS`] letters is scored by each candidate
//!    language's character 5-gram model with stupid backoff (Brants et al. 2007, factor 0.4):
//!    Σ ln P(cᵢ | cᵢ₋₄…cᵢ₋₁) within words. The chunk's posterior is the softmax of those
//!    log-likelihoods; the document's is their letter-weighted mean, times the share of the
//!    sample's letters in the dominant script. A mixed document therefore reports its dominant
//!    language, with a score near that language's share.
//! 4. Abstention (on unless asked otherwise): a chunk whose best language explains it poorly
//!    in absolute terms — more nats per letter than that language's [`REFERENCE`] plus
//!    [`ABSTAIN_MARGIN`] + [`ABSTAIN_SLACK`]/√letters — goes to no language. Its letters
//!    still count, so the document's scores drop by their share, and a document with no
//!    fitting chunk is `und` with score 0. Languages decided by script alone never abstain.

use std::cell::RefCell;

use crate::languages::{Language, LANGUAGES};
use crate::model::{extend, Hit, Model, Probe, ABSENT, EMPTY, MAX_ORDER, ROW_MEMBERS};
use crate::script::{Script, SCRIPT_COUNT};

/// At most this many bytes of a text are read.
pub const SAMPLE_BYTES: usize = 2048;
/// Letters per scoring chunk, at most.
pub const CHUNK_LETTERS: usize = 256;
/// Letters a chunk needs before a line break may end it.
const MIN_CHUNK_LETTERS: usize = 48;
/// Stage 1 cost of a trigram a language does not have (tenths of a nat).
const STAGE1_MISS: u32 = ABSENT as u32;
/// Stage 2 scores at least this many of stage 1's best languages…
const MIN_CANDIDATES: usize = 2;
/// …and at most this many, those within `CANDIDATE_MARGIN` of the best (so stage 1 runs on
/// the groups that have rows).
const MAX_CANDIDATES: usize = ROW_MEMBERS;
const CANDIDATE_MARGIN: u32 = 300;
/// Stage 1 reads at most this many letters of a chunk.
const SHORTLIST_LETTERS: usize = 128;
/// Cost of backing off one order, in tenths of a nat: −ln 0.4.
const BACKOFF: u32 = 9;
/// How far above its language's [`REFERENCE`] a chunk's nats per letter may be, plus
/// [`ABSTAIN_SLACK`] / √letters for the larger spread of short chunks. Chosen on the
/// calibration half of `scripts/eval_abstain.py`'s data (UDHR paragraphs: every other
/// out-of-model declaration, every other paragraph of the model languages').
const ABSTAIN_MARGIN: f64 = 0.6;
/// See [`ABSTAIN_MARGIN`].
const ABSTAIN_SLACK: f64 = 6.0;
/// Per language scored by n-grams, the median nats per letter of its best-language cost on
/// its calibration UDHR paragraphs (`scripts/eval_abstain.py --calibrate`). The spread comes
/// from orthography: Vietnamese and the Devanagari languages have many rare letters.
const REFERENCE: [(&str, f64); 62] = [
    ("af", 1.74),
    ("ar", 2.26),
    ("az", 1.72),
    ("be", 1.80),
    ("bg", 1.68),
    ("bs", 1.82),
    ("ca", 1.78),
    ("cs", 1.88),
    ("cy", 1.87),
    ("da", 1.75),
    ("de", 1.62),
    ("en", 1.72),
    ("eo", 1.86),
    ("es", 1.68),
    ("et", 1.74),
    ("eu", 1.60),
    ("fa", 2.33),
    ("fi", 1.64),
    ("fr", 1.74),
    ("ga", 1.86),
    ("hi", 3.15),
    ("hr", 1.76),
    ("hu", 1.66),
    ("id", 1.59),
    ("is", 1.93),
    ("it", 1.70),
    ("kk", 1.74),
    ("la", 1.76),
    ("lg", 1.82),
    ("lt", 1.79),
    ("lv", 1.70),
    ("mi", 1.74),
    ("mk", 1.73),
    ("mn", 1.89),
    ("mr", 3.19),
    ("ms", 1.59),
    ("nb", 1.79),
    ("nl", 1.71),
    ("nn", 1.92),
    ("pl", 1.74),
    ("pt", 1.70),
    ("ro", 1.92),
    ("ru", 1.70),
    ("sk", 1.89),
    ("sl", 1.81),
    ("sn", 1.73),
    ("so", 1.92),
    ("sq", 1.81),
    ("sr", 1.82),
    ("st", 1.72),
    ("sv", 1.86),
    ("sw", 1.76),
    ("tl", 1.75),
    ("tn", 1.79),
    ("tr", 1.75),
    ("ts", 2.64),
    ("uk", 1.82),
    ("ur", 2.36),
    ("vi", 3.26),
    ("xh", 1.67),
    ("yo", 2.58),
    ("zu", 1.61),
];

/// The [`REFERENCE`] of a language, `None` for the script-decided ones.
fn reference(code: &str) -> Option<f64> {
    REFERENCE.iter().find(|r| r.0 == code).map(|r| r.1)
}

/// The result for one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// The dominant language, `None` when undetermined (`und`).
    pub language: Option<&'static Language>,
    /// Confidence in [0, 1].
    pub score: f64,
    /// The dominant script of the text's letters, `None` when it has no letters.
    pub script: Option<Script>,
    /// The best languages with their scores, best first (the top one included).
    pub ranked: Vec<(&'static Language, f64)>,
    /// How well the best language explains the text: the letter-weighted mean, over the
    /// scored chunks, of the best candidate's −ln P per letter (nats). `None` when the script
    /// decided alone or nothing was scored.
    pub nats_per_letter: Option<f64>,
}

impl Detection {
    /// thresh's code of the language (ISO 639-1), `und` when undetermined.
    pub fn code(&self) -> &'static str {
        self.language.map_or("und", |l| l.code)
    }

    fn undetermined(script: Option<Script>) -> Detection {
        Detection {
            language: None,
            score: 0.0,
            script,
            ranked: Vec::new(),
            nats_per_letter: None,
        }
    }
}

/// Identifies the language of `text`, keeping the `top_k` best alternatives; abstains on text
/// no language fits (see the module documentation).
pub fn detect(text: &str, top_k: usize) -> Detection {
    detect_with(text, top_k, true)
}

/// [`detect`], abstaining only when `abstain` is true (else the best language always wins,
/// however poorly it fits).
pub fn detect_with(text: &str, top_k: usize, abstain: bool) -> Detection {
    SAMPLE.with(|cell| {
        let mut sample = cell.borrow_mut();
        sample.fill(text);
        sample.abstain = abstain;
        sample.identify(Model::get(), top_k.max(1))
    })
}

thread_local! {
    static SAMPLE: RefCell<Sample> = RefCell::new(Sample::default());
}

/// The words of a text's sample: lower-cased letters, word boundaries and scripts.
#[derive(Default)]
struct Sample {
    letters: Vec<char>,
    /// `(start, end, script)` of each word in `letters`.
    words: Vec<(usize, usize, Script)>,
    /// Indices in `words` of the first word of each line after the first.
    line_starts: Vec<usize>,
    word_start: usize,
    counts: [usize; SCRIPT_COUNT],
    /// Per group member, letter-weighted posterior mass over the chunks.
    mass: Vec<f64>,
    /// Σ over the chunks of the best candidate's cost (tenths of a nat), and the letters scored.
    best_cost: u64,
    scored_letters: usize,
    /// Letters of the chunks no language fits.
    unfit_letters: usize,
    /// Whether chunks may go to no language.
    abstain: bool,
    /// The current chunk's letters of the group's script.
    chunk: Vec<Letter>,
    /// Indices in `chunk` of the letters whose next order is still to be read.
    active: Vec<u32>,
}

impl Sample {
    fn fill(&mut self, text: &str) {
        self.letters.clear();
        self.words.clear();
        self.line_starts.clear();
        self.word_start = 0;
        self.counts = [0; SCRIPT_COUNT];
        if text.len() <= SAMPLE_BYTES {
            self.add(text);
            return;
        }
        let width = SAMPLE_BYTES / 4;
        for k in 0..4 {
            let mut start = k * (text.len() - width) / 3;
            while !text.is_char_boundary(start) {
                start += 1;
            }
            let mut end = (start + width).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let mut window = &text[start..end];
            // Start and end at word boundaries where the window has any.
            if k > 0 {
                if let Some(i) = window.find(char::is_whitespace) {
                    window = &window[i..];
                }
            }
            if k < 3 {
                if let Some(i) = window.rfind(char::is_whitespace) {
                    window = &window[..i];
                }
            }
            self.add(window);
        }
    }

    #[inline(never)]
    fn add(&mut self, text: &str) {
        let mut current: Option<Script> = None;
        for c in text.chars() {
            if c == '\n' && self.line_starts.last() != Some(&self.words.len()) {
                self.end_word(current);
                current = None;
                self.line_starts.push(self.words.len());
            }
            let script = Script::of(c);
            // Han and kana characters are words of their own, as in the training data.
            if script != current || matches!(script, Some(Script::Han | Script::Japanese)) {
                self.end_word(current);
                current = script;
            }
            if let Some(script) = script {
                self.counts[script.index()] += 1;
                if c.is_ascii() {
                    self.letters.push(c.to_ascii_lowercase());
                } else {
                    // Lower-casing can add a combining mark (Turkish İ → i + U+0307): drop it.
                    self.letters
                        .extend(c.to_lowercase().filter(|&l| Script::of(l).is_some()));
                }
            }
        }
        self.end_word(current);
    }

    fn end_word(&mut self, script: Option<Script>) {
        if let Some(script) = script {
            if self.letters.len() > self.word_start {
                self.words
                    .push((self.word_start, self.letters.len(), script));
            }
        }
        self.word_start = self.letters.len();
    }

    fn identify(&mut self, model: &Model, top_k: usize) -> Detection {
        let total: usize = self.counts.iter().sum();
        if total == 0 {
            return Detection::undetermined(None);
        }
        // Han and kana together are one writing system: Japanese when kana make up a tenth.
        let kana = self.counts[Script::Japanese.index()];
        let cjk = self.counts[Script::Han.index()] + kana;
        let cjk_script = if kana * 10 >= cjk {
            Script::Japanese
        } else {
            Script::Han
        };
        let (script, in_script) = SCRIPTS
            .iter()
            .filter(|s| !matches!(s, Script::Han | Script::Japanese))
            .map(|&s| (s, self.counts[s.index()]))
            .chain([(cjk_script, cjk)])
            .max_by_key(|&(_, n)| n)
            .expect("scripts");
        let share = in_script as f64 / total as f64;
        if let Some(group) = model.groups.iter().position(|g| g.script == script) {
            return self.score_chunks(model, group, share, top_k);
        }
        match LANGUAGES
            .iter()
            .position(|l| l.script == script)
            .filter(|&l| model.present[l])
        {
            Some(l) => Detection {
                language: Some(&LANGUAGES[l]),
                score: share,
                script: Some(script),
                ranked: vec![(&LANGUAGES[l], share)],
                nats_per_letter: None,
            },
            None => Detection::undetermined(Some(script)),
        }
    }

    fn score_chunks(&mut self, model: &Model, g: usize, share: f64, top_k: usize) -> Detection {
        let group = &model.groups[g];
        self.mass.clear();
        self.mass.resize(group.members.len(), 0.0);
        self.best_cost = 0;
        self.scored_letters = 0;
        self.unfit_letters = 0;
        let mut first = 0;
        let mut line = 0;
        while first < self.words.len() {
            // The next chunk: words of the group's script up to CHUNK_LETTERS letters, ending
            // early at a line break once it has MIN_CHUNK_LETTERS, so that paragraphs in
            // different languages are scored apart.
            let mut last = first;
            let mut letters = 0;
            while last < self.words.len() && letters < CHUNK_LETTERS {
                while line < self.line_starts.len() && self.line_starts[line] <= last {
                    line += 1;
                }
                let (start, end, s) = self.words[last];
                if s == group.script {
                    letters += end - start;
                }
                last += 1;
                if letters >= MIN_CHUNK_LETTERS && self.line_starts.get(line) == Some(&last) {
                    break;
                }
            }
            if letters > 0 {
                self.score_chunk(model, g, first, last, letters);
            }
            first = last;
        }
        let fit_mass: f64 = self.mass.iter().sum();
        let nats_per_letter = (self.scored_letters > 0)
            .then(|| self.best_cost as f64 / 10.0 / self.scored_letters as f64);
        if fit_mass <= 0.0 {
            return Detection {
                nats_per_letter,
                ..Detection::undetermined(Some(group.script))
            };
        }
        let total_mass = fit_mass + self.unfit_letters as f64;
        let mut ranked: Vec<(&'static Language, f64)> = group
            .members
            .iter()
            .zip(&self.mass)
            .filter(|(_, &m)| m > 0.0)
            .map(|(&l, &m)| (&LANGUAGES[l], share * m / total_mass))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.code.cmp(b.0.code)));
        ranked.truncate(top_k);
        Detection {
            language: Some(ranked[0].0),
            score: ranked[0].1,
            script: Some(group.script),
            ranked,
            nats_per_letter,
        }
    }

    /// Adds the posterior of the words `first..last` (those of the group's script, `letters`
    /// letters) to `mass`, weighted by their letters.
    fn score_chunk(&mut self, model: &Model, g: usize, first: usize, last: usize, letters: usize) {
        let group = &model.groups[g];
        let words = &self.words[first..last];
        let stage1 = group.members.len() > MAX_CANDIDATES;
        locate(model, g, stage1, &self.letters, words, &mut self.chunk);
        let candidates = shortlist(model, group.members.len(), &self.chunk);
        let costs = backoff_costs(
            model,
            &group.unseen,
            &mut self.chunk,
            &mut self.active,
            candidates,
        );
        let members_of = |mask: u64| (0..64).filter(move |m| mask & (1 << m) != 0);
        let best = members_of(candidates).map(|m| costs[m]).min().unwrap_or(0);
        let weight = |m: usize| (-((costs[m] - best) as f64) / 10.0).exp();
        let sum: f64 = members_of(candidates).map(weight).sum();
        self.best_cost += u64::from(best);
        self.scored_letters += letters;
        if self.abstain {
            let winner = members_of(candidates)
                .find(|&m| costs[m] == best)
                .expect("a candidate has the best cost");
            let limit = reference(LANGUAGES[group.members[winner]].code)
                .map(|r| r + ABSTAIN_MARGIN + ABSTAIN_SLACK / (letters as f64).sqrt());
            if limit.is_some_and(|limit| f64::from(best) / 10.0 / letters as f64 > limit) {
                self.unfit_letters += letters;
                return;
            }
        }
        for m in members_of(candidates) {
            self.mass[m] += letters as f64 * weight(m) / sum;
        }
    }
}

/// One letter of the chunk being scored: its n-grams located (orders 1 to `top`), the
/// candidates it has not priced yet, the order to read next (0 when done) and what the model
/// has for the order read last.
#[derive(Clone, Copy)]
struct Letter {
    probes: [Probe; MAX_ORDER],
    top: u8,
    next: u8,
    remaining: u64,
    hit: Option<Hit>,
}

/// Locates every n-gram of `words` in group `g`'s table and prefetches what is read first:
/// each letter's longest n-gram and, for stage 1 (`stage1`), the trigrams it reads.
#[inline(never)]
fn locate(
    model: &Model,
    g: usize,
    stage1: bool,
    letters: &[char],
    words: &[(usize, usize, Script)],
    out: &mut Vec<Letter>,
) {
    out.clear();
    positions_of(letters, words, model.groups[g].script, |hashes| {
        let top = hashes.len();
        let mut probes = [Probe::default(); MAX_ORDER];
        for (n, &hash) in hashes.iter().enumerate() {
            probes[n] = model.locate(g, n + 1, hash);
        }
        model.prefetch(probes[top - 1]);
        if stage1 && top > 3 && out.len() < SHORTLIST_LETTERS {
            model.prefetch(probes[2]);
        }
        out.push(Letter {
            probes,
            top: top as u8,
            next: top as u8,
            remaining: 0,
            hit: None,
        });
    });
}

/// Stage 1: ranks all `members` by their trigram costs and returns the few worth scoring in
/// full, as a member mask.
#[inline(never)]
fn shortlist(model: &Model, members: usize, letters: &[Letter]) -> u64 {
    let all = if members == 64 {
        u64::MAX
    } else {
        (1u64 << members) - 1
    };
    if members <= MAX_CANDIDATES {
        return all;
    }
    let letters = &letters[..letters.len().min(SHORTLIST_LETTERS)];
    let mut hits = [None; SHORTLIST_LETTERS];
    for (slot, letter) in hits.iter_mut().zip(letters) {
        *slot = model.probe(letter.probes[(letter.top as usize).min(3) - 1]);
        if let Some(hit) = *slot {
            model.prefetch_costs(hit);
        }
    }
    // Per member, Σ of its trigram costs, a trigram it lacks costing STAGE1_MISS: at most
    // SHORTLIST_LETTERS × 255, which fits.
    let mut totals = [0u16; 64];
    for hit in &hits[..letters.len()] {
        match hit {
            Some(hit) => {
                let row = model.row(*hit).expect("groups with stage 1 have rows");
                for (total, &cost) in totals.iter_mut().zip(&row.0) {
                    *total += u16::from(cost);
                }
            }
            None => totals.iter_mut().for_each(|t| *t += STAGE1_MISS as u16),
        }
    }
    // (cost, member) packed so that their order is the keys' order.
    let mut keys = [0u32; 64];
    for (m, key) in keys.iter_mut().enumerate().take(members) {
        *key = u32::from(totals[m]) << 6 | m as u32;
    }
    let keys = &mut keys[..members];
    keys.select_nth_unstable(MAX_CANDIDATES - 1);
    let ranking = &mut keys[..MAX_CANDIDATES];
    ranking.sort_unstable();
    let best = ranking[0] >> 6;
    let mut candidates = 0u64;
    for (k, &key) in ranking.iter().enumerate() {
        if k >= MIN_CANDIDATES && key >> 6 > best + CANDIDATE_MARGIN {
            break;
        }
        candidates |= 1 << (key & 63);
    }
    candidates
}

/// Stage 2: each candidate's cost (−log-likelihood, tenths of a nat) under its 5-gram model
/// with stupid backoff; a character never seen costs the member's `unseen`.
fn backoff_costs(
    model: &Model,
    unseen: &[u32],
    letters: &mut [Letter],
    active: &mut Vec<u32>,
    candidates: u64,
) -> [u32; 64] {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU has POPCNT, the only feature the function is compiled for.
        return unsafe { backoff_costs_popcnt(model, unseen, letters, active, candidates) };
    }
    backoff_costs_portable(model, unseen, letters, active, candidates)
}

/// [`backoff_costs`] compiled with the POPCNT instruction, which the member ranks need.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
unsafe fn backoff_costs_popcnt(
    model: &Model,
    unseen: &[u32],
    letters: &mut [Letter],
    active: &mut Vec<u32>,
    candidates: u64,
) -> [u32; 64] {
    backoff_costs_portable(model, unseen, letters, active, candidates)
}

/// Reads the orders one round at a time, from each letter's longest n-gram down, and only
/// while some candidate has no cost there yet: a round reads its entries, prefetching their
/// costs, then the costs, prefetching the next round's entries.
#[inline(always)]
fn backoff_costs_portable(
    model: &Model,
    unseen: &[u32],
    letters: &mut [Letter],
    active: &mut Vec<u32>,
    candidates: u64,
) -> [u32; 64] {
    let mut costs = [0u32; 64];
    active.clear();
    active.extend(0..letters.len() as u32);
    for letter in letters.iter_mut() {
        letter.remaining = candidates;
        letter.next = letter.top;
    }
    let mut len = active.len();
    while len > 0 {
        for &i in &active[..len] {
            let letter = &mut letters[i as usize];
            letter.hit = model.probe(letter.probes[letter.next as usize - 1]);
            if let Some(hit) = letter.hit {
                model.prefetch_costs(hit);
            }
        }
        let mut kept = 0;
        for k in 0..len {
            let i = active[k];
            let letter = &mut letters[i as usize];
            let order = letter.next as usize;
            if let Some(hit) = letter.hit {
                let backoff = (letter.top as usize - order) as u32 * BACKOFF;
                model.for_each(hit, letter.remaining, |m, cost| costs[m] += cost + backoff);
                letter.remaining &= !hit.mask;
            }
            letter.next -= 1;
            if letter.remaining != 0 && letter.next > 0 {
                model.prefetch(letter.probes[letter.next as usize - 1]);
                active[kept] = i;
                kept += 1;
            }
        }
        len = kept;
    }
    for letter in letters.iter() {
        let mut remaining = letter.remaining;
        while remaining != 0 {
            let m = remaining.trailing_zeros() as usize;
            costs[m] += unseen[m] + (letter.top as u32 - 1) * BACKOFF;
            remaining &= remaining - 1;
        }
    }
    costs
}

/// Calls `f(hashes)` at every letter of the `script` words, `hashes[n - 1]` being the hash of
/// the n-gram ending at that letter (up to [`MAX_ORDER`], fewer near the start of a word).
fn positions_of(
    letters: &[char],
    words: &[(usize, usize, Script)],
    script: Script,
    mut f: impl FnMut(&[u64]),
) {
    for &(start, end, s) in words {
        if s != script {
            continue;
        }
        let mut hashes = [EMPTY; MAX_ORDER];
        for (i, &c) in letters[start..end].iter().enumerate() {
            for n in (1..MAX_ORDER).rev() {
                hashes[n] = extend(hashes[n - 1], c);
            }
            hashes[0] = extend(EMPTY, c);
            f(&hashes[..(i + 1).min(MAX_ORDER)]);
        }
    }
}

const SCRIPTS: [Script; SCRIPT_COUNT] = [
    Script::Latin,
    Script::Cyrillic,
    Script::Greek,
    Script::Arabic,
    Script::Hebrew,
    Script::Armenian,
    Script::Georgian,
    Script::Devanagari,
    Script::Bengali,
    Script::Gurmukhi,
    Script::Gujarati,
    Script::Tamil,
    Script::Telugu,
    Script::Thai,
    Script::Hangul,
    Script::Japanese,
    Script::Han,
    Script::Other,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences written for these tests, one per language.
    const SENTENCES: [(&str, &str); 24] = [
        ("de", "Der Bäcker an der Ecke öffnet jetzt schon um sechs Uhr, weil so viele Pendler vor der Arbeit frische Brötchen kaufen wollen."),
        ("en", "The bakery on the corner now opens at six, because so many commuters want fresh bread before work."),
        ("fr", "La boulangerie du coin ouvre désormais à six heures, parce que beaucoup de navetteurs veulent du pain frais avant le travail."),
        ("es", "La panadería de la esquina abre ahora a las seis, porque muchos viajeros quieren pan fresco antes de ir al trabajo."),
        ("it", "Il panificio all'angolo ora apre alle sei, perché molti pendolari vogliono pane fresco prima di andare al lavoro."),
        ("pt", "A padaria da esquina agora abre às seis horas, porque muitos trabalhadores querem pão fresco antes do emprego."),
        ("nl", "De bakker op de hoek gaat nu al om zes uur open, omdat veel forenzen voor het werk vers brood willen kopen."),
        ("pl", "Piekarnia na rogu otwiera się teraz już o szóstej, ponieważ wielu dojeżdżających chce kupić świeże pieczywo przed pracą."),
        ("cs", "Pekárna na rohu teď otevírá už v šest hodin, protože mnoho lidí chce před prací koupit čerstvé pečivo."),
        ("sv", "Bageriet på hörnet öppnar nu redan klockan sex, eftersom många pendlare vill köpa färskt bröd före jobbet."),
        ("fi", "Kulman leipomo aukeaa nyt jo kuudelta, koska monet työmatkalaiset haluavat ostaa tuoretta leipää ennen töitä."),
        ("hu", "A sarki pékség most már hatkor kinyit, mert sok ingázó friss kenyeret szeretne venni munka előtt."),
        ("tr", "Köşedeki fırın artık saat altıda açılıyor, çünkü birçok yolcu işe gitmeden önce taze ekmek almak istiyor."),
        ("ru", "Пекарня на углу теперь открывается уже в шесть часов, потому что многие хотят купить свежий хлеб перед работой."),
        ("uk", "Пекарня на розі тепер відчиняється вже о шостій, бо багато людей хочуть купити свіжий хліб перед роботою."),
        ("bg", "Пекарната на ъгъла вече отваря в шест часа, защото много хора искат да си купят пресен хляб преди работа."),
        ("el", "Ο φούρνος στη γωνία ανοίγει πλέον στις έξι, επειδή πολλοί θέλουν φρέσκο ψωμί πριν από τη δουλειά."),
        ("ar", "يفتح المخبز في الزاوية الآن في السادسة صباحا لأن كثيرا من الناس يريدون خبزا طازجا قبل العمل."),
        ("fa", "نانوایی سر کوچه حالا ساعت شش باز می‌شود، چون خیلی‌ها می‌خواهند پیش از کار نان تازه بخرند."),
        ("hi", "कोने की बेकरी अब सुबह छह बजे खुलती है, क्योंकि बहुत से लोग काम से पहले ताज़ी रोटी खरीदना चाहते हैं।"),
        ("ja", "角のパン屋は今では朝六時に開店します。多くの人が仕事の前に焼きたてのパンを買いたいからです。"),
        ("zh", "街角的面包店现在早上六点就开门了，因为很多人想在上班前买到新鲜的面包。"),
        ("ko", "모퉁이 빵집은 이제 아침 여섯 시에 문을 엽니다. 많은 사람들이 출근 전에 신선한 빵을 사고 싶어 하기 때문입니다."),
        ("he", "המאפייה בפינה נפתחת עכשיו כבר בשש, כי הרבה אנשים רוצים לקנות לחם טרי לפני העבודה."),
    ];

    #[test]
    fn identifies_our_own_sentences() {
        for (code, sentence) in SENTENCES {
            let d = detect(sentence, 3);
            assert_eq!(d.code(), code, "{sentence}: {:?}", d.ranked);
            assert!(d.score > 0.65, "{code}: score {}", d.score);
            assert!(d.ranked.len() <= 3);
            assert_eq!(d.ranked[0].0.code, code);
        }
    }

    #[test]
    fn scripts_of_no_supported_language_and_text_without_letters_are_und() {
        let khmer = detect("ភាសាខ្មែរគឺជាភាសាផ្លូវការរបស់ប្រទេសកម្ពុជា", 3);
        assert_eq!((khmer.code(), khmer.score), ("und", 0.0));
        assert_eq!(khmer.script, Some(Script::Other));
        let amharic = detect("አማርኛ የኢትዮጵያ የሥራ ቋንቋ ነው።", 3);
        assert_eq!(amharic.code(), "und");
        let digits = detect("12:45 — 3.000 € / 42 %", 3);
        assert_eq!(
            (digits.code(), digits.score, digits.script),
            ("und", 0.0, None)
        );
        assert_eq!(detect("", 3).code(), "und");
    }

    #[test]
    fn a_mixed_document_reports_its_dominant_language_with_a_lower_score() {
        let german = SENTENCES[0].1;
        let english = SENTENCES[1].1;
        let text = format!("{german} {german}\n{german} {german}\n{english}");
        let d = detect(&text, 3);
        assert_eq!(d.code(), "de");
        assert!(d.score < 0.95 && d.score > 0.5, "{}", d.score);
        assert_eq!(d.ranked[1].0.code, "en");
        // Mostly Latin letters with some Cyrillic: the Latin-script language, scored by share.
        let text = format!("{german} {german} {german} {}", SENTENCES[13].1);
        let d = detect(&text, 3);
        assert_eq!(d.code(), "de");
        assert!(d.score < 0.9, "{}", d.score);
    }

    #[test]
    fn a_long_text_is_sampled_in_four_windows_from_start_to_end() {
        let english = SENTENCES[1].1;
        let german = SENTENCES[0].1;
        // 1 MB: English, then German from the middle on.
        let mut text = String::new();
        while text.len() < 500_000 {
            text.push_str(english);
            text.push(' ');
        }
        while text.len() < 1_000_000 {
            text.push_str(german);
            text.push(' ');
        }
        let mut sample = Sample::default();
        sample.fill(&text);
        assert!(
            sample.letters.len() <= SAMPLE_BYTES,
            "{}",
            sample.letters.len()
        );
        let d = detect(&text, 3);
        let codes: Vec<&str> = d.ranked.iter().map(|(l, _)| l.code).collect();
        assert!(
            codes[..2].contains(&"en") && codes[..2].contains(&"de"),
            "{codes:?}"
        );
        assert!(d.score > 0.4 && d.score < 0.6, "{}", d.score);
    }

    /// Breton, written for these tests ("Yesterday the children went to the wood with their
    /// grandfather to gather chestnuts, and came home when night had fallen."). Breton is
    /// none of the 75 languages; without abstention it is labelled Latin with score ≈ 0.8.
    const BRETON: &str = "Dec'h e oa aet ar vugale d'ar c'hoad gant o zad-kozh evit dastum \
        kistin, ha distroet int d'ar gêr pa oa kouezhet an noz.";

    /// Twenty pseudo-random words of 3–8 consonants (a fixed linear congruential generator).
    fn consonant_words() -> String {
        let consonants: Vec<char> = "bcdfghjklmnpqrstvwxz".chars().collect();
        let mut state = 12345u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % n) as usize
        };
        let mut words = Vec::new();
        for _ in 0..20 {
            let len = 3 + next(6);
            words.push((0..len).map(|_| consonants[next(20)]).collect::<String>());
        }
        words.join(" ")
    }

    #[test]
    fn text_no_language_fits_is_und() {
        // Consonant strings: nearly every n-gram above the unigram is unknown to every
        // language, so each letter costs about an unseen character's cost (several nats),
        // far above any reference (at most 3.26) plus the margin.
        let text = consonant_words();
        let d = detect(&text, 3);
        assert_eq!((d.code(), d.score), ("und", 0.0), "{text}");
        assert!(d.nats_per_letter.unwrap() > 5.0, "{:?}", d.nats_per_letter);
        assert_eq!(d.script, Some(Script::Latin));
        assert_ne!(detect_with(&text, 3, false).code(), "und");
        let d = detect(BRETON, 3);
        assert_eq!((d.code(), d.score), ("und", 0.0), "{:?}", d.nats_per_letter);
        let old = detect_with(BRETON, 3, false);
        assert!(old.language.is_some() && old.score >= 0.65, "{old:?}");
    }

    #[test]
    fn text_of_a_model_language_is_not_abstained_on() {
        // Our sentences fit their languages: abstaining changes nothing.
        for (_, sentence) in SENTENCES {
            assert_eq!(detect(sentence, 3), detect_with(sentence, 3, false));
        }
    }

    #[test]
    fn a_foreign_paragraph_goes_to_no_language() {
        // Three German lines and a Breton one: each line is a chunk. Without abstention the
        // Breton chunk's letters go to some other language; with it to none, so the scores
        // of all languages add up to German's share of the letters only.
        let german = SENTENCES[0].1;
        let text = format!("{german}\n{german}\n{german}\n{BRETON}");
        let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count() as f64;
        let share = 3.0 * letters(german) / (3.0 * letters(german) + letters(BRETON));
        let total = |d: &Detection| d.ranked.iter().map(|r| r.1).sum::<f64>();
        let d = detect(&text, 75);
        assert_eq!(d.code(), "de");
        assert!((d.score - share).abs() < 0.02, "{} vs {share}", d.score);
        assert!((total(&d) - share).abs() < 0.02, "{d:?}");
        let old = detect_with(&text, 75, false);
        assert_eq!(old.code(), "de");
        assert!((total(&old) - 1.0).abs() < 1e-9, "{old:?}");
    }

    #[test]
    fn stage_1_picks_what_sorting_every_member_picks() {
        let model = Model::get();
        let g = model
            .groups
            .iter()
            .position(|g| g.script == Script::Latin)
            .unwrap();
        let members = model.groups[g].members.len();
        let mut sample = Sample::default();
        let mut letters = Vec::new();
        for (_, sentence) in &SENTENCES[..13] {
            sample.fill(sentence);
            locate(model, g, true, &sample.letters, &sample.words, &mut letters);
            // The ranking as a full sort of (cost, member), misses costing STAGE1_MISS.
            let read = &letters[..letters.len().min(SHORTLIST_LETTERS)];
            let mut ranking: Vec<(u32, usize)> = (0..members)
                .map(|m| {
                    let cost = |l: &Letter| {
                        let hit = model.probe(l.probes[(l.top as usize).min(3) - 1]);
                        hit.filter(|h| h.mask & (1 << m) != 0)
                            .map_or(STAGE1_MISS, |h| model.cost(h, m))
                    };
                    (read.iter().map(cost).sum(), m)
                })
                .collect();
            ranking.sort_unstable();
            let mut expected = 0u64;
            for (k, &(cost, m)) in ranking.iter().enumerate() {
                if k >= MAX_CANDIDATES
                    || (k >= MIN_CANDIDATES && cost > ranking[0].0 + CANDIDATE_MARGIN)
                {
                    break;
                }
                expected |= 1 << m;
            }
            assert_eq!(shortlist(model, members, &letters), expected, "{sentence}");
        }
    }

    #[test]
    fn detection_does_not_depend_on_what_was_detected_before() {
        let first = detect(SENTENCES[0].1, 3);
        for (_, s) in SENTENCES {
            detect(s, 3);
        }
        assert_eq!(detect(SENTENCES[0].1, 3), first);
    }
}
