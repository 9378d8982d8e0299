import Foundation
import Synchronization

/// Results of the slower checks (SANE's device list, GStreamer's registry) kept for a while,
/// so a monitoring probe every few seconds neither waits on the scanner's lock nor spawns
/// processes each time.
public final class HealthCache: Sendable {
    private let entries = Mutex<[String: (at: Date, check: ComponentCheck)]>([:])

    public func value(_ key: String, maxAge: TimeInterval, now: Date = Date(), compute: () -> ComponentCheck) -> ComponentCheck {
        if let entry = entries.withLock({ $0[key] }), now.timeIntervalSince(entry.at) < maxAge { return entry.check }
        let check = compute()
        entries.withLock { $0[key] = (now, check) }
        return check
    }
}
