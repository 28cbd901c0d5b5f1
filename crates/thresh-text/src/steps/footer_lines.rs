//! `footer_lines`: remove the boilerplate block that ends many pages — a "related posts"
//! heading, image credits and copyright notices, licence attributions, share prompts — but only
//! at the end of the text, so the article above is never touched.
//!
//! From the last line upwards, lines are removed while they are blank or match a footer
//! pattern; the first line that does not stops the removal. The patterns are per language
//! (de, en, es, fr, it, nl, pt), all applied whatever the document's language, since footers are
//! often in another language than the article.

use std::sync::OnceLock;

use regex::RegexSet;
use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

/// Parameters of `footer_lines`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FooterLinesParams {
    /// Footer lines are at most this many characters (longer lines are article text).
    pub max_line_chars: usize,
    /// Most lines removed from one document.
    pub max_lines: usize,
    /// Extra patterns (Rust `regex`, case-insensitive) for footer lines.
    pub patterns: Vec<String>,
}

impl Default for FooterLinesParams {
    fn default() -> Self {
        FooterLinesParams {
            max_line_chars: 250,
            max_lines: 8,
            patterns: Vec::new(),
        }
    }
}

/// Built-in footer patterns, matched case-insensitively against a trimmed line.
const PATTERNS: &[&str] = &[
    // "Related posts" headings.
    r"^(related|similar|recommended|popular|recent) (posts|articles|stories|news|reads)\W*$",
    r"^(you (may|might) also (like|enjoy)|more (from|on) this|read (more|also|next)|see also|further reading)\b.{0,60}$",
    r"^(ähnliche|verwandte|weitere|passende) (beiträge|artikel|themen|nachrichten)\W*$",
    r"^((ähnliche|weitere|passende|verwandte) )?(beiträge|artikel|themen),? die (sie |dich )?(auch )?(im zusammenhang stehen|interessieren|gefallen) (könnten|dürften)\W*$",
    r"^(das|dies) könnte (sie|dich) auch interessieren\W*$|^mehr zum thema\b.{0,60}$|^(auch interessant|lesen sie auch|weiterlesen)\b.{0,60}$",
    r"^(articles? (similaires|liés|connexes)|à lire (aussi|également)|vous aimerez aussi|sur le même sujet)\W*$",
    r"^(artículos relacionados|te puede interesar|también te puede interesar|noticias relacionadas)\W*$",
    r"^(articoli correlati|potrebbe interessarti|leggi anche)\W*$|^(gerelateerde artikelen|lees ook)\W*$|^(artigos relacionados|leia também)\W*$",
    // Image credits and copyright notices.
    r"^(bild|bilder|foto|fotos|photo|photos|image|images|picture|beitragsbild|titelbild|vorschaubild|bildquelle|quelle|source|credit|credits|crédits?( photo)?|créditos?|fonte|header image|featured image|cover image|bildnachweis|fotonachweis)\s*[:(©].{0,200}$",
    r"^(bild|foto)\s+urheberrechtshinweis\b|\burheberrechtshinweis\b.{0,80}$",
    r"(^©|^\(c\)|^copyright\b|\ball rights reserved\b|\balle rechte vorbehalten\b|\btous droits réservés\b|\btodos los derechos reservados\b|\btutti i diritti riservati\b)",
    // Licence attributions.
    r"\b(cc[ -]by(-sa|-nd|-nc)*( \d\.\d)?|creative commons|public domain|gemeinfrei|wikimedia commons)\b",
    // Share prompts.
    r"^(share|teilen|partager|compartir|condividi|delen|compartilhe)( (this|on|via|auf|sur|en|su|op|no))?\b.{0,60}$",
];

fn builtin() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        regex::RegexSetBuilder::new(PATTERNS)
            .case_insensitive(true)
            .build()
            .expect("built-in footer patterns compile")
    })
}

/// The `footer_lines` step.
pub struct FooterLines {
    params: FooterLinesParams,
    extra: Option<RegexSet>,
}

impl FooterLines {
    /// A step with the given parameters; a bad extra pattern is a configuration error.
    pub fn new(params: FooterLinesParams, name: &str) -> Result<Self, thresh_core::ConfigError> {
        let extra = if params.patterns.is_empty() {
            None
        } else {
            Some(
                regex::RegexSetBuilder::new(&params.patterns)
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| thresh_core::ConfigError::Invalid {
                        context: format!("step `{name}`"),
                        message: format!("bad pattern: {e}"),
                    })?,
            )
        };
        Ok(FooterLines { params, extra })
    }

    fn is_footer(&self, line: &str) -> bool {
        line.chars().count() <= self.params.max_line_chars
            && (builtin().is_match(line)
                || self.extra.as_ref().is_some_and(|set| set.is_match(line)))
    }
}

impl Step for FooterLines {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let lines: Vec<&str> = doc.text.lines().collect();
        let mut keep = lines.len();
        let mut removed = 0;
        while keep > 0 && removed < self.params.max_lines {
            let line = lines[keep - 1].trim();
            if line.is_empty() {
                keep -= 1;
            } else if self.is_footer(line) {
                keep -= 1;
                removed += 1;
            } else {
                break;
            }
        }
        // Blank lines at the end without any footer line are left alone.
        if removed == 0 {
            return Verdict::Keep;
        }
        let footer: Vec<serde_json::Value> = lines[keep..]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|&l| l.into())
            .collect();
        let body = lines[..keep].join("\n").trim_end().to_owned();
        doc.text = body;
        cx.signal(doc, "lines_removed", removed);
        cx.signal(doc, "removed", footer);
        if doc.text.is_empty() {
            return Verdict::drop("empty_after_footer_lines");
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Document {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "f".into(),
            record_signals: true,
        };
        FooterLines::new(FooterLinesParams::default(), "f")
            .unwrap()
            .process(&mut doc, &cx);
        doc
    }

    #[test]
    fn strips_the_german_footer_block_and_only_it() {
        let text = "Der Stadtrat hat am Montag ein neues Radwegenetz beschlossen.\n\nDie Arbeiten beginnen im Frühjahr.\n\nÄhnliche Beiträge\n\nBild Urheberrechtshinweis nach EU-Urheberrecht Artikel 13\n\nBeitragsbild: Von Max Muster – Eigenes Werk, CC BY-SA 4.0, https://example.org/bild.jpg";
        let doc = run(text);
        assert_eq!(doc.text, "Der Stadtrat hat am Montag ein neues Radwegenetz beschlossen.\n\nDie Arbeiten beginnen im Frühjahr.");
        assert_eq!(doc.annotations["f"]["lines_removed"], 3);
    }

    #[test]
    fn the_same_words_inside_the_article_are_kept() {
        // A footer-like line followed by article text is not at the end: nothing is removed.
        let text = "Ähnliche Beiträge\nDer Artikel geht hier weiter und erzählt mehr.";
        assert_eq!(run(text).text, text);
        // English: share prompt and copyright at the end.
        let doc = run("The library reopened on Monday.\nShare this article\n© 2024 Example Ltd. All rights reserved.");
        assert_eq!(doc.text, "The library reopened on Monday.");
    }

    #[test]
    fn long_lines_are_never_footers() {
        let long = format!("Foto: {}", "sehr lange Bildunterschrift ".repeat(12));
        let text = format!("Artikel.\n{long}");
        assert_eq!(run(&text).text, text);
    }
}
