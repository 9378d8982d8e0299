import Foundation
import Logging
import Media
import Synchronization
import Visio

/// One call's media engine at the room, as `VisioCalls` drives it: in this process (the
/// room's PC is the server's), or on the room's own PC over its link.
public protocol RoomPeer: AnyObject, Sendable {
    func start(offerer: Bool) throws
    /// Starts as the offerer with what it would send held back until `release()`.
    func prepare() throws
    func release()
    func createOffer()
    func setRemoteDescription(_ sdp: String, isAnswer: Bool) throws
    func addCandidate(mline: UInt32, _ candidate: String) throws
    func stop(reason: String?)
    /// Frames of remote video and buffers of remote audio that reached the room's sinks.
    var videoFrames: Int64 { get }
    var audioBuffers: Int64 { get }
    func stampLatencies() -> [Double]
}

extension MediaPeer: RoomPeer {}

/// Makes the room's engine for a call.
public protocol RoomEngine: Sendable {
    /// Whether a call's media may start while the specialist waits (`CallMachine.mediaPrepared`).
    var preparesMedia: Bool { get }
    func makePeer(call: String, station: String, settings: MediaSettings, onEvent: @escaping @Sendable (MediaEvent) -> Void) throws -> any RoomPeer
}

/// The room's camera and screen are the server's own.
public struct LocalRoomEngine: RoomEngine {
    public init() {}

    public var preparesMedia: Bool { true }

    public func makePeer(call: String, station: String, settings: MediaSettings, onEvent: @escaping @Sendable (MediaEvent) -> Void) throws -> any RoomPeer {
        try MediaPeer(settings: settings, onEvent: onEvent)
    }
}

public enum RoomLinkError: Error, Equatable {
    /// The room's PC is not connected: the call cannot start its media.
    case roomNotConnected(String)
    /// The room's PC starts a call's media at admission only (`RemoteRoomEngine.preparesMedia`).
    case notPreparable
}

/// The room's PC runs the engine (`guichet room`): each call's commands go over the room's
/// link, its events come back. A link that drops ends no call: the room keeps its pipelines
/// and says which still run when it connects again.
public final class RemoteRoomEngine: RoomEngine {
    struct Link {
        let id: UUID
        let send: @Sendable (RoomCommand) -> Void
    }

    private let links = Mutex<[String: Link]>([:])
    private let peers = Mutex<[String: RemoteRoomPeer]>([:])
    private let adopter = Mutex<(@Sendable (String, String) async -> Bool)?>(nil)
    private let logger = Logger(label: "guichet.visio.room")

    public init() {}

    /// Not yet: a pipeline the room's PC prepared would be taken for a running call after a
    /// restart of the server (`hello`).
    public var preparesMedia: Bool { false }

    /// Who takes up a call the room still runs but this server does not know (it restarted).
    public func setAdopter(_ adopt: @escaping @Sendable (_ call: String, _ station: String) async -> Bool) {
        adopter.withLock { $0 = adopt }
    }

    /// A room's PC connected; the previous link of the same room, if any, is replaced.
    public func connected(station: String, id: UUID, send: @escaping @Sendable (RoomCommand) -> Void) {
        links.withLock { $0[station] = Link(id: id, send: send) }
        logger.info("room connected", metadata: ["station": "\(station)"])
    }

    public func disconnected(station: String, id: UUID) {
        links.withLock { if $0[station]?.id == id { $0[station] = nil } }
        logger.warning("room link lost", metadata: ["station": "\(station)"])
    }

    public func isConnected(station: String) -> Bool { links.withLock { $0[station] != nil } }

    /// A room's report: an event of one of its calls, or its counters.
    public func received(station: String, _ report: RoomReport) {
        switch report {
        case .hello(let running):
            // Calls the room still runs but this server does not know: taken up again after a
            // restart, or stopped (ended meanwhile).
            let known = peers.withLock { Set($0.keys) }
            let adopt = adopter.withLock { $0 }
            for call in running where !known.contains(call) {
                Task {
                    if await adopt?(call, station) != true { self.send(station: station, .stop(call: call)) }
                }
            }
        case .event(let call, let event):
            peers.withLock { $0[call] }?.deliver(event)
        case .counters(let call, let video, let audio):
            peers.withLock { $0[call] }?.count(video: video, audio: audio)
        }
    }

    func send(station: String, _ command: RoomCommand) {
        links.withLock { $0[station] }?.send(command)
    }

    func forget(_ call: String) {
        _ = peers.withLock { $0.removeValue(forKey: call) }
    }

    public func makePeer(call: String, station: String, settings: MediaSettings, onEvent: @escaping @Sendable (MediaEvent) -> Void) throws -> any RoomPeer {
        guard isConnected(station: station) else { throw RoomLinkError.roomNotConnected(station) }
        let peer = RemoteRoomPeer(call: call, station: station, settings: settings, engine: self, onEvent: onEvent)
        peers.withLock { $0[call] = peer }
        return peer
    }
}

/// A call's engine on the room's PC, seen from the server.
final class RemoteRoomPeer: RoomPeer {
    let call: String
    let station: String
    let settings: MediaSettings
    let engine: RemoteRoomEngine
    let onEvent: @Sendable (MediaEvent) -> Void
    private let counters = Mutex<(video: Int64, audio: Int64)>((0, 0))

    init(call: String, station: String, settings: MediaSettings, engine: RemoteRoomEngine, onEvent: @escaping @Sendable (MediaEvent) -> Void) {
        (self.call, self.station, self.settings, self.engine, self.onEvent) = (call, station, settings, engine, onEvent)
    }

    private func send(_ command: RoomCommand) { engine.send(station: station, command) }

    func start(offerer: Bool) throws {
        send(
            .start(
                call: call, stun: settings.stunServer, turn: settings.turnServer, preset: settings.preset, conference: settings.conference?.room,
                seat: settings.conference?.seat))
    }
    func prepare() throws { throw RoomLinkError.notPreparable }
    func release() {}
    func createOffer() { send(.createOffer(call: call)) }
    func setRemoteDescription(_ sdp: String, isAnswer: Bool) throws { send(.remoteDescription(call: call, sdp: sdp)) }
    func addCandidate(mline: UInt32, _ candidate: String) throws { send(.candidate(call: call, mline: Int(mline), candidate: candidate)) }

    func stop(reason: String?) {
        send(.stop(call: call))
        engine.forget(call)
    }

    var videoFrames: Int64 { counters.withLock { $0.video } }
    var audioBuffers: Int64 { counters.withLock { $0.audio } }
    func stampLatencies() -> [Double] { [] }

    func count(video: Int64, audio: Int64) { counters.withLock { $0 = (video, audio) } }

    func deliver(_ event: RoomMediaEvent) {
        switch event {
        case .negotiationNeeded: onEvent(.negotiationNeeded)
        case .iceCandidate(let mline, let candidate): onEvent(.iceCandidate(mline: UInt32(clamping: mline), candidate: candidate))
        case .localDescription(let sdp): onEvent(.localDescription(sdp: sdp))
        case .remoteMedia(let kind): onEvent(.remoteMedia(kind))
        case .chat(let text): onEvent(.chat(text))
        case .quality(let kbps, let width, let height, let video, let reduced):
            onEvent(.quality(SendQuality(videoKbps: kbps, width: width, height: height, video: video, reduced: reduced ?? true)))
        case .ended(let why), .failedToStart(let why): onEvent(.ended(why))
        }
    }
}
