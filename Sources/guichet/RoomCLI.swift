import App
import ArgumentParser
import DeviceLink
import Foundation
import Logging
import Media

/// `guichet room`: the confidential room's PC — `enrol` once, then `run` (the default).
struct RoomCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "The confidential room's visio PC: enrol it with the server once, then run its media engine.",
        subcommands: [RoomRun.self, RoomEnrol.self],
        defaultSubcommand: RoomRun.self)
}

struct RoomRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the room's visio engine (camera, microphone, screen, speaker), driven by the server (`guichet serve --visio-room remote`).",
        discussion: """
            Connects to the server's room link with this PC's credential and builds each call's GStreamer pipeline when the \
            agent admits the specialist; the media flow straight between this PC and the specialist's browser. When the link \
            drops, the calls in progress go on and the link is opened again. The room's screen is at \
            http://127.0.0.1:8091/salle/visio for this PC's browser (kiosk mode, full screen).
            """)

    @Option(help: "The room's station id in the configuration (a visio station).")
    var station = "visio"

    @Option(help: "This PC's data folder, where its enrolment (devices/STATION.json) is kept.")
    var data = "data"

    @Option(help: "The server's address (default: the one the room was enrolled with).")
    var server: String?

    @Option(help: "The room's screen for this PC's browser, at http://127.0.0.1:PORT/salle/STATION (0: none).")
    var screenPort = 8091

    @OptionGroup var visio: VisioOptions

    @OptionGroup var log: LogOptions

    func run() async throws {
        log.bootstrap()
        let identity = try DeviceIdentity.load(data: URL(fileURLWithPath: data), device: station)
        guard identity.kind == "room" else { throw ValidationError("\(station) was enrolled as a \(identity.kind), not as the room") }
        var logger = Logger(label: "guichet.room")
        if ProcessInfo.processInfo.environment["GUICHET_ROOM_TRACE"] != nil { logger.logLevel = .debug }
        var media = try visio.settings(logger)
        media.dtlsCertificate = try DTLSCertificate.room(in: URL(fileURLWithPath: data).appendingPathComponent("visio"))
        var options = RoomRoleOptions(station: station, identity: identity, media: media)
        (options.server, options.logger, options.screenPort) = (server, logger, screenPort)
        try await runRoom(options: options)
    }
}
