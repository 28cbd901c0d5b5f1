//! `thresh check`: the plan of a pipeline file, after validating it.

use std::fmt::Write as _;

use thresh_core::StepRegistry;
use thresh_io::read::inputs::{expand_inputs, input_extensions};

use crate::config::PipelineFile;
use crate::run::units::{form, Done, UnitLimits};
use crate::run::RunError;

/// Validates the pipeline file (steps, inputs and the output's tokenizer) and describes what a
/// run would do.
pub fn describe(file: &PipelineFile, registry: &StepRegistry) -> Result<String, RunError> {
    let pipeline = file.build(registry)?;
    let inputs = expand_inputs(
        &file.input.patterns(&file.base_dir)?,
        &file.base_dir,
        &input_extensions(),
    )?;
    let bytes: u64 = inputs
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "input: {} files, {:.1} MB (text field `{}`, id field `{}`)",
        inputs.len(),
        bytes as f64 / 1e6,
        file.input.text_field,
        file.input.id_field
    );
    for input in inputs.iter().take(5) {
        let _ = writeln!(out, "  {}", input.name);
    }
    if inputs.len() > 5 {
        let _ = writeln!(out, "  … and {} more", inputs.len() - 5);
    }
    // The units of a whole run (rank tasks form theirs within their own files).
    let all: Vec<u32> = (0..inputs.len() as u32).collect();
    let limits = UnitLimits {
        bytes: file.input.unit_bytes,
        files: file.input.unit_files,
    };
    let units = form(
        &all,
        |i| inputs[i as usize].size,
        &Done::from_records(Vec::new(), 0),
        limits,
    );
    let _ = writeln!(
        out,
        "work units: {} (consecutive files up to {:.1} MB or {} files; each with its own shards and completion marker)",
        units.len(),
        limits.bytes as f64 / 1e6,
        limits.files
    );
    let barriers = pipeline.barriers();
    if barriers.is_empty() {
        let _ = writeln!(out, "steps (one pass):");
    } else {
        let _ = writeln!(
            out,
            "steps ({} passes: the whole corpus is observed before each step marked ⧗):",
            barriers.len() + 1
        );
    }
    for (i, (step, table)) in pipeline.steps().iter().zip(&file.steps).enumerate() {
        let params: Vec<String> = table
            .iter()
            .filter(|(k, _)| !["type", "name", "mode"].contains(&k.as_str()))
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let mut mode = match step.mode {
            thresh_core::StepMode::Filter => "",
            thresh_core::StepMode::Annotate => " [annotate only]",
        }
        .to_owned();
        if barriers.contains(&i) {
            mode.push_str(" ⧗");
        }
        let _ = writeln!(
            out,
            "  {}. {} ({}){mode} {}",
            i + 1,
            step.name,
            step.ty,
            params.join(", ")
        );
    }
    let o = &file.output;
    let _ = writeln!(
        out,
        "output: {} ({:?}, {} docs / {} bytes per shard, dropped documents {})",
        file.output_location(),
        o.compression,
        if o.max_docs_per_shard == 0 {
            "unlimited".to_string()
        } else {
            o.max_docs_per_shard.to_string()
        },
        if o.max_bytes_per_shard == 0 {
            "unlimited".to_string()
        } else {
            o.max_bytes_per_shard.to_string()
        },
        if o.write_dropped {
            "written"
        } else {
            "not written"
        },
    );
    if let Some(tokenizer) = file.output_plan()?.tokenizer {
        let _ = writeln!(
            out,
            "kept documents as {:?} token shards: tokenizer {} ({} ids, {} bytes per token){}",
            o.format,
            tokenizer.name(),
            tokenizer.vocab_size(),
            tokenizer.token_size(),
            match tokenizer.eos() {
                Some(id) => format!(", end-of-sequence id {id} appended"),
                None => String::new(),
            }
        );
    }
    Ok(out)
}
