//! Server-rendered SVG bar charts for the reports (no script, so the page's CSP holds). Every
//! label is escaped; only numbers and escaped text reach the markup.

/// A horizontal bar chart of (label, value) with values in `unit` (e.g. `%`).
pub fn bars(rows: &[(String, f64)], unit: &str) -> String {
    let max = rows.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max).max(1.0);
    let (row_h, label_w, bar_w) = (22, 260, 360);
    let height = row_h * rows.len().max(1) + 8;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {height}\" role=\"img\" font-size=\"12\" font-family=\"system-ui, sans-serif\">",
        label_w + bar_w + 70
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i * row_h + 4;
        let w = ((value / max) * bar_w as f64).round() as usize;
        let shown = if unit == "%" { format!("{value:.0}%") } else { format!("{value:.0}") };
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"#1f6f43\"><title>{}: {}</title></rect><text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 6,
            y + 14,
            escape(&truncate(label, 40)),
            label_w,
            row_h - 6,
            escape(label),
            escape(&shown),
            label_w + w + 4,
            y + 14,
            escape(&shown),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).chain(['…']).collect() }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped_and_bars_scale() {
        let svg = super::bars(&[("<script>".into(), 50.0), ("B & C".into(), 100.0)], "%");
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("B &amp; C"));
        assert!(svg.contains("width=\"180\"") && svg.contains("width=\"360\""), "{svg}");
    }
}
