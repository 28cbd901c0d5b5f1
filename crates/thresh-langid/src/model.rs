//! The embedded character n-gram model: for each language, ln P(char | up to four preceding
//! letters of the same word), built by `tools/langid-train` from lingua's published models
//! (see `data/README.md`).
//!
//! Languages whose script no other supported language uses (Greek, Thai, …) are decided by
//! script and have no table here. The others form one group per script (at most 64
//! languages). In memory the model is one open-addressing hash table over n-grams; an entry
//! holds a bit mask of the group's languages that have the n-gram and the offset of their
//! costs (−ln P quantised to 0.1 nat), so one probe serves every language of the group. In a
//! group of more than [`ROW_MEMBERS`] languages, uni-, bi- and trigrams keep their costs in a
//! [`Row`] of every member instead, which detection's first stage adds up whole.

use std::alloc::{self, Layout};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::OnceLock;

use crate::languages::{self, LANGUAGES};
use crate::script::Script;

/// The compressed model.
const MODEL: &[u8] = include_bytes!("../data/model.bin.zst");

/// Longest n-gram in the model.
pub const MAX_ORDER: usize = 5;

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Hash of an n-gram extended by one character: `extend(gram_hash(ab), c) == gram_hash(abc)`.
#[inline]
pub fn extend(hash: u64, c: char) -> u64 {
    (hash ^ c as u64)
        .wrapping_mul(0x0100_0000_01b3)
        .rotate_left(23)
}

/// Hash of the characters of an n-gram.
#[cfg(test)]
pub fn gram_hash(chars: &[char]) -> u64 {
    chars.iter().fold(SEED, |h, &c| extend(h, c))
}

/// Hash of the empty n-gram, the start of [`extend`] chains.
pub const EMPTY: u64 = SEED;

/// Groups of more members than this have [`Row`]s.
pub const ROW_MEMBERS: usize = 8;
/// The cost a [`Row`] gives the members without its n-gram.
pub const ABSENT: u8 = 100;
/// Marks an entry's offset as a [`Row`] index.
const ROW: u32 = 1 << 31;

/// An n-gram's cost for every member of its group, by member index: [`ABSENT`] for those
/// without it. One cache line.
#[repr(align(64))]
pub struct Row(pub [u8; 64]);

/// The table key of an n-gram within a group.
#[inline]
fn group_key(group: usize, hash: u64) -> u64 {
    hash.wrapping_add((group as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

#[derive(Clone, Copy, Default)]
struct Entry {
    fingerprint: u32,
    offset: u32,
    mask: u64,
}

/// Languages written in one script, scored against each other.
pub struct Group {
    /// The script.
    pub script: Script,
    /// Index in [`LANGUAGES`] of each member, by bit position in the masks.
    pub members: Vec<usize>,
    /// Per member, the cost of a character its model never saw (tenths of a nat): its rarest
    /// character's cost plus ln 2, as if seen half as often.
    pub unseen: Vec<u32>,
}

/// A located n-gram: its table, home slot and fingerprint.
#[derive(Clone, Copy, Default)]
pub struct Probe {
    table: u8,
    slot: usize,
    fingerprint: u32,
}

/// Which table holds n-grams of an order: unigrams and bigrams (few, always in cache),
/// trigrams, and the many 4- and 5-grams.
#[inline]
fn table_of(order: usize) -> usize {
    match order {
        1 | 2 => 0,
        3 => 1,
        _ => 2,
    }
}

/// One open-addressing hash table. A key's home slot is the top bits of its [`mix`], so that
/// keys in the order of their mix have their home slots in order.
struct Table {
    mask: usize,
    /// 64 − log2 of the slots.
    shift: u32,
    entries: Slots,
}

/// A table key mixed: a bijection, whose top bits give the home slot and low 32 bits the
/// fingerprint.
#[inline]
fn mix(key: u64) -> u64 {
    let mixed = (key ^ (key >> 31)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    mixed ^ (mixed >> 32)
}

/// One n-gram of one member while the model is decoded, packed so that the integer order is
/// the order of (table, [`mix`] of its key, group, member, cost): bits 88–89 the table, 24–87
/// the mix, 16–23 the group, 8–15 the member, 0–7 the cost.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Gram(u128);

impl Gram {
    fn new(table: usize, key: u64, group: usize, member: usize, cost: u8) -> Gram {
        Gram(
            (table as u128) << 88
                | u128::from(mix(key)) << 24
                | (group as u128) << 16
                | (member as u128) << 8
                | u128::from(cost),
        )
    }

    /// Table, mix and group: what one table entry stands for.
    fn entry(self) -> u128 {
        self.0 >> 16
    }

    fn table(self) -> usize {
        (self.0 >> 88) as usize
    }

    fn mixed(self) -> u64 {
        (self.0 >> 24) as u64
    }

    fn group(self) -> usize {
        (self.0 >> 16) as u8 as usize
    }

    fn member(self) -> usize {
        (self.0 >> 8) as u8 as usize
    }

    fn cost(self) -> u8 {
        self.0 as u8
    }
}

/// Zeroed entries on 2 MB pages where Linux gives them: probed at random, a table of tens of
/// MB on 4 KB pages would miss the TLB on nearly every probe.
struct Slots {
    ptr: NonNull<Entry>,
    len: usize,
}

// SAFETY: `Slots` owns its entries as a `Vec` would.
unsafe impl Send for Slots {}
// SAFETY: as above.
unsafe impl Sync for Slots {}

impl Slots {
    /// `len` (a power of two) empty entries.
    fn new(len: usize) -> Slots {
        let layout = Slots::layout(len);
        // SAFETY: the layout's size is not zero.
        let ptr = unsafe { alloc::alloc(layout) }.cast::<Entry>();
        let Some(ptr) = NonNull::new(ptr) else {
            alloc::handle_alloc_error(layout)
        };
        #[cfg(target_os = "linux")]
        // SAFETY: advice on memory this owns, before it is first written.
        unsafe {
            libc::madvise(ptr.as_ptr().cast(), layout.size(), libc::MADV_HUGEPAGE);
        }
        // SAFETY: the allocation holds `len` entries; all-zero bytes are an empty entry.
        unsafe { ptr.as_ptr().write_bytes(0, len) };
        Slots { ptr, len }
    }

    fn layout(len: usize) -> Layout {
        let size = len * std::mem::size_of::<Entry>();
        Layout::from_size_align(size, size.min(2 << 20)).expect("a table's size")
    }
}

impl Deref for Slots {
    type Target = [Entry];

    fn deref(&self) -> &[Entry] {
        // SAFETY: `ptr` holds `len` initialised entries.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for Slots {
    fn deref_mut(&mut self) -> &mut [Entry] {
        // SAFETY: as in `deref`, borrowed mutably.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), Slots::layout(self.len)) }
    }
}

impl Table {
    fn with_capacity(distinct: usize) -> Table {
        let slots = (distinct * 10 / 7 + 1).next_power_of_two().max(2);
        Table {
            mask: slots - 1,
            shift: 64 - slots.trailing_zeros(),
            entries: Slots::new(slots),
        }
    }

    /// The home slot and fingerprint of a key's [`mix`].
    #[inline]
    fn place(&self, mixed: u64) -> (usize, u32) {
        ((mixed >> self.shift) as usize, mixed as u32 | 1)
    }

    fn insert(&mut self, mixed: u64, offset: u32, mask: u64) {
        let (mut slot, fingerprint) = self.place(mixed);
        while self.entries[slot].fingerprint != 0 {
            slot = (slot + 1) & self.mask;
        }
        self.entries[slot] = Entry {
            fingerprint,
            offset,
            mask,
        };
    }
}

/// What the model knows about one n-gram.
#[derive(Clone, Copy)]
pub struct Hit {
    /// Members of the group that have the n-gram (bit = member index).
    pub mask: u64,
    /// Where the costs start in [`Model::costs`], or the [`Row`]'s index, marked by [`ROW`].
    offset: u32,
}

/// The loaded model.
pub struct Model {
    tables: [Table; 3],
    costs: Vec<u8>,
    rows: Vec<Row>,
    /// One group per script shared by several languages.
    pub groups: Vec<Group>,
    /// Per language, true when the model knows it (by script or by n-grams).
    pub present: Vec<bool>,
}

impl Model {
    /// The model, decoded on first use (≈0.3 s) and shared by every thread.
    pub fn get() -> &'static Model {
        static CELL: OnceLock<Model> = OnceLock::new();
        CELL.get_or_init(|| Model::decode(MODEL).expect("the embedded language model is valid"))
    }

    /// Decodes a model file written by `tools/langid-train`.
    pub fn decode(compressed: &[u8]) -> Result<Model, String> {
        let raw = zstd::decode_all(compressed).map_err(|e| format!("model: {e}"))?;
        let mut r = Reader { data: &raw, pos: 0 };
        if r.take(7)? != b"THLID1\n" {
            return Err("model: bad magic".into());
        }
        let count = r.byte()? as usize;
        let mut present = vec![false; LANGUAGES.len()];
        let mut groups: Vec<Group> = Vec::new();
        // (table, n-gram hash, group, member, cost) of every n-gram of a grouped language.
        let mut grams: Vec<Gram> = Vec::new();
        for _ in 0..count {
            let len = r.byte()? as usize;
            let code = std::str::from_utf8(r.take(len)?).map_err(|_| "model: bad code")?;
            let lang =
                languages::find(code).ok_or_else(|| format!("model: unknown language {code}"))?;
            present[lang] = true;
            let script = LANGUAGES[lang].script;
            let shared = LANGUAGES.iter().filter(|l| l.script == script).count() > 1;
            let entries = r.u32()? as usize;
            if !shared {
                for _ in 0..entries {
                    r.byte()?;
                    let len = r.byte()? as usize;
                    r.take(len)?;
                }
                continue;
            }
            let g = match groups.iter().position(|g| g.script == script) {
                Some(g) => g,
                None => {
                    groups.push(Group {
                        script,
                        members: Vec::new(),
                        unseen: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            let group = &mut groups[g];
            if group.members.len() == 64 {
                return Err(format!("model: more than 64 languages use {script:?}"));
            }
            let member = group.members.len();
            group.members.push(lang);
            let mut rarest = 0u32;
            for _ in 0..entries {
                let cost = r.byte()?;
                let len = r.byte()? as usize;
                let gram = std::str::from_utf8(r.take(len)?).map_err(|_| "model: bad n-gram")?;
                let order = gram.chars().count();
                if order == 1 {
                    rarest = rarest.max(cost as u32);
                }
                let hash = gram.chars().fold(EMPTY, extend);
                grams.push(Gram::new(
                    table_of(order),
                    group_key(g, hash),
                    g,
                    member,
                    cost,
                ));
            }
            group.unseen.push(rarest + 7);
        }
        // By table, then by where the n-gram's entry goes: the tables fill from start to end.
        grams.sort_unstable();
        let same_key = |a: &Gram, b: &Gram| a.entry() == b.entry();
        let mut distinct = [0usize; 3];
        for same in grams.chunk_by(same_key) {
            distinct[same[0].table()] += 1;
        }
        let mut model = Model {
            tables: distinct.map(Table::with_capacity),
            costs: Vec::with_capacity(grams.len()),
            rows: Vec::new(),
            groups,
            present,
        };
        for same in grams.chunk_by(same_key) {
            let (table, group) = (same[0].table(), same[0].group());
            let mut mask = 0u64;
            for g in same {
                mask |= 1 << g.member();
            }
            let offset = if table < 2 && model.groups[group].members.len() > ROW_MEMBERS {
                // The k-th cost is the k-th member's, as `cost` reads them.
                let mut row = Row([ABSENT; 64]);
                let mut bits = mask;
                for g in same {
                    if bits == 0 {
                        break;
                    }
                    row.0[bits.trailing_zeros() as usize] = g.cost();
                    bits &= bits - 1;
                }
                model.rows.push(row);
                ROW | (model.rows.len() - 1) as u32
            } else {
                model.costs.extend(same.iter().map(|g| g.cost()));
                (model.costs.len() - same.len()) as u32
            };
            model.tables[table].insert(same[0].mixed(), offset, mask);
        }
        Ok(model)
    }

    /// The members of group `group` (index in [`Model::groups`]) having the n-gram of
    /// `order` characters with hash `hash`.
    #[cfg(test)]
    pub fn lookup(&self, group: usize, order: usize, hash: u64) -> Option<Hit> {
        self.probe(self.locate(group, order, hash))
    }

    /// Where the n-gram's entry is, without reading it yet.
    #[inline]
    pub fn locate(&self, group: usize, order: usize, hash: u64) -> Probe {
        let table = table_of(order);
        let (slot, fingerprint) = self.tables[table].place(mix(group_key(group, hash)));
        Probe {
            table: table as u8,
            slot,
            fingerprint,
        }
    }

    /// Asks the CPU to start loading the entry's cache line, so that many lookups overlap.
    #[inline]
    pub fn prefetch(&self, probe: Probe) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is only a hint; the address is inside `entries`.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let entries = &self.tables[probe.table as usize].entries;
            _mm_prefetch::<_MM_HINT_T0>(entries.as_ptr().add(probe.slot) as *const i8);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = probe;
    }

    /// Asks the CPU to start loading the costs of a hit.
    #[inline]
    pub fn prefetch_costs(&self, hit: Hit) {
        if let Some(row) = self.row(hit) {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: prefetching is only a hint; the address is a row's.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(row.0.as_ptr() as *const i8);
            }
            return;
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is only a hint; both addresses are inside `costs`, the last
        // because the costs of `hit.mask`'s members, in member order, end there at the latest.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let first = self.costs.as_ptr().add(hit.offset as usize);
            let span = (64 - hit.mask.leading_zeros() as usize)
                .min(self.costs.len() - hit.offset as usize);
            _mm_prefetch::<_MM_HINT_T0>(first as *const i8);
            _mm_prefetch::<_MM_HINT_T0>(first.add(span.max(1) - 1) as *const i8);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hit;
    }

    /// Reads a located entry.
    #[inline]
    pub fn probe(&self, probe: Probe) -> Option<Hit> {
        let Probe {
            table,
            mut slot,
            fingerprint,
        } = probe;
        let table = &self.tables[table as usize];
        loop {
            let entry = table.entries[slot];
            if entry.fingerprint == fingerprint {
                return Some(Hit {
                    mask: entry.mask,
                    offset: entry.offset,
                });
            }
            if entry.fingerprint == 0 {
                return None;
            }
            slot = (slot + 1) & table.mask;
        }
    }

    /// The hit's [`Row`], when its group has them and the n-gram is at most a trigram.
    #[inline]
    pub fn row(&self, hit: Hit) -> Option<&Row> {
        (hit.offset & ROW != 0).then(|| &self.rows[(hit.offset & !ROW) as usize])
    }

    /// The cost (−ln P, tenths of a nat) of the n-gram for member `member`, which must be in
    /// `hit.mask`.
    #[inline]
    pub fn cost(&self, hit: Hit, member: usize) -> u32 {
        if let Some(row) = self.row(hit) {
            return row.0[member] as u32;
        }
        let below = hit.mask & ((1u64 << member) - 1);
        self.costs[hit.offset as usize + below.count_ones() as usize] as u32
    }

    /// Calls `f(member, cost)` for every member in `hit.mask & wanted`.
    #[inline]
    pub fn for_each(&self, hit: Hit, wanted: u64, mut f: impl FnMut(usize, u32)) {
        if let Some(row) = self.row(hit) {
            let mut bits = hit.mask & wanted;
            while bits != 0 {
                let member = bits.trailing_zeros() as usize;
                f(member, row.0[member] as u32);
                bits &= bits - 1;
            }
            return;
        }
        let costs = &self.costs[hit.offset as usize..];
        if wanted & hit.mask == hit.mask {
            // Every member with the n-gram is wanted: walk the costs in order.
            let mut bits = hit.mask;
            for &cost in costs {
                if bits == 0 {
                    break;
                }
                f(bits.trailing_zeros() as usize, cost as u32);
                bits &= bits - 1;
            }
        } else {
            let mut bits = hit.mask & wanted;
            while bits != 0 {
                let member = bits.trailing_zeros() as usize;
                f(member, self.cost(hit, member));
                bits &= bits - 1;
            }
        }
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos + n;
        let bytes = self.data.get(self.pos..end).ok_or("model: truncated")?;
        self.pos = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_extend_one_character_at_a_time() {
        let chars: Vec<char> = "haus".chars().collect();
        assert_eq!(extend(gram_hash(&chars[..3]), 's'), gram_hash(&chars));
        assert_ne!(gram_hash(&chars[..3]), gram_hash(&chars[1..]));
    }

    #[test]
    fn the_embedded_model_has_every_language_and_sensible_costs() {
        let model = Model::get();
        assert!(model.present.iter().all(|&p| p), "a language is missing");
        let g = model
            .groups
            .iter()
            .position(|g| g.script == Script::Latin)
            .unwrap();
        let latin = &model.groups[g];
        let de = latin
            .members
            .iter()
            .position(|&l| LANGUAGES[l].code == "de")
            .unwrap();
        let en = latin
            .members
            .iter()
            .position(|&l| LANGUAGES[l].code == "en")
            .unwrap();
        // "sch" is far likelier in German than in English; "ß" is German only.
        let sch = model.lookup(g, 3, gram_hash(&['s', 'c', 'h'])).unwrap();
        assert!(sch.mask & (1 << de) != 0);
        let eszett = model.lookup(g, 1, gram_hash(&['ß'])).unwrap();
        assert!(eszett.mask & (1 << de) != 0);
        let th = model.lookup(g, 2, gram_hash(&['t', 'h'])).unwrap();
        assert!(model.cost(th, en) < model.cost(th, de));
    }
}
