import Agenda

/// The lines of a `postes-par-langue` table, shared by a structure's report and the network's:
/// [code, French name, sessions], most sessions first, then by code ("" when none was recorded).
enum LanguageLines {
    static func lines(_ counts: [String: Int]) -> [[String]] {
        counts.keys.sorted { (counts[$0] ?? 0, $1) > (counts[$1] ?? 0, $0) }.map { code in
            [code, StationLanguage.frenchName(code.isEmpty ? nil : code), "\(counts[code] ?? 0)"]
        }
    }
}
