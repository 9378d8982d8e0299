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
            // A wide table scrolls inside its own labelled, focusable region (WCAG 1.4.10).
            body += "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"t-\(table.file)\">\n" + tableHTML(table) + "</div>\n"
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
            .table-scroll { max-width: 100%; overflow-x: auto; } .table-scroll:focus-visible { outline: 3px solid #000091; outline-offset: 2px; }
            code { overflow-wrap: anywhere; } svg { max-width: 100%; height: auto; } svg text { font: 12px system-ui, sans-serif; fill: #161616; }
            @media print { section { break-inside: avoid; } body { max-width: none; } .table-scroll { overflow: visible; } }
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
        var html = "<table>\n<thead><tr>" + table.columns.map { "<th scope=\"col\">\(escape(label($0)))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            html += "<tr>" + row.enumerated().map { c, v in
                let shown = v.isEmpty ? "—" : escape(display(table, row: row, column: c))
                return numeric[c] || isShare(table, row: row, column: c) ? "<td class=\"n\">\(shown)</td>" : "<td>\(escape(frenchNumber(v)))</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// A share is a column `part_…`, or a summary row labelled "Part …".
    static func isShare(_ table: ReportTable, row: [String], column: Int) -> Bool {
        table.columns[column].hasPrefix("part_") || (table.columns[column] == "valeur" && row.count > 1 && row[1].hasPrefix("Part "))
    }

    /// A cell as French readers read it: shares in per cent, decimal commas.
    public static func display(_ table: ReportTable, row: [String], column: Int) -> String {
        let value = row[column]
        return isShare(table, row: row, column: column) ? percent(value) : frenchNumber(value)
    }

    /// The French heading of a CSV column (the CSV keeps its stable ids for scripts).
    static func label(_ column: String) -> String { columnLabels[column] ?? column }

    static let columnLabels = [
        "date": "Date", "jour": "Jour", "visites": "Visites", "semaine": "Semaine", "premier_jour": "Premier jour", "mois": "Mois",
        "heure": "Heure d’arrivée", "partenaire_id": "Code partenaire", "partenaire": "Partenaire", "situation_id": "Code situation",
        "situation": "Situation de vie", "canal": "Code canal", "libelle": "Libellé", "issue": "Code issue", "sessions": "Sessions",
        "accompagnees": "Accompagnées", "autonomes": "Autonomes", "pages_imprimees": "Pages imprimées", "pages_numerisees": "Pages numérisées",
        "demandes_aide": "Demandes d’aide", "visiteurs_services_caf": "Visiteurs des services en ligne Caf", "accompagnes": "Accompagnés",
        "part_accompagnes": "Part accompagnée", "type": "Type", "tenus": "Tenus", "annules": "Annulés", "absents": "Absents",
        "non_clotures": "Non clôturés", "envoyees": "Envoyées", "repondues": "Répondues", "repondues_sous_72h_ouvrees": "Répondues sous 72 h ouvrées",
        "part_sous_72h_ouvrees": "Part sous 72 h ouvrées", "note": "Note", "reponses": "Réponses", "indicateur": "Code indicateur", "valeur": "Valeur",
    ]

    /// "0.667" → "66,7 %" (French typography: decimal comma, narrow no-break space before %).
    static func percent(_ value: String) -> String {
        guard let share = Double(value) else { return value }
        return frenchNumber(String(format: "%.1f", share * 100)) + "\u{202F}%"
    }

    /// "4.25" → "4,25"; integers and text unchanged.
    static func frenchNumber(_ value: String) -> String {
        value.contains(".") && Double(value) != nil ? value.replacingOccurrences(of: ".", with: ",") : value
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
            svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 15)\">\(escape(frenchNumber(table.rows[i][chart.valueColumn])))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String { HTMLEscaping.escape(text) }
}
