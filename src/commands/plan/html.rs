//! `plan -o html`: the plan as the shared capacity report. Each namespace gets its whole
//! history as one line (the busiest minute of every hour, so four weeks are 672 points, not
//! 40,320), against today's limit and the chosen capacity's, and the commands `-o cron` prints.

use chrono_tz::Tz;

use super::{CarryOut, NamespacePlan, PlanReport, PricedRow, carry_out};
#[cfg(test)]
use super::{PlanArgs, plan_namespace};
use crate::capacity::plan::{self, Capacity, History, PlanAction, describe_windows};
use crate::capacity::recommend::fmt_int;
use crate::commands::report::{Month, NamespaceReport, Report, fmt_price, render, usd};
use crate::output::svg::{Chart, Limit, LimitKind, Line, Point, group};

/// The page for `report`; `histories` are the ones it was planned from, by namespace.
pub fn page(report: &PlanReport, histories: &[(String, History)], tz: &Tz) -> String {
    let n = report.namespaces.len();
    let mut intro = vec![
        format!(
            "{n} namespace{} planned from the history {} to {} from {}. Each chart is the \
             busiest minute of every hour (actions per second asked for: run plus throttled), \
             hours with throttling marked; hours with nothing recorded are left blank.",
            if n == 1 { "" } else { "s" },
            report.history_start.format("%Y-%m-%d %H:%M"),
            report.history_end.format("%Y-%m-%d %H:%M UTC"),
            report.prometheus,
        ),
        format!(
            "Costs are summed per calendar hour as Temporal bills, at ${} per million actions, \
             and shown per hour and per 30 days; windows and chart times are in {}; a plan may \
             throttle {} actions per 30 days. Utilization is the newest week's p99 of demand \
             over today's limit.",
            fmt_price(report.price_per_million_actions),
            report.tz,
            fmt_int(report.max_throttled_per_30_days),
        ),
    ];
    intro.extend(report.warnings.iter().map(|w| format!("Warning: {w}")));
    render(&Report {
        title: "tcap plan: capacity report".into(),
        intro,
        throttled_when: "in the history".into(),
        month: Month::THIRTY_DAYS,
        namespaces: report
            .namespaces
            .iter()
            .map(|row| {
                let history = histories
                    .iter()
                    .find(|(ns, _)| *ns == row.namespace)
                    .map(|(_, h)| h);
                namespace(row, history, report, tz)
            })
            .collect(),
    })
}

fn namespace(
    row: &NamespacePlan,
    history: Option<&History>,
    report: &PlanReport,
    tz: &Tz,
) -> NamespaceReport {
    let charts: Vec<Chart> = history
        .map(|h| history_chart(row, h, tz))
        .into_iter()
        .collect();
    let throttled = row.throttled_minutes > 0;
    let (Some(today), Some(chosen), Some(action), Some(carry)) =
        (&row.today, &row.chosen, row.action, carry_out(row))
    else {
        // Not planned (capacity-info failed, nothing recorded): the history is still worth
        // seeing, with no limit to compare it with.
        return NamespaceReport {
            namespace: row.namespace.clone(),
            action: "error".into(),
            changes: false,
            capacity_now: "unknown".into(),
            capacity_recommended: "unknown".into(),
            utilization: None,
            hourly_usd_now: None,
            hourly_usd_recommended: None,
            throttled,
            reason: format!(
                "Not planned: {}",
                row.error.as_deref().unwrap_or("no history")
            ),
            facts: vec![history_fact(row)],
            commands: Vec::new(),
            command_note: None,
            charts,
        };
    };
    let growth = row.growth.as_ref();
    let CarryOut { once, crontab } = carry;
    let command_note = (!crontab.is_empty()).then(|| {
        format!(
            "(the schedule-change lines are crontab entries in {tz}: `tcap plan -o cron` prints \
             them with CRON_TZ={tz})",
            tz = report.tz
        )
    });
    NamespaceReport {
        namespace: row.namespace.clone(),
        action: action.as_str().into(),
        changes: action != PlanAction::Keep,
        capacity_now: today.description.clone(),
        capacity_recommended: chosen.description.clone(),
        utilization: growth.and_then(|g| Some(g.p99? / g.limit.filter(|l| *l > 0.0)?)),
        hourly_usd_now: Some(today.hourly_usd),
        hourly_usd_recommended: Some(chosen.hourly_usd),
        throttled,
        reason: reason(row, today, chosen, action, report),
        facts: facts(row, today, chosen, action, report),
        commands: once.into_iter().chain(crontab).collect(),
        command_note,
        charts,
    }
}

/// Why this capacity: the cheapest within the throttling allowed, or the one that throttles
/// least when none is.
fn reason(
    row: &NamespacePlan,
    today: &PricedRow,
    chosen: &PricedRow,
    action: PlanAction,
    report: &PlanReport,
) -> String {
    let priced = row.alternatives.len();
    let allowed = match report.max_throttled_per_30_days {
        0.0 => "throttle nothing".to_string(),
        n => format!("throttle at most {} actions per 30 days", fmt_int(n)),
    };
    if !row.within_max_throttled {
        return format!(
            "None of the {priced} capacities priced over the history would {allowed}; {} \
             throttles least: {} per 30 days.",
            chosen.description,
            throttled_parts(chosen)
        );
    }
    let cheapest =
        format!("the cheapest of the {priced} capacities priced over the history that {allowed}");
    if action == PlanAction::Keep {
        return format!("Today's {} is {cheapest}.", today.description);
    }
    let saving = row.monthly_saving_usd.unwrap_or(0.0);
    let versus = if saving < -0.005 {
        format!(
            "it costs {} more per 30 days than today's {}, which throttles {} actions per 30 days",
            usd(-saving),
            today.description,
            fmt_int(today.throttled_per_30_days)
        )
    } else {
        format!(
            "it saves {} per 30 days against today's {}",
            usd(saving),
            today.description
        )
    };
    format!("{} is {cheapest}: {versus}.", chosen.description)
}

/// "1,200 actions, 300 requests": what a capacity throttles per 30 days, dimension by dimension.
fn throttled_parts(row: &PricedRow) -> String {
    let parts: Vec<String> = [
        (row.throttled_per_30_days, "actions"),
        (row.throttled_requests_per_30_days, "requests"),
        (row.throttled_operations_per_30_days, "operations"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0.0)
    .map(|(n, what)| format!("{} {what}", fmt_int(n)))
    .collect();
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", ")
    }
}

/// The summary row in words: today against the plan, the saving, the schedule, the growth.
fn facts(
    row: &NamespacePlan,
    today: &PricedRow,
    chosen: &PricedRow,
    action: PlanAction,
    report: &PlanReport,
) -> Vec<(String, String)> {
    let cost = |p: &PricedRow| {
        let mut text = format!(
            "{}: {}/h, {} per 30 days",
            p.description,
            usd(p.hourly_usd),
            usd(p.monthly_usd)
        );
        if p.throttled_per_30_days > 0.0 {
            text.push_str(&format!(
                "; throttles {} actions per 30 days",
                fmt_int(p.throttled_per_30_days)
            ));
        }
        text
    };
    let saving = row.monthly_saving_usd.unwrap_or(0.0);
    let mut facts = vec![
        ("Today".to_string(), cost(today)),
        (
            "Planned".to_string(),
            if action == PlanAction::Keep {
                format!("keep {}", today.description)
            } else {
                cost(chosen)
            },
        ),
        (
            "Saving".to_string(),
            if saving < -0.005 {
                format!("none: costs {} more per 30 days", usd(-saving))
            } else {
                format!("{} per 30 days", usd(saving))
            },
        ),
    ];
    if let Capacity::Schedule { trus, windows } = &chosen.capacity {
        facts.push((
            "Schedule".into(),
            format!(
                "{trus} TRUs {} ({} time), on-demand outside those hours",
                describe_windows(windows),
                report.tz
            ),
        ));
    }
    if let Some(g) = &row.growth {
        facts.push((
            "Growth".into(),
            match (g.growth_per_week, g.p99) {
                (Some(rate), Some(p99)) => format!(
                    "{:+.1}% a week (p99 {} APS in the newest week)",
                    rate * 100.0,
                    group(p99)
                ),
                _ => "too little history for a trend (two weeks with a day recorded each)".into(),
            },
        ));
        if let (Some(_), Some(limit)) = (g.growth_per_week, g.limit) {
            facts.push((
                "Limit reached".into(),
                match g.limit_reached_on {
                    Some(date) => {
                        format!("{date} at that trend (today's limit {} APS)", group(limit))
                    }
                    None => format!(
                        "not within the horizon at that trend (today's limit {} APS)",
                        group(limit)
                    ),
                },
            ));
        }
    }
    facts.push(history_fact(row));
    facts
}

fn history_fact(row: &NamespacePlan) -> (String, String) {
    let total = row.recorded_minutes + row.missing_minutes;
    let mut text = format!(
        "{} of {} minutes recorded; ",
        group(row.recorded_minutes as f64),
        group(total as f64),
    );
    text.push_str(&match row.throttled_minutes {
        0 => "no action throttled".to_string(),
        n => format!("actions throttled in {} of them", group(n as f64)),
    });
    if !row.gaps.is_empty() {
        text.push_str(&format!("; {} gap(s) left out of the bill", row.gaps.len()));
    }
    ("History".into(), text)
}

/// The history as a line: one point per calendar hour, its busiest minute's demand with the
/// throttled part beside it; today's limit and the chosen capacity's as lines.
fn history_chart(row: &NamespacePlan, history: &History, tz: &Tz) -> Chart {
    let points = plan::hourly_peaks(history)
        .into_iter()
        .map(|(start, peak)| Point {
            label: start.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string(),
            value: peak.map_or(f64::NAN, |p| p.demand - p.throttled),
            throttled: peak.map_or(0.0, |p| p.throttled),
        })
        .collect();
    let mut limits = Vec::new();
    let now = row.growth.as_ref().and_then(|g| g.limit);
    if let (Some(limit), Some(today)) = (now, &row.today) {
        limits.push(Limit {
            label: format!("limit now ({})", today.description),
            value: limit,
            kind: LimitKind::Current,
        });
    }
    if let (Some(limit), Some(chosen), Some(action)) =
        (row.chosen_limit_aps, &row.chosen, row.action)
        && action != PlanAction::Keep
        && now.is_none_or(|n| (n - limit).abs() >= 0.5)
    {
        limits.push(Limit {
            label: format!("planned ({})", chosen.description),
            value: limit,
            kind: LimitKind::Proposed,
        });
    }
    Chart::Line(Line {
        title: "APS, the busiest minute of each hour".into(),
        unit: "APS".into(),
        points,
        limits,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Datelike, Duration, Timelike, Utc};

    use super::*;
    use crate::capacity::plan::Minute;
    use crate::cloud::model::CapacityInfo;
    use crate::settings::PrometheusArgs;

    fn args() -> PlanArgs {
        PlanArgs {
            namespaces: vec![],
            exclude: vec![],
            prometheus: PrometheusArgs {
                prometheus_url: None,
                prometheus_token_file: None,
            },
            history: std::time::Duration::from_secs(2 * 86_400),
            tz: Tz::UTC,
            max_throttled: 0.0,
            horizon: std::time::Duration::from_secs(30 * 86_400),
            price_per_million_actions: None,
        }
    }

    fn info() -> CapacityInfo {
        CapacityInfo {
            namespace: "office.x".into(),
            valid_tru_values: vec![2.0, 4.0, 6.0, 8.0],
            max_available_tru_value: Some(8.0),
            on_demand_aps_limit: Some(2600.0),
            ..CapacityInfo::default()
        }
    }

    /// Monday and Tuesday: 2,800 APS asked for 09-11 of which 200 throttled, 20 otherwise;
    /// nothing recorded 06:00-08:00 on Tuesday. On-Demand's limit stays at its 500 floor (2 ×
    /// p90 is 40), so the plan is 6 TRUs (3,000 APS) in those hours.
    fn history() -> History {
        let start: DateTime<Utc> = "2026-11-02T00:00:00Z".parse().unwrap();
        let minutes = (0..48 * 60)
            .map(|i| {
                let t = start + Duration::minutes(i);
                let busy = (9..11).contains(&t.hour());
                let gap = t.weekday().num_days_from_monday() == 1 && (6..8).contains(&t.hour());
                (!gap).then_some(Minute {
                    limit: 2600.0,
                    foreground: if busy { 2600.0 } else { 20.0 },
                    throttled: if busy { 200.0 } else { 0.0 },
                    ..Minute::default()
                })
            })
            .collect();
        History { start, minutes }
    }

    fn report(rows: Vec<NamespacePlan>) -> PlanReport {
        PlanReport {
            prometheus: "http://127.0.0.1:9090".into(),
            tz: "UTC".into(),
            history_start: "2026-11-02T00:00:00Z".parse().unwrap(),
            history_end: "2026-11-04T00:00:00Z".parse().unwrap(),
            max_throttled_per_30_days: 0.0,
            price_per_million_actions: 50.0,
            namespaces: rows,
            warnings: vec!["office.x: 120 of 2880 minutes missing".into()],
        }
    }

    #[test]
    fn the_chart_has_a_point_per_hour_with_the_throttled_ones_marked() {
        let history = history();
        let row = plan_namespace(
            "office.x",
            &history,
            Ok(info()),
            &args(),
            50.0,
            Duration::days(30),
        );
        assert_eq!(row.throttled_minutes, 2 * 2 * 60);
        assert_eq!(row.action, Some(PlanAction::Schedule));
        let report = report(vec![]);
        let ns = namespace(&row, Some(&history), &report, &Tz::UTC);
        let [Chart::Line(chart)] = &ns.charts[..] else {
            panic!("{:?}", ns.charts)
        };
        assert_eq!(chart.points.len(), 48, "a point per hour");
        let throttled: Vec<usize> = (0..48)
            .filter(|h| chart.points[*h].throttled > 0.0)
            .collect();
        let busy: Vec<usize> = vec![9, 10, 33, 34];
        assert_eq!(throttled, busy);
        // The busiest minute: 2,600 run and 200 refused.
        assert_eq!(chart.points[9].value, 2600.0);
        assert_eq!(chart.points[9].throttled, 200.0);
        assert_eq!(chart.points[9].label, "2026-11-02 09:00");
        // Tuesday 06:00 and 07:00 are blank, not idle.
        let missing: Vec<usize> = (0..48).filter(|h| chart.points[*h].is_missing()).collect();
        assert_eq!(missing, [30, 31]);
        assert_eq!(chart.points[29].value, 20.0);

        // Today's On-Demand limit, and the chosen capacity's when it differs.
        assert_eq!(chart.limits[0].kind, LimitKind::Current);
        assert_eq!(chart.limits[0].value, 2600.0);
        assert_eq!(chart.limits[1].kind, LimitKind::Proposed);
        assert_eq!(chart.limits[1].value, 3000.0);
        assert!(ns.throttled && ns.changes);
        assert_eq!(ns.action, "schedule");
        // The commands are -o cron's.
        let carry = carry_out(&row).unwrap();
        assert_eq!(
            carry.crontab,
            ["0 9 * * 1,2 tcap schedule-change office.x 6 --duration 2h"]
        );
        let want: Vec<String> = carry.once.into_iter().chain(carry.crontab).collect();
        assert_eq!(ns.commands, want);
        assert!(ns.command_note.as_deref().unwrap().contains("CRON_TZ=UTC"));
        let today = row.today.as_ref().unwrap();
        assert_eq!(ns.hourly_usd_now, Some(today.hourly_usd));
        assert_eq!(
            ns.hourly_usd_recommended,
            Some(row.chosen.as_ref().unwrap().hourly_usd)
        );
        let labels: Vec<&str> = ns.facts.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(&labels[..4], ["Today", "Planned", "Saving", "Schedule"]);
        assert_eq!(
            ns.facts[3].1,
            "6 TRUs Mon,Tue 09:00-11:00 (UTC time), on-demand outside those hours"
        );
        assert_eq!(
            ns.facts.last().unwrap(),
            &(
                "History".to_string(),
                "2,760 of 2,880 minutes recorded; actions throttled in 240 of them; 1 gap(s) \
                 left out of the bill"
                    .to_string()
            )
        );
        assert!(
            ns.facts[0].1.starts_with(&format!(
                "on-demand: {}/h, {} per 30 days; throttles",
                usd(today.hourly_usd),
                usd(today.monthly_usd)
            )),
            "{:?}",
            ns.facts
        );
    }

    #[test]
    fn four_weeks_of_a_busy_namespace_are_a_few_kilobytes() {
        // 28 days of minutes: weekday office hours at 2,700-3,000 APS against a 2,600 limit
        // (so throttled), anything from 20 to 1,500 APS otherwise. Each hour's level comes
        // from a fixed pseudo-random sequence, so the line takes a different step every hour:
        // the most a history costs to draw.
        let start: DateTime<Utc> = "2026-11-02T00:00:00Z".parse().unwrap();
        let mut state: u64 = 7;
        let levels: Vec<f64> = (0..28 * 24)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect();
        let minutes = (0..28 * 24 * 60)
            .map(|i| {
                let t = start + Duration::minutes(i);
                let level = levels[(i / 60) as usize];
                let busy = t.weekday().num_days_from_monday() < 5 && (9..17).contains(&t.hour());
                let demand = if busy {
                    2700.0 + 300.0 * level
                } else {
                    20.0 + 1480.0 * level
                };
                Some(Minute {
                    limit: 2600.0,
                    foreground: demand.min(2600.0),
                    throttled: (demand - 2600.0).max(0.0),
                    ..Minute::default()
                })
            })
            .collect();
        let history = History { start, minutes };
        let mut args = args();
        args.history = std::time::Duration::from_secs(28 * 86_400);
        let row = plan_namespace(
            "office.x",
            &history,
            Ok(info()),
            &args,
            50.0,
            Duration::days(30),
        );
        assert!(row.throttled_minutes > 0);
        let name = row.namespace.clone();
        let page = page(&report(vec![row]), &[(name, history)], &Tz::UTC);
        assert!(page.contains("data-points=\"672\""));
        let start = page.find("<section class=\"ns\"").unwrap();
        let section = &page[start..start + page[start..].find("</section>").unwrap()];
        let path = |class: &str| {
            let d = section
                .split(&format!("class=\"{class}\" d=\""))
                .nth(1)
                .unwrap();
            d[..d.find('"').unwrap()].to_string()
        };
        // Every weekday office hour throttled: 160 dots, about 6 bytes each.
        let dots = path("throttled");
        assert_eq!(dots.matches("h0").count(), 160, "{dots}");
        assert!(dots.len() < 160 * 7, "{} bytes of dots", dots.len());
        // A step every hour: under 5 bytes an hour.
        let line = path("series");
        assert!(line.len() < 672 * 5, "{} bytes of line", line.len());
        // With the facts, the reason and the command: a namespace's section, whatever its
        // history, is a few kilobytes (a calmer one, like those of the browser test, 1.5-3.6).
        assert!(section.len() < 6000, "{} bytes: {section}", section.len());
    }

    #[test]
    fn the_page_escapes_names_and_shows_a_namespace_that_was_not_planned() {
        let history = history();
        let name = "<img src=x onerror=alert(1)>.x";
        let row = plan_namespace(
            name,
            &history,
            Err("capacity-info: 403 <denied>".into()),
            &args(),
            50.0,
            Duration::days(30),
        );
        let histories = vec![(name.to_string(), history)];
        let page = page(&report(vec![row]), &histories, &Tz::UTC);
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;.x"));
        assert!(page.contains("Not planned: capacity-info: 403 &lt;denied&gt;"));
        // Its history is drawn all the same, with no limit to compare it with.
        assert!(page.contains("data-points=\"48\""), "{page}");
        assert_eq!(page.matches("class=\"limit").count(), 0);
        assert!(page.contains("Warning: office.x: 120 of 2880 minutes missing"));
        assert!(page.contains("Per 30 days today"));
    }
}
