//! The printer: data to stdout as a table, JSON, CSV or an HTML page; progress to stderr, only on
//! a terminal.

use std::io::Write;
use std::time::Duration;

use comfy_table::{Attribute, Cell, ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::error::{Error, Result};

mod fit;
pub mod html;
pub mod svg;

pub use fit::{Column, Fit, resolve_width, utilization_bar};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
    // Crontab lines that carry a plan out (`plan` only). A plain comment: a doc comment would
    // turn every help page into the long form that lists the values with their descriptions.
    Cron,
    // One self-contained page (`analyze`, `plan`). A plain comment: a doc comment would give the
    // values help texts, and clap would switch every --help to its long layout.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Debug)]
pub struct Printer {
    pub format: OutputFormat,
    pub color: bool,
    progress: bool,
    /// `-q`: a command that changes capacity prints nothing on success (cron mails only on
    /// failure); data and JSON documents are still printed.
    quiet: bool,
    /// Display columns a table may take (`COLUMNS`, the terminal, or 100).
    width: usize,
    /// Stdout is a terminal: pictures made of block characters are for a person, not a pipe.
    terminal: bool,
}

impl Printer {
    /// `color` is for stdout; `progress` says whether bars may be drawn on stderr at all;
    /// `width` is what tables are fitted to.
    pub fn new(format: OutputFormat, color: bool, progress: bool, width: usize) -> Self {
        Printer {
            format,
            color,
            progress,
            quiet: false,
            width,
            terminal: false,
        }
    }

    /// Stdout is a terminal (see [`Printer::is_terminal`]).
    pub fn terminal(mut self, terminal: bool) -> Self {
        self.terminal = terminal;
        self
    }

    /// Whether stdout is a terminal: a table may then draw bars that a script would not want.
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// The one line that says a change went well; left out under `-q`.
    pub fn outcome(&self, text: &str) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        self.line(text)
    }

    /// Text to stdout. A closed pipe surfaces as an error whose exit code is 0.
    pub fn write(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("writing to stdout", e))
    }

    pub fn line(&self, text: &str) -> Result<()> {
        self.write(&format!("{text}\n"))
    }

    /// Streamed: thousands of rows never sit in memory a second time as one string.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        serde_json::to_writer_pretty(&mut out, value)
            .map_err(std::io::Error::from)
            .and_then(|_| out.write_all(b"\n"))
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("writing to stdout", e))
    }

    /// One compact JSON value on a line of its own (JSON lines), flushed at once: a long-running
    /// command's reader sees each event when it happens.
    pub fn json_line<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let mut line = serde_json::to_vec(value)
            .map_err(std::io::Error::from)
            .map_err(|e| Error::io("encoding JSON", e))?;
        line.push(b'\n');
        let mut out = std::io::stdout().lock();
        out.write_all(&line)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("writing to stdout", e))
    }

    /// A line for the person watching, on stderr; left out under `-q`. A closed stderr is
    /// not worth failing for.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }

    /// A borderless table in the style of `kubectl get`, one line per row: every column keeps
    /// its content's width. (comfy-table's wrapping squeezed the last column to one character a
    /// line; [`Printer::fitted_table`] fits the terminal by leaving out and cutting instead.)
    pub fn new_table<S: AsRef<str>>(&self, header: &[S]) -> Table {
        let mut table = Table::new();
        // comfy-table would otherwise ask whether stdout is a terminal, to size and to style:
        // the layout must depend on the width alone, and colour on `--color` alone.
        table
            .load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty();
        if self.color {
            table.enforce_styling();
            // Bold on the words only: padding inside the escape codes would survive `trim_end`.
            table.style_text_only();
        }
        table.set_header(header.iter().map(|h| {
            let cell = Cell::new(h.as_ref());
            if self.color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        let last = header.len().saturating_sub(1);
        for (i, column) in table.column_iter_mut().enumerate() {
            column.set_padding((0, if i < last { fit::GAP as u16 } else { 0 }));
        }
        table
    }

    pub fn table(&self, table: &Table) -> Result<()> {
        let text: String = table
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        self.write(&text)
    }

    /// A table fitted to the printer's width: columns left out or cut as `columns` allow, each
    /// row one line.
    pub fn fitted_table(&self, columns: &[Column], rows: Vec<Vec<String>>) -> Result<()> {
        let (header, rows) = fit::fit(columns, rows, self.width);
        let mut table = self.new_table(&header);
        for row in rows {
            table.add_row(row);
        }
        self.table(&table)
    }

    /// Prose broken at spaces to the printer's width.
    pub fn wrapped(&self, text: &str) -> Result<()> {
        self.write(&fit::wrap(text, self.width))
    }

    pub fn csv<I, R>(&self, header: &[&str], rows: I) -> Result<()>
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = String>,
    {
        let mut text = csv_row(header.iter().map(|h| h.to_string()));
        for row in rows {
            text.push_str(&csv_row(row));
        }
        self.write(&text)
    }

    /// A bar on stderr when it is a terminal and progress is wanted; otherwise a hidden one, so
    /// callers never branch on it.
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A spinner with a message for waits of unknown length.
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .expect("the template is valid"),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}

/// The terminal's width when stdout is one (comfy-table asks crossterm).
pub fn terminal_width() -> Option<usize> {
    Table::new().width().map(usize::from)
}

/// 4 not 4.0, as protojson prints doubles, and every digit of anything else.
pub fn whole_number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Value::from(v)
    }
}

/// Numbers in JSON: to the thousandth (sums of rates leave binary noise), whole ones without `.0`.
pub fn tidy(v: f64) -> serde_json::Value {
    whole_number((v * 1000.0).round() / 1000.0)
}

pub fn num<S: serde::Serializer>(v: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    tidy(*v).serialize(s)
}

pub fn opt_num<S: serde::Serializer>(
    v: &Option<f64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    v.map(tidy).serialize(s)
}

pub fn nums<S: serde::Serializer>(v: &[f64], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|x| tidy(*x)))
}

/// RFC 4180: quote a field holding a comma, a quote or a line break; double inner quotes.
pub fn csv_row(fields: impl IntoIterator<Item = String>) -> String {
    let mut line = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&field.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&field);
        }
    }
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(
            csv_row(["a".into(), "b,c".into(), "say \"hi\"".into(), "".into()]),
            "a,\"b,c\",\"say \"\"hi\"\"\",\r\n"
        );
        assert_eq!(csv_row(["line\nbreak".to_string()]), "\"line\nbreak\"\r\n");
    }
}
