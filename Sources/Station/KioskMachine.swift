import Foundation

/// Why a kiosk session ended. Every cause leads to the same wipe.
public enum SessionEndReason: String, Sendable, Codable {
    case button, inactivity, agent, restart
}

/// The station's states: idle → in use → inactivity warning → ending → wiping → idle, and
/// out of service when a wipe could not be verified (the next usager must never see the
/// previous one's traces).
public enum KioskState: Sendable, Equatable {
    case idle
    case inUse(session: String, lastActivity: Date)
    case warning(session: String, deadline: Date)
    case ending(session: String, reason: SessionEndReason)
    case wiping(session: String)
    case outOfService(reason: String)

    public var name: String {
        switch self {
        case .idle: "idle"
        case .inUse: "in-use"
        case .warning: "warning"
        case .ending: "ending"
        case .wiping: "wiping"
        case .outOfService: "out-of-service"
        }
    }

    public var session: String? {
        switch self {
        case .inUse(let s, _), .warning(let s, _), .ending(let s, _), .wiping(let s): s
        case .idle, .outOfService: nil
        }
    }
}

/// What the machine asks the world to do after an event.
public enum KioskEffect: Sendable, Equatable {
    case openSession(String)
    case closeBrowser(session: String)
    case showWarning(deadline: Date)
    case hideWarning
    case wipe(session: String, reason: SessionEndReason)
    case ready
    case alertAgents(String)
}

public enum KioskEvent: Sendable, Equatable {
    case start
    case activity
    case extend
    case tick
    case end(SessionEndReason)
    /// The session's browser has exited: its profile may now be deleted.
    case browserClosed
    case wipeSucceeded
    case wipeFailed(String)
    /// The daemon restarted: whatever was running is ended and wiped.
    case recover(unfinishedSession: String?)
    /// An agent checked the station after a failed wipe and puts it back in service.
    case reset
}

/// Inactivity durations from the configuration. The warning lasts at least 20 seconds and
/// one action extends the session (WCAG 2.2.1, timing adjustable).
public struct KioskTimings: Sendable, Equatable {
    public static let minimumWarning: TimeInterval = 20
    public let inactivity: TimeInterval
    public let warning: TimeInterval

    public init(inactivity: TimeInterval, warning: TimeInterval) {
        self.inactivity = inactivity
        self.warning = max(warning, Self.minimumWarning)
    }
}

/// A refused transition, named for the log and the tests.
public struct KioskTransitionError: Error, Equatable, CustomStringConvertible {
    public let state: String
    public let event: String
    public var description: String { "event \(event) is not possible in state \(state)" }
}

/// The state machine itself: pure, the clock passed in.
public struct KioskMachine: Sendable {
    public private(set) var state: KioskState = .idle
    public let timings: KioskTimings
    private let makeID: @Sendable () -> String

    public init(timings: KioskTimings, state: KioskState = .idle, makeID: @escaping @Sendable () -> String) {
        self.timings = timings
        self.state = state
        self.makeID = makeID
    }

    @discardableResult
    public mutating func handle(_ event: KioskEvent, now: Date) throws(KioskTransitionError) -> [KioskEffect] {
        switch (state, event) {
        case (.idle, .start):
            let id = makeID()
            state = .inUse(session: id, lastActivity: now)
            return [.openSession(id)]
        case (.inUse(let s, _), .activity), (.warning(let s, _), .extend), (.warning(let s, _), .activity):
            let wasWarning = if case .warning = state { true } else { false }
            state = .inUse(session: s, lastActivity: now)
            return wasWarning ? [.hideWarning] : []
        case (.inUse(let s, let last), .tick):
            guard now.timeIntervalSince(last) >= timings.inactivity else { return [] }
            let deadline = now.addingTimeInterval(timings.warning)
            state = .warning(session: s, deadline: deadline)
            return [.showWarning(deadline: deadline)]
        case (.warning(let s, let deadline), .tick):
            guard now >= deadline else { return [] }
            return end(s, .inactivity)
        case (.inUse(let s, _), .end(let reason)), (.warning(let s, _), .end(let reason)):
            return end(s, reason)
        case (.ending(let s, let reason), .browserClosed):
            state = .wiping(session: s)
            return [.wipe(session: s, reason: reason)]
        case (.wiping, .wipeSucceeded):
            state = .idle
            return [.ready]
        case (.wiping, .wipeFailed(let why)):
            state = .outOfService(reason: why)
            return [.alertAgents("Le nettoyage du poste a échoué : \(why). Le poste est hors service jusqu’à vérification.")]
        case (_, .recover(let unfinished)):
            if let unfinished {
                state = .wiping(session: unfinished)
                return [.wipe(session: unfinished, reason: .restart)]
            }
            if case .outOfService = state { return [] }
            state = .idle
            return [.ready]
        case (.outOfService, .reset):
            state = .idle
            return [.ready]
        case (_, .tick), (.idle, .activity):
            return []
        default:
            throw KioskTransitionError(state: state.name, event: "\(event)")
        }
    }

    private mutating func end(_ session: String, _ reason: SessionEndReason) -> [KioskEffect] {
        state = .ending(session: session, reason: reason)
        return [.hideWarning, .closeBrowser(session: session)]
    }
}
