//! Reading gzip one member at a time: a member that lies whole in the read-ahead window is
//! inflated in one call by libdeflate (about 35% faster than streaming zlib-rs on the pages of
//! a web archive, whose members are one record each); any other member — larger than the
//! window or [`OUT_MAX`] decompressed, with a header flate2 reads differently, damaged,
//! truncated, or not gzip at all — is streamed by flate2 from its first byte, exactly as a
//! `MultiGzDecoder` behind a 1 MB `BufReader` would read it. So what a file yields, and the
//! error it ends with, are flate2's; the error names the compressed offset of the member it
//! is in. libdeflate only takes members both read alike: a success there has checked the
//! member's CRC-32 and length. The one difference left is deliberate: libdeflate accepts a
//! few deflate encodings zlib refuses and no encoder writes (distance codes 30 and 31, more
//! than 286 length or 30 distance codes, an incomplete code of one codeword in the code-length
//! code); such a member, CRC-checked, is read where flate2 stops with an error.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

/// Compressed bytes held ahead, so that a member is usually whole in memory.
const WINDOW: usize = 4 << 20;
/// The window is topped up when fewer bytes than this remain.
const AHEAD: usize = 1 << 20;
/// The output buffer starts at this size and doubles as members need.
const OUT_START: usize = 1 << 20;
/// Members that decompress to more than this are streamed.
const OUT_MAX: usize = 32 << 20;
/// Bytes asked of the streaming decoder at a time (the `BufReader` size the reader had before).
const STREAM_CHUNK: usize = 1 << 20;
/// The streaming decoder is given input in pieces that end at multiples of this in the file,
/// as `flate2::read::MultiGzDecoder`'s own 32 KiB buffer gave it: flate2 drops the output of
/// the call that meets damage, so how much of a damaged member is read depends on the pieces.
const STREAM_PIECE: u64 = 32 << 10;
/// Header flags (RFC 1952).
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
/// The longest file name or comment flate2 accepts.
const MAX_FIELD: usize = 65535;

/// Compressed input: a buffer of read-ahead over `inner`.
struct Input<R> {
    inner: R,
    buf: Box<[u8]>,
    /// `buf[start..end]` is held.
    start: usize,
    end: usize,
    /// Offset in the file of `buf[0]`.
    base: u64,
    eof: bool,
}

impl<R: Read> Input<R> {
    fn held(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Offset in the file of the next byte.
    fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Moves what is held to the front and reads until `want` bytes are held or the end.
    fn fill_to(&mut self, want: usize) -> io::Result<()> {
        let want = want.min(self.buf.len());
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        while !self.eof && self.end < want {
            match self.inner.read(&mut self.buf[self.end..want]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// `Read::read` for a reader whose `BufRead` side is the real one.
fn read_buffered(from: &mut impl BufRead, out: &mut [u8]) -> io::Result<usize> {
    let held = from.fill_buf()?;
    let n = held.len().min(out.len());
    out[..n].copy_from_slice(&held[..n]);
    from.consume(n);
    Ok(n)
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, out)
    }
}

impl<R: Read> BufRead for Input<R> {
    /// Up to the next multiple of [`STREAM_PIECE`] in the file, and all of it unless the file
    /// ends first: the pieces flate2's reader gave, even where the window ends in one.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let piece = (STREAM_PIECE - self.offset() % STREAM_PIECE) as usize;
        if self.end - self.start < piece && !self.eof {
            self.fill_to(AHEAD)?;
        }
        let held = self.held();
        Ok(&held[..held.len().min(piece)])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }
}

/// Whether flate2 reads the header at the start of `held` as libdeflate does: flate2 checks a
/// header CRC, which libdeflate skips, and refuses a file name or comment of more than
/// [`MAX_FIELD`] bytes. (A header cut short fails in libdeflate too.)
fn same_header(held: &[u8]) -> bool {
    let Some(&flags) = held.get(3) else {
        return true;
    };
    if flags & FHCRC != 0 {
        return false;
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(&[lo, hi]) = held.get(10..12) else {
            return true;
        };
        at = 12 + usize::from(u16::from_le_bytes([lo, hi]));
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field == 0 {
            continue;
        }
        let Some(rest) = held.get(at..) else {
            return true;
        };
        match memchr::memchr(0, &rest[..rest.len().min(MAX_FIELD + 1)]) {
            Some(len) => at += len + 1,
            None => return rest.len() <= MAX_FIELD,
        }
    }
    true
}

/// A libdeflate decompressor (freed on drop).
struct Inflater(*mut libdeflate_sys::libdeflate_decompressor);

// The decompressor is plain memory, used by one thread at a time.
unsafe impl Send for Inflater {}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: allocated by libdeflate_alloc_decompressor, freed once.
        unsafe { libdeflate_sys::libdeflate_free_decompressor(self.0) }
    }
}

/// What inflating one member in one call gave.
enum Whole {
    /// Input bytes of the member, output bytes written.
    Done(usize, usize),
    /// The member does not fit the output buffer's largest size.
    TooLarge,
    /// Not one whole, valid member in the input given.
    Failed,
}

impl Inflater {
    fn new() -> io::Result<Self> {
        // SAFETY: no arguments; null on allocation failure.
        let d = unsafe { libdeflate_sys::libdeflate_alloc_decompressor() };
        if d.is_null() {
            return Err(io::Error::new(
                io::ErrorKind::OutOfMemory,
                "cannot allocate a gzip decompressor",
            ));
        }
        Ok(Inflater(d))
    }

    /// Inflates the member at the start of `input` into `out`, doubling `out` up to
    /// `out_max` while it is too small.
    fn member(&mut self, input: &[u8], out: &mut Vec<u8>, out_max: usize) -> Whole {
        loop {
            let (mut used, mut written) = (0usize, 0usize);
            // SAFETY: both buffers are valid for the lengths given; libdeflate reads and writes
            // only within them and sets the two counts on success.
            let result = unsafe {
                libdeflate_sys::libdeflate_gzip_decompress_ex(
                    self.0,
                    input.as_ptr().cast(),
                    input.len(),
                    out.as_mut_ptr().cast(),
                    out.len(),
                    &mut used,
                    &mut written,
                )
            };
            match result {
                libdeflate_sys::libdeflate_result_LIBDEFLATE_SUCCESS => {
                    return Whole::Done(used, written)
                }
                libdeflate_sys::libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE
                    if out.len() < out_max =>
                {
                    out.resize((out.len() * 2).min(out_max), 0);
                }
                libdeflate_sys::libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE => {
                    return Whole::TooLarge
                }
                _ => return Whole::Failed,
            }
        }
    }
}

enum State<R> {
    /// Between members: the next one is inflated whole if it can be.
    Whole(Input<R>),
    /// A member read by flate2: the decoder, the member's offset in the file, bytes of output
    /// so far.
    Stream(Box<GzDecoder<Input<R>>>, u64, usize),
    /// After an error: the end (as flate2's decoder ends after one).
    Ended,
}

/// Decompressed gzip (one member or many) as a buffered reader; see the module documentation.
pub struct GzipReader<R> {
    state: State<R>,
    inflater: Inflater,
    out: Vec<u8>,
    out_pos: usize,
    out_end: usize,
    /// The last member was streamed for its size: stream the next one straight away too
    /// (a whole-file gzip, or a run of large records) rather than try it whole first.
    large: bool,
    /// [`WINDOW`] and [`OUT_MAX`] (smaller in tests).
    window: usize,
    out_max: usize,
}

impl<R: Read> GzipReader<R> {
    /// The decompressed content of the gzip stream `inner`.
    pub fn new(inner: R) -> io::Result<Self> {
        Self::with_limits(inner, WINDOW, OUT_MAX)
    }

    fn with_limits(inner: R, window: usize, out_max: usize) -> io::Result<Self> {
        Ok(GzipReader {
            state: State::Whole(Input {
                inner,
                buf: vec![0; window.max(AHEAD)].into_boxed_slice(),
                start: 0,
                end: 0,
                base: 0,
                eof: false,
            }),
            inflater: Inflater::new()?,
            out: Vec::new(),
            out_pos: 0,
            out_end: 0,
            large: false,
            window,
            out_max,
        })
    }

    /// Decodes until output is held (false at the end of the stream).
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            match std::mem::replace(&mut self.state, State::Ended) {
                State::Ended => return Ok(false),
                State::Stream(mut decoder, start, streamed) => {
                    if self.out.len() < STREAM_CHUNK {
                        self.out.resize(STREAM_CHUNK, 0);
                    }
                    match decoder.read(&mut self.out[..STREAM_CHUNK]) {
                        Ok(0) => {
                            // The member is complete: the next starts where it ended.
                            let input = decoder.into_inner();
                            self.large = input.offset() - start > self.window as u64
                                || streamed > self.out_max;
                            self.state = State::Whole(input);
                        }
                        Ok(n) => {
                            self.state = State::Stream(decoder, start, streamed + n);
                            (self.out_pos, self.out_end) = (0, n);
                            return Ok(true);
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                            self.state = State::Stream(decoder, start, streamed);
                        }
                        Err(e) => {
                            return Err(io::Error::new(
                                e.kind(),
                                format!("{e} (gzip member at byte {start})"),
                            ))
                        }
                    }
                }
                State::Whole(mut input) => {
                    if input.held().len() < AHEAD.min(self.window) {
                        if let Err(e) = input.fill_to(self.window) {
                            // Keep the input: a read error from the file may pass.
                            self.state = State::Whole(input);
                            return Err(e);
                        }
                    }
                    let held = input.held();
                    // The end, unless nothing was read at all: that is flate2's error.
                    if held.is_empty() && input.offset() > 0 {
                        return Ok(false);
                    }
                    let whole = if self.large || !same_header(held) {
                        Whole::Failed
                    } else {
                        let first = OUT_START.min(self.out_max);
                        if self.out.len() < first {
                            self.out.resize(first, 0);
                        }
                        match self.inflater.member(held, &mut self.out, self.out_max) {
                            // The member may go on past the bytes held: hold more, try again.
                            Whole::Failed if !input.eof && held.len() < self.window => {
                                if let Err(e) = input.fill_to(self.window) {
                                    self.state = State::Whole(input);
                                    return Err(e);
                                }
                                self.inflater
                                    .member(input.held(), &mut self.out, self.out_max)
                            }
                            whole => whole,
                        }
                    };
                    match whole {
                        Whole::Done(used, written) => {
                            input.consume(used);
                            self.state = State::Whole(input);
                            (self.out_pos, self.out_end) = (0, written);
                            if written > 0 {
                                return Ok(true);
                            }
                        }
                        Whole::TooLarge | Whole::Failed => {
                            let start = input.offset();
                            self.state = State::Stream(Box::new(GzDecoder::new(input)), start, 0);
                        }
                    }
                }
            }
        }
    }
}

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, out)
    }
}

impl<R: Read> BufRead for GzipReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_pos == self.out_end {
            (self.out_pos, self.out_end) = (0, 0);
            self.refill()?;
        }
        Ok(&self.out[self.out_pos..self.out_end])
    }

    fn consume(&mut self, n: usize) {
        self.out_pos = (self.out_pos + n).min(self.out_end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{DeflateEncoder, GzEncoder};
    use proptest::prelude::*;
    use std::io::{BufReader, Write};

    /// Everything read, and the error the stream ends with.
    fn read_all(reader: &mut dyn Read, chunk: usize) -> (Vec<u8>, Option<String>) {
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }

    fn ours(bytes: &[u8]) -> (Vec<u8>, Option<String>) {
        read_all(&mut GzipReader::new(bytes).unwrap(), 1 << 16)
    }

    /// With a small window and output limit, so that large members are cheap to make.
    fn ours_small(bytes: &[u8], window: usize) -> (Vec<u8>, Option<String>) {
        let mut reader = GzipReader::with_limits(bytes, window, window).unwrap();
        read_all(&mut reader, 1 << 12)
    }

    /// The reader before: flate2's `MultiGzDecoder` behind a 1 MB `BufReader`.
    fn flate2s(bytes: &[u8]) -> (Vec<u8>, Option<String>) {
        let decoder = flate2::read::MultiGzDecoder::new(bytes);
        read_all(&mut BufReader::with_capacity(1 << 20, decoder), 1 << 16)
    }

    /// Ours against flate2's: the same bytes, and the same error with the member's offset added.
    fn same_as_flate2(ours: (Vec<u8>, Option<String>), bytes: &[u8]) -> Result<(), String> {
        let (want, want_error) = flate2s(bytes);
        if ours.0 != want {
            return Err(format!(
                "{} bytes read, flate2 {}",
                ours.0.len(),
                want.len()
            ));
        }
        match (&ours.1, &want_error) {
            (None, None) => Ok(()),
            (Some(e), Some(w)) if e.starts_with(&format!("{w} (gzip member at byte ")) => Ok(()),
            _ => Err(format!("error {:?}, flate2 {want_error:?}", ours.1)),
        }
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// A member with the given header flags and fields around `deflate`, the raw deflate data
    /// of `data`; FHCRC with the right header CRC.
    fn member(flags: u8, extra: &[u8], name: &[u8], deflate: &[u8], data: &[u8]) -> Vec<u8> {
        let mut m = vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 0xff];
        if flags & FEXTRA != 0 {
            m.extend((extra.len() as u16).to_le_bytes());
            m.extend(extra);
        }
        for field in [FNAME, FCOMMENT] {
            if flags & field != 0 {
                m.extend(name);
                m.push(0);
            }
        }
        if flags & FHCRC != 0 {
            let mut crc = flate2::Crc::new();
            crc.update(&m);
            m.extend((crc.sum() as u16).to_le_bytes());
        }
        m.extend(deflate);
        let mut crc = flate2::Crc::new();
        crc.update(data);
        m.extend(crc.sum().to_le_bytes());
        m.extend((data.len() as u32).to_le_bytes());
        m
    }

    /// One stored block: a member of `data.len() + 23` bytes (at most 65,535 of data).
    fn stored(data: &[u8]) -> Vec<u8> {
        let len = data.len() as u16;
        let mut block = vec![1];
        block.extend(len.to_le_bytes());
        block.extend((!len).to_le_bytes());
        block.extend(data);
        member(0, b"", b"", &block, data)
    }

    fn pseudo_text(n: usize, seed: u64) -> Vec<u8> {
        let words = [
            &b"warc "[..],
            b"record ",
            b"<p>",
            b"</p>\n",
            b"gzip ",
            b"member ",
        ];
        let mut x = seed | 1;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.extend_from_slice(words[(x % 6) as usize]);
            out.push(b'a' + (x >> 40) as u8 % 26);
        }
        out.truncate(n);
        out
    }

    /// "hello" in one stored block, written out byte by byte (28 bytes).
    const HELLO: [u8; 28] = [
        0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, // magic, deflate, no flags, mtime, xfl, OS
        1, 5, 0, 0xfa, 0xff, b'h', b'e', b'l', b'l', b'o', // final stored block of 5 bytes
        0x86, 0xa6, 0x10, 0x36, 5, 0, 0, 0, // CRC-32 of "hello", length 5
    ];
    /// An empty member: a final fixed block holding only the end-of-block code (20 bytes).
    const EMPTY: [u8; 20] = [
        0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn hand_made_members_concatenate() {
        assert_eq!(stored(b"hello"), HELLO);
        assert_eq!(ours(&HELLO), (b"hello".to_vec(), None));
        assert_eq!(ours(&EMPTY), (Vec::new(), None));
        let file = cat(&[&EMPTY, &HELLO, &EMPTY, &EMPTY, &HELLO, &EMPTY]);
        assert_eq!(ours(&file), (b"hellohello".to_vec(), None));
        assert_eq!(flate2s(&file), (b"hellohello".to_vec(), None));
    }

    #[test]
    fn optional_header_fields_are_skipped() {
        let block = &HELLO[10..20];
        for flags in [
            FEXTRA,
            FNAME,
            FCOMMENT,
            FEXTRA | FNAME | FCOMMENT,
            FHCRC,
            0x1e,
        ] {
            let m = member(flags, b"sl\x02\x00ab", b"a.warc", block, b"hello");
            let file = cat(&[&m, &HELLO, &m]);
            assert_eq!(
                ours(&file),
                (b"hellohellohello".to_vec(), None),
                "{flags:#x}"
            );
        }
        // Worked out by hand: FEXTRA (6 bytes) and FNAME "a": 10 + 2 + 6 + 2 + 10 + 8.
        let m = member(FEXTRA | FNAME, b"sl\x02\x00ab", b"a", block, b"hello");
        assert_eq!(m.len(), 38);
        assert_eq!(&m[3..4], &[0x0c]);
        assert_eq!(&m[10..20], b"\x06\x00sl\x02\x00aba\x00");
    }

    #[test]
    fn a_wrong_header_crc_or_a_reserved_flag_is_flate2s_error() {
        // The header CRC of the bare header with FHCRC set is 0xc990 (zlib.crc32 & 0xffff).
        let mut good = HELLO[..10].to_vec();
        good[3] = FHCRC;
        good.extend([0x90, 0xc9]);
        good.extend(&HELLO[10..]);
        assert_eq!(ours(&cat(&[&HELLO, &good])), (b"hellohello".to_vec(), None));
        let mut bad = good.clone();
        bad[10] = 0x91;
        assert_eq!(
            ours(&cat(&[&HELLO, &bad])),
            (
                b"hello".to_vec(),
                Some(
                    "corrupt gzip stream does not have a matching checksum (gzip member at byte 28)"
                        .into()
                )
            )
        );
        let mut reserved = HELLO;
        reserved[3] = 0x20;
        assert_eq!(
            ours(&cat(&[&HELLO, &HELLO, &reserved])),
            (
                b"hellohello".to_vec(),
                Some("invalid gzip header (gzip member at byte 56)".into())
            )
        );
    }

    #[test]
    fn names_and_comments_longer_than_flate2_takes_are_its_error() {
        let block = &HELLO[10..20];
        for flags in [FNAME, FCOMMENT, FEXTRA | FNAME | FCOMMENT] {
            let fits = member(flags, b"x", &[b'n'; MAX_FIELD], block, b"hello");
            assert_eq!(ours(&fits), (b"hello".to_vec(), None));
            let long = member(flags, b"x", &[b'n'; MAX_FIELD + 1], block, b"hello");
            let file = cat(&[&HELLO, &long]);
            assert_eq!(
                ours(&file),
                (
                    b"hello".to_vec(),
                    Some("gzip header field too long (gzip member at byte 28)".into())
                )
            );
            same_as_flate2(ours(&file), &file).unwrap();
        }
    }

    #[test]
    fn trailing_garbage_and_cuts_end_with_flate2s_error_after_every_whole_member() {
        let end = |bytes: &[u8]| ours(&cat(&[&HELLO, &HELLO, bytes]));
        let error = |m: &str| Some(format!("{m} (gzip member at byte 56)"));
        // Fewer bytes than a header, a header's worth that is none, zeros (padding).
        assert_eq!(
            end(b"xyz"),
            (b"hellohello".to_vec(), error("unexpected end of file"))
        );
        assert_eq!(
            end(b"0123456789"),
            (b"hellohello".to_vec(), error("invalid gzip header"))
        );
        assert_eq!(
            end(&[0; 512]),
            (b"hellohello".to_vec(), error("invalid gzip header"))
        );
        // Cut after the header, inside the stored data, inside the trailer.
        assert_eq!(end(&HELLO[..10]).0, b"hellohello");
        assert!(end(&HELLO[..10]).1.is_some());
        assert!(end(&HELLO[..18]).1.is_some());
        assert!(end(&HELLO[..27]).1.is_some());
        // Nothing at all is not a gzip stream either.
        assert_eq!(
            ours(b""),
            (
                Vec::new(),
                Some("unexpected end of file (gzip member at byte 0)".into())
            )
        );
        // Every cut and every byte changed of three members reads as flate2 reads it.
        let file = cat(&[&HELLO, &EMPTY, &gz(b"a third member, deflated")]);
        for cut in 0..=file.len() {
            same_as_flate2(ours(&file[..cut]), &file[..cut])
                .map_err(|e| format!("cut {cut}: {e}"))
                .unwrap();
        }
        for at in 0..file.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = file.clone();
                bad[at] ^= flip;
                same_as_flate2(ours(&bad), &bad)
                    .map_err(|e| format!("{flip:#x} at {at}: {e}"))
                    .unwrap();
            }
        }
    }

    #[test]
    fn members_at_window_boundaries() {
        const W: usize = 4096;
        let fit = pseudo_text(W - 23, 1);
        assert_eq!(stored(&fit).len(), W);
        let over = pseudo_text(W - 22, 2);
        let parts: Vec<Vec<u8>> = vec![
            fit.clone(),
            fit.clone(),
            b"a".to_vec(),
            fit.clone(),
            over.clone(),
            fit.clone(),
            Vec::new(),
            over,
            b"end".to_vec(),
        ];
        let file: Vec<u8> = parts.iter().flat_map(|p| stored(p)).collect();
        assert_eq!(ours_small(&file, W), (parts.concat(), None));
        assert_eq!(ours(&file), (parts.concat(), None));
        // A member that ends one byte past the first window's end, and cuts around there.
        let file: Vec<u8> = [stored(&fit[..W - 100]), stored(&fit[..55])].concat();
        assert_eq!(file.len(), W + 1);
        assert_eq!(
            ours_small(&file, W),
            ([&fit[..W - 100], &fit[..55]].concat(), None)
        );
        for cut in [W - 77, W - 76, W - 1, W] {
            same_as_flate2(ours_small(&file[..cut], W), &file[..cut]).unwrap();
        }
    }

    #[test]
    fn a_streamed_member_damaged_past_the_window_end_reads_as_flate2_reads_it() {
        // A member larger than the window whose deflate data fails past the window's end but
        // in the same 32 KiB piece of the file: flate2 drops the output of the whole piece,
        // so the streamed member must be given the whole piece, not the window's part of it
        // (proptest found this: the output of the piece's first part came through).
        const W: usize = 4096;
        let data = pseudo_text(10_000, 5);
        let mut deflate = vec![0]; // a stored block, not the last
        deflate.extend((data.len() as u16).to_le_bytes());
        deflate.extend((!(data.len() as u16)).to_le_bytes());
        deflate.extend(&data);
        deflate.push(0x07); // a last block of the reserved type 3
        let bad = member(0, b"", b"", &deflate, &data);
        let file = cat(&[&HELLO, &bad, &HELLO]);
        let want = (
            b"hello".to_vec(),
            Some("corrupt deflate stream (gzip member at byte 28)".to_string()),
        );
        assert_eq!(ours_small(&file, W), want);
        assert_eq!(ours(&file), want);
        same_as_flate2(ours_small(&file, W), &file).unwrap();
    }

    #[test]
    fn members_larger_than_the_window_or_the_output_limit_are_streamed() {
        // With limits of 64 KiB: more than that compressed, more than that decompressed (but
        // compressed to less), and small members between and after them.
        let wide = pseudo_text(400 << 10, 4);
        let long = b"abc".repeat(100 << 10);
        let parts: [&[u8]; 7] = [&wide, b"after", &long, b"again", &wide, &wide, b"end"];
        assert!(gz(&wide).len() > 1 << 16 && gz(&long).len() < 1 << 16);
        let file: Vec<u8> = parts.iter().flat_map(|p| gz(p)).collect();
        assert_eq!(ours_small(&file, 1 << 16), (parts.concat(), None));
        assert_eq!(ours(&file), (parts.concat(), None));
        let big = pseudo_text(3 << 20, 2);
        let file = [gz(b"x"), gz(&big), gz(b"y")].concat();
        assert_eq!(ours(&file), ([&b"x"[..], &big, b"y"].concat(), None));
    }

    /// Bits of a deflate stream, least significant first.
    #[derive(Default)]
    struct Bits(Vec<u8>, usize);

    impl Bits {
        fn put(&mut self, value: u32, n: usize) {
            for i in 0..n {
                if self.1.is_multiple_of(8) {
                    self.0.push(0);
                }
                *self.0.last_mut().unwrap() |= (((value >> i) & 1) as u8) << (self.1 % 8);
                self.1 += 1;
            }
        }

        /// A Huffman code: its bits from the most significant.
        fn code(&mut self, code: u32, n: usize) {
            for i in (0..n).rev() {
                self.put(code >> i, 1);
            }
        }
    }

    /// One dynamic block of the literal "a": literal 97 and end-of-block with codes '0' and
    /// '1', `distances` distance codes all unused; the code-length code gives 18 (a run of
    /// zeros) '0', 0 '10' and 1 '11'.
    fn dynamic_a(distances: u32) -> Vec<u8> {
        let mut b = Bits::default();
        b.put(1, 1); // final
        b.put(2, 2); // dynamic
        b.put(0, 5); // 257 length codes
        b.put(distances - 1, 5);
        b.put(14, 4); // 18 code-length code lengths, in the order 16 17 18 0 8 7 … 2 14 1
        for len in [0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2] {
            b.put(len, 3);
        }
        let zeros = |b: &mut Bits, mut n: u32| {
            while n > 0 {
                let run = n.min(138);
                b.code(0, 1);
                b.put(run - 11, 7);
                n -= run;
            }
        };
        zeros(&mut b, 97);
        b.code(3, 2); // length 1 for 'a'
        zeros(&mut b, 158);
        b.code(3, 2); // length 1 for end-of-block
        zeros(&mut b, distances);
        b.code(0, 1); // 'a'
        b.code(1, 1); // end of block
        b.0
    }

    #[test]
    fn libdeflate_reads_a_few_encodings_zlib_refuses() {
        // 30 distance codes: both read "a"; 31 (allowed by the format's 5 bits, not by the
        // RFC): flate2 refuses the member, libdeflate reads it and its CRC-32 holds.
        let fine = member(0, b"", b"", &dynamic_a(30), b"a");
        assert_eq!(flate2s(&fine), (b"a".to_vec(), None));
        assert_eq!(ours(&fine), (b"a".to_vec(), None));
        let odd = member(0, b"", b"", &dynamic_a(31), b"a");
        assert_eq!(ours(&cat(&[&HELLO, &odd])), (b"helloa".to_vec(), None));
        assert_eq!(flate2s(&cat(&[&HELLO, &odd])).0, b"hello");
        assert!(flate2s(&odd).1.is_some());
    }

    /// Members of every kind: stored, fixed, dynamic, empty, with header fields, larger than
    /// a small window; then cut, changed, extended or left alone.
    fn file_and_damage() -> impl Strategy<Value = (Vec<u8>, u8, usize, u8)> {
        let one = (0usize..6, 0u32..10, any::<u64>(), 0u8..8).prop_map(|(kind, level, seed, f)| {
            let n = [0, 1, 100, 3000, 40_000, 90_000][kind];
            let data = if seed % 3 == 0 {
                // Incompressible: a member larger than the small window.
                (0..n as u64)
                    .map(|i| (i.wrapping_mul(seed | 1) >> 7) as u8)
                    .collect()
            } else {
                pseudo_text(n, seed)
            };
            let mut e = DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
            e.write_all(&data).unwrap();
            let flags = [0, FEXTRA, FNAME, FCOMMENT, FHCRC, 0x1e, 0, 0][f as usize];
            member(flags, b"sl\x00\x00", b"name", &e.finish().unwrap(), &data)
        });
        (
            proptest::collection::vec(one, 0..8).prop_map(|m| m.concat()),
            0u8..5,
            any::<usize>(),
            any::<u8>(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn any_members_cut_or_damaged_read_as_flate2_reads_them((file, damage, at, byte) in file_and_damage()) {
            let mut file = file;
            let at = if file.is_empty() { 0 } else { at % file.len() };
            match damage {
                0 => {}
                1 => file.truncate(at),
                2 if !file.is_empty() => file[at] ^= byte | 1,
                3 => file.splice(at..at, [byte; 7]).for_each(drop),
                _ => file.extend([byte; 40]),
            }
            prop_assert_eq!(same_as_flate2(ours(&file), &file), Ok(()));
            prop_assert_eq!(same_as_flate2(ours_small(&file, 1 << 16), &file), Ok(()));
        }
    }
}
