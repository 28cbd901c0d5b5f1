//! Tokenizers for counting and for training-ready token shards, nothing downloaded: OpenAI's
//! `o200k_base` and `cl100k_base` built in (the `tiktoken-rs` crate embeds their ranks), or any
//! Hugging Face `tokenizer.json` by path (the `tokenizers` crate: the Rust core of the Python
//! library datatrove uses, so ids are the same by construction).
//!
//! With an end-of-sequence token, a Hugging Face tokenizer gets datatrove's post-processor
//! (`TemplateProcessing(single="$A <EOS>")`, which replaces the tokenizer's own); without one,
//! the tokenizer's own post-processor applies, as in datatrove's `TokensCounter`. Built-in
//! encodings tokenise text as tiktoken's `encode_ordinary` does (special-token strings in the
//! text are text), and append the end-of-sequence token's id when one is set.

use tiktoken_rs::CoreBPE;
use tokenizers::processors::template::TemplateProcessing;

/// Why a tokenizer could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    /// The `tokenizer.json` could not be read or parsed.
    #[error("cannot load tokenizer `{path}`: {message}")]
    Load {
        /// The path given.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The end-of-sequence token is not in the vocabulary.
    #[error("tokenizer `{tokenizer}` has no token `{token}` (eos_token)")]
    UnknownToken {
        /// The tokenizer's name or path.
        tokenizer: String,
        /// The token.
        token: String,
    },
}

enum Engine {
    Tiktoken(CoreBPE),
    HuggingFace(Box<tokenizers::Tokenizer>),
}

/// A loaded tokenizer, shared by all threads.
pub struct Tokenizer {
    name: String,
    engine: Engine,
    eos: Option<u32>,
    vocab_size: usize,
}

impl Tokenizer {
    /// `o200k_base`, `cl100k_base`, or the path of a `tokenizer.json`; with `eos_token`, its id
    /// is appended to every document's tokens.
    pub fn load(name_or_path: &str, eos_token: Option<&str>) -> Result<Self, TokenizerError> {
        let load_error = |message: String| TokenizerError::Load {
            path: name_or_path.to_owned(),
            message,
        };
        let unknown = |token: &str| TokenizerError::UnknownToken {
            tokenizer: name_or_path.to_owned(),
            token: token.to_owned(),
        };
        let builtin = match name_or_path {
            "o200k_base" => Some(tiktoken_rs::o200k_base()),
            "cl100k_base" => Some(tiktoken_rs::cl100k_base()),
            _ => None,
        };
        if let Some(bpe) = builtin {
            let bpe = bpe.map_err(|e| load_error(e.to_string()))?;
            let specials = bpe.special_tokens();
            let eos = match eos_token {
                Some(token) => Some(
                    bpe.encode_with_special_tokens(token)
                        .first()
                        .copied()
                        .filter(|_| specials.contains(token))
                        .ok_or_else(|| unknown(token))?,
                ),
                None => None,
            };
            let vocab_size = match name_or_path {
                // The ranks plus the special tokens, as tiktoken's `n_vocab`.
                "o200k_base" => 200_019,
                _ => 100_277,
            };
            return Ok(Tokenizer {
                name: name_or_path.to_owned(),
                engine: Engine::Tiktoken(bpe),
                eos,
                vocab_size,
            });
        }
        let mut hf = tokenizers::Tokenizer::from_file(name_or_path)
            .map_err(|e| load_error(e.to_string()))?;
        let eos = match eos_token {
            Some(token) => {
                let id = hf.token_to_id(token).ok_or_else(|| unknown(token))?;
                let template = TemplateProcessing::builder()
                    .try_single("$A <EOS>")
                    .map_err(|e| load_error(e.to_string()))?
                    .special_tokens(vec![("<EOS>", id)])
                    .build()
                    .map_err(|e| load_error(e.to_string()))?;
                hf.with_post_processor(Some(template));
                Some(id)
            }
            None => None,
        };
        let vocab_size = hf.get_vocab_size(true);
        Ok(Tokenizer {
            name: name_or_path.to_owned(),
            engine: Engine::HuggingFace(Box::new(hf)),
            eos,
            vocab_size,
        })
    }

    /// The name or path it was loaded from (what datatrove writes in `.metadata`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The vocabulary size, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// Bytes per token in datatrove's shards: 4 when ids do not fit 16 bits, else 2.
    pub fn token_size(&self) -> usize {
        if self.vocab_size > u16::MAX as usize + 1 {
            4
        } else {
            2
        }
    }

    /// The end-of-sequence id appended to each document, if any.
    pub fn eos(&self) -> Option<u32> {
        self.eos
    }

    /// Appends `text`'s token ids (and the end-of-sequence id, when set) to `out`.
    pub fn encode_into(&self, text: &str, out: &mut Vec<u32>) {
        match &self.engine {
            Engine::Tiktoken(bpe) => {
                out.extend(bpe.encode_ordinary(text));
                out.extend(self.eos);
            }
            Engine::HuggingFace(hf) => match hf.encode_fast(text, true) {
                Ok(encoding) => out.extend_from_slice(encoding.get_ids()),
                // The encoders fail only on inputs they cannot represent (none for the models
                // datatrove uses); such a text counts as its end-of-sequence token alone.
                Err(_) => out.extend(self.eos),
            },
        }
    }

    /// The number of tokens of `text`, the end-of-sequence token included when set.
    pub fn count(&self, text: &str) -> usize {
        let mut ids = Vec::new();
        self.encode_into(text, &mut ids);
        ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_encodings() {
        let o200k = Tokenizer::load("o200k_base", None).unwrap();
        assert_eq!(o200k.token_size(), 4);
        // tiktoken: enc.encode_ordinary("hello world") == [24912, 2375] for o200k_base and
        // [15339, 1917] for cl100k_base.
        let mut ids = Vec::new();
        o200k.encode_into("hello world", &mut ids);
        assert_eq!(ids, [24912, 2375]);
        let cl100k = Tokenizer::load("cl100k_base", Some("<|endoftext|>")).unwrap();
        ids.clear();
        cl100k.encode_into("hello world", &mut ids);
        assert_eq!(ids, [15339, 1917, 100257]);
        // Special-token strings in the text are text.
        assert!(cl100k.count("<|endoftext|>") > 2);
        assert!(matches!(
            Tokenizer::load("o200k_base", Some("</s>")),
            Err(TokenizerError::UnknownToken { .. })
        ));
    }

    #[test]
    fn bad_tokenizer_files_are_errors() {
        let dir = std::env::temp_dir().join(format!("thresh-tok-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tokenizer.json");
        std::fs::write(&path, "{not json").unwrap();
        let err = Tokenizer::load(path.to_str().unwrap(), None).err().unwrap();
        assert!(err.to_string().contains("cannot load tokenizer"), "{err}");
        assert!(Tokenizer::load("/nonexistent/tokenizer.json", None).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
