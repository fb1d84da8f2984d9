//! One self-contained HTML page: escaping, the page's frame (inline style and script, no
//! network), a table sortable by its headers, and a row of headline figures. Pure: words and
//! numbers in, markup out; what a report says is its command's business.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` safe in element content and in a quoted attribute value.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Light and dark by the reader's preference, print on white, the charts' colours. Contrast of
/// text and marks against their background is 4.5:1 or more in both schemes.
pub const CSS: &str = r#"
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;--card:#f6f7f9;
--bar:#2f6db5;--refused:#c62828;--current:#1a1a1a;--proposed:#1b7f3b;--accent:#0b57d0}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#e8e8e8;--muted:#b4b4b4;--line:#3a3a3a;
--card:#1d1f23;--bar:#6fa8ef;--refused:#ff7070;--current:#e8e8e8;--proposed:#5fd38a;--accent:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:1.5rem;background:var(--bg);color:var(--fg);
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:0}
a{color:var(--accent)}
.muted,caption{color:var(--muted)}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--card);
padding:.1rem .3rem;border-radius:3px;overflow-wrap:anywhere}
.figures{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0;padding:0}
.figures div{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.4rem .7rem;min-width:7rem}
.figures dt{color:var(--muted);font-size:.8rem}.figures dd{margin:0;font-size:1.2rem;font-weight:600}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:1rem 0}
caption{text-align:left;padding-bottom:.3rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
thead th{white-space:normal;vertical-align:bottom}
th.num,td[data-key]{text-align:right;font-variant-numeric:tabular-nums}
th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" \25B2"}th[aria-sort=descending] button::after{content:" \25BC"}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;border:1px solid currentColor;font-size:.85rem;white-space:nowrap}
.badge.change{color:var(--accent)}.badge.error{color:var(--refused)}
section.ns{border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0;break-inside:avoid}
section.ns header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.6rem 0 0}
.facts dt{color:var(--muted)}.facts dd{margin:0}
figure{margin:.75rem 0 0}figcaption{font-size:.85rem;color:var(--muted)}
svg.chart{width:100%;height:auto;display:block}svg.gauges{margin:.75rem 0 0;max-width:960px;overflow:visible}
svg text{fill:var(--muted);font-size:10px;font-family:inherit}svg.gauges text{fill:var(--fg);font-size:12px}
svg .hot{fill:var(--refused);font-weight:700}svg .axis path{stroke:var(--muted);stroke-width:1}
svg .axis text,svg .values text{text-anchor:end}svg .values .current{fill:var(--fg)}
svg .values .proposed{fill:var(--proposed)}svg .ends text:last-child{text-anchor:end}
svg .bar,svg .refused{stroke-width:10}svg .bar{stroke:var(--bar)}svg .refused{stroke:var(--refused)}
svg .week{stroke:var(--muted);stroke-width:3}
svg .series,svg .throttled{fill:none;vector-effect:non-scaling-stroke}
svg .series{stroke:var(--bar);stroke-width:1.5;stroke-linejoin:round}
svg .throttled{stroke:var(--refused);stroke-width:5;stroke-linecap:round}
svg .limit{stroke-width:2;fill:none}svg .limit.current{stroke:var(--current)}
svg .limit.proposed{stroke:var(--proposed);stroke-dasharray:6 4}svg.gauges .limit.proposed{stroke-dasharray:4 2}
.legend{font-size:.85rem;color:var(--muted);display:flex;flex-wrap:wrap;gap:1rem}
.key{display:inline-block;width:1.2rem;height:.7rem;vertical-align:middle;margin-right:.3rem}
.key.bar{background:var(--bar)}.key.refused{background:var(--refused)}.key.week{background:var(--muted);height:.25rem}
.key.current{border-top:2px solid var(--current);height:0}.key.proposed{border-top:2px dashed var(--proposed);height:0}
@media print{:root{--bg:#ffffff;--fg:#000000;--muted:#333;--card:#ffffff;--bar:#2f6db5;--refused:#c62828;
--current:#000000;--proposed:#1b7f3b;--accent:#000000}body{max-width:none;padding:0;font-size:9.5pt}
th button{pointer-events:none}th[aria-sort] button::after{content:""}a{text-decoration:none}
.scroll{overflow:visible}th,td{white-space:normal}}
"#;

/// Sorting by a header: numbers by their `data-key`, descending first; words ascending first.
/// The buttons are made here, so without script the table is a plain one.
pub const SORT_SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function (table) {
  var body = table.tBodies[0];
  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var column = Array.prototype.indexOf.call(th.parentNode.children, th);
      var numeric = th.dataset.sort === "number";
      var was = th.getAttribute("aria-sort");
      var descending = was ? was === "ascending" : numeric;
      var key = function (row) {
        var cell = row.cells[column];
        if (!numeric) return cell.textContent.trim().toLowerCase();
        var n = parseFloat(cell.dataset.key);
        return isNaN(n) ? -Infinity : n;
      };
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -order : order;
      });
      table.querySelectorAll("th[aria-sort]").forEach(function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"#;

/// The whole page. The content security policy forbids every load from elsewhere, so a page
/// that tried one would fail where it is tested, not in a reader's mail.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n<script>{SORT_SCRIPT}</script>\n</body>\n</html>\n",
        escape(title)
    )
}

/// How a column sorts, if at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    None,
    Text,
    /// By each cell's [`Cell::key`].
    Number,
}

#[derive(Clone, Copy, Debug)]
pub struct Header<'a> {
    pub label: &'a str,
    pub sort: Sort,
}

/// A cell: markup the caller built (escaped already) and, for a numeric column, the number it
/// sorts by.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    pub html: String,
    pub key: Option<f64>,
}

impl Cell {
    pub fn text(text: &str) -> Cell {
        Cell {
            html: escape(text).into_owned(),
            key: None,
        }
    }

    pub fn number(text: &str, key: Option<f64>) -> Cell {
        Cell {
            html: escape(text).into_owned(),
            key,
        }
    }
}

/// A table with real header cells; sortable by the headers that say how.
pub fn table(caption: &str, headers: &[Header], rows: &[Vec<Cell>]) -> String {
    // Rows stay one line each; a narrow window scrolls the table, not the page.
    let mut out = format!(
        "<div class=\"scroll\">\n<table class=\"sortable\">\n<caption>{}</caption>\n<thead><tr>",
        escape(caption)
    );
    for h in headers {
        let class = if h.sort == Sort::Number {
            " class=\"num\""
        } else {
            ""
        };
        let sort = match h.sort {
            Sort::None => "",
            Sort::Text => " data-sort=\"text\"",
            Sort::Number => " data-sort=\"number\"",
        };
        let _ = write!(
            out,
            "<th scope=\"col\"{class}{sort}>{}</th>",
            escape(h.label)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let numeric = headers.get(i).is_some_and(|h| h.sort == Sort::Number);
            let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
            let close = if i == 0 { "th" } else { "td" };
            // A numeric cell always has a key (empty without a number): the style sheet aligns
            // by it, so the cell needs no class. Four decimals are finer than any cell shows.
            let key = if numeric {
                let key = cell.key.filter(|k| k.is_finite());
                format!(
                    " data-key=\"{}\"",
                    key.map_or_else(String::new, |k| ((k * 1e4).round() / 1e4).to_string())
                )
            } else {
                String::new()
            };
            let _ = write!(out, "<{tag}{key}>{}</{close}>", cell.html);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    out
}

/// A headline figure: `name` identifies it to scripts and tests (`data-figure`), `value` is the
/// exact number behind the `text` shown, when there is one.
#[derive(Clone, Debug)]
pub struct Figure {
    pub name: String,
    pub label: String,
    pub text: String,
    pub value: Option<f64>,
}

/// Headline figures side by side, as a description list.
pub fn figures(items: &[Figure]) -> String {
    let mut out = String::from("<dl class=\"figures\">");
    for f in items {
        let value = f
            .value
            .filter(|v| v.is_finite())
            .map(|v| format!(" data-value=\"{v}\""))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<div data-figure=\"{}\"{value}><dt>{}</dt><dd>{}</dd></div>",
            escape(&f.name),
            escape(&f.label),
            escape(&f.text)
        );
    }
    out.push_str("</dl>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_content_and_attributes() {
        assert_eq!(escape("payments-prod.a1b2c"), "payments-prod.a1b2c");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        // Already-escaped text is escaped again: what is shown is what was given.
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("数 → ok"), "数 → ok");
    }

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        let page = document("a <b> report", "<p>hi</p>");
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<title>a &lt;b&gt; report</title>"));
        assert!(page.contains("default-src 'none'"));
        for remote in ["http:", "https:", "src=", "@import", "url("] {
            assert!(!page.contains(remote), "{remote}");
        }
        assert!(page.contains("prefers-color-scheme:dark"));
        assert!(page.contains("@media print"));
    }

    /// The colour variables of one `{...}` block of the style sheet.
    fn colours(block: &str) -> std::collections::HashMap<String, [f64; 3]> {
        block
            .split(';')
            .filter_map(|decl| {
                let (name, value) = decl.trim().split_once(':')?;
                let hex = value.trim().strip_prefix('#')?;
                // #555 is #555555.
                let hex: String = if hex.len() == 3 {
                    hex.chars().flat_map(|c| [c, c]).collect()
                } else {
                    hex.to_string()
                };
                let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
                Some((
                    name.trim().trim_start_matches("--").to_string(),
                    [0, 2, 4].map(|i| f64::from(channel(i)) / 255.0),
                ))
            })
            .collect()
    }

    /// WCAG 2 contrast ratio of two sRGB colours.
    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let luminance = |c: [f64; 3]| {
            let l = c.map(|v| {
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            });
            0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]
        };
        let (x, y) = (luminance(a) + 0.05, luminance(b) + 0.05);
        x.max(y) / x.min(y)
    }

    #[test]
    fn colours_have_enough_contrast_in_light_dark_and_print() {
        let block = |after: &str| {
            let start = CSS.find(after).unwrap() + after.len();
            &CSS[start..start + CSS[start..].find('}').unwrap()]
        };
        for (scheme, vars) in [
            ("light", colours(block(":root{"))),
            ("dark", colours(block("prefers-color-scheme:dark){:root{"))),
            ("print", colours(block("@media print{:root{"))),
        ] {
            let light = colours(block(":root{"));
            let get = |name: &str| vars.get(name).or(light.get(name)).copied().unwrap();
            for background in ["bg", "card"] {
                // Text, and the limit figures written in their line's colour: 4.5:1.
                for text in ["fg", "muted", "accent", "current", "proposed", "refused"] {
                    let ratio = contrast(get(text), get(background));
                    assert!(
                        ratio >= 4.5,
                        "{scheme}: {text} on {background} is {ratio:.2}:1"
                    );
                }
                // Bars are graphics: 3:1.
                let ratio = contrast(get("bar"), get(background));
                assert!(
                    ratio >= 3.0,
                    "{scheme}: bar on {background} is {ratio:.2}:1"
                );
            }
        }
        // The check itself: black on white is 21:1, and a pale grey fails.
        assert!((contrast([0.0; 3], [1.0; 3]) - 21.0).abs() < 1e-9);
        assert!(contrast([0.8; 3], [1.0; 3]) < 4.5);
    }

    #[test]
    fn a_table_has_header_cells_and_sort_keys() {
        let html = table(
            "Namespaces & costs",
            &[
                Header {
                    label: "Namespace",
                    sort: Sort::Text,
                },
                Header {
                    label: "Saved",
                    sort: Sort::Number,
                },
                Header {
                    label: "Command",
                    sort: Sort::None,
                },
            ],
            &[
                vec![
                    Cell::text("a<b"),
                    Cell::number("$1.50", Some(1.5)),
                    Cell::number("–", Some(f64::NAN)),
                ],
                vec![
                    Cell::text("c"),
                    Cell::number("–", Some(f64::NAN)),
                    Cell::text("x"),
                ],
                vec![
                    Cell::text("d"),
                    Cell::number("19%", Some(0.18812249999999997)),
                    Cell::text("y"),
                ],
            ],
        );
        assert!(html.contains("<caption>Namespaces &amp; costs</caption>"));
        assert!(html.contains(r#"<th scope="col" data-sort="text">Namespace</th>"#));
        assert!(html.contains(r#"<th scope="col" class="num" data-sort="number">Saved</th>"#));
        assert!(html.contains(r#"<th scope="col">Command</th>"#));
        assert!(
            html.contains(
                r#"<tr><th scope="row">a&lt;b</th><td data-key="1.5">$1.50</td><td>–</td></tr>"#
            ),
            "{html}"
        );
        // No number: an empty key, which sorts last and still aligns the cell.
        assert!(
            html.contains(r#"<th scope="row">c</th><td data-key="">–</td>"#),
            "{html}"
        );
        // Keys to four decimals.
        assert!(html.contains(r#"<td data-key="0.1881">19%</td>"#), "{html}");
    }

    #[test]
    fn figures_carry_their_exact_value() {
        let html = figures(&[Figure {
            name: "hourly-now".into(),
            label: "Per hour today".into(),
            text: "$12.35".into(),
            value: Some(12.345),
        }]);
        assert_eq!(
            html,
            "<dl class=\"figures\"><div data-figure=\"hourly-now\" data-value=\"12.345\"><dt>Per hour today</dt><dd>$12.35</dd></div></dl>\n"
        );
    }
}
