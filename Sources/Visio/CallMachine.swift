import Foundation

/// One visio call's rules, without I/O: events in, actions out. `VisioCalls` feeds it what
/// the specialist's socket, the agent and the room's media engine say, and carries out the
/// actions it returns (send, start or stop the media, write the call's record).
///
///     waiting ──admit──▶ admitted ──offer sent──▶ offering ──remote media──▶ connected
///     (media prepared)
///        │                  ▲  │                     │                          │
///        │                  │  └───── socket lost ───┴──────────┬───────────────┘
///        │                  └── new socket ── reconnecting ◀────┘
///        └── socket lost, leave, hang-up, media ended, grace over, daemon stops ──▶ ended
public struct CallMachine: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case waiting
        case admitted
        case offering
        case connected
        case reconnecting(since: Date)
        case ended(outcome: String)
    }

    /// What the room's media engine reports, as far as the call's rules care.
    public enum Media: Sendable, Equatable {
        case negotiationNeeded
        case localDescription(sdp: String)
        case candidate(mline: Int, candidate: String)
        case remoteMedia(kind: String)
        case chat(String)
        case ended(why: String)
        case failedToStart
    }

    public enum Event: Sendable, Equatable {
        /// A socket opened on the call's link: the one replacing a lost connection, or a second device.
        case connected(UUID)
        case disconnected(UUID)
        /// The reconnection grace of this socket is over.
        case graceOver(UUID)
        case received(IncomingSignal)
        case admitted
        case roomHungUp
        case media(Media)
        /// The server stops. When the room's PC goes on with the call (`roomGoesOn`), the
        /// page is only disconnected and reconnects to the restarted server; otherwise it is
        /// told the call has ended.
        case daemonStopping(roomGoesOn: Bool)
        /// The room's PC still runs this call, admitted before the server restarted; the
        /// specialist's page came back first and waits: it goes straight back in.
        case resumedByRoom
        /// What the room sends must change shape (a third participant arrives): the media
        /// start again with a fresh offer, which the page answers on its connection.
        case mediaChanged
    }

    public enum Action: Sendable, Equatable {
        case send(OutgoingSignal)
        /// Tells the specialist it is admitted (with fresh ICE servers).
        case sendAdmitted
        /// Closes the specialist's current socket.
        case closeConnection
        /// Tells a second device on the same link that the link is in use (its socket stays
        /// open until it leaves or the call ends; the agent sees it).
        case refuseDevice(UUID)
        /// Builds the room's pipeline, tells the specialist it is admitted, starts (the room offers).
        case startMedia
        /// Builds and starts the room's pipeline while the specialist waits, telling no one:
        /// camera, microphone and encoders run, nothing leaves the room (no offer, no ICE).
        case prepareMedia
        /// Admission with prepared media: tells the specialist, offers at once when the media
        /// already asked to (`offerNow`), else when they do (the prepared media are started
        /// afresh if they no longer fit the call).
        case usePreparedMedia(offerNow: Bool)
        case stopMedia
        case createOffer
        case applyAnswer(sdp: String)
        case addCandidate(mline: Int, candidate: String)
        /// Ends the call after `reconnectGrace` unless this socket was replaced.
        case startGrace(UUID)
        case recordStart
        case recordEnd(outcome: String)
    }

    /// How long an admitted call waits for a specialist whose connection dropped (a network
    /// change, a reload) before it ends.
    public static let reconnectGrace: TimeInterval = 20

    static let serverStopped = "Le serveur de la structure s’est arrêté : l’appel est terminé."

    public private(set) var phase: Phase = .waiting
    public private(set) var connection: UUID
    /// Whether an agent admitted the specialist (a reconnection goes straight back in).
    public private(set) var admitted = false
    public private(set) var remoteMedia: Set<String> = []
    /// The room's media run while the specialist waits (prepared at their `join`), as a
    /// browser's camera runs before its call: admission then costs no camera or encoder start,
    /// and the offer goes at once.
    public private(set) var mediaPrepared = false
    /// The prepared media asked to negotiate (every stream has its format): the offer waits
    /// for admission.
    public private(set) var offerHeld = false
    /// The video codecs the specialist's browser decodes, preferred first (from its `join`).
    public private(set) var browserCodecs: [String] = []
    /// Texts the specialist sent to the usager, shown on the room's screen during the call only.
    public private(set) var messages: [String] = []

    public init(connection: UUID) {
        self.connection = connection
    }

    /// The first actions of a new call.
    public static func start(connection: UUID) -> (CallMachine, [Action]) {
        (CallMachine(connection: connection), [.send(.waiting)])
    }

    /// A call the room's PC still runs after the server restarted: admitted, waiting for the
    /// specialist's page to connect again (it retries every 2 s) within the grace; then a
    /// fresh offer, as after any reconnection.
    public static func resumed(now: Date) -> (CallMachine, [Action]) {
        var machine = CallMachine(connection: UUID())
        machine.admitted = true
        machine.phase = .reconnecting(since: now)
        return (machine, [.startGrace(machine.connection)])
    }

    public var isEnded: Bool {
        if case .ended = phase { true } else { false }
    }

    /// The media engine runs (after admission, while the specialist is connected).
    var mediaRunning: Bool {
        switch phase {
        case .admitted, .offering, .connected: true
        default: false
        }
    }

    public mutating func handle(_ event: Event, now: Date) -> [Action] {
        guard !isEnded else { return [] }
        switch event {
        case .connected(let socket):
            // One specialist per link: while the current connection lives, another device
            // is told the link is in use. Only a lost connection's page (or anyone, once it
            // is lost) takes the call up again.
            guard case .reconnecting = phase else { return [.refuseDevice(socket)] }
            var actions: [Action] = [.stopMedia, .closeConnection]
            connection = socket
            remoteMedia = []
            if admitted {
                phase = .admitted
                actions.append(.startMedia)
            } else {
                phase = .waiting
                actions.append(.send(.waiting))
            }
            return actions
        case .disconnected(let socket):
            guard socket == connection else { return [] }  // already replaced
            guard admitted else { return end("specialist-left") }
            phase = .reconnecting(since: now)
            return [.startGrace(socket)]
        case .graceOver(let socket):
            guard socket == connection, case .reconnecting = phase else { return [] }
            return end("specialist-lost")
        case .admitted:
            guard !admitted else { return [] }
            admitted = true
            phase = .admitted
            let start: Action = mediaPrepared ? .usePreparedMedia(offerNow: offerHeld) : .startMedia
            (mediaPrepared, offerHeld) = (false, false)
            return [start, .recordStart]
        case .resumedByRoom:
            guard !admitted else { return [] }
            admitted = true
            phase = .admitted
            let prepared: [Action] = mediaPrepared ? [.stopMedia] : []
            (mediaPrepared, offerHeld) = (false, false)
            return prepared + [.startMedia]
        case .mediaChanged:
            guard mediaRunning else { return [] }
            phase = .admitted
            remoteMedia = []
            return [.stopMedia, .startMedia]
        case .roomHungUp:
            return [.send(.leave)] + end("room-hung-up")
        case .daemonStopping(let roomGoesOn):
            if roomGoesOn { return end("daemon-stopped") }
            return [.send(.error(code: "call_ended", message: Self.serverStopped))] + end("daemon-stopped")
        case .received(let message):
            return received(message)
        case .media(let media):
            return self.media(media)
        }
    }

    private mutating func received(_ message: IncomingSignal) -> [Action] {
        switch message {
        case .join(let codecs):
            if !codecs.isEmpty { browserCodecs = codecs }
            if admitted { return [.sendAdmitted] }
            guard !mediaPrepared else { return [.send(.waiting)] }
            mediaPrepared = true
            return [.send(.waiting), .prepareMedia]
        case .answer(let sdp):
            guard mediaRunning else { return [.send(.refusal(.notNow("no offer yet")))] }
            return [.applyAnswer(sdp: sdp)]
        case .candidate(let mline, let candidate):
            guard mediaRunning else { return [.send(.refusal(.notNow("no call yet")))] }
            return [.addCandidate(mline: mline, candidate: candidate)]
        case .chat(let text):
            guard admitted else { return [.send(.refusal(.notNow("not admitted")))] }
            remember(text)
            return []
        case .leave:
            return end("specialist-hung-up")
        }
    }

    private mutating func media(_ media: Media) -> [Action] {
        switch media {
        case .negotiationNeeded:
            if mediaPrepared { offerHeld = true }
            return mediaRunning ? [.createOffer] : []
        case .localDescription(let sdp):
            guard mediaRunning else { return [] }
            if phase == .admitted { phase = .offering }
            return [.send(.offer(sdp: sdp))]
        case .candidate(let mline, let candidate):
            return mediaRunning ? [.send(.candidate(mline: mline, candidate: candidate))] : []
        case .remoteMedia(let kind):
            guard mediaRunning else { return [] }
            remoteMedia.insert(kind)
            phase = .connected
            return []
        case .chat(let text):
            remember(String(text.prefix(2000)))
            return []
        case .ended where mediaPrepared, .failedToStart where mediaPrepared:
            // Prepared media that fail (a camera unplugged) cost the specialist no wait: the
            // admission starts them afresh, and says so if they fail again.
            (mediaPrepared, offerHeld) = (false, false)
            return [.stopMedia]
        case .ended(let why):
            return [.send(.error(code: "call_ended", message: "L’appel s’est interrompu : \(why)."))] + end("media-ended")
        case .failedToStart:
            return end("media-failed")
        }
    }

    private mutating func remember(_ text: String) {
        messages = Array((messages + [text]).suffix(10))
    }

    private mutating func end(_ outcome: String) -> [Action] {
        phase = .ended(outcome: outcome)
        (mediaPrepared, offerHeld) = (false, false)
        return [.stopMedia, .closeConnection, .recordEnd(outcome: outcome)]
    }
}
