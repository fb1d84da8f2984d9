//! Charts as inline SVG. Pure: numbers and words in, markup out. Two kinds:
//!
//! - [`Gauges`]: a namespace's dimensions (APS, RPS, OPS), a row each: what is used now as a
//!   bar, throttled work in red at its end, the 7-day mean to p99 as a thin bar under it, the
//!   limit in force (solid) and the proposed one (dashed) as ticks, and the figures in words
//!   beside it. The words are the chart's text alternative (`aria-labelledby`), written once.
//! - [`Line`]: an hourly history against limit lines, throttled hours dotted, with an
//!   `aria-label` in words.
//!
//! A report holds hundreds of these, so they are drawn small: whole viewBox units (finer than a
//! screen shows at these sizes), one stroked `<path>` for all the bars (or all the dots, or all
//! the ticks) of a kind, a history in relative steps of one hour, every colour and width in the
//! page's CSS. Under `role="img"` the drawing's own texts are presentational, so they need no
//! `aria-hidden`.

use std::fmt::Write as _;

use super::html::escape;

/// A line's drawing in viewBox units: a history runs across the page.
pub const WIDTH: f64 = 960.0;
pub const HEIGHT: f64 = 160.0;
/// Room for the value axis on the left and the labels below.
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// Gauges: each row is this high, its bars run from 0 to `BAR_SPAN`, and its words start at
/// `WORDS_X`; the drawing is as wide as a line's, room for the longest words (about 100
/// characters), so both scale alike on the page.
const ROW: f64 = 18.0;
const BAR_SPAN: f64 = 300.0;
const WORDS_X: f64 = 312.0;

/// One hour's figure: `value` used, and `throttled` refused beside it (0 when none); together
/// they are the demand.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub label: String,
    pub value: f64,
    pub throttled: f64,
}

impl Point {
    /// What was asked for: used plus refused.
    pub fn demand(&self) -> f64 {
        self.value + self.throttled
    }

    /// No data for this point (the line breaks there).
    pub fn is_missing(&self) -> bool {
        !self.value.is_finite()
    }
}

/// Whether a limit is the one in force or the one proposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    Current,
    Proposed,
}

impl LimitKind {
    fn class(self) -> &'static str {
        match self {
            LimitKind::Current => "current",
            LimitKind::Proposed => "proposed",
        }
    }
}

/// A limit drawn across a chart: a line, or a gauge's tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub label: String,
    pub value: f64,
    pub kind: LimitKind,
}

/// A chart of a namespace.
#[derive(Clone, Debug)]
pub enum Chart {
    Gauges(Gauges),
    Line(Line),
}

impl Chart {
    pub fn render(&self) -> String {
        match self {
            Chart::Gauges(g) => g.render(),
            Chart::Line(l) => l.render(),
        }
    }
}

/// The 7-day figures of a dimension.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Week {
    pub mean: f64,
    pub p99: f64,
}

/// One dimension of a namespace now, in its unit, against its limits.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    /// "APS", "RPS": starts the row's words.
    pub unit: String,
    pub now: f64,
    pub throttled: f64,
    pub week: Option<Week>,
    pub limits: Vec<Limit>,
}

impl Gauge {
    /// The row's words, shown and read aloud: "APS now 2,100 (100 throttled), 7-day mean 253,
    /// p99 1,482; limit 2,000, recommended 3,000".
    pub fn words(&self) -> String {
        let mut text = format!("{} now {}", self.unit, group(self.now));
        if self.throttled > 0.0 {
            let _ = write!(text, " {}", self.throttled_words());
        }
        if let Some(week) = self.week {
            let _ = write!(
                text,
                ", 7-day mean {}, p99 {}",
                group(week.mean),
                group(week.p99)
            );
        }
        let limits: Vec<String> = self
            .limits
            .iter()
            .map(|l| format!("{} {}", l.label, group(l.value)))
            .collect();
        if !limits.is_empty() {
            let _ = write!(text, "; {}", limits.join(", "));
        }
        text
    }

    /// "(100 throttled)"
    fn throttled_words(&self) -> String {
        format!("({} throttled)", group(self.throttled))
    }

    /// The value at the right end of the row's span: its largest figure or limit with room to
    /// spare. Each row has its own scale, since its unit is its own.
    fn top(&self) -> f64 {
        let week = self.week.map_or(0.0, |w| w.mean.max(w.p99));
        self.limits
            .iter()
            .map(|l| l.value)
            .chain([self.now + self.throttled, week])
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
            .max(1.0)
            * 1.05
    }
}

/// A namespace's dimensions, a row each; `id` is unique in the page and names the rows' words.
#[derive(Clone, Debug)]
pub struct Gauges {
    pub id: String,
    pub rows: Vec<Gauge>,
}

impl Gauges {
    /// The `<svg>`: one path per kind of mark (bars, refused, 7-day ranges, current and
    /// proposed ticks), one subpath per row, and the rows' words. The classes are styled by the
    /// page (see [`super::html::CSS`]).
    pub fn render(&self) -> String {
        let id = escape(&self.id);
        let ids: Vec<String> = (0..self.rows.len()).map(|i| format!("{id}-{i}")).collect();
        let mut svg = format!(
            r#"<svg class="chart gauges" viewBox="0 0 {WIDTH} {}" role="img" aria-labelledby="{}">"#,
            ROW * self.rows.len() as f64,
            ids.join(" ")
        );
        let [mut bars, mut refused, mut weeks] =
            std::array::from_fn::<String, 3, _>(|_| String::new());
        // Where each row has its limits: (x, row).
        let (mut current, mut proposed) = (Vec::new(), Vec::new());
        let mut words = String::new();
        for (i, (row, id)) in self.rows.iter().zip(&ids).enumerate() {
            let top = ROW * i as f64;
            let x = |v: f64| whole((v / row.top()).clamp(0.0, 1.0) * BAR_SPAN);
            // A bar is a stroke 10 high along its middle, the 7-day range one 3 high under it.
            let (bar_y, week_y) = (whole(top + 6.0), whole(top + 14.0));
            let end = x(row.now);
            let _ = write!(bars, "M0 {bar_y}h{end}");
            if row.throttled > 0.0 {
                // Any throttling is worth seeing: never thinner than MIN_MARK.
                let width = (x(row.now + row.throttled) - end).max(MIN_MARK);
                let _ = write!(refused, "M{end} {bar_y}h{width}");
            }
            if let Some(week) = row.week {
                let from = x(week.mean);
                let _ = write!(weeks, "M{from} {week_y}h{}", (x(week.p99) - from).max(1));
            }
            for limit in &row.limits {
                match limit.kind {
                    LimitKind::Current => current.push((x(limit.value), i)),
                    LimitKind::Proposed => proposed.push((x(limit.value), i)),
                }
            }
            let mut text = escape(&row.words()).into_owned();
            if row.throttled > 0.0 {
                // Throttled work in red, as on the bar (the words are figures: escaping leaves
                // them as they are).
                let hot = row.throttled_words();
                text = text.replacen(&hot, &format!(r#"<tspan class="hot">{hot}</tspan>"#), 1);
            }
            let _ = write!(
                words,
                r#"<text id="{id}" x="{WORDS_X}" y="{}">{text}</text>"#,
                whole(top + 11.0)
            );
        }
        for (class, d) in [
            ("bar", bars),
            ("refused", refused),
            ("week", weeks),
            ("limit current", ticks(&current)),
            ("limit proposed", ticks(&proposed)),
        ] {
            if !d.is_empty() {
                let _ = write!(svg, r#"<path class="{class}" d="{d}"/>"#);
            }
        }
        svg.push_str(&words);
        svg.push_str("</svg>");
        svg
    }
}

/// Ticks across rows at `(x, row)`; a tick at the same x in the next row continues the one
/// above, so a limit at the same place in every row (each row's scale is fitted to its
/// figures, most often to its limit) is one line.
fn ticks(at: &[(i64, usize)]) -> String {
    let mut merged: Vec<(i64, usize, usize)> = Vec::new();
    for &(x, row) in at {
        match merged.last_mut() {
            Some((x0, first, rows)) if *x0 == x && *first + *rows == row => *rows += 1,
            _ => merged.push((x, row, 1)),
        }
    }
    merged
        .iter()
        .map(|(x, first, rows)| format!("M{x} {}v{}", ROW * *first as f64, ROW * *rows as f64))
        .collect()
}

/// A history, one point an hour left to right, against limit lines. `title` says what the
/// points are ("APS, the busiest minute of each hour") and starts the text alternative. A point
/// whose value is not a number is missing: the line breaks there rather than drawing a guess.
#[derive(Clone, Debug)]
pub struct Line {
    pub title: String,
    /// "APS": written after every figure of the text alternative.
    pub unit: String,
    pub points: Vec<Point>,
    pub limits: Vec<Limit>,
}

/// Maps values to the drawing's y axis: 0 at the bottom of the plot, `top` at its top.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub top: f64,
}

impl Scale {
    /// Room above the highest figure or line, so a line at the top stays visible; at least 1
    /// so an idle namespace still gets an axis.
    pub fn fitting(values: impl IntoIterator<Item = f64>) -> Scale {
        let max = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        Scale {
            top: nice_ceiling(max * 1.1).max(1.0),
        }
    }

    /// The y coordinate of `value`, clamped to the plot.
    pub fn y(&self, value: f64) -> f64 {
        let share = if value.is_finite() {
            (value / self.top).clamp(0.0, 1.0)
        } else {
            0.0
        };
        HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)
    }
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `x`, for an axis a
/// person reads at a glance (2,500 rather than 2,317).
pub fn nice_ceiling(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 0.0;
    }
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|v| *v >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * power)
}

impl Line {
    /// The text alternative: "APS, the busiest minute of each hour: 672 points, peak 2,800
    /// APS, 160 throttled; limit now 2,600 APS".
    pub fn description(&self) -> String {
        let unit = &self.unit;
        let peak = self
            .points
            .iter()
            .map(Point::demand)
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let throttled = self.points.iter().filter(|p| p.throttled > 0.0).count();
        let missing = self.points.iter().filter(|p| p.is_missing()).count();
        let mut text = format!(
            "{}: {} points, peak {} {unit}, {throttled} throttled",
            self.title,
            self.points.len(),
            group(peak)
        );
        if missing > 0 {
            let _ = write!(text, ", {missing} without data");
        }
        for l in &self.limits {
            let _ = write!(text, "; {} {} {unit}", l.label, group(l.value));
        }
        text
    }

    pub fn scale(&self) -> Scale {
        Scale::fitting(
            self.points
                .iter()
                .map(Point::demand)
                .chain(self.limits.iter().map(|l| l.value)),
        )
    }

    /// The `<svg>`. The hours are drawn in a group scaled to an hour a unit wide, so each step
    /// of the line is a few characters; its strokes keep their width on screen
    /// (`vector-effect`, in the page's CSS).
    pub fn render(&self) -> String {
        let scale = self.scale();
        let mut svg = format!(
            r#"<svg class="chart line" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}" data-points="{}">"#,
            escape(&self.description()),
            self.points.len(),
        );
        let base = scale.y(0.0);
        let _ = write!(
            svg,
            r#"<g class="axis"><path d="M{LEFT} {base}H{}"/><text x="{}" y="{}">0</text>"#,
            WIDTH - RIGHT,
            LEFT - 3.0,
            base + 3.5,
        );
        if self.limits.is_empty() {
            // The top of the scale, when no limit line names a figure on the axis.
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}">{}</text>"#,
                LEFT - 3.0,
                round(scale.y(scale.top) + 3.5),
                compact(scale.top),
            );
        }
        svg.push_str("</g>");
        let (line, dots) = self.paths(scale);
        let hour = (WIDTH - LEFT - RIGHT) / self.points.len().max(1) as f64;
        let _ = write!(
            svg,
            r#"<g transform="translate({} 0) scale({} 1)"><path class="series" d="{line}"/>"#,
            round3(LEFT + hour / 2.0),
            round3(hour),
        );
        if !dots.is_empty() {
            let _ = write!(svg, r#"<path class="throttled" d="{dots}"/>"#);
        }
        svg.push_str("</g>");
        // Each line's value on the value axis at its height, in its colour: the figures a
        // reader compares the line against. Labels too close are pushed apart, up from "0".
        let mut heights = vec![base];
        heights.extend(self.limits.iter().map(|l| scale.y(l.value)));
        let placed = spread(&heights, LABEL_GAP);
        let mut values = String::from(r#"<g class="values">"#);
        for (limit, y) in self.limits.iter().zip(&placed[1..]) {
            let class = limit.kind.class();
            let _ = write!(
                svg,
                r#"<path class="limit {class}" d="M{LEFT} {}H{}"/>"#,
                whole(scale.y(limit.value)),
                WIDTH - RIGHT,
            );
            let _ = write!(
                values,
                r#"<text class="{class}" x="{}" y="{}">{}</text>"#,
                LEFT - 3.0,
                round(y + 3.5),
                compact_limit(limit.value)
            );
        }
        values.push_str("</g>");
        svg.push_str(&values);
        if let (Some(first), Some(last)) = (self.points.first(), self.points.last()) {
            let _ = write!(
                svg,
                r#"<g class="ends"><text x="{LEFT}" y="{y}">{}</text><text x="{}" y="{y}">{}</text></g>"#,
                escape(&first.label),
                WIDTH - RIGHT,
                escape(&last.label),
                y = HEIGHT - 6.0,
            );
        }
        svg.push_str("</svg>");
        svg
    }

    /// The line's and the throttled dots' path data, x in hours from the first. The line is a
    /// subpath per run of hours with data, each a move and relative steps (`l1-3`), hours on one
    /// straight stretch (most often flat) merged into one step; a dot is a zero-length subpath
    /// that the round cap of its stroke makes a dot.
    fn paths(&self, scale: Scale) -> (String, String) {
        let y = |p: &Point| whole(scale.y(p.demand()));
        let mut line = String::new();
        let mut steps: Vec<(usize, i64)> = Vec::new();
        let mut previous: Option<i64> = None;
        for (i, p) in self.points.iter().enumerate() {
            if p.is_missing() {
                write_steps(&mut line, &mut steps);
                previous = None;
                continue;
            }
            let y = y(p);
            match previous {
                None => {
                    let _ = write!(line, "M{i} {y}");
                }
                // Merged with the step before when on the same straight stretch.
                Some(before) => {
                    let rise = y - before;
                    match steps.last_mut() {
                        Some((hours, total)) if *total == rise * *hours as i64 => {
                            *hours += 1;
                            *total += rise;
                        }
                        _ => steps.push((1, rise)),
                    }
                }
            }
            previous = Some(y);
        }
        write_steps(&mut line, &mut steps);
        let mut dots = String::new();
        let mut at: Option<(usize, i64)> = None;
        for (i, p) in self.points.iter().enumerate() {
            if p.throttled <= 0.0 || p.is_missing() {
                continue;
            }
            let y = y(p);
            let _ = match at {
                None => write!(dots, "M{i} {y}h0"),
                Some((x0, y0)) => write!(dots, "m{}{}h0", i - x0, signed(y - y0)),
            };
            at = Some((i, y));
        }
        (line, dots)
    }
}

/// A run's steps as one relative line-to: "l1-3 4 0 1 2" (hours, then the rise over them).
fn write_steps(d: &mut String, steps: &mut Vec<(usize, i64)>) {
    if steps.is_empty() {
        return;
    }
    d.push('l');
    for (i, (hours, rise)) in steps.drain(..).enumerate() {
        if i > 0 {
            d.push(' ');
        }
        let _ = write!(d, "{hours}{}", signed(rise));
    }
}

/// A second coordinate after a first: a minus sign separates them, else a space.
fn signed(v: i64) -> String {
    if v < 0 {
        v.to_string()
    } else {
        format!(" {v}")
    }
}

/// The thinnest mark of throttling on a bar, in viewBox units.
const MIN_MARK: i64 = 3;

/// Vertical room one axis label needs, in viewBox units (the text is 10 high).
const LABEL_GAP: f64 = 10.0;

/// Label heights moved apart by at least `gap`, in the order given; the first (the baseline's
/// "0") stays, and any label too close to one below it moves up. Labels keep their order
/// from the bottom up.
pub fn spread(heights: &[f64], gap: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..heights.len()).collect();
    // Bottom (largest y) first; the first label is the anchor and sorts first on a tie.
    order.sort_by(|a, b| heights[*b].total_cmp(&heights[*a]).then(a.cmp(b)));
    let mut placed = heights.to_vec();
    let mut previous: Option<f64> = None;
    for i in order {
        let mut y = heights[i];
        if let Some(below) = previous {
            y = y.min(below - gap);
        }
        placed[i] = y;
        previous = Some(y);
    }
    placed
}

/// A limit on the axis: whole with separators while it fits the margin, else compact.
fn compact_limit(v: f64) -> String {
    if v < 100_000.0 { group(v) } else { compact(v) }
}

/// A whole viewBox unit is about a pixel at the size a page shows these charts.
fn whole(v: f64) -> i64 {
    v.round() as i64
}

/// Text labels, placed to a tenth.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The hour's width and the line's offset: 672 hours share 908 units, so a rounding error
/// of a thousandth adds up to under a unit.
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// 2,100: whole, with thousands separators.
pub fn group(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let digits = format!("{:.0}", v.abs().round());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v.round() < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// An axis value in few characters: 2.5k, 40k, 1.2M.
fn compact(v: f64) -> String {
    let (n, suffix) = if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let text = format!("{n:.1}");
    format!("{}{suffix}", text.trim_end_matches(".0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, value: f64, throttled: f64) -> Point {
        Point {
            label: label.into(),
            value,
            throttled,
        }
    }

    fn limits() -> Vec<Limit> {
        vec![
            Limit {
                label: "limit".into(),
                value: 2000.0,
                kind: LimitKind::Current,
            },
            Limit {
                label: "recommended".into(),
                value: 3000.0,
                kind: LimitKind::Proposed,
            },
        ]
    }

    #[test]
    fn nice_ceilings_are_round() {
        let cases = [
            (0.0, 0.0),
            (0.7, 1.0),
            (1.0, 1.0),
            (1.2, 2.0),
            (2.2, 2.5),
            (2317.0, 2500.0),
            (2600.0, 5000.0),
            (5000.0, 5000.0),
            (5001.0, 10000.0),
            (f64::NAN, 0.0),
        ];
        for (x, want) in cases {
            assert_eq!(nice_ceiling(x), want, "{x}");
        }
    }

    #[test]
    fn the_scale_puts_zero_at_the_bottom_and_its_top_at_the_top() {
        // 2,000 × 1.1 = 2,200 → 2,500.
        let scale = Scale::fitting([1500.0, 2000.0]);
        assert_eq!(scale.top, 2500.0);
        assert_eq!(scale.y(0.0), HEIGHT - BOTTOM);
        assert_eq!(scale.y(2500.0), TOP);
        // Halfway up the plot of 128 units: 138 - 64.
        assert_eq!(scale.y(1250.0), 74.0);
        // Off the scale or not a number: clamped, never outside the drawing.
        assert_eq!(scale.y(9999.0), TOP);
        assert_eq!(scale.y(-5.0), HEIGHT - BOTTOM);
        assert_eq!(scale.y(f64::NAN), HEIGHT - BOTTOM);
        // An idle namespace still gets an axis.
        assert_eq!(Scale::fitting([0.0, 0.0]).top, 1.0);
    }

    fn gauges() -> Gauges {
        Gauges {
            id: "n1".into(),
            rows: vec![
                Gauge {
                    unit: "APS".into(),
                    now: 2000.0,
                    throttled: 100.0,
                    week: Some(Week {
                        mean: 300.0,
                        p99: 1500.0,
                    }),
                    limits: limits(),
                },
                Gauge {
                    unit: "RPS".into(),
                    now: 1.0,
                    throttled: 0.0,
                    week: None,
                    limits: vec![Limit {
                        label: "limit <now>".into(),
                        value: 1000.0,
                        kind: LimitKind::Current,
                    }],
                },
            ],
        }
    }

    #[test]
    fn gauges_draw_a_row_per_dimension_to_its_own_scale() {
        let svg = gauges().render();
        // APS: 3,000 × 1.05 = 3,150 is the bar's 300 units; RPS: 1,050.
        assert!(
            svg.contains(r#"<path class="bar" d="M0 6h190M0 24h0"/>"#),
            "{svg}"
        );
        // 100 throttled: 9.5 units, after the 190 used.
        assert!(
            svg.contains(r#"<path class="refused" d="M190 6h10"/>"#),
            "{svg}"
        );
        // The 7-day mean to p99, under the APS bar only.
        assert!(
            svg.contains(r#"<path class="week" d="M29 14h114"/>"#),
            "{svg}"
        );
        // Ticks across each row at its limits; RPS has no proposed one.
        assert!(
            svg.contains(r#"<path class="limit current" d="M190 0v18M286 18v18"/>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<path class="limit proposed" d="M286 0v18"/>"#),
            "{svg}"
        );
        // The words are the text alternative, throttling in red; escaped.
        assert!(
            svg.contains(r#"role="img" aria-labelledby="n1-0 n1-1""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<text id="n1-0" x="312" y="11">APS now 2,000 <tspan class="hot">(100 throttled)</tspan>, 7-day mean 300, p99 1,500; limit 2,000, recommended 3,000</text>"#),
            "{svg}"
        );
        assert!(
            svg.contains(
                r#"<text id="n1-1" x="312" y="29">RPS now 1; limit &lt;now&gt; 1,000</text>"#
            ),
            "{svg}"
        );
        assert!(svg.contains(r#"viewBox="0 0 960 36""#), "{svg}");
    }

    #[test]
    fn a_little_throttling_is_still_visible_and_a_quiet_row_has_no_red() {
        let mut g = gauges();
        g.rows[0].throttled = 1.0;
        let svg = g.render();
        assert!(
            svg.contains(r#"<path class="refused" d="M190 6h3"/>"#),
            "{svg}"
        );
        g.rows[0].throttled = 0.0;
        let svg = g.render();
        assert!(!svg.contains("refused") && !svg.contains("hot"), "{svg}");
    }

    #[test]
    fn a_limit_at_the_same_place_in_adjacent_rows_is_one_tick() {
        let mut g = gauges();
        g.rows[0].throttled = 0.0;
        g.rows[0].limits.pop();
        g.rows.push(g.rows[1].clone());
        g.rows[1].limits[0].value = 2000.0;
        let svg = g.render();
        // Each row's limit is its largest figure: 286 of 300 units in all three.
        assert!(
            svg.contains(r#"<path class="limit current" d="M286 0v54"/>"#),
            "{svg}"
        );
        // Over its limit: the row's scale is fitted to its bar instead.
        g.rows[1].now = 4000.0;
        let svg = g.render();
        assert!(
            svg.contains(r#"<path class="limit current" d="M286 0v18M143 18v18M286 36v18"/>"#),
            "{svg}"
        );
    }

    fn line(points: Vec<Point>) -> Line {
        Line {
            title: "APS of <orders> & co".into(),
            unit: "APS".into(),
            points,
            limits: limits(),
        }
    }

    /// The d attribute of the path of `class`.
    fn path<'a>(svg: &'a str, class: &str) -> &'a str {
        let start = svg
            .find(&format!(r#"<path class="{class}" d=""#))
            .unwrap_or_else(|| panic!("no {class}: {svg}"));
        let rest = &svg[start..];
        let rest = &rest[rest.find("d=\"").unwrap() + 3..];
        &rest[..rest.find('"').unwrap()]
    }

    /// The absolute points of path data made of `M x y`, `m dx dy`, `l` steps and `h0`.
    fn decode(d: &str) -> Vec<Vec<(i64, i64)>> {
        let mut runs: Vec<Vec<(i64, i64)>> = Vec::new();
        let mut at = (0, 0);
        let numbers = |s: &str| -> Vec<i64> {
            let spaced = s.replace('-', " -");
            spaced
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect()
        };
        let commands: Vec<(char, String)> = {
            let mut out: Vec<(char, String)> = Vec::new();
            for c in d.chars() {
                if c.is_ascii_alphabetic() {
                    out.push((c, String::new()));
                } else {
                    out.last_mut().unwrap().1.push(c);
                }
            }
            out
        };
        for (command, args) in commands {
            let n = numbers(&args);
            match command {
                'M' => {
                    at = (n[0], n[1]);
                    runs.push(vec![at]);
                }
                'm' => {
                    at = (at.0 + n[0], at.1 + n[1]);
                    runs.push(vec![at]);
                }
                'l' => {
                    for pair in n.chunks(2) {
                        // A merged step stands for one point an hour along it.
                        let (hours, rise) = (pair[0], pair[1]);
                        assert_eq!(rise % hours, 0, "{d}");
                        for _ in 0..hours {
                            at = (at.0 + 1, at.1 + rise / hours);
                            runs.last_mut().unwrap().push(at);
                        }
                    }
                }
                'h' => assert_eq!(n, [0], "{d}"),
                other => panic!("{other} in {d}"),
            }
        }
        runs
    }

    #[test]
    fn a_line_is_one_path_an_hour_a_step_with_a_dot_per_throttled_hour() {
        let points: Vec<Point> = (0..672)
            .map(|h| {
                point(
                    &format!("h{h}"),
                    (h % 24) as f64 * 100.0,
                    if h % 100 == 0 { 5.0 } else { 0.0 },
                )
            })
            .collect();
        let c = line(points.clone());
        let svg = c.render();
        let scale = c.scale();
        let want: Vec<(i64, i64)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (i as i64, whole(scale.y(p.demand()))))
            .collect();
        assert_eq!(decode(path(&svg, "series")), std::slice::from_ref(&want));
        // Hours 0, 100, ..., 600: a zero-length subpath each, at the line.
        let dots: Vec<(i64, i64)> = decode(path(&svg, "throttled"))
            .into_iter()
            .map(|run| run[0])
            .collect();
        let throttled: Vec<(i64, i64)> = want.iter().copied().step_by(100).collect();
        assert_eq!(dots, throttled);
        // 908 units for 672 hours: 1.351 a step, the first in the middle of its hour.
        assert!(
            svg.contains(r#"<g transform="translate(44.676 0) scale(1.351 1)">"#),
            "{svg}"
        );
        assert_eq!(
            c.description(),
            "APS of <orders> & co: 672 points, peak 2,300 APS, 7 throttled; limit 2,000 APS; recommended 3,000 APS"
        );
        assert!(svg.contains(r#"aria-label="APS of &lt;orders&gt; &amp; co: 672 points"#));
        // Four weeks of hours stay small: under 5 bytes an hour.
        assert!(svg.len() < 672 * 5, "{} bytes", svg.len());
    }

    #[test]
    fn a_flat_stretch_is_one_step_and_the_line_breaks_where_data_is_missing() {
        let mut points: Vec<Point> = (0..10)
            .map(|h| point(&format!("h{h}"), 1000.0, 0.0))
            .collect();
        points[4] = point("h4", 2000.0, 500.0);
        points[6] = point("h6", f64::NAN, 0.0);
        let c = line(points);
        let svg = c.render();
        // 1,000 of a 5,000 scale is y 112.4: four flat hours, up to 2,500 (y 74), back down;
        // then a break, and three flat hours.
        assert_eq!(
            path(&svg, "series"),
            "M0 112l3 0 1-38 1 38M7 112l2 0",
            "{svg}"
        );
        assert_eq!(path(&svg, "throttled"), "M4 74h0");
        assert_eq!(
            c.description(),
            "APS of <orders> & co: 10 points, peak 2,500 APS, 1 throttled, 1 without data; limit 2,000 APS; recommended 3,000 APS"
        );
        assert!(svg.contains(r#"viewBox="0 0 960 160""#), "{svg}");
        assert_eq!(svg.matches(r#"<path class="limit"#).count(), 2);
        assert!(
            svg.contains(r#"<path class="limit proposed" d="M44 61H952"/>"#),
            "{svg}"
        );
    }

    #[test]
    fn axis_labels_are_pushed_apart_from_the_bottom_up() {
        // "0" at 138, limits at 100 and 95: the higher one moves up to 90.
        assert_eq!(spread(&[138.0, 100.0, 95.0], 10.0), [138.0, 100.0, 90.0]);
        // Given top first: the same places, in the order given.
        assert_eq!(spread(&[138.0, 95.0, 100.0], 10.0), [138.0, 90.0, 100.0]);
        // A limit at 0 sits on "0": it moves up, "0" stays.
        assert_eq!(spread(&[138.0, 138.0], 10.0), [138.0, 128.0]);
        // Far apart: nothing moves.
        assert_eq!(spread(&[138.0, 60.0, 20.0], 10.0), [138.0, 60.0, 20.0]);
    }

    #[test]
    fn figures_are_grouped_and_compact() {
        assert_eq!(group(0.0), "0");
        assert_eq!(group(999.6), "1,000");
        assert_eq!(group(1234567.0), "1,234,567");
        assert_eq!(group(-2500.0), "-2,500");
        assert_eq!(compact(2500.0), "2.5k");
        assert_eq!(compact(5000.0), "5k");
        assert_eq!(compact(1.0), "1");
        assert_eq!(compact(2_500_000.0), "2.5M");
    }
}
