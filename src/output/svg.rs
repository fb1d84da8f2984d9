//! Charts as inline SVG: a few bars or an hourly series against limit lines, with throttling
//! marked. Pure: numbers and words in, markup out. The markup carries its own text alternative
//! (`role="img"`, `<title>`, `<desc>`), since a chart nobody can read aloud is no report; under
//! `role="img"` the drawing's own texts are presentational, so they need no `aria-hidden`.
//!
//! Sizes are in the viewBox's units; the page's CSS scales the drawing to its box.

use std::fmt::Write as _;

use super::html::escape;

/// The drawing's size in viewBox units.
pub const WIDTH: f64 = 320.0;
/// A history's line runs across the page, three bar charts wide: 672 hours in 320 units
/// would be a smudge.
pub const LINE_WIDTH: f64 = 960.0;
pub const HEIGHT: f64 = 160.0;
/// Room for the value axis on the left and the labels below.
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// How the points are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// One bar per point, labelled under it: a handful of figures side by side.
    Bars,
    /// A line through the points' demand (used + throttled), left to right (an hourly
    /// history); the throttled ones get a dot, so a long history stays one `<polyline>` and a
    /// few marks. A point whose value is not a number is missing: the line breaks there
    /// rather than drawing a guess.
    Line,
}

impl Style {
    /// The drawing's width in viewBox units (the height is [`HEIGHT`] for both).
    pub fn width(self) -> f64 {
        match self {
            Style::Bars => WIDTH,
            Style::Line => LINE_WIDTH,
        }
    }
}

/// One figure: `value` used, and `throttled` refused beside it (0 when none), in the chart's
/// unit; together they are the demand.
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

    /// No data for this point (a [`Style::Line`] breaks there).
    pub fn is_missing(&self) -> bool {
        !self.value.is_finite()
    }
}

/// Whether a limit line is the one in force or the one proposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    Current,
    Proposed,
}

impl LimitKind {
    fn class(self) -> &'static str {
        match self {
            LimitKind::Current => "limit current",
            LimitKind::Proposed => "limit proposed",
        }
    }
}

/// A horizontal line across the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub label: String,
    pub value: f64,
    pub kind: LimitKind,
}

/// A chart of `points` against `limits`, titled for screen readers and tooltips.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Unique in the page: the `<title>` and `<desc>` are referenced by it.
    pub id: String,
    pub title: String,
    /// "APS", "RPS": written after every figure of the text alternative.
    pub unit: String,
    pub style: Style,
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

/// The x coordinate of the middle of slot `index` of `count` across the plot of a drawing
/// `width` wide.
pub fn x_center(index: usize, count: usize, width: f64) -> f64 {
    let slot = (width - LEFT - RIGHT) / count.max(1) as f64;
    LEFT + slot * (index as f64 + 0.5)
}

impl Chart {
    /// The text alternative: every figure and line in words, e.g. "now 2,100 APS (100
    /// throttled); 7-day p99 1,934 APS; limit 2,000 APS; recommended 3,000 APS".
    pub fn description(&self) -> String {
        let unit = &self.unit;
        let mut parts: Vec<String> = match self.style {
            Style::Bars => self
                .points
                .iter()
                .map(|p| {
                    let mut s = format!("{} {} {unit}", p.label, group(p.value));
                    if p.throttled > 0.0 {
                        let _ = write!(s, " ({} throttled)", group(p.throttled));
                    }
                    s
                })
                .collect(),
            Style::Line => {
                let peak = self
                    .points
                    .iter()
                    .map(Point::demand)
                    .filter(|v| v.is_finite())
                    .fold(0.0_f64, f64::max);
                let throttled = self.points.iter().filter(|p| p.throttled > 0.0).count();
                let missing = self.points.iter().filter(|p| p.is_missing()).count();
                let mut text = format!(
                    "{} points, peak {} {unit}, {throttled} throttled",
                    self.points.len(),
                    group(peak)
                );
                if missing > 0 {
                    let _ = write!(text, ", {missing} without data");
                }
                vec![text]
            }
        };
        parts.extend(
            self.limits
                .iter()
                .map(|l| format!("{} {} {unit}", l.label, group(l.value))),
        );
        parts.join("; ")
    }

    pub fn scale(&self) -> Scale {
        Scale::fitting(
            self.points
                .iter()
                .map(|p| p.value + p.throttled)
                .chain(self.limits.iter().map(|l| l.value)),
        )
    }

    /// The `<svg>` element. Every class is styled by the page (see [`super::html::CSS`]), so
    /// light and dark mode and print need nothing here.
    pub fn render(&self) -> String {
        let id = escape(&self.id);
        let scale = self.scale();
        let mut svg = format!(
            r#"<svg class="chart {}" viewBox="0 0 {} {HEIGHT}" role="img" aria-labelledby="{id}-t {id}-d" data-points="{}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
            match self.style {
                Style::Bars => "bars",
                Style::Line => "line",
            },
            self.style.width(),
            self.points.len(),
            escape(&self.title),
            escape(&self.description()),
        );
        self.axis(&mut svg, scale);
        match self.style {
            Style::Bars => self.bars(&mut svg, scale),
            Style::Line => self.line(&mut svg, scale),
        }
        // Each line's value on the value axis at its height, in its colour: the figures a
        // reader compares the bars against. Labels too close are pushed apart, up from "0".
        let base = scale.y(0.0);
        let mut heights = vec![base];
        heights.extend(self.limits.iter().map(|l| scale.y(l.value)));
        let placed = spread(&heights, LABEL_GAP);
        let mut values = String::from(r#"<g class="values">"#);
        for (limit, y) in self.limits.iter().zip(&placed[1..]) {
            let line = round(scale.y(limit.value));
            let _ = write!(
                svg,
                r#"<path class="{}" d="M{LEFT} {line}H{}"/>"#,
                limit.kind.class(),
                self.style.width() - RIGHT,
            );
            let _ = write!(
                values,
                r#"<text class="{}" x="{}" y="{}">{}</text>"#,
                match limit.kind {
                    LimitKind::Current => "current",
                    LimitKind::Proposed => "proposed",
                },
                LEFT - 3.0,
                round(y + 3.5),
                compact_limit(limit.value)
            );
        }
        values.push_str("</g>");
        svg.push_str(&values);
        svg.push_str("</svg>");
        svg
    }

    /// The plot's baseline and "0"; the top of the scale only when no limit line names a
    /// figure on the axis.
    fn axis(&self, svg: &mut String, scale: Scale) {
        let base = round(scale.y(0.0));
        let _ = write!(
            svg,
            r#"<g class="axis"><path d="M{LEFT} {base}H{}"/><text x="{}" y="{}">0</text>"#,
            self.style.width() - RIGHT,
            LEFT - 3.0,
            base + 3.5,
        );
        if self.limits.is_empty() {
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}">{}</text>"#,
                LEFT - 3.0,
                round(scale.y(scale.top) + 3.5),
                compact(scale.top),
            );
        }
        svg.push_str("</g>");
    }

    fn bars(&self, svg: &mut String, scale: Scale) {
        let count = self.points.len();
        let slot = (self.style.width() - LEFT - RIGHT) / count.max(1) as f64;
        let width = round((slot * 0.6).min(48.0));
        let base = scale.y(0.0);
        let mut labels = String::from(r#"<g class="labels">"#);
        for (i, p) in self.points.iter().enumerate() {
            let x = round(x_center(i, count, self.style.width()) - width / 2.0);
            let used_top = scale.y(p.value);
            let class = if p.throttled > 0.0 {
                "bar throttled"
            } else {
                "bar"
            };
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{x}" y="{}" width="{width}" height="{}"/>"#,
                round(used_top),
                round(base - used_top),
            );
            if p.throttled > 0.0 {
                // Refused work stacked on what was served: the whole bar is the demand. Any
                // throttling is worth seeing, so the mark is never thinner than MIN_MARK.
                let top = scale.y(p.value + p.throttled).min(used_top - MIN_MARK);
                let _ = write!(
                    svg,
                    r#"<rect class="refused" x="{x}" y="{}" width="{width}" height="{}"/>"#,
                    round(top),
                    round(used_top - top),
                );
            }
            // The figure over the bar is the demand; red when part of it was refused.
            let hot = if p.throttled > 0.0 {
                r#" class="hot""#
            } else {
                ""
            };
            let _ = write!(
                labels,
                r#"<text x="{cx}" y="{}">{}</text><text{hot} x="{cx}" y="{}">{}</text>"#,
                HEIGHT - 6.0,
                escape(&p.label),
                round((scale.y(p.value + p.throttled).min(used_top - MIN_MARK)) - 3.0),
                group(p.value + p.throttled),
                cx = round(x_center(i, count, self.style.width())),
            );
        }
        labels.push_str("</g>");
        svg.push_str(&labels);
    }

    fn line(&self, svg: &mut String, scale: Scale) {
        let count = self.points.len();
        // One polyline per run of points with data.
        let mut runs: Vec<Vec<String>> = vec![Vec::new()];
        for (i, p) in self.points.iter().enumerate() {
            if p.is_missing() {
                runs.push(Vec::new());
            } else {
                runs.last_mut().expect("never empty").push(format!(
                    "{},{}",
                    round(x_center(i, count, self.style.width())),
                    round(scale.y(p.demand()))
                ));
            }
        }
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let _ = write!(
                svg,
                r#"<polyline class="series" points="{}"/>"#,
                run.join(" ")
            );
        }
        for (i, p) in self
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.throttled > 0.0 && !p.is_missing())
        {
            let _ = write!(
                svg,
                r#"<circle class="throttled" cx="{}" cy="{}" r="2.5"><title>{}: {} throttled</title></circle>"#,
                round(x_center(i, count, self.style.width())),
                round(scale.y(p.demand())),
                escape(&p.label),
                group(p.throttled),
            );
        }
        if let (Some(first), Some(last)) = (self.points.first(), self.points.last()) {
            let _ = write!(
                svg,
                r#"<g class="ends"><text x="{LEFT}" y="{y}">{}</text><text x="{}" y="{y}">{}</text></g>"#,
                escape(&first.label),
                self.style.width() - RIGHT,
                escape(&last.label),
                y = HEIGHT - 6.0,
            );
        }
    }
}

/// The thinnest mark of throttling on a bar, in viewBox units.
const MIN_MARK: f64 = 2.5;

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

/// A tenth of a unit is finer than any screen shows; shorter numbers keep the page small.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
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

    #[test]
    fn slots_split_the_plot_evenly() {
        // Plot from 44 to 312: 268 wide; three slots of 89.33.
        assert_eq!(x_center(0, 1, WIDTH), 178.0);
        assert!((x_center(0, 3, WIDTH) - 88.667).abs() < 1e-3);
        assert!((x_center(2, 3, WIDTH) - 267.333).abs() < 1e-3);
        // A line's plot from 44 to 952: four slots of 227.
        assert_eq!(x_center(1, 4, LINE_WIDTH), 384.5);
    }

    fn chart(style: Style, points: Vec<Point>) -> Chart {
        Chart {
            id: "c1".into(),
            title: "APS of <orders> & co".into(),
            unit: "APS".into(),
            style,
            points,
            limits: vec![
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
            ],
        }
    }

    #[test]
    fn bars_are_drawn_to_scale_with_the_refused_part_on_top() {
        let c = chart(
            Style::Bars,
            vec![point("now", 2000.0, 100.0), point("7d p99", 1934.0, 0.0)],
        );
        let svg = c.render();
        // 3,000 × 1.1 → 5,000: 2,000 is 40% of the 128-unit plot = 51.2 high, from y 86.8.
        assert_eq!(c.scale().top, 5000.0);
        assert!(
            svg.contains(
                r#"<rect class="bar throttled" x="87" y="86.8" width="48" height="51.2"/>"#
            ),
            "{svg}"
        );
        // 100 refused: 2.56 units above it.
        assert!(
            svg.contains(r#"<rect class="refused" x="87" y="84.2" width="48" height="2.6"/>"#),
            "{svg}"
        );
        assert_eq!(svg.matches(r#"<rect class="bar"#).count(), 2);
        assert_eq!(svg.matches("<path class=\"limit").count(), 2);
        assert!(
            svg.contains(r#"<path class="limit proposed" d="M44 61.2H312"/>"#),
            "{svg}"
        );
        assert!(svg.contains(r#"data-points="2""#));
        assert_eq!(
            c.description(),
            "now 2,000 APS (100 throttled); 7d p99 1,934 APS; limit 2,000 APS; recommended 3,000 APS"
        );
    }

    #[test]
    fn a_little_throttling_is_still_visible() {
        // 1 of 5,000 would be 0.03 units high.
        let svg = chart(Style::Bars, vec![point("now", 2000.0, 1.0)]).render();
        assert!(
            svg.contains(r#"<rect class="refused" x="154" y="84.3" width="48" height="2.5"/>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<text class="hot" x="178" y="81.3">2,001</text>"#),
            "{svg}"
        );
    }

    #[test]
    fn words_in_a_chart_are_escaped() {
        let svg = chart(Style::Bars, vec![point("<b>", 1.0, 0.0)]).render();
        assert!(svg.contains("<title id=\"c1-t\">APS of &lt;orders&gt; &amp; co</title>"));
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(!svg.contains("<orders>"));
    }

    #[test]
    fn a_line_is_one_polyline_with_a_dot_per_throttled_point() {
        let points: Vec<Point> = (0..672)
            .map(|h| {
                point(
                    &format!("h{h}"),
                    (h % 24) as f64 * 100.0,
                    if h % 100 == 0 { 5.0 } else { 0.0 },
                )
            })
            .collect();
        let c = chart(Style::Line, points);
        let svg = c.render();
        assert_eq!(svg.matches("<polyline").count(), 1);
        let coords = svg
            .split("<polyline class=\"series\" points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(coords.split(' ').count(), 672);
        // Hours 0, 100, ..., 600.
        assert_eq!(svg.matches("<circle class=\"throttled\"").count(), 7);
        assert_eq!(
            c.description(),
            "672 points, peak 2,300 APS, 7 throttled; limit 2,000 APS; recommended 3,000 APS"
        );
        // Four weeks of hours stay small.
        assert!(svg.len() < 16_000, "{} bytes", svg.len());
    }

    #[test]
    fn a_line_draws_demand_and_breaks_where_data_is_missing() {
        let c = chart(
            Style::Line,
            vec![
                point("h0", 1000.0, 0.0),
                point("h1", 2000.0, 500.0),
                point("h2", f64::NAN, 0.0),
                point("h3", 1000.0, 0.0),
            ],
        );
        let svg = c.render();
        // Two runs; the throttled hour drawn at its demand, 2,500 of a 5,000 scale: y 74.
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert!(
            svg.contains(r#"<polyline class="series" points="157.5,112.4 384.5,74"/>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<circle class="throttled" cx="384.5" cy="74""#),
            "{svg}"
        );
        assert!(svg.contains(r#"viewBox="0 0 960 160""#), "{svg}");
        assert_eq!(
            c.description(),
            "4 points, peak 2,500 APS, 1 throttled, 1 without data; limit 2,000 APS; recommended 3,000 APS"
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
