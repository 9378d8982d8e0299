import Foundation

/// The browser extension that puts the station's bar (home, call an agent, finish) on the
/// partner sites, written for one session: it knows the station's address and the session's
/// token, and may call only the station's own origin.
public enum StationExtension {
    public static func write(into folder: URL, stationBase: String, session: String, language: String = "fr") throws {
        guard let url = URL(string: stationBase), let scheme = url.scheme, let host = url.host else {
            throw CocoaError(.fileWriteInvalidFileName)
        }
        let origin = "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
        let resources = try KioskResources.folder()
        let source = resources.appendingPathComponent("extension")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files = [("bar.js", source), ("background.js", source), ("keyguard.js", resources.appendingPathComponent("static"))]
        for (file, from) in files {
            let target = folder.appendingPathComponent(file)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: from.appendingPathComponent(file), to: target)
        }
        let manifest = try String(contentsOf: source.appendingPathComponent("manifest.json"), encoding: .utf8)
            .replacingOccurrences(of: "STATION_ORIGIN", with: origin)
        try manifest.write(to: folder.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        let strings = try KioskResources.loadStrings()
        let t = strings[language] ?? strings["fr"] ?? [:]
        let station: [String: Any] = [
            "base": stationBase, "session": session,
            "labels": [
                "bar": t["barLabel"] ?? "", "callAgent": t["callAgent"] ?? "", "home": t["home"] ?? "", "end": t["end"] ?? "",
                "helpComing": t["helpComing"] ?? "", "helpFailed": t["error"] ?? "",
            ],
        ]
        try JSONSerialization.data(withJSONObject: station, options: [.sortedKeys]).write(to: folder.appendingPathComponent("station.json"))
    }
}
