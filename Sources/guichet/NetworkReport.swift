import Agenda
import Foundation
import NetworkStore
import Reports

/// The network's report: one row per structure and the totals, under the same indicator names
/// as each structure's own `synthese` (so a spreadsheet can put them side by side).
enum NetworkReport {
    static let columns = [
        "structure", "structure_nom", "visites", "visites_resolues_sur_place", "sessions_postes", "sessions_accompagnees", "pages_imprimees",
        "pages_numerisees", "rendez_vous_tenus", "rendez_vous_absents", "rendez_vous_annules",
    ]

    static func compute(_ rows: [NetworkActivityRow], period: ReportPeriod, generatedAt: Date) -> Report {
        func figures(_ r: NetworkActivityRow) -> [Int] {
            [r.visits, r.resolvedVisits, r.stationSessions, r.accompaniedSessions, r.pagesPrinted, r.pagesScanned, r.appointmentsHeld,
             r.appointmentsMissed, r.appointmentsCancelled]
        }
        let totals = rows.map(figures).reduce(Array(repeating: 0, count: columns.count - 2)) { zip($0, $1).map(+) }
        let table = ReportTable(
            file: "reseau", title: "Activité par structure", columns: columns,
            rows: rows.map { [$0.structure, $0.name] + figures($0).map(String.init) } + [["total", "Réseau (\(rows.count) structures)"] + totals.map(String.init)])
        return Report(
            title: "Rapport du réseau — \(period.label)", structure: "Réseau France Services", period: period, generatedAt: generatedAt, tables: [table])
    }
}
