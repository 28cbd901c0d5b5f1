//! `thresh`: clean, deduplicated, annotated text corpora from web crawls.
//!
//! A thin command line over the `thresh` library: `run`, `check`, `stats`.

mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use thresh::config::PipelineFile;
use thresh::report::RunReport;
use thresh::run::{run, Part, RunOptions};

#[derive(Parser)]
#[command(
    name = "thresh",
    version,
    about = "Clean, deduplicated, annotated text corpora from web crawls"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline: read the input, apply the steps, write kept/, dropped/, errors.jsonl, stats.json.
    Run {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Fail with a non-zero exit code on the first unreadable input record.
        #[arg(long)]
        strict: bool,
        /// Continue an interrupted run in the output directory (the default).
        #[arg(long, conflicts_with = "overwrite")]
        resume: bool,
        /// Replace a previous run's output.
        #[arg(long)]
        overwrite: bool,
        /// Print no progress.
        #[arg(long, short)]
        quiet: bool,
        /// Write to this directory (or `s3://bucket/prefix`) instead of the pipeline file's
        /// `[output] path`.
        #[arg(long)]
        output: Option<String>,
        /// With deduplication steps: run only this pass (0 reads the input), e.g. as one task of
        /// a cluster job; a plain run afterwards finds it done.
        #[arg(long, conflicts_with = "resolve")]
        pass: Option<usize>,
        /// With --pass: only these input files, by index in the sorted input list
        /// (`0,3,5-9`).
        #[arg(long, requires = "pass", value_parser = parse_files)]
        files: Option<FileList>,
        /// With deduplication steps: only resolve the barrier that ends this pass; with
        /// --rank/--world-size, only that part of it (MinHash: a range of bands, as datatrove's
        /// bucket tasks), which the resolve without --rank then joins.
        #[arg(long)]
        resolve: Option<usize>,
        /// One task of a sharded run: only the input files `i` with `i % world_size == rank`
        /// (datatrove's assignment), with its stats in `ranks/`; with deduplication steps, of
        /// the pass given by --pass (default 0), or of the resolve given by --resolve.
        #[arg(long, requires = "world_size", conflicts_with = "files")]
        rank: Option<u32>,
        /// How many ranks share the input (with --rank).
        #[arg(long, requires = "rank", value_parser = clap::value_parser!(u32).range(1..))]
        world_size: Option<u32>,
        /// Write the HTML report (`thresh report`) to OUTPUT/report.html at the end.
        #[arg(long)]
        report: bool,
    },
    /// Write (and with --submit, submit) Slurm job arrays that run the pipeline as rank tasks:
    /// one array per pass, one task per barrier resolve, then merge-stats.
    Slurm {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
        /// Array tasks (ranks) per pass.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        tasks: u32,
        /// Slurm partition.
        #[arg(long)]
        partition: Option<String>,
        /// CPUs per task (thresh's worker threads).
        #[arg(long, default_value_t = 1)]
        cpus_per_task: u32,
        /// Time limit per task (Slurm's --time).
        #[arg(long)]
        time: Option<String>,
        /// Memory per task (Slurm's --mem).
        #[arg(long)]
        mem: Option<String>,
        /// Write to this directory (or `s3://bucket/prefix`) instead of the pipeline file's
        /// `[output] path`.
        #[arg(long)]
        output: Option<String>,
        /// Submit the chain with sbatch after writing it.
        #[arg(long)]
        submit: bool,
    },
    /// Combine the per-rank stats of a sharded run (`ranks/`) into its `stats.json`.
    MergeStats {
        /// The output directory of the run (or its `s3://bucket/prefix`).
        output: String,
        /// Print the raw JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run one document through the pipeline and show, step by step, every signal next to its
    /// threshold, the lines removed and which step decided.
    Explain {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
        /// Any input file a run reads (JSON Lines, Parquet, a web archive, a saved page; local
        /// or `s3://…`), or a plain-text `.txt` file.
        file: String,
        /// The id of the document (a web archive's: its WARC-Record-ID; default: the first one).
        #[arg(long)]
        id: Option<String>,
        /// Print JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Validate a pipeline file and print the plan.
    Check {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
    },
    /// Print a summary of an output directory's stats.json.
    Stats {
        /// The output directory (or its stats.json), or its `s3://bucket/prefix`.
        output: String,
        /// Print the raw JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Write a self-contained HTML report of an output directory: the funnel, every recorded
    /// signal's distribution with its threshold, languages, domains, lengths, deduplication,
    /// sampled documents per drop reason, errors.
    Report {
        /// The output directory.
        output: PathBuf,
        /// Where to write the report (default: OUTPUT/report.html).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Documents to sample from each of kept/ and dropped/ (shards spread evenly).
        #[arg(long, default_value_t = thresh::html_report::DEFAULT_SAMPLE)]
        sample: u64,
    },
    /// Merge token shards (`*.ds` under a directory, e.g. an output's `kept/`) into files of a
    /// chosen size, as datatrove's DocumentTokenizerMerger.
    MergeTokens {
        /// The directory holding the `.ds` files (searched recursively).
        input: PathBuf,
        /// The directory the merged files go to (`NNN_<name>.ds`).
        output: PathBuf,
        /// The name of the merged files.
        #[arg(long, default_value = "merged")]
        name: String,
        /// Start a new file once one holds this many tokens (0: no limit).
        #[arg(long, default_value_t = 100_000_000_000)]
        max_tokens_per_file: u64,
        /// Stop after this many tokens (0: all).
        #[arg(long, default_value_t = 0)]
        max_tokens: u64,
        /// Interleave the input files' documents in a random order from this seed (each
        /// file's documents keep their order).
        #[arg(long)]
        shuffle_seed: Option<u64>,
    },
}

/// Input file indices given to `--files`.
#[derive(Clone, Debug)]
struct FileList(Vec<u32>);

/// `0,3,5-9` → [0, 3, 5, 6, 7, 8, 9].
fn parse_files(list: &str) -> Result<FileList, String> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let number = |s: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| format!("`{s}` is not a file index"))
        };
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (number(a)?, number(b)?);
                if a > b {
                    return Err(format!("`{item}` is an empty range (write `{b}-{a}`)"));
                }
                out.extend(a..=b)
            }
            None => out.push(number(item)?),
        }
    }
    if out.is_empty() {
        return Err("no file index given".into());
    }
    Ok(FileList(out))
}

/// Writes the report, with a progress bar on a terminal unless `quiet`.
fn write_report(
    output: &std::path::Path,
    dest: &std::path::Path,
    sample: u64,
    quiet: bool,
) -> Result<()> {
    let bar = (!quiet).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("report: {bar:30} {pos}/{len} shards")
                .expect("valid template"),
        );
        bar
    });
    let summary = thresh::html_report::write(output, dest, sample, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    })
    .map_err(anyhow::Error::msg)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
        eprintln!(
            "report: {} ({} kept and {} dropped documents sampled, {} histograms)",
            dest.display(),
            summary.sampled.0,
            summary.sampled.1,
            summary.histograms
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("thresh: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::Run {
            pipeline,
            threads,
            strict,
            resume: _,
            overwrite,
            quiet,
            output,
            pass,
            files,
            resolve,
            rank,
            world_size,
            report: html,
        } => {
            let mut file = PipelineFile::load(&pipeline)?;
            if let Some(output) = output {
                file.set_output(&output)?;
            }
            if html && file.output_location().contains("://") {
                anyhow::bail!(
                    "--report reads a local output directory, not {}",
                    file.output_location()
                );
            }
            let only = Part::select(pass, files.map(|f| f.0), resolve, rank.zip(world_size));
            let options = RunOptions::new(threads, strict, overwrite, only);
            let reporter = progress::Reporter::new(quiet);
            let report = run(&file, &thresh::registry(), &options, &reporter)?;
            if !quiet {
                eprint!("{}", report.summary());
                eprintln!("output: {}", file.output_location());
            }
            if html {
                let dir = file.output_dir();
                write_report(
                    &dir,
                    &dir.join("report.html"),
                    thresh::html_report::DEFAULT_SAMPLE,
                    quiet,
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            output,
            out,
            sample,
        } => {
            let dest = out.unwrap_or_else(|| output.join("report.html"));
            write_report(&output, &dest, sample, false)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain {
            pipeline,
            file,
            id,
            json,
        } => {
            let pf = PipelineFile::load(&pipeline)?;
            let steps = pf.build(&thresh::registry())?;
            let mut doc = thresh::explain::load_document(&pf, &file, id.as_deref())?;
            let trace = steps.trace(&mut doc);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&thresh::explain::to_json(&doc, &trace))?
                );
            } else {
                use std::io::IsTerminal;
                print!(
                    "{}",
                    thresh::explain::render(&doc, &trace, std::io::stdout().is_terminal())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { pipeline } => {
            let file = PipelineFile::load(&pipeline)?;
            print!("{}", thresh::plan::describe(&file, &thresh::registry())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Slurm {
            pipeline,
            tasks,
            partition,
            cpus_per_task,
            time,
            mem,
            output,
            submit,
        } => {
            let mut file = PipelineFile::load(&pipeline)?;
            if let Some(output) = output {
                file.set_output(&output)?;
            }
            let splits = thresh::slurm::splits(&file.build(&thresh::registry())?);
            let dir = thresh::slurm::scripts_dir(&file)?;
            let options = thresh::slurm::SlurmOptions {
                tasks,
                partition,
                cpus_per_task,
                time,
                mem,
            };
            let (scripts, submit_script) = thresh::slurm::write_scripts(
                &dir,
                &std::env::current_exe()?,
                &std::path::absolute(&pipeline)?,
                &file.output_location(),
                &splits,
                &options,
            )?;
            for script in &scripts {
                println!("{}  ({})", script.path.display(), script.label);
            }
            println!("{}", submit_script.display());
            if submit {
                let status = std::process::Command::new("bash")
                    .arg(&submit_script)
                    .status()
                    .context("running sbatch")?;
                if !status.success() {
                    anyhow::bail!("{} failed: {status}", submit_script.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::MergeStats { output, json } => {
            let report = thresh::ranks::merge_stats(&output)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.summary());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::MergeTokens {
            input,
            output,
            name,
            max_tokens_per_file,
            max_tokens,
            shuffle_seed,
        } => {
            let options = thresh_io::write::token_merge::MergeOptions {
                name,
                max_tokens_per_file,
                max_tokens,
                shuffle: shuffle_seed,
            };
            let report = thresh_io::write::token_merge::merge(&input, &output, &options)?;
            eprintln!(
                "merged {} documents, {} tokens from {} files into {} ({} files)",
                report.documents,
                report.tokens,
                report.inputs,
                output.display(),
                report
                    .files
                    .iter()
                    .filter(|f| f.extension().is_some_and(|e| e == "ds"))
                    .count()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { output, json } => {
            let report = RunReport::load(&output)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.summary());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_lists_take_indices_and_ranges_and_refuse_empty_ones() {
        assert_eq!(parse_files("0,3,5-7").unwrap().0, [0, 3, 5, 6, 7]);
        assert_eq!(parse_files(" 4 - 4 ").unwrap().0, [4]);
        assert!(parse_files("9-5").unwrap_err().contains("empty range"));
        assert!(parse_files(",").unwrap_err().contains("no file index"));
        assert!(parse_files("x").unwrap_err().contains("not a file index"));
    }
}
