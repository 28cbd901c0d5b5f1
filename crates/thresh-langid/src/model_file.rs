//! A fastText model file named by a step's `model` parameter: read once when the step is built
//! (so `thresh check` reports a bad file), shared by every worker thread, predicted with one
//! [`Scratch`] per thread.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thresh_core::ConfigError;

use crate::fasttext::{FastText, Scratch};

/// Reads `path` (relative paths against `base_dir`, the pipeline file's directory); a file that
/// is missing or not a supervised fastText model is a configuration error of step `step`.
pub(crate) fn open(path: &Path, base_dir: &Path, step: &str) -> Result<Arc<FastText>, ConfigError> {
    let path: PathBuf = base_dir.join(path);
    FastText::open(&path)
        .map(Arc::new)
        .map_err(|e| ConfigError::Invalid {
            context: format!("step `{step}`"),
            message: format!("model `{}`: {e}", path.display()),
        })
}

thread_local! {
    static BUFFERS: RefCell<(Scratch, Vec<(usize, f32)>)> = RefCell::default();
}

/// Calls `f` with every label's probability for `text` (label index, probability; best
/// first, fastText's order), as Python fastText's `predict(text, k=-1)` gives them.
pub(crate) fn with_predictions<R>(
    model: &FastText,
    text: &str,
    f: impl FnOnce(&[(usize, f32)]) -> R,
) -> R {
    BUFFERS.with(|cell| {
        let mut buffers = cell.borrow_mut();
        let (scratch, out) = &mut *buffers;
        model.predict_into(text, usize::MAX, 0.0, scratch, out);
        f(out)
    })
}
