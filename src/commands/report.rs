//! The capacity report as one HTML page (`-o html`), for any command that advises namespaces:
//! a summary, an overview table sortable by cost saved and by utilization, then one section
//! per namespace with its charts, its recommendation and the command that carries it out.
//!
//! A command fills in [`Report`] from its own rows; the page's frame, table and charts are
//! `output`'s.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::output::html::{self, Cell, Figure, Header, Sort, escape};
use crate::output::svg::Chart;

/// An average month: 8,760 hours a year over 12.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// What the summary's monthly figures mean: the report's command decides, so that the page
/// and its command's own output agree (`plan` counts 30 days).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Month {
    pub hours: f64,
    /// "month", "30 days": after "Per" in the figures' labels.
    pub name: &'static str,
}

impl Month {
    pub const AVERAGE: Month = Month {
        hours: HOURS_PER_MONTH,
        name: "month",
    };
    pub const THIRTY_DAYS: Month = Month {
        hours: 720.0,
        name: "30 days",
    };
}

/// The actions in the order a reader meets them; anything else follows in its own order.
const ACTION_ORDER: &[&str] = &[
    "keep",
    "provision",
    "schedule",
    "scale-up",
    "scale-down",
    "revert-to-on-demand",
    "pending",
    "error",
];

#[derive(Clone, Debug)]
pub struct Report {
    pub title: String,
    /// Sentences under the title: what was read, when, and what the figures rest on.
    pub intro: Vec<String>,
    /// When [`NamespaceReport::throttled`] counts throttling: "in the last minute", "in the
    /// last 28 days".
    pub throttled_when: String,
    pub month: Month,
    pub namespaces: Vec<NamespaceReport>,
}

/// One namespace as the report shows it. Money is dollars per hour.
#[derive(Clone, Debug)]
pub struct NamespaceReport {
    pub namespace: String,
    /// "keep", "scale-up", "error"...
    pub action: String,
    /// Whether the action asks a person to change something.
    pub changes: bool,
    pub capacity_now: String,
    pub capacity_recommended: String,
    /// Share of the limit in use now, 0.0–1.0 and beyond.
    pub utilization: Option<f64>,
    pub hourly_usd_now: Option<f64>,
    pub hourly_usd_recommended: Option<f64>,
    /// Refused work in any dimension, within [`Report::throttled_when`].
    pub throttled: bool,
    /// The recommendation's reason, or why the namespace could not be analyzed.
    pub reason: String,
    /// Further figures as label and text ("Growth", "+10.0% a week"), shown in this order.
    pub facts: Vec<(String, String)>,
    /// The `tcap` commands that carry the recommendation out, in order (none when nothing is
    /// to be done; a plan may give several).
    pub commands: Vec<String>,
    /// A sentence about the commands, e.g. when they may run, or why there are none.
    pub command_note: Option<String>,
    pub charts: Vec<Chart>,
}

impl NamespaceReport {
    fn saved(&self) -> Option<f64> {
        Some(self.hourly_usd_now? - self.hourly_usd_recommended?)
    }
}

/// The headline figures in two rows: namespaces (in all, by action, throttled), then what
/// they cost today and as recommended, per hour and per month.
#[derive(Clone, Debug)]
pub struct Summary {
    pub counts: Vec<Figure>,
    pub money: Vec<Figure>,
}

impl Summary {
    /// Every figure, counts first.
    pub fn all(&self) -> impl Iterator<Item = &Figure> {
        self.counts.iter().chain(&self.money)
    }
}

pub fn summary(namespaces: &[NamespaceReport], month: Month) -> Summary {
    let mut by_action: BTreeMap<&str, usize> = BTreeMap::new();
    for ns in namespaces {
        *by_action.entry(ns.action.as_str()).or_default() += 1;
    }
    let mut actions: Vec<(&str, usize)> = ACTION_ORDER
        .iter()
        .filter_map(|a| by_action.get(a).map(|n| (*a, *n)))
        .collect();
    actions.extend(
        by_action
            .iter()
            .filter(|(a, _)| !ACTION_ORDER.contains(a))
            .map(|(a, n)| (*a, *n)),
    );
    let count = |name: String, label: &str, n: usize| Figure {
        name,
        label: label.into(),
        text: n.to_string(),
        value: Some(n as f64),
    };
    let mut counts = vec![count("namespaces".into(), "Namespaces", namespaces.len())];
    counts.extend(
        actions
            .iter()
            .map(|(action, n)| count(format!("action-{action}"), action, *n)),
    );
    counts.push(count(
        "throttled".into(),
        "Throttled",
        namespaces.iter().filter(|n| n.throttled).count(),
    ));
    let now: f64 = namespaces.iter().filter_map(|n| n.hourly_usd_now).sum();
    let recommended: f64 = namespaces
        .iter()
        .filter_map(|n| n.hourly_usd_recommended)
        .sum();
    let money = |name: &str, label: &str, v: f64| Figure {
        name: name.into(),
        label: label.into(),
        text: usd(v),
        value: Some(v),
    };
    Summary {
        counts,
        money: vec![
            money("hourly-now", "Per hour today", now),
            money("hourly-recommended", "Per hour as recommended", recommended),
            money(
                "monthly-now",
                &format!("Per {} today", month.name),
                now * month.hours,
            ),
            money(
                "monthly-recommended",
                &format!("Per {} as recommended", month.name),
                recommended * month.hours,
            ),
        ],
    }
}

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut body = format!("<header>\n<h1>{}</h1>\n", escape(&report.title));
    for line in &report.intro {
        let _ = writeln!(body, "<p class=\"muted\">{}</p>", escape(line));
    }
    body.push_str("</header>\n<main>\n<section aria-labelledby=\"summary\">\n<h2 id=\"summary\">Summary</h2>\n");
    let figures = summary(&report.namespaces, report.month);
    body.push_str(&html::figures(&figures.counts));
    body.push_str(&html::figures(&figures.money));
    let throttled: Vec<String> = report
        .namespaces
        .iter()
        .enumerate()
        .filter(|(_, n)| n.throttled)
        .map(|(i, n)| format!("<a href=\"#ns-{i}\">{}</a>", escape(&n.namespace)))
        .collect();
    if !throttled.is_empty() {
        let _ = writeln!(
            body,
            "<p id=\"throttled\">Throttled {}: {}.</p>",
            escape(&report.throttled_when),
            throttled.join(", ")
        );
    }
    body.push_str(&overview(&report.namespaces));
    body.push_str(
        "</section>\n<section aria-labelledby=\"details\">\n<h2 id=\"details\">Namespaces</h2>\n",
    );
    if report.namespaces.is_empty() {
        body.push_str("<p>No namespaces to show.</p>\n");
    } else {
        body.push_str(&legend(&report.namespaces));
    }
    for (i, ns) in report.namespaces.iter().enumerate() {
        body.push_str(&section(i, ns));
    }
    body.push_str("</section>\n</main>\n");
    html::document(&report.title, &body)
}

/// What the marks mean; the 7-day range only where a chart draws one.
fn legend(namespaces: &[NamespaceReport]) -> String {
    let key =
        |class: &str, what: &str| format!("<span><span class=\"key {class}\"></span>{what}</span>");
    let week = namespaces
        .iter()
        .flat_map(|n| &n.charts)
        .any(|c| matches!(c, Chart::Gauges(g) if g.rows.iter().any(|r| r.week.is_some())));
    let mut keys = vec![key("bar", "used"), key("refused", "throttled")];
    if week {
        keys.push(key("week", "7-day mean to p99"));
    }
    keys.push(key("current", "limit now"));
    keys.push(key("proposed", "limit as recommended"));
    format!("<p class=\"legend\">{}</p>\n", keys.concat())
}

/// One row per namespace, sortable by cost saved and by utilization.
fn overview(namespaces: &[NamespaceReport]) -> String {
    let headers = [
        Header {
            label: "Namespace",
            sort: Sort::Text,
        },
        Header {
            label: "Action",
            sort: Sort::Text,
        },
        Header {
            label: "Capacity",
            sort: Sort::None,
        },
        Header {
            label: "Utilization",
            sort: Sort::Number,
        },
        Header {
            label: "$/h today",
            sort: Sort::Number,
        },
        Header {
            label: "$/h recommended",
            sort: Sort::Number,
        },
        Header {
            label: "Saved $/h",
            sort: Sort::Number,
        },
    ];
    let money = |v: Option<f64>| Cell::number(&v.map_or_else(|| "–".into(), usd), v);
    let rows: Vec<Vec<Cell>> = namespaces
        .iter()
        .enumerate()
        .map(|(i, ns)| {
            vec![
                Cell {
                    html: format!("<a href=\"#ns-{i}\">{}</a>", escape(&ns.namespace)),
                    key: None,
                },
                Cell {
                    html: badge(ns),
                    key: None,
                },
                Cell::text(&capacity(ns)),
                Cell::number(
                    &ns.utilization
                        .map_or_else(|| "–".into(), |u| format!("{:.0}%", u * 100.0)),
                    ns.utilization,
                ),
                money(ns.hourly_usd_now),
                money(ns.hourly_usd_recommended),
                money(ns.saved()),
            ]
        })
        .collect();
    html::table(
        "Every namespace; sort by a header (saved is today's cost per hour minus the recommended one)",
        &headers,
        &rows,
    )
}

fn capacity(ns: &NamespaceReport) -> String {
    if ns.changes {
        format!("{} → {}", ns.capacity_now, ns.capacity_recommended)
    } else {
        ns.capacity_now.clone()
    }
}

fn badge(ns: &NamespaceReport) -> String {
    let class = match (ns.action.as_str(), ns.changes) {
        ("error", _) => "badge error",
        (_, true) => "badge change",
        _ => "badge",
    };
    format!("<span class=\"{class}\">{}</span>", escape(&ns.action))
}

/// A namespace's section: heading, charts, reason, command. Its id is what the table and the
/// throttled list link to; its heading names it to assistive technology.
fn section(index: usize, ns: &NamespaceReport) -> String {
    let mut out = format!(
        "<section class=\"ns\" id=\"ns-{index}\">\n<header><h3>{}</h3>{}<span>{}</span>",
        escape(&ns.namespace),
        badge(ns),
        escape(&capacity(ns)),
    );
    // The cost per hour beside the capacity, and like it, today → as recommended.
    if let (Some(now), Some(rec)) = (ns.hourly_usd_now, ns.hourly_usd_recommended) {
        let (now, rec) = (usd(now), usd(rec));
        if now == rec {
            let _ = write!(out, "<span class=\"muted\">{now}/h</span>");
        } else {
            let _ = write!(out, "<span class=\"muted\">{now}/h → {rec}/h</span>");
        }
    }
    out.push_str("</header>\n");
    if !ns.facts.is_empty() {
        out.push_str("<dl class=\"facts\">");
        for (label, text) in &ns.facts {
            let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(text));
        }
        out.push_str("</dl>\n");
    }
    for chart in &ns.charts {
        match chart {
            // The rows' words say what each bar is.
            Chart::Gauges(_) => out.push_str(&chart.render()),
            Chart::Line(line) => {
                let _ = write!(
                    out,
                    "<figure>{}<figcaption>{}</figcaption></figure>",
                    chart.render(),
                    escape(&line.title)
                );
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "<p class=\"reason\">{}</p>", escape(&ns.reason));
    match ns.commands.as_slice() {
        [] => {
            if let Some(note) = &ns.command_note {
                let _ = writeln!(out, "<p class=\"command\">{}</p>", escape(note));
            }
        }
        commands => {
            let list: Vec<String> = commands
                .iter()
                .map(|c| format!("<code>{}</code>", escape(c)))
                .collect();
            let _ = write!(
                out,
                "<p class=\"command\">To carry it out: {}",
                list.join(", then ")
            );
            if let Some(note) = &ns.command_note {
                let _ = write!(out, " {}", escape(note));
            }
            out.push_str("</p>\n");
        }
    }
    out.push_str("</section>\n");
    out
}

/// A price per million actions as written: "50", "42.5", "0.125".
pub fn fmt_price(price: f64) -> String {
    let text = format!("{price:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// "$1,234.57"
pub fn usd(v: f64) -> String {
    let cents = (v.abs() * 100.0).round();
    let sign = if v < 0.0 && cents > 0.0 { "-" } else { "" };
    format!(
        "{sign}${}.{:02}",
        crate::output::svg::group((cents / 100.0).trunc()),
        (cents % 100.0) as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::svg::{Gauge, Gauges, Limit, LimitKind};

    fn ns(name: &str, action: &str, now: f64, rec: f64, throttled: bool) -> NamespaceReport {
        NamespaceReport {
            namespace: name.into(),
            action: action.into(),
            changes: action != "keep",
            capacity_now: "on-demand".into(),
            capacity_recommended: "6 TRUs".into(),
            utilization: Some(0.5),
            hourly_usd_now: Some(now),
            hourly_usd_recommended: Some(rec),
            throttled,
            reason: "p99 1,840 APS needs 2,453 APS".into(),
            facts: vec![("Growth".into(), "+10% <a week>".into())],
            commands: if action == "keep" {
                vec![]
            } else {
                vec![format!("tcap provision {name} 6")]
            },
            command_note: None,
            charts: vec![Chart::Gauges(Gauges {
                id: format!("g-{name}"),
                rows: vec![Gauge {
                    unit: "APS".into(),
                    now: 100.0,
                    throttled: 0.0,
                    week: None,
                    limits: vec![Limit {
                        label: "limit".into(),
                        value: 500.0,
                        kind: LimitKind::Current,
                    }],
                }],
            })],
        }
    }

    fn figure(figures: &Summary, name: &str) -> (String, Option<f64>) {
        let f = figures.all().find(|f| f.name == name).unwrap();
        (f.text.clone(), f.value)
    }

    #[test]
    fn the_summary_totals_the_namespaces() {
        let all = [
            ns("a.x", "keep", 1.25, 1.25, false),
            ns("b.x", "scale-up", 10.0, 15.5, true),
            ns("c.x", "keep", 0.5, 0.5, false),
        ];
        let figures = summary(&all, Month::AVERAGE);
        assert_eq!(figure(&figures, "namespaces"), ("3".into(), Some(3.0)));
        assert_eq!(figure(&figures, "action-keep"), ("2".into(), Some(2.0)));
        assert_eq!(figure(&figures, "action-scale-up"), ("1".into(), Some(1.0)));
        assert_eq!(
            figure(&figures, "hourly-now"),
            ("$11.75".into(), Some(11.75))
        );
        assert_eq!(
            figure(&figures, "hourly-recommended"),
            ("$17.25".into(), Some(17.25))
        );
        // 730 hours.
        assert_eq!(
            figure(&figures, "monthly-now"),
            ("$8,577.50".into(), Some(8577.5))
        );
        assert_eq!(figure(&figures, "throttled"), ("1".into(), Some(1.0)));
        // A report in 30-day months says so and counts 720 hours.
        let thirty = summary(&all, Month::THIRTY_DAYS);
        assert_eq!(
            figure(&thirty, "monthly-now"),
            ("$8,460.00".into(), Some(8460.0))
        );
        let label = |f: &Summary| {
            f.all()
                .find(|f| f.name == "monthly-now")
                .unwrap()
                .label
                .clone()
        };
        assert_eq!(label(&thirty), "Per 30 days today");
        assert_eq!(label(&figures), "Per month today");
        // keep before scale-up, whatever the input order.
        let names: Vec<&str> = figures.counts.iter().map(|f| f.name.as_str()).collect();
        assert!(
            names.iter().position(|n| *n == "action-keep")
                < names.iter().position(|n| *n == "action-scale-up")
        );
    }

    #[test]
    fn a_namespace_name_cannot_inject_markup() {
        let page = render(&Report {
            title: "report".into(),
            intro: vec![],
            throttled_when: "in the last minute".into(),
            month: Month::AVERAGE,
            namespaces: vec![ns(
                "<img src=x onerror=alert(1)>.x",
                "scale-up",
                1.0,
                2.0,
                true,
            )],
        });
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;.x"));
        assert!(page.contains("<code>tcap provision &lt;img"));
        assert!(
            page.contains("<dt>Growth</dt><dd>+10% &lt;a week&gt;</dd>"),
            "{page}"
        );
    }

    #[test]
    fn the_page_has_a_section_a_row_and_a_chart_per_namespace() {
        let page = render(&Report {
            title: "report".into(),
            intro: vec!["read at noon".into()],
            throttled_when: "in the last minute".into(),
            month: Month::AVERAGE,
            namespaces: vec![
                ns("a.x", "keep", 1.0, 1.0, false),
                ns("b.x", "scale-up", 1.0, 3.0, true),
            ],
        });
        assert_eq!(page.matches("<section class=\"ns\"").count(), 2);
        assert_eq!(page.matches("<tr><th scope=\"row\">").count(), 2);
        assert_eq!(page.matches("<svg class=\"chart gauges\"").count(), 2);
        // No chart here has 7-day figures: the legend does not explain them.
        assert!(!page.contains("7-day mean to p99"), "{page}");
        // Saved is today minus recommended: negative when the change costs more.
        assert!(page.contains("<td data-key=\"-2\">-$2.00</td>"), "{page}");
        assert!(page.contains("Throttled in the last minute: <a href=\"#ns-1\">b.x</a>."));
        // Each section's cost per hour, today → as recommended when they differ.
        assert!(
            page.contains("<span class=\"muted\">$1.00/h</span></header>"),
            "{page}"
        );
        assert!(page.contains("<span class=\"muted\">$1.00/h → $3.00/h</span></header>"));
        // Keep has no command to run.
        assert_eq!(page.matches("<p class=\"command\">").count(), 1);
    }

    #[test]
    fn the_legend_explains_the_7_day_range_when_a_chart_draws_one() {
        let mut with_week = ns("a.x", "keep", 1.0, 1.0, false);
        let Chart::Gauges(gauges) = &mut with_week.charts[0] else {
            unreachable!()
        };
        gauges.rows[0].week = Some(crate::output::svg::Week {
            mean: 50.0,
            p99: 90.0,
        });
        let page = render(&Report {
            title: "report".into(),
            intro: vec![],
            throttled_when: "in the last minute".into(),
            month: Month::AVERAGE,
            namespaces: vec![ns("b.x", "keep", 1.0, 1.0, false), with_week],
        });
        assert!(
            page.contains("<span class=\"key week\"></span>7-day mean to p99"),
            "{page}"
        );
        assert!(page.contains("<path class=\"week\""), "{page}");
    }

    #[test]
    fn prices_are_written_without_trailing_zeros() {
        assert_eq!(fmt_price(50.0), "50");
        assert_eq!(fmt_price(42.5), "42.5");
        assert_eq!(fmt_price(0.125), "0.125");
    }

    #[test]
    fn dollars_have_cents_and_separators() {
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(1234.567), "$1,234.57");
        assert_eq!(usd(-0.5), "-$0.50");
        assert_eq!(usd(-0.001), "$0.00");
        assert_eq!(usd(18.0), "$18.00");
    }
}
