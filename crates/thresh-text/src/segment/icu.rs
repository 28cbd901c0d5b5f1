//! Words of scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese),
//! from ICU4X's word segmenter (dictionaries for Chinese and Japanese, LSTM models for the
//! Southeast Asian scripts; compiled into the binary). datatrove uses jieba, SudachiPy and
//! pythainlp here, which thresh cannot embed; ICU's segmentation is the standard alternative.

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::WordSegmenter;

use super::pyws;

/// True for a language code (`zh`, `jpn`, `tha_Thai`, …) segmented with ICU4X.
pub fn handles(code: &str) -> bool {
    let (lang, script) = code.split_once('_').unwrap_or((code, ""));
    matches!(
        lang.to_ascii_lowercase().as_str(),
        "zh" | "zho"
            | "cmn"
            | "yue"
            | "wuu"
            | "ja"
            | "jpn"
            | "th"
            | "tha"
            | "lo"
            | "lao"
            | "km"
            | "khm"
            | "my"
            | "mya"
    ) || matches!(
        script,
        "Hani" | "Hans" | "Hant" | "Jpan" | "Thai" | "Laoo" | "Khmr" | "Mymr"
    )
}

/// The non-whitespace segments between ICU word boundaries: words, numbers and punctuation.
pub fn words(text: &str) -> Vec<&str> {
    let segmenter = WordSegmenter::new_auto(WordBreakInvariantOptions::default());
    let mut out = Vec::new();
    let mut start = 0;
    for end in segmenter.segment_str(text) {
        if end > start {
            let word = pyws::strip(&text[start..end]);
            if !word.is_empty() {
                out.push(word);
            }
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_chinese_japanese_and_thai_into_words() {
        let zh = words("我们在北京学习中文。");
        assert!(
            zh.len() >= 4 && zh.contains(&"北京") && zh.last() == Some(&"。"),
            "{zh:?}"
        );
        let ja = words("東京は日本の首都です。");
        assert!(ja.len() >= 4 && ja.contains(&"東京"), "{ja:?}");
        let th = words("ภาษาไทยง่ายนิดเดียว");
        assert!(th.len() >= 3 && th.concat() == "ภาษาไทยง่ายนิดเดียว", "{th:?}");
        assert!(handles("zh") && handles("jpn") && handles("tha_Thai") && !handles("de"));
    }
}
