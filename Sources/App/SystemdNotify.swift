import Foundation
import ServiceLifecycle
import Store

#if canImport(Glibc)
import Glibc
#endif

/// systemd's readiness protocol (`Type=notify`): one datagram to `$NOTIFY_SOCKET` saying
/// `READY=1` once the daemon listens, `STOPPING=1` as it begins to stop. Without the
/// variable (a terminal, the tests' daemon) it does nothing; a failure to send is ignored, as
/// sd_notify(3) does: systemd then times the start out and says so in the journal.
public enum SystemdNotify {
    @discardableResult
    public static func send(_ state: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard var path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return false }
        // An abstract socket is written with a leading '@' and addressed with a leading NUL.
        let abstract = path.hasPrefix("@")
        if abstract { path.removeFirst() }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let offset = abstract ? 1 : 0
        guard bytes.count + offset < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i + offset] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + offset + bytes.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, message, message.count, Int32(MSG_NOSIGNAL), $0, length) }
        }
        return sent == message.count
    }
}

/// Tells systemd `STOPPING=1` as soon as a graceful stop begins (the last of the services, so
/// the first told); the calls' ends and the requests in flight come after.
public struct StoppingNotice: Service {
    public init() {}

    public func run() async throws {
        try? await gracefulShutdown()
        SystemdNotify.send("STOPPING=1")
    }
}

/// systemd's watchdog (`WatchdogSec=` in the unit): `WATCHDOG=1` every half interval, each
/// time after the database answered a read — a daemon whose database or tasks are stuck stops
/// pinging, and systemd restarts it. Runs only when systemd asked for it (`$WATCHDOG_USEC`,
/// and `$WATCHDOG_PID` naming this process when set).
struct WatchdogService: Service {
    let interval: Duration
    let database: AppDatabase

    init?(database: AppDatabase, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"].flatMap(Int32.init), pid != getpid() { return nil }
        interval = .microseconds(usec / 2)
        self.database = database
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if (try? await database.journalMode()) != nil { SystemdNotify.send("WATCHDOG=1") }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
