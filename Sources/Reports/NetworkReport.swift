import Agenda
import Foundation

/// The network's report: one row per structure and the totals, under the same indicator names
/// as each structure's own `synthese` (so a spreadsheet can put them side by side).
public enum NetworkReport {
    public static let figureColumns = [
        "visites", "visites_resolues_sur_place", "sessions_postes", "sessions_accompagnees", "pages_imprimees", "pages_numerisees",
        "rendez_vous_tenus", "rendez_vous_absents", "rendez_vous_annules",
    ]

    /// The report's tables, by the name of their CSV file.
    public static let tableFiles = ["reseau", "reseau-postes-par-langue"]

    public static func compute(_ rows: [NetworkActivityRow], period: ReportPeriod, generatedAt: Date) -> Report {
        let values = rows.map { row in figureColumns.map { Int(figures(of: row)[$0] ?? "") ?? 0 } }
        let totals = values.reduce(Array(repeating: 0, count: figureColumns.count)) { zip($0, $1).map(+) }
        let table = ReportTable(
            file: "reseau", title: "Activité par structure", columns: ["structure", "structure_nom"] + figureColumns,
            rows: zip(rows, values).map { [$0.structure, $0.name] + $1.map(String.init) }
                + [["total", "Réseau (\(rows.count) structures)"] + totals.map(String.init)])
        return Report(
            title: "Rapport du réseau — \(period.label)", structure: "Réseau France Services", period: period, generatedAt: generatedAt,
            tables: [table, languageTable(rows)])
    }

    /// Station sessions by language, structure by structure then for the network: each
    /// structure's rows are its own report's `postes-par-langue`, in the same order.
    static func languageTable(_ rows: [NetworkActivityRow]) -> ReportTable {
        func lines(_ counts: [String: Int], structure: String, name: String) -> [[String]] {
            LanguageLines.lines(counts).map { [structure, name] + $0 }
        }
        let network = rows.reduce(into: [String: Int]()) { total, row in total.merge(row.stationLanguages, uniquingKeysWith: +) }
        return ReportTable(
            file: "reseau-postes-par-langue", title: "Sessions des postes par langue", columns: ["structure", "structure_nom", "langue", "libelle", "sessions"],
            rows: rows.flatMap { lines($0.stationLanguages, structure: $0.structure, name: $0.name) }
                + lines(network, structure: "total", name: "Réseau (\(rows.count) structures)"))
    }

    public static func figures(of row: NetworkActivityRow) -> [String: String] {
        let values = [
            row.visits, row.resolvedVisits, row.stationSessions, row.accompaniedSessions, row.pagesPrinted, row.pagesScanned, row.appointmentsHeld,
            row.appointmentsMissed, row.appointmentsCancelled,
        ]
        return Dictionary(uniqueKeysWithValues: zip(figureColumns, values.map(String.init)))
    }

    /// The same figures, read from a structure's own report where its users read them.
    public static func figures(ofStructureReport report: Report) -> [String: String] {
        func table(_ file: String) -> ReportTable? { report.tables.first { $0.file == file } }
        func sum(_ file: String, _ column: String) -> String {
            guard let t = table(file), let c = t.columns.firstIndex(of: column) else { return "" }
            return String(t.rows.reduce(0) { $0 + (Int($1[c]) ?? 0) })
        }
        let outcomes = table("issues")
        return [
            "visites": table("synthese")?.value("visites", "valeur") ?? "",
            "visites_resolues_sur_place": outcomes?.value("resolved", "visites") ?? "",
            "sessions_postes": table("synthese")?.value("sessions_postes", "valeur") ?? "",
            "sessions_accompagnees": table("postes-libre-service")?.value("total", "accompagnees") ?? "",
            "pages_imprimees": table("postes-libre-service")?.value("total", "pages_imprimees") ?? "",
            "pages_numerisees": table("postes-libre-service")?.value("total", "pages_numerisees") ?? "",
            "rendez_vous_tenus": table("synthese")?.value("rendez_vous_tenus", "valeur") ?? "",
            "rendez_vous_absents": table("synthese")?.value("rendez_vous_absents", "valeur") ?? "",
            "rendez_vous_annules": sum("rendez-vous", "annules"),
        ]
    }
}
