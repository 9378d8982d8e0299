import Agenda
import Foundation
import Reports
import Testing

/// The network's report from the rows PostgreSQL counted: the structures' lines and the
/// network's, for the activity and for the station's languages.
struct NetworkReportTests {
    let period = ReportPeriod(year: 2026, quarter: 4)

    @Test func theLanguageTableHasEachStructuresOwnLinesThenTheNetworksSums() {
        let rows = [
            NetworkActivityRow(structure: "mfs-corbigny", name: "Corbigny", stationSessions: 3, stationLanguages: ["fr": 2, "uk": 1]),
            NetworkActivityRow(structure: "mfs-lormes", name: "Lormes", stationSessions: 6, stationLanguages: ["ar": 2, "fr": 3, "": 1]),
            NetworkActivityRow(structure: "mfs-quiet", name: "Calme"),
        ]
        let report = NetworkReport.compute(rows, period: period, generatedAt: Date(timeIntervalSince1970: 1_797_000_000))
        #expect(report.tables.map(\.file) == NetworkReport.tableFiles)
        let table = report.tables[1]
        #expect(table.columns == ["structure", "structure_nom", "langue", "libelle", "sessions"])
        // Each structure's lines as its own `postes-par-langue` orders them (most sessions first);
        // a structure without sessions has none; then the network's.
        #expect(table.rows == [
            ["mfs-corbigny", "Corbigny", "fr", "français", "2"],
            ["mfs-corbigny", "Corbigny", "uk", "ukrainien", "1"],
            ["mfs-lormes", "Lormes", "fr", "français", "3"],
            ["mfs-lormes", "Lormes", "ar", "arabe", "2"],
            ["mfs-lormes", "Lormes", "", "non enregistrée", "1"],
            ["total", "Réseau (3 structures)", "fr", "français", "5"],
            ["total", "Réseau (3 structures)", "ar", "arabe", "2"],
            ["total", "Réseau (3 structures)", "", "non enregistrée", "1"],
            ["total", "Réseau (3 structures)", "uk", "ukrainien", "1"],
        ])
        // Every session is counted once, in one language.
        let sessions = table.rows.filter { $0[0] == "total" }.compactMap { Int($0[4]) }.reduce(0, +)
        #expect(sessions == rows.map(\.stationSessions).reduce(0, +))
    }
}
