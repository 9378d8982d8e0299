import Agenda
import Foundation
import Logging
import Media
import Store
import Visio

/// The visio calls in progress, by booking and seat (the specialist's, and the invited
/// participant's when the agent invited one: each its own call, link and connection). Each
/// call's rules are a `CallMachine` (a value); this actor feeds it the remote person's
/// messages, the agent's decisions and the room's media events, and carries out the actions it
/// returns: the socket, the media engine (the room is always the offerer) and the record.
public actor VisioCalls {
    /// One call: its machine and the I/O it drives.
    struct Call {
        let booking: Booking
        let seat: VisioSeat
        let since: Date
        /// A participant is invited: the room's media are a conference (each remote person sees
        /// and hears the room and the other), decided at each start of the media.
        var invited: Bool
        /// The running media are a conference's seat.
        var conference = false
        var machine: CallMachine
        var send: @Sendable (OutgoingSignal) -> Void
        var close: @Sendable () -> Void
        var peer: (any RoomPeer)?
        /// The codec preset of media prepared while the specialist waits (nil: none prepared).
        var preparedPreset: String?
        /// Ends the task that carries this peer's events into the actor.
        var events: Task<Void, Never>?
        var row: Int64?
        var budget = MessageBudget()
        /// What the room sends now, when the engine had to adapt to the network.
        var quality: SendQuality?
        /// Wall-clock time (not the daemon's test clock) of the first remote video frame: the benchmark's mark.
        var firstVideoAt: Date?
        /// When the media first started (the agent's admission): the metrics' setup and duration.
        var admittedAt: ContinuousClock.Instant?
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
    /// Calls that ended while their page was away (its connection lost, or the server
    /// restarted): what the page would have been told, for it to hear when it comes back
    /// within the reconnection grace — not the waiting room of a call that is over.
    private var endedWhileAway: [String: (message: OutgoingSignal, until: Date)] = [:]
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
    private let metrics: OfficeMetrics?

    public init(
        database: AppDatabase, media: MediaSettings, ice: IceConfiguration, codec: VideoCodecChoice = .auto, engine: any RoomEngine = LocalRoomEngine(),
        metrics: OfficeMetrics? = nil, clock: @escaping @Sendable () -> Date
    ) {
        self.metrics = metrics
        self.database = database
        self.media = media
        self.ice = ice
        self.codec = codec
        self.engine = engine
        self.clock = clock
    }

    /// The key of a seat's call: the booking's id for the specialist's (the room's PC and the
    /// records know calls by it), with "+guest" for the invited participant's.
    public static func key(_ bookingID: String, _ seat: VisioSeat) -> String {
        seat == .specialist ? bookingID : bookingID + "+guest"
    }

    /// Who waits or talks, for the console and the room's screen.
    public struct Presence: Sendable {
        public let booking: Booking
        public let seat: VisioSeat
        public let since: Date
        public let phase: CallMachine.Phase
        public let admitted: Bool
        public let connected: Bool
        public let remoteMedia: [String]
        public let messages: [String]
        public let quality: SendQuality?
        public let firstVideoAt: Date?
        /// The room's media are prepared and ready to offer (the specialist waits; the
        /// admission will cost no camera or encoder start).
        public let mediaReady: Bool
        /// Devices refused because the link is in use (one specialist per link).
        public let otherDevices: Int
    }

    public func presences() -> [Presence] {
        calls.values.sorted { $0.since < $1.since }.map {
            var connected = true
            if case .reconnecting = $0.machine.phase { connected = false }
            return Presence(
                booking: $0.booking, seat: $0.seat, since: $0.since, phase: $0.machine.phase, admitted: $0.machine.admitted, connected: connected,
                remoteMedia: $0.machine.remoteMedia.sorted(), messages: $0.machine.messages, quality: $0.quality, firstVideoAt: $0.firstVideoAt,
                mediaReady: $0.preparedPreset != nil && $0.machine.offerHeld, otherDevices: $0.others.count)
        }
    }

    /// The picture size the room sends; the specialist's page asks its camera for the same.
    public nonisolated var videoSize: (width: Int, height: Int) { (media.width, media.height) }

    /// Changes whenever a call's state does: the room's screen reloads on a change.
    public func stateVersion() -> Int { version }

    // MARK: events in

    /// A remote person connected (on their seat's link): to the waiting room. A connection
    /// replacing a lost one takes the call up again (at once with a fresh offer when admitted);
    /// a second device while the call's connection lives is refused (`link_in_use`).
    /// `invited`: the booking has an invited participant.
    public func connected(
        _ booking: Booking, seat: VisioSeat = .specialist, invited: Bool = false, connection: UUID,
        send: @escaping @Sendable (OutgoingSignal) -> Void, close: @escaping @Sendable () -> Void
    ) {
        let key = Self.key(booking.id, seat)
        endedWhileAway = endedWhileAway.filter { $0.value.until >= clock() }
        if calls[key] == nil, let away = endedWhileAway.removeValue(forKey: key) {
            send(away.message)
            close()
            return
        }
        if calls[key] != nil {
            calls[key]?.invited = invited || seat == .guest
            // The old socket's closing belongs to the old closures; then the new ones take over.
            handle(key, .connected(connection)) { call in
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
        calls[key] = Call(booking: booking, seat: seat, since: clock(), invited: invited || seat == .guest, machine: machine, send: send, close: close)
        version &+= 1
        perform(actions, for: key)
    }

    public func disconnected(_ key: String, connection: UUID) {
        if calls[key]?.others.removeValue(forKey: connection) != nil {
            version &+= 1
            return
        }
        handle(key, .disconnected(connection))
    }

    /// The agent admits the specialist (or the invited participant): the room's engine starts
    /// and makes the offer.
    public func admit(_ bookingID: String, seat: VisioSeat = .specialist) throws {
        let key = Self.key(bookingID, seat)
        guard calls[key] != nil else { throw VisioError.notWaiting }
        handle(key, .admitted)
    }

    /// The room hangs up (the usager's big button, or the agent): both seats.
    public func hangUp(_ bookingID: String) {
        for seat in VisioSeat.allCases { handle(Self.key(bookingID, seat), .roomHungUp) }
    }

    /// The agent invited a participant: the specialist's media become a conference when the
    /// participant's start (not before: a call alone keeps its lighter pipeline meanwhile).
    public func invited(_ bookingID: String) {
        calls[Self.key(bookingID, .specialist)]?.invited = true
    }

    /// The agent withdrew the invitation: the participant's call ends (its link no longer opens).
    public func withdrawn(_ bookingID: String) {
        calls[Self.key(bookingID, .specialist)]?.invited = false
        handle(Self.key(bookingID, .guest), .roomHungUp)
    }

    /// A message from the specialist: validated, then routed; a refusal never disturbs the call.
    public func received(_ key: String, connection: UUID, _ text: String) {
        guard var call = calls[key] else { return }
        if var other = call.others[connection] {
            // A refused device hears the same refusal, within its own budget.
            if other.budget.spend(at: clock()) { other.send(.refusal(.linkInUse)) }
            calls[key]?.others[connection] = other
            return
        }
        guard call.machine.connection == connection else { return }
        let allowed = call.budget.spend(at: clock())
        calls[key] = call
        guard allowed else { return call.send(.refusal(.flood)) }
        do {
            handle(key, .received(try IncomingSignal.parse(text)))
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
    private func mediaEvent(_ key: String, connection: UUID, _ event: MediaEvent) {
        guard let call = calls[key], call.machine.connection == connection else { return }
        switch event {
        case .negotiationNeeded: handle(key, .media(.negotiationNeeded))
        case .localDescription(let sdp): handle(key, .media(.localDescription(sdp: sdp)))
        case .iceCandidate(let mline, let candidate): handle(key, .media(.candidate(mline: Int(mline), candidate: candidate)))
        case .remoteMedia(let kind):
            handle(key, .media(.remoteMedia(kind: kind))) { call in
                if kind == "video", call.firstVideoAt == nil {
                    call.firstVideoAt = Date()
                    if let admitted = call.admittedAt { metrics?.visioSetup(ContinuousClock.now - admitted) }
                }
            }
        case .chat(let text): handle(key, .media(.chat(text)))
        case .ended(let why):
            logger.warning("visio media ended", metadata: ["booking": "\(key)", "why": "\(why)"])
            handle(key, .media(.ended(why: why)))
        case .quality(let quality):
            // The console's weak-network notice clears once the room sends its full quality again.
            calls[key]?.quality = quality.reduced ? quality : nil
            version &+= 1
        case .network(let loss, let roundTrip): metrics?.visioNetwork(roundTrip: roundTrip, loss: loss)
        case .iceState: break
        }
    }

    /// Feeds the machine, applies `update` to the call's I/O, then carries out the actions.
    private func handle(_ key: String, _ event: CallMachine.Event, update: (inout Call) -> Void = { _ in }) {
        guard var call = calls[key] else { return }
        let before = call.machine
        let actions = call.machine.handle(event, now: clock())
        // Actions that close the old socket run with the old closures, before `update`.
        let closeOld = call.close
        update(&call)
        calls[key] = call
        if call.machine != before { version &+= 1 }
        perform(actions, for: key, oldClose: closeOld)
        // (A grace that ran out means the page is gone: one that comes back later finds the waiting room.)
        if case .reconnecting = before.phase, call.machine.isEnded, event != .graceOver(before.connection),
            let message = actions.lazy.compactMap({ if case .send(let message) = $0 { message } else { nil } }).first
        {
            endedWhileAway[key] = (message, clock().addingTimeInterval(CallMachine.reconnectGrace))
        }
        if call.machine.isEnded, let ended = calls.removeValue(forKey: key) {
            for other in ended.others.values { other.close() }
        }
    }

    // MARK: actions out

    /// `oldClose` closes the socket the machine's `closeConnection` means (the replaced one on a reconnection).
    private func perform(_ actions: [CallMachine.Action], for key: String, oldClose: (@Sendable () -> Void)? = nil) {
        for action in actions {
            guard let call = calls[key] else { return }
            switch action {
            case .send(let message): call.send(message)
            case .sendAdmitted: call.send(.admitted(iceServers: iceServers(call.booking)))
            case .closeConnection: (oldClose ?? call.close)()
            case .refuseDevice(let socket):
                call.others[socket]?.send(.refusal(.linkInUse))
                version &+= 1
            case .startMedia: starting(key) { try self.startMedia(key) }
            case .prepareMedia:
                // Not while the room may still hold the previous appointment: a specialist who
                // joins early finds the camera started `preparesBefore` the slot.
                let wait = call.booking.span.start.addingTimeInterval(-Self.preparesBefore).timeIntervalSince(clock())
                guard wait > 0 else {
                    starting(key, what: "prepared") { try self.prepareMedia(key) }
                    continue
                }
                let connection = call.machine.connection
                Task {
                    try? await Task.sleep(for: .seconds(wait))
                    self.prepareIfStillWaiting(key, connection: connection)
                }
            case .usePreparedMedia(let offerNow): starting(key) { try self.usePreparedMedia(key, offerNow: offerNow) }
            case .stopMedia: stopMedia(key)
            case .createOffer: call.peer?.createOffer()
            case .applyAnswer(let sdp):
                do { try call.peer?.setRemoteDescription(sdp, isAnswer: true) } catch { call.send(.refusal(.malformed("answer refused"))) }
            case .addCandidate(let mline, let candidate):
                do { try call.peer?.addCandidate(mline: UInt32(mline), candidate) } catch { call.send(.refusal(.malformed("candidate refused"))) }
            case .startGrace(let socket):
                // The one timer of a lost call; a new socket makes it a no-op.
                Task {
                    try? await Task.sleep(for: .seconds(CallMachine.reconnectGrace))
                    self.handle(key, .graceOver(socket))
                }
            case .recordStart:
                // One record per visio: the specialist's; a participant joins it.
                guard call.seat == .specialist else { continue }
                let booking = call.booking
                record {
                    let row = try? await self.database.visioCallStarted(booking: booking, at: self.clock())
                    await self.setRow(key, row)
                }
            case .recordEnd(let outcome):
                logger.info("visio call ended", metadata: ["booking": "\(key)", "outcome": "\(outcome)"])
                if call.seat == .specialist { metrics?.visioEnded(outcome: outcome, duration: call.admittedAt.map { ContinuousClock.now - $0 }) }
                if call.seat == .specialist, let row = call.row { record { try? await self.database.visioCallEnded(id: row, at: self.clock(), outcome: outcome) } }
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

    /// What the room's media are for this call: the ICE servers and the codec the specialist's
    /// browser prefers (a conference seat is decided at the start).
    private func settings(for call: Call) -> MediaSettings {
        let servers = iceServers(call.booking)
        var settings = media
        settings.stunServer = servers.first { $0.urls.hasPrefix("stun:") }?.gstreamerURL
        settings.turnServer = servers.first { $0.urls.hasPrefix("turn") }?.gstreamerURL
        settings.preset = codec.codec(browserPrefers: call.machine.browserCodecs).preset
        return settings
    }

    /// Builds the room's pipeline, tells the specialist, starts it. Its events reach the actor
    /// in order through one stream, tagged with the socket they were started for.
    private func startMedia(_ key: String) throws {
        guard let call = calls[key] else { return }
        // The room's camera is this call's now: media another specialist's wait prepared let it go.
        for (other, waiting) in calls where other != key && waiting.booking.station == call.booking.station && waiting.preparedPreset != nil {
            stopMedia(other)
        }
        var settings = settings(for: call)
        calls[key]?.conference = call.invited
        if call.invited {
            settings.conference = try ConferenceSeat(room: call.booking.id, seat: call.seat.index)
            // The specialist's call alone had the lighter pipeline: it becomes a conference seat.
            let other = Self.key(call.booking.id, call.seat == .specialist ? .guest : .specialist)
            if let peer = calls[other], !peer.conference, peer.machine.admitted {
                calls[other]?.invited = true
                handle(other, .mediaChanged)
            }
        }
        let peer = try attachPeer(key, station: call.booking.station ?? "", settings: settings, connection: call.machine.connection)
        tellAdmitted(key)
        try peer.start(offerer: true)
    }

    /// Starts the media of a call alone while its specialist waits, without a word to anyone
    /// (see `CallMachine.mediaPrepared`) — when the engine can, and no other call of the room
    /// has its camera. Otherwise the admission starts them, as before.
    private func prepareMedia(_ key: String) throws {
        guard let call = calls[key], engine.preparesMedia, !call.invited, call.peer == nil,
            !calls.contains(where: { $0.key != key && $0.value.booking.station == call.booking.station && $0.value.peer != nil })
        else { return }
        let settings = settings(for: call)
        let peer = try attachPeer(key, station: call.booking.station ?? "", settings: settings, connection: call.machine.connection)
        calls[key]?.preparedPreset = settings.preset
        try peer.prepare()
    }

    /// How long before the slot a waiting specialist's media may start (the usager is about to
    /// be seated): earlier, the camera's light would come on in front of the previous usager.
    static let preparesBefore: TimeInterval = 120

    /// Starts (or prepares) a call's media; a failure is logged and fed to the call's machine.
    private func starting(_ key: String, what: String = "started", _ body: () throws -> Void) {
        do { try body() } catch {
            // Prepared media that fail cost the call nothing yet (the admission starts afresh).
            logger.log(level: what == "prepared" ? .warning : .error, "visio: the room's media cannot be \(what)", metadata: ["booking": "\(key)", "error": "\(error)"])
            handle(key, .media(.failedToStart))
        }
    }

    /// Tells the specialist they are in (the metrics' setup starts at the first admission).
    private func tellAdmitted(_ key: String) {
        guard let call = calls[key] else { return }
        if call.admittedAt == nil { calls[key]?.admittedAt = .now }
        call.send(.admitted(iceServers: iceServers(call.booking)))
    }

    /// A specialist who joined early and still waits, on the same connection: their media now.
    private func prepareIfStillWaiting(_ key: String, connection: UUID) {
        guard let call = calls[key], call.machine.connection == connection, call.machine.mediaPrepared else { return }
        starting(key, what: "prepared") { try prepareMedia(key) }
    }

    /// The admission of a specialist whose media were prepared: told at once, and the offer
    /// goes now (or at the media's first request). Media that no longer fit (a participant
    /// invited since, another codec asked) start afresh.
    private func usePreparedMedia(_ key: String, offerNow: Bool) throws {
        guard let call = calls[key] else { return }
        guard let peer = call.peer, let prepared = call.preparedPreset, !call.invited, prepared == settings(for: call).preset else {
            stopMedia(key)
            return try startMedia(key)
        }
        calls[key]?.preparedPreset = nil
        calls[key]?.conference = false
        tellAdmitted(key)
        peer.release()
        if offerNow { peer.createOffer() }
    }

    private func stopMedia(_ key: String) {
        guard let call = calls[key] else { return }
        call.events?.cancel()
        call.peer?.stop(reason: nil)
        calls[key]?.peer = nil
        calls[key]?.events = nil
        calls[key]?.preparedPreset = nil
    }

    /// The call's engine, whose events reach the actor in order through one stream, tagged with
    /// the connection they were started for.
    private func attachPeer(_ key: String, station: String, settings: MediaSettings, connection: UUID) throws -> any RoomPeer {
        let (stream, continuation) = AsyncStream<MediaEvent>.makeStream()
        let peer = try engine.makePeer(call: key, station: station, settings: settings) { continuation.yield($0) }
        calls[key]?.peer = peer
        calls[key]?.events = Task { [weak self] in
            for await event in stream { await self?.mediaEvent(key, connection: connection, event) }
        }
        return peer
    }

    private func setRow(_ key: String, _ row: Int64?) {
        guard let row else { return }
        if calls[key] != nil {
            calls[key]?.row = row
        } else {
            // The call ended before its row was written.
            record { try? await self.database.visioCallEnded(id: row, at: self.clock(), outcome: "ended-early") }
        }
    }

    // MARK: the room's counters

    /// The room's counters of a seat's call, for the room's screen and the tests.
    public func frames(_ bookingID: String, seat: VisioSeat = .specialist) -> (video: Int64, audio: Int64)? {
        calls[Self.key(bookingID, seat)]?.peer.map { ($0.videoFrames, $0.audioBuffers) }
    }

    /// Benchmark only: glass-to-glass latencies of the specialist's pictures since the last call.
    public func stampLatencies(_ key: String) -> [Double] {
        calls[key]?.peer?.stampLatencies() ?? []
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
        calls[bookingID] = Call(booking: booking, seat: .specialist, since: clock(), invited: false, machine: machine, send: { _ in }, close: {})
        // The running pipeline, known to the engine so that the next stop reaches it (and its
        // end, should it stop before the page is back, is what the page hears then).
        do {
            _ = try attachPeer(bookingID, station: station, settings: media, connection: machine.connection)
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
