import Dispatch

/// Blocking work (a device call, a bcrypt hash) runs on a dispatch thread, never on Swift's
/// small cooperative pool, whose few threads the HTTP server needs.
public enum OffPool {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
