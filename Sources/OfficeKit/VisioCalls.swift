import Agenda
import Foundation
import Logging
import Media
import Store
import Visio

/// The visio calls in progress, by booking. Each call's rules are a `CallMachine` (a value);
/// this actor feeds it the specialist's messages, the agent's decisions and the room's media
/// events, and carries out the actions it returns: the socket, the media engine (the room is
/// always the offerer) and the call's record.
public actor VisioCalls {
    /// One call: its machine and the I/O it drives.
    struct Call {
        let booking: Booking
        let since: Date
        var machine: CallMachine
        var send: @Sendable (OutgoingSignal) -> Void
        var close: @Sendable () -> Void
        var peer: (any RoomPeer)?
        /// Ends the task that carries this peer's events into the actor.
        var events: Task<Void, Never>?
        var row: Int64?
        var budget = MessageBudget()
        /// What the room sends now, when the engine had to adapt to the network.
        var quality: SendQuality?
        /// Wall-clock time (not the daemon's test clock) of the first remote video frame: the benchmark's mark.
        var firstVideoAt: Date?
        /// Other devices that opened the link while the call's connection lived: refused, kept
        /// open (the agent sees them) until they leave or the call ends.
        var others: [UUID: OtherDevice] = [:]
    }

    struct OtherDevice {
        let send: @Sendable (OutgoingSignal) -> Void
        let close: @Sendable () -> Void
        var budget = MessageBudget()
    }

    private var calls: [String: Call] = [:]
    private var version = 0
    /// Record writes in flight, awaited by `endAll` so the daemon stops with every call closed.
    private var writes: [Task<Void, Never>] = []
    private let database: AppDatabase
    public nonisolated let media: MediaSettings
    private let ice: IceConfiguration
    private let codec: VideoCodecChoice
    private let clock: @Sendable () -> Date
    private let logger = Logger(label: "guichet.visio")
    /// Where each call's media engine runs: here, or on the room's own PC.
    public nonisolated let engine: any RoomEngine

    public init(
        database: AppDatabase, media: MediaSettings, ice: IceConfiguration, codec: VideoCodecChoice = .auto, engine: any RoomEngine = LocalRoomEngine(),
        clock: @escaping @Sendable () -> Date
    ) {
        self.database = database
        self.media = media
        self.ice = ice
        self.codec = codec
        self.engine = engine
        self.clock = clock
    }

    /// Who waits or talks, for the console and the room's screen.
    public struct Presence: Sendable {
        public let booking: Booking
        public let since: Date
        public let phase: CallMachine.Phase
        public let admitted: Bool
        public let connected: Bool
        public let remoteMedia: [String]
        public let messages: [String]
        public let quality: SendQuality?
        public let firstVideoAt: Date?
        /// Devices refused because the link is in use (one specialist per link).
        public let otherDevices: Int
    }

    public func presences() -> [Presence] {
        calls.values.sorted { $0.since < $1.since }.map {
            var connected = true
            if case .reconnecting = $0.machine.phase { connected = false }
            return Presence(
                booking: $0.booking, since: $0.since, phase: $0.machine.phase, admitted: $0.machine.admitted, connected: connected,
                remoteMedia: $0.machine.remoteMedia.sorted(), messages: $0.machine.messages, quality: $0.quality, firstVideoAt: $0.firstVideoAt,
                otherDevices: $0.others.count)
        }
    }

    /// The picture size the room sends; the specialist's page asks its camera for the same.
    public nonisolated var videoSize: (width: Int, height: Int) { (media.width, media.height) }

    /// Changes whenever a call's state does: the room's screen reloads on a change.
    public func stateVersion() -> Int { version }

    // MARK: events in

    /// The specialist connected: to the waiting room. A connection replacing a lost one takes
    /// the call up again (at once with a fresh offer when admitted); a second device while the
    /// call's connection lives is refused (`link_in_use`).
    public func connected(
        _ booking: Booking, connection: UUID, send: @escaping @Sendable (OutgoingSignal) -> Void, close: @escaping @Sendable () -> Void
    ) {
        if calls[booking.id] != nil {
            // The old socket's closing belongs to the old closures; then the new ones take over.
            handle(booking.id, .connected(connection)) { call in
                if call.machine.connection == connection {
                    call.send = send
                    call.close = close
                    call.budget = MessageBudget()
                } else {
                    call.others[connection] = OtherDevice(send: send, close: close)
                }
            }
            return
        }
        let (machine, actions) = CallMachine.start(connection: connection)
        calls[booking.id] = Call(booking: booking, since: clock(), machine: machine, send: send, close: close)
        version &+= 1
        perform(actions, for: booking.id)
    }

    public func disconnected(_ bookingID: String, connection: UUID) {
        if calls[bookingID]?.others.removeValue(forKey: connection) != nil {
            version &+= 1
            return
        }
        handle(bookingID, .disconnected(connection))
    }

    /// The agent admits the specialist: the room's engine starts and makes the offer.
    public func admit(_ bookingID: String) throws {
        guard calls[bookingID] != nil else { throw VisioError.notWaiting }
        handle(bookingID, .admitted)
    }

    /// The room hangs up (the usager's big button, or the agent).
    public func hangUp(_ bookingID: String) {
        handle(bookingID, .roomHungUp)
    }

    /// A message from the specialist: validated, then routed; a refusal never disturbs the call.
    public func received(_ bookingID: String, connection: UUID, _ text: String) {
        guard var call = calls[bookingID] else { return }
        if var other = call.others[connection] {
            // A refused device hears the same refusal, within its own budget.
            if other.budget.spend(at: clock()) { other.send(.refusal(.linkInUse)) }
            calls[bookingID]?.others[connection] = other
            return
        }
        guard call.machine.connection == connection else { return }
        let allowed = call.budget.spend(at: clock())
        calls[bookingID] = call
        guard allowed else { return call.send(.refusal(.flood)) }
        do {
            handle(bookingID, .received(try IncomingSignal.parse(text)))
        } catch {
            call.send(.refusal(error))
        }
    }

    /// Ends every call (the daemon stops), their records closed before it returns. A room on
    /// its own PC keeps its pipelines: the media go on peer to peer, and the call is taken up
    /// again when the server is back (`adopt`).
    public func endAll() async {
        let roomGoesOn = engine is RemoteRoomEngine
        if roomGoesOn {
            for id in Array(calls.keys) {
                calls[id]?.events?.cancel()
                calls[id]?.peer = nil
            }
        }
        for id in Array(calls.keys) { handle(id, .daemonStopping(roomGoesOn: roomGoesOn)) }
        let pending = writes
        writes = []
        for write in pending { await write.value }
    }

    /// A media event of the peer started for `connection` (events of a replaced peer are stale).
    private func mediaEvent(_ bookingID: String, connection: UUID, _ event: MediaEvent) {
        guard let call = calls[bookingID], call.machine.connection == connection else { return }
        switch event {
        case .negotiationNeeded: handle(bookingID, .media(.negotiationNeeded))
        case .localDescription(let sdp): handle(bookingID, .media(.localDescription(sdp: sdp)))
        case .iceCandidate(let mline, let candidate): handle(bookingID, .media(.candidate(mline: Int(mline), candidate: candidate)))
        case .remoteMedia(let kind):
            handle(bookingID, .media(.remoteMedia(kind: kind))) { call in
                if kind == "video", call.firstVideoAt == nil { call.firstVideoAt = Date() }
            }
        case .chat(let text): handle(bookingID, .media(.chat(text)))
        case .ended(let why):
            logger.warning("visio media ended", metadata: ["booking": "\(bookingID)", "why": "\(why)"])
            handle(bookingID, .media(.ended(why: why)))
        case .quality(let quality):
            // The console's weak-network notice clears once the room sends its full quality again.
            calls[bookingID]?.quality = quality.reduced ? quality : nil
            version &+= 1
        case .iceState: break
        }
    }

    /// Feeds the machine, applies `update` to the call's I/O, then carries out the actions.
    private func handle(_ bookingID: String, _ event: CallMachine.Event, update: (inout Call) -> Void = { _ in }) {
        guard var call = calls[bookingID] else { return }
        let before = call.machine
        let actions = call.machine.handle(event, now: clock())
        // Actions that close the old socket run with the old closures, before `update`.
        let closeOld = call.close
        update(&call)
        calls[bookingID] = call
        if call.machine != before { version &+= 1 }
        perform(actions, for: bookingID, oldClose: closeOld)
        if call.machine.isEnded, let ended = calls.removeValue(forKey: bookingID) {
            for other in ended.others.values { other.close() }
        }
    }

    // MARK: actions out

    /// `oldClose` closes the socket the machine's `closeConnection` means (the replaced one on a reconnection).
    private func perform(_ actions: [CallMachine.Action], for bookingID: String, oldClose: (@Sendable () -> Void)? = nil) {
        for action in actions {
            guard let call = calls[bookingID] else { return }
            switch action {
            case .send(let message): call.send(message)
            case .sendAdmitted: call.send(.admitted(iceServers: iceServers(call.booking)))
            case .closeConnection: (oldClose ?? call.close)()
            case .refuseDevice(let socket):
                call.others[socket]?.send(.refusal(.linkInUse))
                version &+= 1
            case .startMedia:
                do { try startMedia(bookingID) } catch {
                    logger.error("visio: the room's media cannot start", metadata: ["booking": "\(bookingID)", "error": "\(error)"])
                    handle(bookingID, .media(.failedToStart))
                }
            case .stopMedia:
                call.events?.cancel()
                call.peer?.stop(reason: nil)
                calls[bookingID]?.peer = nil
                calls[bookingID]?.events = nil
            case .createOffer: call.peer?.createOffer()
            case .applyAnswer(let sdp):
                do { try call.peer?.setRemoteDescription(sdp, isAnswer: true) } catch { call.send(.refusal(.malformed("answer refused"))) }
            case .addCandidate(let mline, let candidate):
                do { try call.peer?.addCandidate(mline: UInt32(mline), candidate) } catch { call.send(.refusal(.malformed("candidate refused"))) }
            case .startGrace(let socket):
                // The one timer of a lost call; a new socket makes it a no-op.
                Task {
                    try? await Task.sleep(for: .seconds(CallMachine.reconnectGrace))
                    self.handle(bookingID, .graceOver(socket))
                }
            case .recordStart:
                let booking = call.booking
                record {
                    let row = try? await self.database.visioCallStarted(booking: booking, at: self.clock())
                    await self.setRow(bookingID, row)
                }
            case .recordEnd(let outcome):
                logger.info("visio call ended", metadata: ["booking": "\(bookingID)", "outcome": "\(outcome)"])
                if let row = call.row { record { try? await self.database.visioCallEnded(id: row, at: self.clock(), outcome: outcome) } }
            }
        }
    }

    private func record(_ write: @escaping @Sendable () async -> Void) {
        writes.removeAll { $0.isCancelled }
        writes.append(Task { await write() })
    }

    private func iceServers(_ booking: Booking) -> [IceServer] {
        // TURN credentials that die an hour after the slot.
        ice.servers(validUntil: booking.span.end.addingTimeInterval(3600))
    }

    /// Builds the room's pipeline, tells the specialist, starts it. Its events reach the actor
    /// in order through one stream, tagged with the socket they were started for.
    private func startMedia(_ bookingID: String) throws {
        guard let call = calls[bookingID] else { return }
        let servers = iceServers(call.booking)
        var settings = media
        settings.stunServer = servers.first { $0.urls.hasPrefix("stun:") }?.gstreamerURL
        settings.turnServer = servers.first { $0.urls.hasPrefix("turn") }?.gstreamerURL
        settings.preset = codec.codec(browserPrefers: call.machine.browserCodecs).preset
        let connection = call.machine.connection
        let (stream, continuation) = AsyncStream<MediaEvent>.makeStream()
        let peer = try engine.makePeer(call: bookingID, station: call.booking.station ?? "", settings: settings) { continuation.yield($0) }
        let events = Task { [weak self] in
            for await event in stream { await self?.mediaEvent(bookingID, connection: connection, event) }
        }
        calls[bookingID]?.peer = peer
        calls[bookingID]?.events = events
        call.send(.admitted(iceServers: servers))
        try peer.start(offerer: true)
    }

    private func setRow(_ bookingID: String, _ row: Int64?) {
        guard let row else { return }
        if calls[bookingID] != nil {
            calls[bookingID]?.row = row
        } else {
            // The call ended before its row was written.
            record { try? await self.database.visioCallEnded(id: row, at: self.clock(), outcome: "ended-early") }
        }
    }

    // MARK: the room's counters

    /// The room's counters, for the room's screen and the tests.
    public func frames(_ bookingID: String) -> (video: Int64, audio: Int64)? {
        calls[bookingID]?.peer.map { ($0.videoFrames, $0.audioBuffers) }
    }

    /// Benchmark only: glass-to-glass latencies of the specialist's pictures since the last call.
    public func stampLatencies(_ bookingID: String) -> [Double] {
        calls[bookingID]?.peer?.stampLatencies() ?? []
    }

    /// Loads GStreamer and each codec's plugins once at start (pipelines built and dropped,
    /// devices untouched), so the first call of the day sets up as fast as the others.
    public func warmUp() {
        guard engine is LocalRoomEngine else { return }
        for (preset, error) in MediaPeer.warmUp(media, presets: VideoCodec.allCases.map(\.preset)) {
            logger.error("visio: the room's pipeline cannot be built", metadata: ["preset": "\(preset)", "error": "\(error)"])
        }
    }

    /// Closes the records of calls a crash or a kill left open (once, before any call is
    /// taken up again).
    public func recover() async {
        guard !recovered else { return }
        recovered = true
        try? await database.closeUnfinishedVisioCalls(at: clock())
    }

    private var recovered = false

    /// The room's PC still runs this call after the server restarted: it is taken up again
    /// (admitted, its record reopened) and waits for the specialist's page to reconnect.
    /// False when the booking is no visio of this room's now: the room then stops it.
    public func adopt(_ bookingID: String, station: String) async -> Bool {
        await recover()
        guard let booking = try? await database.booking(id: bookingID), booking.kind == .visio,
            booking.station == station, booking.status != .cancelled, clock() <= booking.span.end.addingTimeInterval(600)
        else { return false }
        if let existing = calls[bookingID] {
            // The page came back first and waits: in again at once, with a fresh offer.
            guard !existing.machine.admitted else { return true }
            handle(bookingID, .resumedByRoom)
            setRow(bookingID, try? await database.visioCallResumed(booking: bookingID, now: clock()))
            logger.notice("visio call taken up again after a restart", metadata: ["booking": "\(bookingID)"])
            return true
        }
        let (machine, actions) = CallMachine.resumed(now: clock())
        calls[bookingID] = Call(booking: booking, since: clock(), machine: machine, send: { _ in }, close: {})
        // The running pipeline, known to the engine so that the next stop reaches it.
        do {
            calls[bookingID]?.peer = try engine.makePeer(call: bookingID, station: station, settings: media) { _ in }
        } catch {
            calls[bookingID] = nil
            return false
        }
        version &+= 1
        perform(actions, for: bookingID)
        let row = try? await database.visioCallResumed(booking: bookingID, now: clock())
        setRow(bookingID, row)
        logger.notice("visio call taken up again after a restart", metadata: ["booking": "\(bookingID)"])
        return true
    }
}

public enum VisioError: Error, Equatable {
    case notWaiting
}
