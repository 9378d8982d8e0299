import Agenda
import App
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Media
import OfficeKit
import Store
import StructureConfig

/// `guichet serve`: the daemon.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the agenda API, the calendars and the pages over HTTP.",
        discussion: "Stops gracefully on SIGTERM or SIGINT: requests in flight finish, the database is closed cleanly.")

    @OptionGroup var options: OfficeOptions

    @Option(help: "Address to listen on; 127.0.0.1 keeps the daemon on this machine, 0.0.0.0 opens it to the office LAN.")
    var host = "127.0.0.1"

    @Option(help: "TCP port to listen on.")
    var port = 8080

    @Option(help: "The TLS certificate (PEM, its chain after it) the daemon serves on its own; with --tls-key.")
    var tlsCert: String?

    @Option(help: "The TLS certificate's private key (PEM).")
    var tlsKey: String?

    @Option(help: "A reverse proxy (address or CIDR block, repeatable) whose X-Forwarded-For and X-Forwarded-Proto are believed; nobody else's are.")
    var trustedProxy: [String] = []

    @Option(help: "The structure's own network (CIDR, repeatable; default: loopback, the private ranges and the subnets this machine is on). From anywhere else only the specialists' visio links answer.")
    var localNetwork: [String] = []

    @Option(help: "The network's PostgreSQL database (postgres://user@host/db?sslmode=require), over the configuration's `database`; \"sqlite\": this structure's file only.")
    var database: String?

    @Option(help: ArgumentHelp("In a network: seconds between two hand-overs of the structure's activity to its database.", visibility: .hidden))
    var networkSyncSeconds = 900

    @Option(help: ArgumentHelp("In a network: seconds a booking may stay held there before its structure writes it, before a reconciliation releases it.", visibility: .hidden))
    var networkHoldGraceSeconds = 60

    @Flag(help: "Do not seed the configuration's demo data into an empty database.")
    var noDemo = false

    @OptionGroup var visio: VisioOptions

    @Option(help: "Where the room's visio engine runs: here (this machine's camera and screen), or remote (the room's own PC, `guichet room`).")
    var visioRoom: VisioRoom = .here

    @OptionGroup var log: LogOptions

    /// Addresses or CIDR blocks from a repeatable option; a bad one names the option.
    static func ranges(_ texts: [String], option: String) throws -> [AddressRange] {
        try texts.map { text in
            do { return try AddressRange(text) } catch { throw ValidationError("\(option): \(error)") }
        }
    }

    func run() async throws {
        log.bootstrap()
        var app = AppOptions()
        app.logger = Logger(label: "guichet")
        (app.host, app.port, app.data, app.seedDemo) = (host, port, options.data, !noDemo)
        app.clock = options.clock
        app.bootstrapMetrics = true
        guard (1...86_400).contains(networkSyncSeconds) else { throw ValidationError("--network-sync-seconds must be within 1...86400") }
        app.networkSync = .seconds(networkSyncSeconds)
        guard (1...3600).contains(networkHoldGraceSeconds) else { throw ValidationError("--network-hold-grace-seconds must be within 1...3600") }
        app.networkHoldGrace = .seconds(networkHoldGraceSeconds)
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): app.tls = ServerTLS(certificatePath: cert, keyPath: key)
        case (nil, nil): break
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        app.trustedProxies = try Self.ranges(trustedProxy, option: "--trusted-proxy")
        if !localNetwork.isEmpty { app.localNetworks = try Self.ranges(localNetwork, option: "--local-network") }
        app.visio = try visio.settings(app.logger)
        app.remoteRoom = visioRoom == .remote
        // A refusal names the file, the key and the rule; it is printed without the usage text.
        var config = try GuichetConfig.load(path: options.config)
        if let database {
            config.network = database == "sqlite" ? nil : NetworkSettings(url: database, passwordFile: config.network?.passwordFile)
        }
        let banner = Banner(scheme: tlsCert == nil ? "http" : "https", host: host, port: port, data: options.data, databasePath: options.databasePath)
        let logger = app.logger
        app.onRunning = { office in
            if isatty(STDOUT_FILENO) == 1 {
                FileHandle.standardOutput.write(Data(await banner.text(office).utf8))
            } else {
                // Under systemd or piped: one log line, the banner's essentials.
                var metadata: Logger.Metadata = ["guichet.url": "\(banner.scheme)://\(host):\(port)/", "guichet.database": "\(options.databasePath)"]
                if let fingerprint = office.network.certificateFingerprint { metadata["guichet.tls.fingerprint"] = "\(fingerprint)" }
                logger.notice("guichet serving \(office.config.structure.name)", metadata: metadata)
            }
            // systemd's Type=notify: ready once the socket is bound (the unit's dependants may start).
            SystemdNotify.send("READY=1\nSTATUS=serving \(office.config.structure.name) on port \(port)")
        }
        let daemon = try await buildDaemon(config: config, options: app)
        try await runUntilSignalled(daemon.app, stoppingFirst: daemon.stoppingFirst + [StoppingNotice()], logger: app.logger)
    }
}

enum VisioRoom: String, ExpressibleByArgument, CaseIterable {
    case here, remote
}

/// What `serve` prints once it listens: where each face of the daemon is.
struct Banner {
    let scheme: String
    let host: String
    let port: Int
    let data: String
    let databasePath: String

    func text(_ office: Office) async -> String {
        let shownHost = host == "0.0.0.0" ? "127.0.0.1" : host
        let noAgent = ((try? await office.database.agentCount()) ?? 0) == 0
        let visioStation = office.structure.stations.first { $0.visio }?.id ?? "visio"
        let stationLines = office.stations.keys.sorted().map { id in
            // Its pages answer only to the browser `guichet station` launches with a ticket; the
            // station's PC proves itself with its enrolment (here, through the database).
            let label = "Station \(id):".padding(toLength: 18, withPad: " ", startingAt: 0)
            return "  \(label)guichet station enrol --station \(id) --data \(data) --server \(scheme)://\(shownHost):\(port)"
                + ", then guichet station --station \(id) --data \(data)   (or --print-ticket: a one-time link for any browser)\n"
        }.joined()
        return """
            Guichet is running for \(office.config.structure.name)
              Home page:        \(scheme)://\(shownHost):\(port)/
              Agents' console:  \(scheme)://\(shownHost):\(port)/console
            \(stationLines)  Visio:            \(scheme)://\(shownHost):\(port)/console/visio (links, waiting room), room screen /salle/\(visioStation)
              Health:           \(scheme)://\(shownHost):\(port)/healthz
              API description:  \(scheme)://\(shownHost):\(port)/openapi.json
              Opening hours:    \(scheme)://\(shownHost):\(port)/api/v1/opening-hours
              Public calendar:  \(scheme)://\(shownHost):\(port)/calendars/public.ics
              Database:         \(databasePath)
            \(office.network.certificateFingerprint.map { "  TLS certificate:  \($0)\n" } ?? "")\(noAgent ? "No console account yet: create the first manager with\n  guichet agent add LOGIN --name \"Your Name\" --manager --data \(data)\n" : "")Stop with Ctrl-C.

            """
    }
}
