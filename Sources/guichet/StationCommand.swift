import Agenda
import ArgumentParser
import Kiosk
import Foundation
import Station
import StructureConfig
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `guichet station`: runs the station's locked browser and keeps it in step with the
/// daemon — a fresh profile per session, the browser closed before each wipe.
struct StationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "Run a self-service station's locked browser (Chromium in kiosk mode), driven by the daemon.",
        discussion: """
            Writes Chromium's managed policy (only the station's pages and the catalogue's sites), then runs Chromium in \
            kiosk mode on the session's own profile; when the daemon ends a session it closes the browser, the daemon wipes \
            the session, and a new browser starts on the next session's fresh profile. On real hardware run it under cage: \
            `guichet station --station poste-1 --cage`.
            """)

    @Option(help: "The structure's configuration file (JSON).")
    var config = "config/guichet.json"

    @Option(help: "The station's id in the configuration.")
    var station: String

    @Option(help: "The daemon's address.")
    var daemon = "http://127.0.0.1:8080"

    @Option(help: "Where Chromium reads managed policies.")
    var policyDirectory = "/etc/chromium/policies/managed"

    @Option(help: "The Chromium binary.")
    var chromium = "/usr/bin/chromium"

    @Flag(help: "Print the generated policy and exit.")
    var printPolicy = false

    @Option(help: ArgumentHelp("Write the partner-site bar extension for SESSION into DIR and exit (tests).", visibility: .hidden))
    var extensionTo: String?

    @Option(help: ArgumentHelp("The session the written extension belongs to.", visibility: .hidden))
    var session = ""

    @Flag(help: "Run Chromium inside the cage Wayland compositor (a real station's screen).")
    var cage = false

    func run() async throws {
        let loaded = try GuichetConfig.load(path: config)
        guard loaded.structure.stations.contains(where: { $0.id == station && $0.selfService }) else {
            throw ValidationError("\(station) is not a self-service station of \(config)")
        }
        let stationURL = "\(daemon)/kiosk/\(station)/"
        let sites = loaded.kioskSites
        let idle = (loaded.kiosk.inactivitySeconds + loaded.kiosk.warningSeconds + 59) / 60
        let policy = BrowserPolicy.json(stationURL: stationURL, sites: sites, idleMinutes: idle)
        if let extensionTo {
            try StationExtension.write(into: URL(fileURLWithPath: extensionTo), stationBase: "\(daemon)/kiosk/\(station)", session: session)
            return
        }
        if printPolicy {
            FileHandle.standardOutput.write(policy + Data("\n".utf8))
            return
        }
        try FileManager.default.createDirectory(atPath: policyDirectory, withIntermediateDirectories: true)
        try policy.write(to: URL(fileURLWithPath: policyDirectory).appendingPathComponent("guichet.json"))
        let base = "\(daemon)/kiosk/\(station)"
        _ = try await Self.call("POST", "\(base)/superviseur")
        var browser: Process?
        while true {
            let status = try? JSONSerialization.jsonObject(with: try await Self.call("GET", "\(base)/etat")) as? [String: Any]
            let state = status?["state"] as? String
            if let running = browser, !running.isRunning {
                browser = nil
                _ = try? await Self.call("POST", "\(base)/navigateur-ferme")
            } else if let running = browser, status?["closeBrowser"] as? Bool == true {
                running.terminate()
                for _ in 0..<20 where running.isRunning { try await Task.sleep(for: .milliseconds(100)) }
                if running.isRunning { kill(running.processIdentifier, SIGKILL) }
                running.waitUntilExit()
                browser = nil
                _ = try? await Self.call("POST", "\(base)/navigateur-ferme")
            } else if browser == nil, state == "idle", let profile = status?["profile"] as? String {
                browser = try launch(profile: profile, url: stationURL)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func launch(profile: String, url: String) throws -> Process {
        // The bar for partner sites, written into the session's folder (wiped with it).
        let sessionFolder = URL(fileURLWithPath: profile).deletingLastPathComponent()
        let bar = sessionFolder.appendingPathComponent("tmp/guichet-bar")
        try StationExtension.write(into: bar, stationBase: "\(daemon)/kiosk/\(station)", session: sessionFolder.lastPathComponent)
        let p = Process()
        let arguments = [
            "--load-extension=\(bar.path)", "--disable-extensions-except=\(bar.path)",
            "--kiosk", "--user-data-dir=\(profile)", "--no-first-run", "--no-default-browser-check", "--disable-sync", "--disable-translate",
            "--password-store=basic", "--lang=fr-FR", url,
        ]
        if cage {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/cage")
            p.arguments = ["--", chromium] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: chromium)
            p.arguments = arguments
        }
        try p.run()
        return p
    }

    static func call(_ method: String, _ url: String) async throws -> Data {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 5
        return try await URLSession.shared.data(for: request).0
    }
}
