import Agenda
import Foundation

/// The readable report: one self-contained French HTML page, charts drawn as inline SVG
/// (no script), printable to PDF from the browser.
public enum HTMLReport {
    public static func render(_ report: Report) -> String {
        var body = ""
        for table in report.tables {
            body += "<section aria-labelledby=\"t-\(table.file)\">\n<h2 id=\"t-\(table.file)\">\(escape(table.title))</h2>\n"
            if let chart = table.chart, !table.rows.isEmpty { body += svgBars(table, chart) }
            body += tableHTML(table)
            body += "<p class=\"file\">Fichier : <code>\(table.file).csv</code></p>\n</section>\n"
        }
        return """
            <!doctype html>
            <html lang="fr">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(report.title)) — \(escape(report.structure))</title>
            <style>
            body { font: 11pt/1.45 system-ui, "Segoe UI", Roboto, sans-serif; color: #161616; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; }
            h1 { font-size: 1.6rem; color: #000091; margin-bottom: .25rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid #000091; }
            table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { padding: .25rem .5rem; border-bottom: 1px solid #929292; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; } .file { color: #3a3a3a; font-size: .9rem; }
            svg { max-width: 100%; height: auto; } svg text { font: 12px system-ui, sans-serif; fill: #161616; }
            @media print { section { break-inside: avoid; } body { max-width: none; } }
            </style>
            </head>
            <body>
            <main>
            <h1>\(escape(report.title))</h1>
            <p>\(escape(report.structure)) · période du \(report.period.first) au \(report.period.last) · établi le \(ISO8601DateFormatter().string(from: report.generatedAt))</p>
            \(body)</main>
            </body>
            </html>

            """
    }

    static func tableHTML(_ table: ReportTable) -> String {
        let numeric = table.columns.indices.map { c in table.rows.allSatisfy { Double($0[c]) != nil || $0[c].isEmpty } && !table.rows.isEmpty }
        var html = "<table>\n<thead><tr>" + table.columns.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            html += "<tr>" + row.enumerated().map { c, v in numeric[c] ? "<td class=\"n\">\(v.isEmpty ? "—" : escape(v))</td>" : "<td>\(escape(v))</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// A horizontal bar chart; its title and description make it readable by a screen reader,
    /// and the table right after it carries the same figures.
    static func svgBars(_ table: ReportTable, _ chart: ReportTable.Chart) -> String {
        let rows = table.rows.map { (label: $0[chart.labelColumn], value: Double($0[chart.valueColumn]) ?? 0) }
        let maximum = max(rows.map(\.value).max() ?? 0, 1)
        let rowHeight = 22, labelWidth = 230, barWidth = 420
        let height = rows.count * rowHeight + 10
        var svg = "<svg role=\"img\" aria-labelledby=\"c-\(table.file)\" viewBox=\"0 0 \(labelWidth + barWidth + 60) \(height)\" width=\"\(labelWidth + barWidth + 60)\" height=\"\(height)\">\n"
        svg += "<title id=\"c-\(table.file)\">\(escape(table.title)) (graphique ; les valeurs sont dans le tableau qui suit)</title>\n"
        for (i, row) in rows.enumerated() {
            let y = 5 + i * rowHeight
            let width = Int((row.value / maximum * Double(barWidth)).rounded())
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(String(row.label.prefix(34))))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(width)\" height=\"\(rowHeight - 6)\" fill=\"#000091\"></rect>"
            svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 15)\">\(escape(table.rows[i][chart.valueColumn]))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String { HTMLEscaping.escape(text) }
}
