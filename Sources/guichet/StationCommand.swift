import Agenda
import ArgumentParser
import DeviceLink
import Kiosk
import Foundation
import Station
import StructureConfig
import App
import OfficeKit
import Web

/// `guichet station`: a self-service station's PC — `enrol` once, then `run` (the default).
struct StationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "A self-service station's PC: enrol it with the server once, then run its locked browser.",
        subcommands: [StationRun.self, StationEnrol.self],
        defaultSubcommand: StationRun.self)
}

/// `guichet station [run]`: runs the station's locked browser and keeps it in step with the
/// daemon — a fresh profile per session, the browser closed before each wipe.
struct StationRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a self-service station's locked browser (Chromium in kiosk mode), driven by the daemon.",
        discussion: """
            Writes Chromium's managed policy (only the station's pages and the catalogue's sites), then runs Chromium in \
            kiosk mode on the session's own profile, HOME and TMPDIR, bound to the session by a one-time ticket. Four times \
            a second it tells the daemon which session its browser serves; any browser not of the current session is \
            killed with all its processes before the daemon wipes, and the next session gets a fresh browser. The browser \
            dies with this command, however it ends. Enrol the PC first (`guichet station enrol`); on real hardware run it \
            under cage: `guichet station --station poste-1 --data /var/lib/guichet --cage`.
            """)

    @Option(help: "The structure's configuration file (JSON).")
    var config = "config/guichet.json"

    @Option(help: "The station's id in the configuration.")
    var station: String

    @Option(help: "The server's address (default: the one the station was enrolled with).")
    var server: String?

    @Option(help: "Where Chromium reads managed policies.")
    var policyDirectory = "/etc/chromium/policies/managed"

    @Option(help: "The Chromium binary.")
    var chromium = "/usr/bin/chromium"

    @Flag(help: "Print the generated policy and exit.")
    var printPolicy = false

    @Flag(help: "Print a one-time link that binds a browser to the station's current session, and exit (a technician's or a demo's browser; no supervision).")
    var printTicket = false

    @Option(help: ArgumentHelp("Write the partner-site bar extension for SESSION into DIR and exit (tests).", visibility: .hidden))
    var extensionTo: String?

    @Option(help: ArgumentHelp("The session the written extension belongs to.", visibility: .hidden))
    var session = ""

    @Flag(help: "Run Chromium inside the cage Wayland compositor (a real station's screen).")
    var cage = false

    @Option(help: "This PC's data folder, where its enrolment (devices/STATION.json) is kept.")
    var data = "data"

    @Option(help: "Where the kiosk runs: here (this PC serves its own pages, devices and wipe; the server keeps the agenda), server (the server drives this station: a single-machine structure), or auto (here unless the server is on this machine).")
    var kiosk: KioskPlace = .auto

    @Option(help: "The kiosk's own port on 127.0.0.1 (--kiosk here).")
    var kioskPort = 8090

    @Option(help: "This PC's CUPS queue, when not the configuration's (--kiosk here).")
    var printerQueue: String?

    @Option(help: "This PC's CUPS server (HOST:PORT), when not the configuration's (--kiosk here).")
    var cupsServer: String?

    @Option(help: "This PC's SANE scanner, when not the configuration's (--kiosk here).")
    var scanner: String?

    enum KioskPlace: String, ExpressibleByArgument, CaseIterable {
        case auto, here, server
    }

    @OptionGroup var log: LogOptions

    func run() async throws {
        log.bootstrap()
        let dataFolder = URL(fileURLWithPath: data)
        let identity: DeviceIdentity?
        do {
            identity = try DeviceIdentity.load(data: dataFolder, device: station)
        } catch let missing as DeviceIdentity.Missing {
            // Writing the policy or the bar needs no enrolment.
            guard extensionTo != nil || printPolicy else { throw ValidationError(missing.description) }
            identity = nil
        }
        let serverURL = server ?? identity?.server ?? "http://127.0.0.1:8080"
        let here = kiosk == .here || (kiosk == .auto && !Self.isOnThisMachine(serverURL))
        if here, let identity, extensionTo == nil, !printPolicy {
            guard !printTicket else { throw ValidationError("--print-ticket: a station that runs its kiosk here binds its own browser only") }
            var options = StationRoleOptions(station: station, data: data, identity: identity)
            (options.server, options.port, options.printerQueue, options.scanner) = (server, kioskPort, printerQueue, scanner)
            options.cupsServer = cupsServer
            let (base, office) = try await startKioskHere(options)
            guard let local = office.stations[station] else { throw ValidationError("\(station) is not a self-service station of the server's configuration") }
            let link = office.stationBackend as? RemoteStationBackend
            try await supervise(config: office.config, base: base, data: dataFolder, identity: identity) { beat in
                // What the console shows of this PC: the browser's health, said on the next contact.
                await link?.setHealth(beat.health ?? "ok")
                return try await SupervisorExchange.answer(local, beat)
            }
            return
        }
        let loaded = try GuichetConfig.load(path: config)
        guard loaded.structure.stations.contains(where: { $0.id == station && $0.selfService }) else {
            throw ValidationError("\(station) is not a self-service station of \(config)")
        }
        if let extensionTo {
            try StationExtension.write(into: URL(fileURLWithPath: extensionTo), stationBase: "\(serverURL)/kiosk/\(station)", session: session)
            return
        }
        if printPolicy {
            FileHandle.standardOutput.write(policy(loaded, base: serverURL) + Data("\n".utf8))
            return
        }
        guard let identity else { return }
        let client = try DeviceClient(identity: identity, server: serverURL)
        if printTicket {
            let answer = try await client.call("POST", "/kiosk/\(station)/billet", body: [:])
            guard let path = answer["path"] as? String else { throw ValidationError("the daemon gave no ticket") }
            print(serverURL + path)
            return
        }
        let heartbeat = "/kiosk/\(station)/superviseur"
        try await supervise(config: loaded, base: serverURL, data: dataFolder, identity: identity) { beat in
            var body: [String: Any] = ["browser": beat.browser ?? NSNull(), "closed": beat.closed ?? NSNull(), "first": beat.first ?? false]
            body["version"] = beat.version
            body["health"] = beat.health
            return try await client.call("POST", heartbeat, body: body)
        }
    }

    /// A server on 127.0.0.1 or `localhost` drives this station itself.
    static func isOnThisMachine(_ server: String) -> Bool {
        guard let host = URL(string: server)?.host else { return true }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private func policy(_ config: GuichetConfig, base: String) -> Data {
        let idle = (config.kiosk.inactivitySeconds + config.kiosk.warningSeconds + 59) / 60
        return BrowserPolicy.json(stationURL: "\(base)/kiosk/\(station)/", sites: config.kioskSites, idleMinutes: idle)
    }

    /// Starts the station's own kiosk (pages, devices, wipe, outbox) and waits until it listens.
    private func startKioskHere(_ options: StationRoleOptions) async throws -> (String, Office) {
        var options = options
        let (ready, announce) = AsyncStream<(String, Office)>.makeStream()
        options.onRunning = { base, office in announce.yield((base, office)) }
        let settled = options
        let started = Task {
            do {
                try await runUntilSignalled(try await buildStationApplication(options: settled), logger: settled.logger)
            } catch {
                FileHandle.standardError.write(Data("guichet station: \(error)\n".utf8))
                Foundation.exit(1)
            }
            // The kiosk is gone: so is the browser it served (the next start wipes what is left).
            Foundation.exit(0)
        }
        _ = started
        for await first in ready {
            log("the kiosk runs here at \(first.0) (server \(options.server ?? options.identity.server))")
            return first
        }
        throw ValidationError("the kiosk did not start")
    }

    /// The browser's supervision: four times a second, says which session its browser serves
    /// and does what the answer orders.
    private func supervise(
        config: GuichetConfig, base daemon: String, data dataFolder: URL, identity: DeviceIdentity,
        exchange: (SupervisorBeat) async throws -> [String: Any]
    ) async throws {
        try FileManager.default.createDirectory(atPath: policyDirectory, withIntermediateDirectories: true)
        try policy(config, base: daemon).write(to: URL(fileURLWithPath: policyDirectory).appendingPathComponent("guichet.json"))
        let sessions = SessionFolders(data: dataFolder, station: station).root
        let orphans = BrowserProcess.killOrphans(under: sessions)
        if orphans > 0 { log("closed \(orphans) browser(s) left by an earlier supervisor") }

        var browser: BrowserProcess?
        var closed: String?
        var unreachable = false
        var heard = false
        var launchedAt = Date.distantPast
        var failures = 0
        while true {
            if let running = browser, !running.isRunning {
                // Crashed, or closed by its idle policy: whatever it left, the daemon wipes.
                running.kill()
                closed = running.session
                browser = nil
                // A browser that cannot stay up (missing, broken display) is not restarted in a
                // tight loop: each quick failure doubles the wait, up to 30 s.
                if Date().timeIntervalSince(launchedAt) < 5 {
                    failures += 1
                    log("the browser exited \(failures) time(s) right after starting; next try in \(min(30, 1 << min(failures, 5))) s")
                    try await Task.sleep(for: .seconds(min(30, 1 << min(failures, 5))))
                } else {
                    failures = 0
                }
            }
            let beat = SupervisorBeat(
                browser: browser?.session, closed: closed, first: !heard, version: GuichetVersion.text,
                health: failures > 0 ? "le navigateur s’est arrêté \(failures) fois au démarrage" : "ok")
            let answer: [String: Any]
            do {
                answer = try await exchange(beat)
                heard = true
                if unreachable { log("the daemon answers again") }
                unreachable = false
            } catch let refused as DeviceClient.Failure where refused.status == 401 {
                // Revoked: the browser closes (its session is wiped by the server) and the PC stops.
                browser?.kill()
                throw ValidationError("the server refused this station's credential (revoked?): enrol it again. \(refused)")
            } catch {
                if !unreachable { log("the daemon does not answer (\(error)); the browser is kept until it does") }
                unreachable = true
                try await Task.sleep(for: .milliseconds(250))
                continue
            }
            closed = nil
            if ProcessInfo.processInfo.environment["GUICHET_STATION_TRACE"] != nil { log("beat \(beat) → \(answer)") }
            switch answer["order"] as? String {
            case "close":
                if let running = browser {
                    running.kill()
                    closed = running.session
                    browser = nil
                }
                continue  // say so at once: the wipe waits for it
            case "launch":
                guard let id = answer["session"] as? String, let folder = answer["folder"] as? String, let path = answer["path"] as? String else { break }
                do {
                    browser = try launch(session: id, folder: URL(fileURLWithPath: folder), url: daemon + path, server: daemon, identity: identity)
                    launchedAt = Date()
                } catch {
                    log("cannot start the browser: \(error)")
                }
            default:
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func launch(session: String, folder: URL, url: String, server: String, identity: DeviceIdentity) throws -> BrowserProcess {
        // The bar for partner sites, written into the session's folder (wiped with it).
        let bar = folder.appendingPathComponent("tmp/guichet-bar")
        try StationExtension.write(into: bar, stationBase: "\(server)/kiosk/\(station)", session: session)
        var arguments = [
            "--load-extension=\(bar.path)", "--disable-extensions-except=\(bar.path)",
            "--kiosk", "--user-data-dir=\(folder.appendingPathComponent("profile").path)", "--no-first-run", "--no-default-browser-check",
            "--disable-sync", "--disable-translate", "--password-store=basic", "--lang=fr-FR", "--noerrdialogs", "--disable-session-crashed-bubble",
            "--disable-features=Translate,MediaRouter,DownloadBubble", "--disable-breakpad", "--disable-crash-reporter",
        ]
        // The server's own certificate, pinned at enrolment, is the one Chromium accepts besides
        // the public authorities' (by its key's hash; any other error still stops the page).
        if let spki = identity.pinnedKeyHash { arguments.append("--ignore-certificate-errors-spki-list=\(spki)") }
        // Chromium refuses to run as root with its sandbox; a real station runs as its own user.
        if getuid() == 0 { arguments.append("--no-sandbox") }
        let command = (cage ? ["/usr/bin/cage", "--", chromium] : [chromium]) + arguments + [url]
        return try BrowserProcess.launch(session: session, folder: folder, command: command, environment: ProcessInfo.processInfo.environment)
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("guichet station \(station): \(message)\n".utf8))
    }
}
