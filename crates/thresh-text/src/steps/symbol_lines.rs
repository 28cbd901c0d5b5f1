//! `symbol_lines`: removes lines made only of symbols (table borders, separator rows, `|`
//! columns left by extraction), as datatrove's `SymbolLinesFormatter` does — the same
//! parameters under the same names and defaults, and the same output.
//!
//! The text is split as Python's `str.splitlines` splits it. A line is a symbol line when it is
//! not blank (after Python's `strip`) and every character is a space or one of
//! `symbols_to_remove` (default: datatrove's `PUNCTUATION_SET`). Each run of consecutive symbol
//! lines becomes one `replace_char` line (none when it is empty); the other lines are joined
//! with `\n`. As in datatrove, the text is rejoined even when nothing is removed, so line ends
//! become `\n` and a final line end goes. FineWeb-2 uses `symbols_to_remove = ["|"]`,
//! `replace_char = "\n"` to turn the rows of flattened tables into paragraph breaks. The
//! document is never dropped.

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::charsets::{contains, PUNCTUATION_SET};
use crate::pystr;

/// Parameters of `symbol_lines` (datatrove's names and defaults).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymbolLinesParams {
    /// The symbols a removed line may consist of, besides spaces (default: datatrove's
    /// `PUNCTUATION_SET`). As in datatrove's set of strings, an entry longer than one character
    /// matches nothing.
    #[serde(default)]
    pub symbols_to_remove: Option<Vec<String>>,
    /// What a run of removed lines becomes: nothing (default), or a line of its own (`"\n"`
    /// makes a paragraph break).
    #[serde(default)]
    pub replace_char: String,
}

/// The step.
pub struct SymbolLines {
    /// The symbols, sorted; `None`: `PUNCTUATION_SET`.
    symbols: Option<Vec<char>>,
    replace_char: String,
}

impl SymbolLines {
    /// A step with the given parameters.
    pub fn new(params: SymbolLinesParams) -> Self {
        let symbols = params.symbols_to_remove.map(|list| {
            let mut chars: Vec<char> = list
                .iter()
                .filter_map(|s| {
                    let mut it = s.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => Some(c),
                        _ => None,
                    }
                })
                .collect();
            chars.sort_unstable();
            chars.dedup();
            chars
        });
        SymbolLines {
            symbols,
            replace_char: params.replace_char,
        }
    }

    fn is_symbol(&self, c: char) -> bool {
        match &self.symbols {
            Some(chars) => chars.binary_search(&c).is_ok(),
            None => contains(PUNCTUATION_SET, c),
        }
    }

    /// Whether `line` is made only of symbols (and spaces), and not blank.
    fn symbol_line(&self, line: &str) -> bool {
        !pystr::strip(line).is_empty() && line.chars().all(|c| c == ' ' || self.is_symbol(c))
    }
}

impl Step for SymbolLines {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let mut kept: Vec<&str> = Vec::new();
        let mut removed: Vec<&str> = Vec::new();
        let mut in_removed_span = false;
        for line in pystr::splitlines(&doc.text) {
            if self.symbol_line(line) {
                if !in_removed_span && !self.replace_char.is_empty() {
                    kept.push(&self.replace_char);
                }
                in_removed_span = true;
                removed.push(line);
            } else {
                kept.push(line);
                in_removed_span = false;
            }
        }
        let text = kept.join("\n");
        let lines: Option<Vec<serde_json::Value>> = cx
            .record_signals
            .then(|| removed.iter().map(|&l| l.into()).collect());
        doc.text = text;
        if let Some(lines) = lines {
            cx.signal(doc, "lines_removed", lines.len());
            cx.signal(doc, "removed", lines);
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: SymbolLinesParams, text: &str) -> Document {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "sl".into(),
            record_signals: true,
        };
        assert_eq!(
            SymbolLines::new(params).process(&mut doc, &cx),
            Verdict::Keep
        );
        doc
    }

    #[test]
    fn symbol_lines_go_and_blank_lines_stay() {
        // "---" and "* * *" are symbols and spaces; "   " is blank and kept; "a-b" has a letter.
        let doc = run(
            SymbolLinesParams::default(),
            "Title\n---\n* * *\nText a-b.\n   \n===\nEnd\n",
        );
        assert_eq!(doc.text, "Title\nText a-b.\n   \nEnd");
        assert_eq!(doc.annotations["sl"]["lines_removed"], 3);
        assert_eq!(doc.annotations["sl"]["removed"][1], "* * *");
    }

    #[test]
    fn fineweb2_turns_table_rows_into_paragraph_breaks() {
        // FineWeb-2's settings: only `|` counts, and a run of removed lines becomes one "\n"
        // line, so the kept lines are separated by a blank line.
        let params = SymbolLinesParams {
            symbols_to_remove: Some(vec!["|".into()]),
            replace_char: "\n".into(),
        };
        let doc = run(params, "Name | Age\n| |\n|  |  |\nAnna | 34\n---\n");
        assert_eq!(doc.text, "Name | Age\n\n\nAnna | 34\n---");
    }

    #[test]
    fn lines_split_as_python_splits_them_and_the_text_is_rejoined() {
        // \r\n, \r, \x0b, \u{2028} end lines in Python; nothing removed, yet rejoined with \n.
        let doc = run(SymbolLinesParams::default(), "a\r\nb\rc\u{b}d\u{2028}e\n");
        assert_eq!(doc.text, "a\nb\nc\nd\ne");
        // A tab is neither a space nor in PUNCTUATION_SET (which has the other control
        // characters): a line of "-\t-" stays.
        let doc = run(SymbolLinesParams::default(), "x\n-\t-\ny");
        assert_eq!(doc.text, "x\n-\t-\ny");
        // A multi-character entry matches nothing, as in datatrove's set of strings.
        let params = SymbolLinesParams {
            symbols_to_remove: Some(vec!["--".into()]),
            ..Default::default()
        };
        assert_eq!(run(params, "x\n----\ny").text, "x\n----\ny");
    }
}
