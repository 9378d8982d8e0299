import Agenda
import DeviceLink
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import Logging
import Media
import NIOSSL
import OfficeKit
import Synchronization
import Visio

/// How `guichet room` runs the confidential room's PC.
public struct RoomRoleOptions: Sendable {
    public var station: String
    public var identity: DeviceIdentity
    public var server: String?
    public var media: MediaSettings
    /// The room's screen for this PC's own browser, on 127.0.0.1 (0: none).
    public var screenPort = 8091
    public var logger = Logger(label: "guichet.room")

    public init(station: String, identity: DeviceIdentity, media: MediaSettings) {
        (self.station, self.identity, self.media) = (station, identity, media)
    }
}

/// The room's PC: its camera, microphone, screen and speaker in each call's GStreamer
/// pipeline, driven by the server over the room's link. The link reconnects on its own; the
/// calls' media go on while it is down (they flow straight to the specialist's browser).
public func runRoom(options: RoomRoleOptions) async throws {
    let server = options.server ?? options.identity.server
    guard var address = URLComponents(string: server), let scheme = address.scheme else {
        throw StationRoleError(description: "not a server address: \(server)")
    }
    address.scheme = scheme == "https" ? "wss" : "ws"
    address.path = "/salle/\(options.station)/ws"
    let url = address.string ?? ""
    var tls: TLSConfiguration?
    if scheme == "https" {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let pem = options.identity.pinnedCertificate {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
            configuration.certificateVerification = .noHostnameVerification
        }
        tls = configuration
    }
    var client = WebSocketClientConfiguration(maxFrameSize: RoomLinkCoding.maximumBytes)
    // A LAN server is often reached by its address, which TLS cannot name (SNI takes names
    // only); the certificate itself is pinned, so the name sent does not matter.
    if let host = address.host, host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) { client.sniHostname = "guichet.lan" }
    client.additionalHeaders[.authorization] = "Bearer \(options.identity.credential)"
    let room = RoomRunner(media: options.media, logger: options.logger)
    for (preset, error) in MediaPeer.warmUp(options.media, presets: VideoCodec.allCases.map(\.preset)) {
        options.logger.error("the room's pipeline cannot be built", metadata: ["preset": "\(preset)", "error": "\(error)"])
    }
    let screen: Task<Void, Never>? = options.screenPort == 0 ? nil : Task {
        do {
            let client = try DeviceClient(identity: options.identity, server: options.server)
            try await RoomScreen.application(
                station: options.station, client: client, port: options.screenPort, metrics: room.metrics, logger: options.logger
            ).runService()
        } catch {
            options.logger.error("the room's screen cannot run: \(error)")
        }
    }
    let counting = Task {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            room.reportCounters()
        }
    }
    defer {
        screen?.cancel()
        counting.cancel()
        room.stopAll()
    }
    var wait = 1
    while !Task.isCancelled {
        let opened = Mutex(false)
        options.logger.debug("opening the room's link to \(url)")
        do {
            try await WebSocketClient.connect(url: url, configuration: client, tlsConfiguration: tls, logger: options.logger) { inbound, outbound, _ in
                opened.withLock { $0 = true }
                let (reports, send) = AsyncStream<RoomReport>.makeStream()
                room.attach { send.yield($0) }
                options.logger.notice("the room's link to \(server) is open")
                let writer = Task {
                    let encoder = JSONEncoder()
                    for await report in reports {
                        guard let data = try? encoder.encode(report) else { continue }
                        try? await outbound.write(.text(String(decoding: data, as: UTF8.self)))
                    }
                }
                send.yield(.hello(calls: room.calls))
                let decoder = JSONDecoder()
                for try await message in inbound.messages(maxSize: RoomLinkCoding.maximumBytes) {
                    guard case .text(let text) = message, let command = try? decoder.decode(RoomCommand.self, from: Data(text.utf8)) else { continue }
                    room.handle(command)
                }
                room.detach()
                send.finish()
                _ = await writer.result
            }
            options.logger.warning("the room's link closed; the calls in progress go on")
        } catch {
            options.logger.warning("the room's link is down (\(error)); the calls in progress go on")
        }
        // Again at once after a link that worked; otherwise wait a little longer each time, up to 5 s.
        wait = opened.withLock { $0 } ? 1 : min(wait * 2, 5)
        options.logger.debug("next try in \(wait) s")
        try? await Task.sleep(for: .seconds(wait))
    }
    options.logger.notice("the room's engine stops (cancelled: \(Task.isCancelled))")
}

/// The room's pipelines, by call; what they say goes to the server while a link is open.
final class RoomRunner: Sendable {
    let media: MediaSettings
    let logger: Logger
    /// The room PC's own `/metrics` (on its screen's loopback port): each call's network.
    let metrics = OfficeMetrics()
    private let peers = Mutex<[String: MediaPeer]>([:])
    private let link = Mutex<(@Sendable (RoomReport) -> Void)?>(nil)

    init(media: MediaSettings, logger: Logger) {
        self.media = media
        self.logger = logger
    }

    var calls: [String] { peers.withLock { Array($0.keys) } }

    func attach(_ send: @escaping @Sendable (RoomReport) -> Void) { link.withLock { $0 = send } }
    func detach() { link.withLock { $0 = nil } }

    private func report(_ report: RoomReport) { link.withLock { $0 }?(report) }

    func handle(_ command: RoomCommand) {
        let call = command.call
        switch command {
        case .start(_, let stun, let turn, let preset, let conference, let seat):
            var settings = media
            (settings.stunServer, settings.turnServer) = (stun, turn)
            // The server names one of the presets this build has; MediaPeer refuses any other.
            if let preset { settings.preset = preset }
            do {
                if let conference, let seat { settings.conference = try ConferenceSeat(room: conference, seat: seat) }
                let peer = try MediaPeer(settings: settings) { [weak self] event in self?.forward(call, event) }
                peers.withLock { $0[call]?.stop(reason: nil); $0[call] = peer }
                try peer.start(offerer: true)
                logger.info("call started", metadata: ["call": "\(call)"])
            } catch {
                logger.error("the call's pipeline cannot start", metadata: ["call": "\(call)", "error": "\(error)"])
                report(.event(call: call, event: .failedToStart(why: "\(error)")))
            }
        case .createOffer:
            peers.withLock { $0[call] }?.createOffer()
        case .remoteDescription(_, let sdp):
            do { try peers.withLock { $0[call] }?.setRemoteDescription(sdp, isAnswer: true) } catch {
                logger.warning("answer refused", metadata: ["call": "\(call)"])
            }
        case .candidate(_, let mline, let candidate):
            try? peers.withLock { $0[call] }?.addCandidate(mline: UInt32(clamping: mline), candidate)
        case .stop:
            peers.withLock { $0.removeValue(forKey: call) }?.stop(reason: nil)
            logger.info("call ended", metadata: ["call": "\(call)"])
        }
    }

    private func forward(_ call: String, _ event: MediaEvent) {
        let mapped: RoomMediaEvent
        switch event {
        case .negotiationNeeded: mapped = .negotiationNeeded
        case .iceCandidate(let mline, let candidate): mapped = .iceCandidate(mline: Int(mline), candidate: candidate)
        case .localDescription(let sdp): mapped = .localDescription(sdp: sdp)
        case .remoteMedia(let kind): mapped = .remoteMedia(kind: kind)
        case .chat(let text): mapped = .chat(text: text)
        case .quality(let q): mapped = .quality(videoKbps: q.videoKbps, width: q.width, height: q.height, video: q.video, reduced: q.reduced)
        case .ended(let why):
            _ = peers.withLock { $0.removeValue(forKey: call) }
            mapped = .ended(why: why)
        case .network(let loss, let roundTrip):
            // The room's own `/metrics` (its screen's port); the server has no use for each second's figures.
            metrics.visioNetwork(roundTrip: roundTrip, loss: loss)
            return
        case .iceState: return
        }
        report(.event(call: call, event: mapped))
    }

    func reportCounters() {
        for (call, peer) in peers.withLock({ $0 }) {
            report(.counters(call: call, video: peer.videoFrames, audio: peer.audioBuffers))
        }
    }

    func stopAll() {
        for peer in peers.withLock({ p in defer { p = [:] }; return Array(p.values) }) { peer.stop(reason: nil) }
    }
}
