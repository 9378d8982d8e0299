import Agenda
import Foundation
import Synchronization

/// Recently checked sessions, so that a burst of API calls does not read the database for
/// every request. Entries live a few seconds; any change to sessions or accounts made by
/// this process clears the cache at once, so a sign-out or a disabled account takes effect
/// immediately.
final class SessionCache: Sendable {
    private let entries = Mutex<[String: (session: WebSession?, checkedAt: Date)]>([:])
    static let lifetime: TimeInterval = 5
    static let capacity = 1000

    func lookup(_ token: String, now: Date) -> WebSession?? {
        entries.withLock { entries in
            guard let entry = entries[token], now.timeIntervalSince(entry.checkedAt) < Self.lifetime, entry.checkedAt <= now else { return nil }
            if let session = entry.session, session.expiresAt <= now { return .some(nil) }
            return .some(entry.session)
        }
    }

    func store(_ token: String, _ session: WebSession?, now: Date) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[token] = (session, now)
        }
    }

    func clear() { entries.withLock { $0.removeAll() } }
}
