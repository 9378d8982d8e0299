import Store
import Foundation
import Logging
import ServiceLifecycle
import OfficeKit

/// The daily purge of personal data, run inside the daemon: once at start, then every
/// `interval`. It stops with the daemon's graceful shutdown.
struct PurgeService: Service {
    let office: Office
    let logger: Logger
    var interval: Duration = .seconds(6 * 3600)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await office.purgePersonalData(actor: "system")
                if report.total > 0 { SecurityLog.logger.notice("personal data purged", metadata: ["guichet.purged": "\(report.total)", "guichet.actor": "system"]) }
            } catch {
                logger.error("purge failed", metadata: ["guichet.error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
