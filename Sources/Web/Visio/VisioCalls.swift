import Agenda
import Foundation
import Logging
import Media
import Store
import Visio

/// The visio calls in progress, by booking: the specialist's signalling connection, the
/// waiting room, the agent's admission, and the room's media engine (always the offerer).
public actor VisioCalls {
    struct Call {
        let booking: Booking
        var connection: UUID
        let since: Date
        var send: @Sendable (SignalMessage) -> Void
        var close: @Sendable () -> Void
        var admitted = false
        var peer: MediaPeer?
        var row: Int64?
        var budget = MessageBudget()
        var remoteMedia: Set<String> = []
        /// Texts the specialist sent to the usager, shown on the room's screen during the call only.
        var messages: [String] = []
        /// Set while the specialist's connection is lost: the call waits for a reconnection.
        var lostAt: Date?
        /// What the room sends now, when the engine had to adapt to the network.
        var quality: SendQuality?
        /// Wall-clock time (not the daemon's test clock) of the first remote video frame: the benchmark's mark.
        var firstVideoAt: Date?
    }

    /// How long an admitted call waits for a specialist whose connection dropped (a network
    /// change, a reload) before it ends.
    static let reconnectGrace: TimeInterval = 20

    private var calls: [String: Call] = [:]
    private var version = 0
    private let database: AppDatabase
    nonisolated let media: MediaSettings
    private let ice: IceConfiguration
    private let clock: @Sendable () -> Date
    private let logger = Logger(label: "guichet.visio")

    public init(database: AppDatabase, media: MediaSettings, ice: IceConfiguration, clock: @escaping @Sendable () -> Date) {
        self.database = database
        self.media = media
        self.ice = ice
        self.clock = clock
    }

    /// Who waits or talks, for the console and the room's screen.
    public struct Presence: Sendable {
        public let booking: Booking
        public let since: Date
        public let admitted: Bool
        public let connected: Bool
        public let remoteMedia: [String]
        public let messages: [String]
        public let quality: SendQuality?
        public let firstVideoAt: Date?
    }

    public func presences() -> [Presence] {
        calls.values.sorted { $0.since < $1.since }.map {
            Presence(
                booking: $0.booking, since: $0.since, admitted: $0.admitted, connected: $0.lostAt == nil, remoteMedia: $0.remoteMedia.sorted(),
                messages: $0.messages, quality: $0.quality, firstVideoAt: $0.firstVideoAt)
        }
    }

    /// The picture size the room sends; the specialist's page asks its camera for the same.
    public nonisolated var videoSize: (width: Int, height: Int) { (media.width, media.height) }

    /// Changes whenever a call's state does: the room's screen reloads on a change.
    public func stateVersion() -> Int { version }

    private func changed() { version &+= 1 }

    /// The specialist connected: to the waiting room. A new connection for the same booking
    /// replaces the old one; if the call was admitted it goes on at once with a fresh offer.
    func connected(_ booking: Booking, connection: UUID, send: @escaping @Sendable (SignalMessage) -> Void, close: @escaping @Sendable () -> Void) {
        defer { changed() }
        if var call = calls[booking.id] {
            call.peer?.stop(reason: nil)
            call.close()
            call.peer = nil
            call.connection = connection
            call.send = send
            call.close = close
            call.lostAt = nil
            call.budget = MessageBudget()
            call.remoteMedia = []
            calls[booking.id] = call
            if call.admitted {
                do { try startMedia(booking.id) } catch { end(booking.id, outcome: "media-failed") }
            } else {
                send(.waiting)
            }
            return
        }
        calls[booking.id] = Call(booking: booking, connection: connection, since: clock(), send: send, close: close)
        send(.waiting)
    }

    func disconnected(_ bookingID: String, connection: UUID) {
        guard var call = calls[bookingID], call.connection == connection else { return }  // else already replaced
        guard call.admitted else {
            end(bookingID, outcome: "specialist-left")
            return
        }
        call.lostAt = clock()
        calls[bookingID] = call
        changed()
        Task {
            try? await Task.sleep(for: .seconds(Self.reconnectGrace))
            self.endIfStillLost(bookingID, connection: connection)
        }
    }

    private func endIfStillLost(_ bookingID: String, connection: UUID) {
        guard let call = calls[bookingID], call.connection == connection, call.lostAt != nil else { return }
        end(bookingID, outcome: "specialist-lost")
    }

    /// The agent admits the specialist: the room's engine starts and makes the offer.
    public func admit(_ bookingID: String) throws {
        guard let call = calls[bookingID] else { throw VisioError.notWaiting }
        guard !call.admitted else { return }
        try startMedia(bookingID)
        calls[bookingID]?.admitted = true
        changed()
        let booking = call.booking
        Task {
            let row = try? await database.visioCallStarted(booking: booking, at: clock())
            self.setRow(bookingID, row)
        }
    }

    private func startMedia(_ bookingID: String) throws {
        guard var call = calls[bookingID] else { throw VisioError.notWaiting }
        // TURN credentials that die an hour after the slot.
        let iceServers = ice.servers(validUntil: call.booking.span.end.addingTimeInterval(3600))
        var settings = media
        settings.stunServer = iceServers.first { $0.urls.hasPrefix("stun:") }?.gstreamerURL
        settings.turnServer = iceServers.first { $0.urls.hasPrefix("turn") }?.gstreamerURL
        let connection = call.connection
        let peer = try MediaPeer(settings: settings) { [weak self] event in
            Task { await self?.mediaEvent(bookingID, peer: connection, event) }
        }
        call.peer = peer
        calls[bookingID] = call
        call.send(.admitted(iceServers: iceServers))
        try peer.start(offerer: true)
    }

    private func setRow(_ bookingID: String, _ row: Int64?) {
        guard let row else { return }
        if calls[bookingID] != nil {
            calls[bookingID]?.row = row
        } else {
            // The call ended before its row was written.
            Task { try? await database.visioCallEnded(id: row, at: clock(), outcome: "ended-early") }
        }
    }

    /// The room hangs up (the usager's big button, or the agent).
    public func hangUp(_ bookingID: String) {
        guard calls[bookingID] != nil else { return }
        calls[bookingID]?.send(.leave)
        end(bookingID, outcome: "room-hung-up")
    }

    private func end(_ bookingID: String, outcome: String) {
        guard let row = finish(bookingID, outcome: outcome) else { return }
        Task { try? await database.visioCallEnded(id: row, at: clock(), outcome: outcome) }
    }

    /// Stops the call's media and connection; the call's record row, if it has one, to close.
    private func finish(_ bookingID: String, outcome: String) -> Int64? {
        guard let call = calls.removeValue(forKey: bookingID) else { return nil }
        changed()
        call.peer?.stop(reason: nil)
        call.close()
        logger.info("visio call ended", metadata: ["booking": "\(bookingID)", "outcome": "\(outcome)"])
        return call.row
    }

    /// A message from the specialist: validated, then routed; a refusal never disturbs the call.
    func received(_ bookingID: String, connection: UUID, _ text: String) {
        guard var call = calls[bookingID], call.connection == connection else { return }
        let allowed = call.budget.spend(at: clock())
        calls[bookingID] = call
        guard allowed else { return call.send(.error(code: SignalError.flood.code, message: SignalError.flood.message)) }
        let message: SignalMessage
        do {
            message = try SignalMessage.parse(text)
        } catch {
            return call.send(.error(code: error.code, message: error.message))
        }
        switch message {
        case .join: call.send(call.admitted ? .admitted(iceServers: ice.servers(validUntil: call.booking.span.end.addingTimeInterval(3600))) : .waiting)
        case .answer(let sdp):
            guard let peer = call.peer else { return call.send(.error(code: "not_now", message: SignalError.notNow("no offer yet").message)) }
            do { try peer.setRemoteDescription(sdp, isAnswer: true) } catch {
                call.send(.error(code: "malformed", message: SignalError.malformed("answer refused").message))
            }
        case .candidate(let mline, let candidate):
            guard let peer = call.peer else { return call.send(.error(code: "not_now", message: SignalError.notNow("no call yet").message)) }
            do { try peer.addCandidate(mline: UInt32(mline), candidate) } catch {
                call.send(.error(code: "malformed", message: SignalError.malformed("candidate refused").message))
            }
        case .chat(let text):
            guard call.admitted else { return call.send(.error(code: "not_now", message: SignalError.notNow("not admitted").message)) }
            addMessage(bookingID, text)
        case .leave:
            end(bookingID, outcome: "specialist-hung-up")
        case .offer, .waiting, .admitted, .error:
            call.send(.error(code: "not_now", message: SignalError.notNow("the room makes the offer").message))
        }
    }

    private func addMessage(_ bookingID: String, _ text: String) {
        // Read, then write: an optional-chained assignment reading the same dictionary on its
        // right-hand side is an exclusivity violation.
        guard var call = calls[bookingID] else { return }
        call.messages = Array((call.messages + [text]).suffix(10))
        calls[bookingID] = call
        changed()
    }

    private func mediaEvent(_ bookingID: String, peer connection: UUID, _ event: MediaEvent) {
        // Events of a peer already replaced by a reconnection are stale.
        guard let call = calls[bookingID], call.connection == connection else { return }
        switch event {
        case .negotiationNeeded: call.peer?.createOffer()
        case .localDescription(let sdp): call.send(.offer(sdp: sdp))
        case .iceCandidate(let mline, let candidate): call.send(.candidate(mline: Int(mline), candidate: candidate))
        case .remoteMedia(let kind):
            calls[bookingID]?.remoteMedia.insert(kind)
            if kind == "video" { calls[bookingID]?.firstVideoAt = Date() }
            changed()
        case .chat(let text): addMessage(bookingID, String(text.prefix(2000)))
        case .ended(let why):
            logger.warning("visio media ended", metadata: ["booking": "\(bookingID)", "why": "\(why)"])
            call.send(.error(code: "call_ended", message: "L’appel s’est interrompu : \(why)."))
            end(bookingID, outcome: "media-ended")
        case .quality(let quality):
            calls[bookingID]?.quality = quality
            changed()
        case .iceState: break
        }
    }

    /// The room's counters, for the room's screen and the tests.
    public func frames(_ bookingID: String) -> (video: Int64, audio: Int64)? {
        calls[bookingID]?.peer.map { ($0.videoFrames, $0.audioBuffers) }
    }

    /// Benchmark only: glass-to-glass latencies of the specialist's pictures since the last call.
    public func stampLatencies(_ bookingID: String) -> [Double] {
        calls[bookingID]?.peer?.stampLatencies() ?? []
    }

    /// Ends every call (the daemon stops), their records closed before it returns.
    public func endAll() async {
        for id in Array(calls.keys) {
            guard let row = finish(id, outcome: "daemon-stopped") else { continue }
            try? await database.visioCallEnded(id: row, at: clock(), outcome: "daemon-stopped")
        }
    }

    /// Loads GStreamer and the preset's plugins once at start (a pipeline built and dropped,
    /// devices untouched), so the first call of the day sets up as fast as the others.
    public func warmUp() {
        do { _ = try MediaPeer(settings: media) { _ in } } catch {
            logger.error("visio: the room's pipeline cannot be built", metadata: ["error": "\(error)"])
        }
    }

    /// Closes the records of calls a crash or a kill left open.
    public func recover() async {
        try? await database.closeUnfinishedVisioCalls(at: clock())
    }
}

public enum VisioError: Error, Equatable {
    case notWaiting
}
