//! Fitting a table to a width: columns left out by rank and cells cut with an ellipsis, so that
//! every row stays one line. Pure: text and a width in, text out.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Spaces between two columns.
pub const GAP: usize = 2;

/// Columns used when stdout is not a terminal and `COLUMNS` says nothing.
pub const DEFAULT_WIDTH: usize = 100;

/// How a column gives way when the rows are wider than the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Always shown, never cut.
    Full,
    /// Always shown; cut to no fewer than `min` columns, and only once every column that may be
    /// left out has been.
    Shrink { min: usize },
    /// Shown when it fits in full; lower ranks are placed first.
    Optional { rank: u8 },
    /// Takes the width the others leave and is cut to it; left out rather than squeezed below
    /// `min` columns (its text would be unreadable by then).
    Rest { rank: u8, min: usize },
}

#[derive(Clone, Copy, Debug)]
pub struct Column<'a> {
    pub header: &'a str,
    pub fit: Fit,
}

/// Columns on a terminal: `COLUMNS` when it is a positive integer (scripts and tests fix the
/// width with it), else the terminal's width, else [`DEFAULT_WIDTH`].
pub fn resolve_width(columns: Option<&str>, terminal: Option<usize>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
        .or(terminal.filter(|w| *w > 0))
        .unwrap_or(DEFAULT_WIDTH)
}

/// The width of each column, or `None` for one left out. The widths plus a [`GAP`] between
/// shown columns stay within `width` unless the columns that are always shown cannot.
pub fn layout(columns: &[Column], natural: &[usize], width: usize) -> Vec<Option<usize>> {
    let mut widths: Vec<Option<usize>> = columns
        .iter()
        .zip(natural)
        .map(|(c, n)| matches!(c.fit, Fit::Full | Fit::Shrink { .. }).then_some(*n))
        .collect();

    let mut optional: Vec<usize> = (0..columns.len())
        .filter(|i| widths[*i].is_none())
        .collect();
    optional.sort_by_key(|i| match columns[*i].fit {
        Fit::Optional { rank } | Fit::Rest { rank, .. } => rank,
        Fit::Full | Fit::Shrink { .. } => 0,
    });
    for &i in &optional {
        let want = match columns[i].fit {
            Fit::Rest { min, .. } => natural[i].min(min),
            _ => natural[i],
        };
        if used(&widths) + GAP + want <= width {
            widths[i] = Some(want);
        }
    }
    for &i in &optional {
        if let (Fit::Rest { .. }, Some(w)) = (columns[i].fit, widths[i]) {
            let spare = width.saturating_sub(used(&widths));
            widths[i] = Some(natural[i].min(w + spare));
        }
    }

    for (i, column) in columns.iter().enumerate() {
        if let (Fit::Shrink { min }, Some(w)) = (column.fit, widths[i]) {
            let over = used(&widths).saturating_sub(width);
            widths[i] = Some(w.saturating_sub(over).max(min.min(w)));
        }
    }
    widths
}

/// Columns taken by the shown widths and the gaps between them.
fn used(widths: &[Option<usize>]) -> usize {
    let shown: Vec<usize> = widths.iter().flatten().copied().collect();
    shown.iter().sum::<usize>() + GAP * shown.len().saturating_sub(1)
}

/// The header and rows as they fit `width`: the columns [`layout`] keeps, each cell cut to its
/// column with an ellipsis and on one line.
pub fn fit(
    columns: &[Column],
    rows: Vec<Vec<String>>,
    width: usize,
) -> (Vec<String>, Vec<Vec<String>>) {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| row.iter().map(|cell| one_line(cell).into_owned()).collect())
        .collect();
    let natural: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|cell| cell.width())
                .chain([c.header.width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = layout(columns, &natural, width);
    let cut = |cells: &mut dyn Iterator<Item = (usize, &str)>| -> Vec<String> {
        cells
            .filter_map(|(i, cell)| widths[i].map(|w| truncate(cell, w).into_owned()))
            .collect()
    };
    let header = cut(&mut columns.iter().map(|c| c.header).enumerate());
    let rows = rows
        .iter()
        .map(|r| cut(&mut r.iter().map(String::as_str).enumerate()))
        .collect();
    (header, rows)
}

/// `text` in at most `width` display columns; when cut, it ends in `…`.
pub fn truncate(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let Some(room) = width.checked_sub(1) else {
        return Cow::Borrowed("");
    };
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += c.width().unwrap_or(0);
        if used > room {
            break;
        }
        kept.push(c);
    }
    // "idle…" rather than "idle …": the space would only push the ellipsis away from its word.
    kept.truncate(kept.trim_end().len());
    kept.push('…');
    Cow::Owned(kept)
}

/// A cell with a line break (an error message can hold one) would make its row two lines.
fn one_line(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// Prose broken at spaces into lines of at most `width` columns; a word longer than that keeps
/// a line of its own.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut used = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let w = word.width();
            if used > 0 && used + 1 + w > width {
                out.push('\n');
                used = 0;
            } else if used > 0 {
                out.push(' ');
                used += 1;
            }
            out.push_str(word);
            used += w;
        }
        out.push('\n');
    }
    out
}

/// Utilization as a bar of `cells` columns between two edges, drawn in eighths of a column:
/// `▕█████▍  ▏` for 0.68 in 8. Beyond 100% the bar is full; a missing or broken figure is
/// an empty bar.
pub fn utilization_bar(share: Option<f64>, cells: usize) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let share = share
        .filter(|s| s.is_finite())
        .unwrap_or(0.0)
        .clamp(0.0, 1.0);
    let eighths = (share * cells as f64 * 8.0).round() as usize;
    let mut bar = String::from("▕");
    let full = eighths / 8;
    bar.extend(std::iter::repeat_n('█', full));
    let mut used = full;
    let rest = eighths % 8;
    if rest > 0 {
        bar.push(EIGHTHS[rest - 1]);
        used += 1;
    }
    bar.extend(std::iter::repeat_n(' ', cells - used));
    bar.push('▏');
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilization_bars_fill_in_eighths() {
        let cases = [
            (Some(0.0), "▕        ▏"),
            (Some(0.84), "▕██████▊ ▏"),
            (Some(0.5), "▕████    ▏"),
            (Some(0.01), "▕▏       ▏"),
            (Some(1.0), "▕████████▏"),
            (Some(3.0), "▕████████▏"),
            (Some(-1.0), "▕        ▏"),
            (Some(f64::NAN), "▕        ▏"),
            (None, "▕        ▏"),
        ];
        for (share, want) in cases {
            let bar = utilization_bar(share, 8);
            assert_eq!(bar, want, "{share:?}");
            assert_eq!(bar.width(), 10, "{share:?}");
        }
    }

    #[test]
    fn truncate_cuts_to_the_width_with_an_ellipsis() {
        let cases = [
            ("needs 264 APS", 20, "needs 264 APS"),
            ("needs 264 APS", 13, "needs 264 APS"),
            ("needs 264 APS", 12, "needs 264 A…"),
            // The space before the cut goes, so the ellipsis sits on its word.
            ("needs 264 APS", 7, "needs…"),
            ("6 TRUs → on-demand", 9, "6 TRUs →…"),
            ("abc", 1, "…"),
            ("abc", 0, ""),
            ("", 0, ""),
        ];
        for (text, width, want) in cases {
            let got = truncate(text, width);
            assert_eq!(got, want, "{text:?} in {width}");
            assert!(got.width() <= width, "{got:?} wider than {width}");
        }
    }

    #[test]
    fn truncate_counts_display_columns_not_bytes_or_chars() {
        // → and … are one column and three bytes; 数 is one char and two columns.
        assert_eq!(truncate("8 → 4 …", 7), "8 → 4 …");
        assert_eq!(truncate("数数数", 6), "数数数");
        assert_eq!(truncate("数数数", 5), "数数…");
        assert_eq!(truncate("数数数", 4), "数…");
    }

    #[test]
    fn width_comes_from_columns_then_the_terminal_then_the_default() {
        assert_eq!(resolve_width(Some("80"), Some(120)), 80);
        assert_eq!(resolve_width(Some(" 60 "), None), 60);
        assert_eq!(resolve_width(None, Some(120)), 120);
        assert_eq!(resolve_width(None, None), 100);
        for ignored in ["0", "-5", "abc", "", "80x"] {
            assert_eq!(resolve_width(Some(ignored), None), 100, "{ignored:?}");
            assert_eq!(resolve_width(Some(ignored), Some(90)), 90, "{ignored:?}");
        }
        assert_eq!(resolve_width(None, Some(0)), 100);
    }

    const NAME: Column = Column {
        header: "NAME",
        fit: Fit::Shrink { min: 6 },
    };
    const ACTION: Column = Column {
        header: "ACTION",
        fit: Fit::Full,
    };
    const NUMBER: Column = Column {
        header: "N",
        fit: Fit::Optional { rank: 2 },
    };
    const WORDS: Column = Column {
        header: "WHY",
        fit: Fit::Rest { rank: 1, min: 8 },
    };

    /// Natural widths 10, 6, 5, 30: all four need 10+6+5+30 + 3 gaps = 57 columns.
    fn layout_at(width: usize) -> Vec<Option<usize>> {
        layout(&[NAME, ACTION, NUMBER, WORDS], &[10, 6, 5, 30], width)
    }

    #[test]
    fn layout_leaves_out_and_cuts_by_rank() {
        let cases: &[(usize, [Option<usize>; 4])] = &[
            // Room for everything: nothing is cut.
            (57, [Some(10), Some(6), Some(5), Some(30)]),
            (200, [Some(10), Some(6), Some(5), Some(30)]),
            // The rest column gives way first, down to its minimum...
            (56, [Some(10), Some(6), Some(5), Some(29)]),
            (35, [Some(10), Some(6), Some(5), Some(8)]),
            // ...then the optional column ranked after it is left out; the rest column takes its room.
            (34, [Some(10), Some(6), None, Some(14)]),
            (28, [Some(10), Some(6), None, Some(8)]),
            // Too little room for the rest column's minimum: left out, not squeezed. The number
            // fits again.
            (27, [Some(10), Some(6), Some(5), None]),
            (25, [Some(10), Some(6), Some(5), None]),
            (24, [Some(10), Some(6), None, None]),
            (18, [Some(10), Some(6), None, None]),
            // Only then is the name cut, down to its minimum, past which the line overflows.
            (17, [Some(9), Some(6), None, None]),
            (14, [Some(6), Some(6), None, None]),
            (3, [Some(6), Some(6), None, None]),
        ];
        for (width, want) in cases {
            let got = layout_at(*width);
            assert_eq!(got, want, "at {width}");
            if *width >= 14 {
                assert!(used(&got) <= *width, "{got:?} wider than {width}");
            }
        }
    }

    #[test]
    fn a_short_rest_column_is_not_padded_to_its_minimum() {
        let got = layout(&[NAME, WORDS], &[10, 5], 40);
        assert_eq!(got, [Some(10), Some(5)]);
    }

    #[test]
    fn fit_cuts_cells_and_keeps_each_row_on_one_line() {
        let rows = vec![
            vec![
                "payments-prod.a1b2c".to_string(),
                "keep".to_string(),
                "12".to_string(),
                "line\nbreak and then some more words".to_string(),
            ],
            vec![
                "x".to_string(),
                "scale-up".to_string(),
                "1".to_string(),
                "short".to_string(),
            ],
        ];
        let columns = [NAME, ACTION, NUMBER, WORDS];
        // Natural widths 19, 8, 2 and 35: the rest column gets 47 - 19 - 8 - 2 - 3 gaps = 12.
        let (header, got) = fit(&columns, rows.clone(), 47);
        assert_eq!(header, ["NAME", "ACTION", "N", "WHY"]);
        assert_eq!(
            got,
            [
                ["payments-prod.a1b2c", "keep", "12", "line break…"],
                ["x", "scale-up", "1", "short"],
            ]
        );
        let (header, got) = fit(&columns, rows, 20);
        assert_eq!(header, ["NAME", "ACTION"]);
        assert_eq!(got, [["payments-…", "keep"], ["x", "scale-up"]]);
    }

    #[test]
    fn wrap_breaks_prose_at_spaces() {
        assert_eq!(wrap("a bb ccc dddd", 6), "a bb\nccc\ndddd\n");
        assert_eq!(wrap("a bb ccc dddd", 100), "a bb ccc dddd\n");
        assert_eq!(wrap("one\ntwo three", 5), "one\ntwo\nthree\n");
        assert_eq!(wrap("unbreakable", 4), "unbreakable\n");
    }
}
